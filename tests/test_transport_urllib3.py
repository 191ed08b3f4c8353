"""urllib3 used directly (PoolManager, urllib3.request, a pool of its own): the same fake and
state as boto3, answered in ``urlopen`` with a real HTTPResponse, retried by urllib3's own
Retry; botocore's and requests' requests are still answered once, above urllib3."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import boto3
import pytest
import requests
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from jobs import bedrock_job, bedrock_params, personalize_params
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

HOST = "bedrock.us-east-1.amazonaws.com"
BEDROCK = f"https://{HOST}"
PERSONALIZE = "https://personalize.us-east-1.amazonaws.com/"
JOBS = f"{BEDROCK}/model-invocation-jobs"
CREATE = f"{BEDROCK}/model-invocation-job"
REAL_LOOKING = Credentials("AKIAIOSFODNN7REALKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALKEY")


def signed(method: str, url: str, body: bytes | None = None, **headers: str) -> dict[str, str]:
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    service = "personalize" if "personalize" in url else "bedrock"
    SigV4Auth(REAL_LOOKING, service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


# -- the same state as boto3 ------------------------------------------------------------


def test_a_pool_manager_creates_gets_and_lists_jobs_that_boto3_sees(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    http = urllib3.PoolManager()
    body = json.dumps(bedrock_params("from-urllib3")).encode()
    created = http.request("POST", CREATE, body=body, headers=signed("POST", CREATE, body))
    assert (created.status, created.headers["Content-Type"]) == (200, "application/json")
    arn = created.json()["jobArn"]
    job_url = f"{BEDROCK}/model-invocation-job/{quote(arn, safe='')}"
    job = http.request("GET", job_url, headers=signed("GET", job_url)).json()
    assert (job["jobArn"], job["status"]) == (arn, "Submitted")
    listed = urllib3.request("GET", JOBS).json()  # urllib3's module-level request
    assert [summary["jobArn"] for summary in listed["invocationJobSummaries"]] == [arn]
    boto = boto3.client("bedrock", region_name="us-east-1")
    assert boto.get_model_invocation_job(jobIdentifier=arn)["jobName"] == "from-urllib3"
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        ("urllib3", "CreateModelInvocationJob"),
        ("urllib3", "GetModelInvocationJob"),
        ("urllib3", "ListModelInvocationJobs"),
        ("botocore", "GetModelInvocationJob"),
    ]
    assert socket_guard == []


def test_a_connection_pool_of_its_own_sends_a_personalize_call(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    pool = urllib3.HTTPSConnectionPool("personalize.us-east-1.amazonaws.com")
    body = json.dumps(personalize_params("pool-recs")).encode()
    headers = {
        "X-Amz-Target": "AmazonPersonalize.CreateBatchInferenceJob",
        "Content-Type": "application/x-amz-json-1.1",
    }
    created = pool.urlopen(
        "POST", "/", body=body, headers=signed("POST", PERSONALIZE, body, **headers)
    )
    assert created.status == 200, created.data
    arn = json.loads(created.data)["batchInferenceJobArn"]
    boto = boto3.client("personalize", region_name="us-east-1")
    job = boto.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]
    assert job["status"] == "CREATE PENDING"
    assert socket_guard == []


def test_a_response_is_read_as_urllib3_reads_one(batchjobs_fake: BatchJobsFake) -> None:
    bedrock_job(boto3.client("bedrock", region_name="us-east-1"), "read-me")
    http = urllib3.PoolManager()
    preloaded = http.request("GET", JOBS)
    streamed = http.request("GET", JOBS, preload_content=False)
    chunks = list(streamed.stream(16))
    streamed.release_conn()
    assert b"".join(chunks) == preloaded.data
    assert preloaded.json()["invocationJobSummaries"][0]["jobName"] == "read-me"
    assert preloaded.headers["Content-Length"] == str(len(preloaded.data))
    assert preloaded.reason == "OK"


# -- what a user sees: errors, unfaked operations, broken connections, retries -----------


def test_errors_are_aws_errors_and_an_unfaked_operation_answers_501(
    batchjobs_fake: BatchJobsFake,
) -> None:
    http = urllib3.PoolManager()
    missing = http.request("GET", f"{BEDROCK}/model-invocation-job/abcdefghijkl")
    invalid = http.request("GET", f"{JOBS}?maxResults=1001")
    unfaked = http.request("GET", f"{BEDROCK}/foundation-models")
    assert (missing.status, missing.reason) == (404, "Not Found")
    assert missing.headers["x-amzn-ErrorType"].startswith("ResourceNotFoundException")
    assert invalid.status == 400
    assert "maxResults" in invalid.json()["message"]
    assert (unfaked.status, unfaked.headers["x-amzn-ErrorType"]) == (501, "NotImplemented")
    message = unfaked.json()["message"]
    assert "bedrock ListFoundationModels is not faked" in message
    assert "not sent to AWS" in message
    assert "mock_aws" not in message  # moto mocks no urllib3


def test_broken_connections_raise_what_urllib3_raises(batchjobs_fake: BatchJobsFake) -> None:
    """Measured against a socket with urllib3 2.8."""
    faults = batchjobs_fake.faults
    faults.transport("ListModelInvocationJobs", kind="connection_reset", times=1)
    with pytest.raises(ProtocolError) as reset:
        urllib3.request("GET", JOBS, retries=False)
    assert reset.value.args[0] == "Connection aborted."
    assert isinstance(reset.value.args[1], ConnectionResetError)
    assert reset.value.args[1].errno == 104
    faults.transport("ListModelInvocationJobs", kind="read_timeout", times=1)
    with pytest.raises(ReadTimeoutError, match=r"Read timed out\. \(read timeout=2\.5\)"):
        urllib3.request("GET", JOBS, retries=False, timeout=urllib3.Timeout(connect=1, read=2.5))
    assert [call.error for call in batchjobs_fake.calls] == ["connection_reset", "read_timeout"]


def test_urllib3s_own_retry_takes_broken_connections_and_retried_statuses(
    batchjobs_fake: BatchJobsFake,
) -> None:
    faults = batchjobs_fake.faults
    started = batchjobs_fake.clock.now()
    faults.transport("ListModelInvocationJobs", kind="connection_reset", times=2)
    answered = urllib3.request("GET", JOBS, retries=urllib3.Retry(total=2, backoff_factor=1))
    assert answered.status == 200
    assert answered.retries is not None
    assert answered.retries.total == 0
    faults.transport("ListModelInvocationJobs", kind="read_timeout", times=3)
    with pytest.raises(MaxRetryError) as exhausted:
        urllib3.request("GET", JOBS, retries=urllib3.Retry(total=2, backoff_factor=1))
    assert isinstance(exhausted.value.reason, ReadTimeoutError)
    faults.fail("ListModelInvocationJobs", error="ThrottlingException", times=1)
    retry = urllib3.Retry(total=1, status_forcelist=[429], backoff_factor=1)
    assert urllib3.request("GET", JOBS, retries=retry).status == 200
    assert [call.error for call in batchjobs_fake.calls] == [
        "connection_reset",
        "connection_reset",
        None,
        "read_timeout",
        "read_timeout",
        "read_timeout",
        "ThrottlingException",
        None,
    ]
    # urllib3's backoff slept in fake time: none after a first error, 2 s after a second
    assert (batchjobs_fake.clock.now() - started).total_seconds() == 2 + 2


# -- whichever client sent it -------------------------------------------------------------


def test_botocore_and_requests_are_answered_once_above_urllib3(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    boto3.client("bedrock", region_name="us-east-1").list_model_invocation_jobs()
    assert requests.get(JOBS, timeout=5).status_code == 200
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        ("botocore", "ListModelInvocationJobs"),
        ("responses", "ListModelInvocationJobs"),
    ]
    assert socket_guard == []


def test_a_request_that_reaches_urllib3_anyway_is_answered_there_and_not_sent(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    """botocore's own HTTP session used below its endpoint (no before-send, no fake
    handler) hands the request to urllib3, which answers it."""
    from botocore.httpsession import URLLib3Session

    request = AWSRequest(method="GET", url=JOBS, headers=signed("GET", JOBS)).prepare()
    response = URLLib3Session().send(request)
    assert response.status_code == 200
    assert json.loads(response.content) == {"invocationJobSummaries": []}
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        ("urllib3", "ListModelInvocationJobs")
    ]
    assert socket_guard == []


def test_a_proxy_manager_is_answered_without_asking_the_proxy(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    proxy = urllib3.ProxyManager("http://proxy.example.com:3128")
    assert proxy.request("GET", JOBS).status == 200
    assert proxy.request("GET", JOBS.replace("https:", "http:")).status == 200
    assert batchjobs_fake.call_count("ListModelInvocationJobs") == 2
    assert socket_guard == []


class Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_another_urls_request_is_sent_with_its_body_unread(batchjobs_fake: BatchJobsFake) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/echo"
        headers = {"Content-Length": "11"}
        echoed = urllib3.request("POST", url, body=io.BytesIO(b"from a file"), headers=headers)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert echoed.data == b"from a file"
    assert batchjobs_fake.calls == []


def test_other_urls_are_untouched_and_nothing_once_the_fake_stops(local_site: str) -> None:
    original = urllib3.HTTPConnectionPool.urlopen
    with fake_batchjobs() as fake:
        assert urllib3.HTTPConnectionPool.urlopen is not original
        assert urllib3.request("GET", local_site).data == b"hello"
    assert fake.calls == []
    assert urllib3.HTTPConnectionPool.urlopen is original
    assert urllib3.request("GET", local_site).data == b"hello"


def test_the_plugin_does_not_import_urllib3() -> None:
    """A fake loads botocore and requests, which import urllib3; the plugin alone does not."""
    script = (
        "import sys, pytest_batchjobs.plugin\n"
        "print('urllib3' in sys.modules)\n"
        "from pytest_batchjobs import fake_batchjobs\n"
        "with fake_batchjobs() as fake:\n"
        "    import urllib3\n"
        "    url = 'https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs'\n"
        "    print(urllib3.request('GET', url).status, [call.transport for call in fake.calls])\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert output.splitlines() == ["False", "200 ['urllib3']"]
