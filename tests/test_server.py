"""The local HTTP server: both APIs and the control API, one state with the Python API."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from clients import aws_env
from jobs import bedrock_params, personalize_params, wall_seconds
from requests_aws4auth import AWS4Auth

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.transports.server import FakeServer, check_host

CREATE = bedrock_params("nightly")


def personalize(url: str, operation: str, body: dict[str, Any], **kwargs: Any) -> Any:
    return requests.post(
        f"{url}/",
        data=json.dumps(body),
        headers={
            "X-Amz-Target": f"AmazonPersonalize.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
        timeout=5,
        **kwargs,
    )


def control(url: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    answer = requests.request(method, f"{url}/_batchjobs/{path}", json=body, timeout=5)
    assert answer.headers["Content-Type"] == "application/json"
    return answer.status_code, answer.json()


# -- both APIs --------------------------------------------------------------------------


def test_both_apis_share_state_with_the_python_api_and_boto3(batchjobs_server: FakeServer) -> None:
    url = batchjobs_server.endpoint_url
    assert url.startswith("http://127.0.0.1:")
    with requests.Session() as session:  # one kept-alive connection for every call
        created = session.post(f"{url}/model-invocation-job", json=CREATE, timeout=5)
        assert created.status_code == 200, created.text
        arn = created.json()["jobArn"]
        listed = session.get(f"{url}/model-invocation-jobs", timeout=5).json()
    assert [job["jobArn"] for job in listed["invocationJobSummaries"]] == [arn]

    created = personalize(url, "CreateBatchInferenceJob", personalize_params())
    assert created.status_code == 200, created.text
    assert created.headers["Content-Type"] == "application/x-amz-json-1.1"

    fake = batchjobs_server.fake
    fake.clock.advance(hours=2)
    # In this process boto3 is answered in botocore's send path, by the same fake.
    boto = boto3.client("bedrock", region_name="us-east-1")
    assert boto.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
    assert [(call.transport, call.service) for call in fake.calls] == [
        ("server", "bedrock"),
        ("server", "bedrock"),
        ("server", "personalize"),
        ("botocore", "bedrock"),
    ]


def test_the_region_comes_from_the_sigv4_credential_scope(batchjobs_server: FakeServer) -> None:
    auth = AWS4Auth("AKIDEXAMPLE", "secret", "eu-west-1", "bedrock")
    url = batchjobs_server.endpoint_url
    created = requests.post(f"{url}/model-invocation-job", json=CREATE, auth=auth, timeout=5)
    assert ":eu-west-1:" in created.json()["jobArn"]
    assert requests.get(f"{url}/model-invocation-jobs", timeout=5).json() == {
        "invocationJobSummaries": []
    }  # unsigned: the default region, us-east-1
    assert [call.region for call in batchjobs_server.fake.calls] == ["eu-west-1", "us-east-1"]


def test_errors_and_unfaked_operations(batchjobs_server: FakeServer) -> None:
    url = batchjobs_server.endpoint_url
    missing = requests.get(f"{url}/model-invocation-job/abcdefghijkl", timeout=5)
    assert missing.status_code == 404
    assert missing.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    unfaked = requests.get(f"{url}/foundation-models", timeout=5)
    assert unfaked.status_code == 501
    assert "bedrock ListFoundationModels is not faked" in unfaked.json()["message"]
    assert "moto" not in unfaked.json()["message"]  # no moto behind a server
    unfaked = personalize(url, "ListSolutions", {})
    assert unfaked.status_code == 501
    assert unfaked.json()["__type"].endswith("#NotImplemented")
    assert personalize(url, "NoSuchOperation", {}).status_code == 400
    assert requests.get(f"{url}/no/such/path", timeout=5).status_code == 404


def test_a_chunked_request_body(batchjobs_server: FakeServer) -> None:
    body = json.dumps(CREATE).encode()
    chunks = iter([body[:10], body[10:]])  # a generator body: requests sends it chunked
    created = requests.post(
        f"{batchjobs_server.endpoint_url}/model-invocation-job",
        data=chunks,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert created.status_code == 200, created.text


# -- transport faults ---------------------------------------------------------------------


def test_a_connection_reset_sends_no_response(batchjobs_server: FakeServer) -> None:
    batchjobs_server.fake.faults.transport("ListModelInvocationJobs", kind="connection_reset")
    url = f"{batchjobs_server.endpoint_url}/model-invocation-jobs"
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=5)
    assert requests.get(url, timeout=5).status_code == 200
    batchjobs_server.fake.faults.transport("ListModelInvocationJobs", kind="connection_reset")
    with socket.create_connection(("127.0.0.1", batchjobs_server.port)) as raw:
        raw.sendall(b"GET /model-invocation-jobs HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(ConnectionResetError):  # a TCP reset, not a clean close
            raw.recv(100)


def test_a_read_timeout_holds_the_response_until_the_client_gives_up(
    batchjobs_server: FakeServer,
) -> None:
    batchjobs_server.fake.faults.transport("ListModelInvocationJobs", kind="read_timeout")
    url = f"{batchjobs_server.endpoint_url}/model-invocation-jobs"
    began = wall_seconds()
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, timeout=(5, 0.2))
    assert requests.get(url, timeout=5).status_code == 200
    assert wall_seconds() - began < batchjobs_server.stall_seconds
    assert batchjobs_server.fake.calls[0].error == "read_timeout"


def test_stopping_ends_a_stalled_call_at_once(batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind="read_timeout")
    server = FakeServer(batchjobs_fake, stall_seconds=30).start()
    raw = socket.create_connection(("127.0.0.1", server.port))
    try:
        raw.sendall(b"GET /model-invocation-jobs HTTP/1.1\r\nHost: x\r\n\r\n")
        pause = threading.Event()
        for _ in range(500):  # the handler reaches the stall (real waits, not time.sleep)
            if batchjobs_fake.calls:
                break
            pause.wait(0.01)
        began = wall_seconds()
        server.stop()
        assert wall_seconds() - began < 2
    finally:
        raw.close()


# -- the control API over HTTP ----------------------------------------------------------


def test_control_clock_and_jobs(batchjobs_server: FakeServer) -> None:
    url = batchjobs_server.endpoint_url
    status, clock = control(url, "GET", "clock")
    assert (status, clock["now"]) == (200, "2024-01-01T09:00:00Z")
    status, added = control(url, "POST", "bedrock/jobs", {"count": 3, "status": "InProgress"})
    assert status == 200
    assert [job["status"] for job in added["jobs"]] == ["InProgress"] * 3
    assert all(job["submitTime"].endswith("Z") for job in added["jobs"])
    status, one = control(url, "POST", "personalize/jobs", {"jobName": "seeded-one"})
    assert status == 200
    assert one["jobs"][0]["jobName"] == "seeded-one"
    assert control(url, "POST", "clock/advance", {"hours": 1, "minutes": 30}) == (
        200,
        {"now": "2024-01-01T10:30:00Z"},
    )
    listed = requests.get(f"{url}/model-invocation-jobs?maxResults=10", timeout=5).json()
    assert len(listed["invocationJobSummaries"]) == 3
    assert batchjobs_server.fake.clock.now().hour == 10


def test_control_lifecycle_quota_and_faults(batchjobs_server: FakeServer) -> None:
    url = batchjobs_server.endpoint_url
    status, lifecycle = control(
        url, "POST", "bedrock/lifecycle", {"outcome": "Failed", "message": "no access"}
    )
    assert status == 200
    assert lifecycle["outcome"] == "Failed"
    arn = requests.post(f"{url}/model-invocation-job", json=CREATE, timeout=5).json()["jobArn"]
    control(url, "POST", "clock/advance", {"hours": 3})
    encoded = requests.utils.quote(arn, safe="")
    job = requests.get(f"{url}/model-invocation-job/{encoded}", timeout=5).json()
    assert (job["status"], job["message"]) == ("Failed", "no access")

    assert control(url, "POST", "bedrock/quota", {"max_active_jobs": 0}) == (
        200,
        {"max_active_jobs": 0},
    )
    refused = requests.post(
        f"{url}/model-invocation-job", json={**CREATE, "jobName": "two"}, timeout=5
    )
    assert refused.headers["x-amzn-ErrorType"] == "ServiceQuotaExceededException"

    status, rule = control(
        url, "POST", "faults/fail", {"operation": "list_model_invocation_jobs", "times": 2}
    )
    assert status == 200
    assert rule["rule"]["rule"].startswith("faults.fail('ListModelInvocationJobs'")
    for _ in range(2):
        assert requests.get(f"{url}/model-invocation-jobs", timeout=5).status_code == 429
    assert requests.get(f"{url}/model-invocation-jobs", timeout=5).status_code == 200
    assert control(url, "GET", "faults")[1]["rules"][0]["fired"] == 2
    control(url, "POST", "faults/throttle", {"operation": "GetModelInvocationJob", "per_second": 1})
    control(url, "POST", "faults/chaos", {"rate": 1, "errors": ["InternalServerException"]})
    control(url, "POST", "faults/transport", {"operation": "TagResource"})
    assert len(control(url, "GET", "faults")[1]["rules"]) == 4
    assert control(url, "POST", "faults/clear") == (200, {"rules": []})


def test_control_calls_pagination_and_reset(batchjobs_server: FakeServer) -> None:
    url = batchjobs_server.endpoint_url
    control(url, "POST", "bedrock/jobs", {"count": 5})
    assert control(url, "PUT", "pagination", {"max_page_size": 2}) == (
        200,
        {"max_page_size": 2, "empty_pages": False, "token_lifetime": 86400.0},
    )
    token = None
    while True:
        query = "" if token is None else f"?nextToken={requests.utils.quote(token)}"
        page = requests.get(f"{url}/model-invocation-jobs{query}", timeout=5).json()
        token = page.get("nextToken")
        if token is None:
            break
    sequences = control(url, "GET", "pagination/sequences")[1]["sequences"]
    assert len(sequences) == 1
    assert sequences[0]["exhausted"] is True
    assert [len(page["items"]) for page in sequences[0]["pages"]] == [2, 2, 1]
    calls = control(url, "GET", "calls")[1]["calls"]
    assert [call["operation"] for call in calls] == ["ListModelInvocationJobs"] * 3
    assert calls[1]["params"]["nextToken"] == sequences[0]["pages"][0]["token_out"]
    assert {call["transport"] for call in calls} == {"server"}

    assert control(url, "POST", "reset")[0] == 200
    assert control(url, "GET", "calls")[1] == {"calls": [], "dropped": 0}
    assert control(url, "GET", "pagination/sequences")[1] == {"sequences": [], "dropped": 0}
    assert control(url, "GET", "pagination")[1]["max_page_size"] is None
    assert requests.get(f"{url}/model-invocation-jobs", timeout=5).json() == {
        "invocationJobSummaries": []
    }


def test_control_outputs_of_a_job_created_over_http(batchjobs_server: FakeServer) -> None:
    url = batchjobs_server.endpoint_url
    arn = requests.post(f"{url}/model-invocation-job", json=CREATE, timeout=5).json()["jobArn"]

    def outputs() -> Any:
        # requests URL-encodes the ARN (%3A, %2F); the control API decodes it.
        answer = requests.get(f"{url}/_batchjobs/outputs", params={"job": arn}, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert outputs() == {"job": arn, "outputs": {}}
    assert control(url, "POST", "clock/advance", {"hours": 2})[0] == 200
    files = outputs()["outputs"]
    job_id = arn.rsplit("/", 1)[1]
    assert sorted(files) == [
        f"s3://batch-out/results/{job_id}/manifest.json.out",
        f"s3://batch-out/results/{job_id}/records.jsonl.out",
    ]
    assert files == batchjobs_server.fake.outputs(arn)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "expected"),
    [
        ("POST", "clock/advance", {"seconds": "ten"}, 400, "'seconds' must be a number, got a"),
        ("POST", "clock/advance", {}, 400, "needs one of 'seconds'"),
        ("POST", "clock/advance", {"seconds": -5}, 400, "only moves forward"),
        ("POST", "bedrock/jobs", {"count": -1}, 400, "count must be an integer from 0 to 1000000"),
        ("POST", "bedrock/jobs", {"colour": "red"}, 400, "unknown field(s) 'colour'"),
        ("POST", "bedrock/jobs", {"status": "Done"}, 400, "Done"),
        ("POST", "bedrock/jobs", {"submitTime": "yesterday"}, 400, "ISO 8601"),
        ("POST", "s3/jobs", {}, 404, "unknown job kind 's3'"),
        ("POST", "personalize/lifecycle", {"outcome": "Completed"}, 400, "ACTIVE"),
        ("POST", "bedrock/quota", {"max_active_jobs": "2"}, 400, "must be an integer or null"),
        ("POST", "faults/fail", {}, 400, "needs the field 'operation'"),
        ("POST", "faults/fail", {"operation": "Nope"}, 400, "'Nope' is not"),
        ("POST", "faults/fail", {"operation": "ListModelInvocationJobs", "error": "X"}, 400, "X"),
        ("POST", "faults/throttle", {"operation": "TagResource", "per_second": 0}, 400, "> 0"),
        ("POST", "faults/chaos", {"rate": 2}, 400, "(0, 1]"),
        ("POST", "faults/transport", {"operation": "TagResource", "kind": "x"}, 400, "reset"),
        ("POST", "bedrock/record_limits", {"minimum": 5, "maximum": 1}, 400, "got 5, 1"),
        ("POST", "personalize/record_limits", {}, 404, "record_limits is Bedrock only"),
        ("GET", "outputs", None, 400, "needs the query parameter 'job' once"),
        ("PUT", "pagination", {"empty_pages": "yes"}, 400, "true or false"),
        ("PUT", "pagination", {"token_lifetime": 0}, 400, "> 0"),
        ("PUT", "pagination", [1, 2], 400, "expects a JSON object body, got a list"),
        ("GET", "reset", None, 405, "expects POST, got GET"),
        ("GET", "nothing-here", None, 404, "no control endpoint GET /_batchjobs/nothing-here"),
    ],
)
def test_bad_control_input_is_a_400_saying_what_was_expected(
    batchjobs_server: FakeServer,
    method: str,
    path: str,
    body: Any,
    status: int,
    expected: str,
) -> None:
    answered, document = control(batchjobs_server.endpoint_url, method, path, body)
    assert answered == status
    assert set(document) == {"error"}
    assert expected in document["error"]
    assert "Traceback" not in document["error"]


def test_a_body_that_is_not_json(batchjobs_server: FakeServer) -> None:
    answer = requests.post(
        f"{batchjobs_server.endpoint_url}/_batchjobs/clock/advance", data=b"\xff{", timeout=5
    )
    assert answer.status_code == 400
    assert "expects a JSON body" in answer.json()["error"]


# -- binding ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts_are_allowed(host: str) -> None:
    check_host(host, allow_remote=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "example.com"])
def test_other_hosts_are_refused_unless_allowed(host: str) -> None:
    with pytest.raises(ValueError, match=r"refusing to serve on .*--allow-remote"):
        check_host(host, allow_remote=False)
    check_host(host, allow_remote=True)


def test_the_fixture_stops_the_server_when_the_test_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import socket

        PORTS = []

        def test_fails(batchjobs_server):
            PORTS.append(batchjobs_server.port)
            assert False, "on purpose"

        def test_port_is_closed():
            probe = socket.socket()
            try:
                assert probe.connect_ex(("127.0.0.1", PORTS[0])) != 0
            finally:
                probe.close()
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)


# -- the console script -------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m pytest_batchjobs serve`` in a subprocess (no fake in this process)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_batchjobs", "serve", "--port", "0", "--max-page-size", "2"],
        env=aws_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("batchjobs-fake serving on http://127.0.0.1:"), first
        yield process, first.rsplit(" ", 1)[1]
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_the_server_process_answers_boto3_and_stops_cleanly_on_sigterm(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = served
    client = boto3.client(
        "bedrock",
        endpoint_url=url,
        region_name="us-west-2",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 0}),
    )
    arns = {
        client.create_model_invocation_job(**{**CREATE, "jobName": f"job{n}"})["jobArn"]
        for n in range(5)
    }
    assert all(":us-west-2:" in arn for arn in arns)
    pages = list(client.get_paginator("list_model_invocation_jobs").paginate())
    assert [len(page["invocationJobSummaries"]) for page in pages] == [2, 2, 1]
    assert {job["jobArn"] for page in pages for job in page["invocationJobSummaries"]} == arns
    requests.post(f"{url}/_batchjobs/clock/advance", json={"hours": 2}, timeout=5)
    job = client.get_model_invocation_job(jobIdentifier=next(iter(arns)))
    assert job["status"] == "Completed"
    assert job["submitTime"].year == 2024  # the server's frozen clock, not this one

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert stderr.strip().endswith("batchjobs-fake stopped")


def test_the_server_process_stops_on_sigint(served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    assert requests.get(f"{url}/_batchjobs/clock", timeout=5).status_code == 200
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in stderr


def test_the_console_script_refuses_a_remote_host() -> None:
    script = Path(sys.executable).with_name("batchjobs-fake")
    result = subprocess.run(
        [str(script), "serve", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "refusing to serve on '0.0.0.0'" in result.stderr
    assert result.stdout == ""
