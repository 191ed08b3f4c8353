"""requests clients, through responses: the same fake and state as boto3, beside the
test's own responses mocks in either order."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import boto3
import pytest
import requests
import responses
from aws_requests_auth.aws_auth import AWSRequestsAuth
from jobs import bedrock_job, bedrock_params, personalize_job, personalize_params
from requests.adapters import HTTPAdapter
from requests_aws4auth import AWS4Auth

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

BEDROCK = "https://bedrock.us-east-1.amazonaws.com"
PERSONALIZE = "https://personalize.us-east-1.amazonaws.com/"


def personalize_call(operation: str, body: dict[str, Any], auth: Any = None) -> Any:
    return requests.post(
        PERSONALIZE,
        data=json.dumps(body),
        headers={
            "X-Amz-Target": f"AmazonPersonalize.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
        auth=auth,
        timeout=5,
    )


# -- the same state as boto3 ------------------------------------------------------------


def test_requests_aws4auth_creates_and_lists_jobs_that_boto3_sees(
    batchjobs_fake: BatchJobsFake,
) -> None:
    auth = AWS4Auth("AKIDEXAMPLE", "secret", "us-east-1", "bedrock")
    created = requests.post(
        f"{BEDROCK}/model-invocation-job", json=bedrock_params("nightly"), auth=auth, timeout=5
    )
    assert created.status_code == 200, created.text
    arn = created.json()["jobArn"]
    listed = requests.get(f"{BEDROCK}/model-invocation-jobs", auth=auth, timeout=5).json()
    assert [job["jobArn"] for job in listed["invocationJobSummaries"]] == [arn]

    boto = boto3.client("bedrock", region_name="us-east-1")
    assert boto.get_model_invocation_job(jobIdentifier=arn)["jobName"] == "nightly"
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        ("responses", "CreateModelInvocationJob"),
        ("responses", "ListModelInvocationJobs"),
        ("botocore", "GetModelInvocationJob"),
    ]


def test_boto3_creates_and_requests_reads_with_an_encoded_arn(
    batchjobs_fake: BatchJobsFake,
) -> None:
    boto = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock_job(boto, "from-boto3")
    batchjobs_fake.clock.advance(hours=2)
    auth = AWS4Auth("AKIDEXAMPLE", "secret", "us-east-1", "bedrock")
    encoded = requests.utils.quote(arn, safe="")
    job = requests.get(f"{BEDROCK}/model-invocation-job/{encoded}", auth=auth, timeout=5)
    assert job.status_code == 200, job.text
    assert job.json()["status"] == "Completed"
    stopped = requests.post(f"{BEDROCK}/model-invocation-job/{encoded}/stop", auth=auth, timeout=5)
    assert stopped.status_code == 400
    assert stopped.headers["x-amzn-ErrorType"] == "ValidationException"


def test_personalize_with_aws_requests_auth_and_boto3(batchjobs_fake: BatchJobsFake) -> None:
    auth = AWSRequestsAuth(
        aws_access_key="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        aws_host="personalize.us-east-1.amazonaws.com",
        aws_region="us-east-1",
        aws_service="personalize",
    )
    created = personalize_call("CreateBatchInferenceJob", personalize_params(), auth)
    assert created.status_code == 200, created.text
    arn = created.json()["batchInferenceJobArn"]
    boto = boto3.client("personalize", region_name="us-east-1")
    assert boto.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"][
        "status"
    ] == ("CREATE PENDING")
    other = personalize_job(boto, "second-batch")
    listed = personalize_call("ListBatchInferenceJobs", {"maxResults": 1}, auth).json()
    assert [job["batchInferenceJobArn"] for job in listed["batchInferenceJobs"]] == [other]
    assert listed["nextToken"]
    repeated = personalize_call("CreateBatchInferenceJob", {"jobName": "x"}, auth)
    assert repeated.status_code == 400
    assert repeated.json()["__type"].endswith("#InvalidInputException")


def test_unsigned_requests_take_the_region_from_the_host(batchjobs_fake: BatchJobsFake) -> None:
    created = requests.post(
        "https://bedrock.eu-west-3.amazonaws.com/model-invocation-job",
        json=bedrock_params("in-paris"),
        timeout=5,
    )
    assert created.status_code == 200, created.text
    assert ":eu-west-3:" in created.json()["jobArn"]
    paris = boto3.client("bedrock", region_name="eu-west-3")
    virginia = boto3.client("bedrock", region_name="us-east-1")
    assert len(paris.list_model_invocation_jobs()["invocationJobSummaries"]) == 1
    assert virginia.list_model_invocation_jobs()["invocationJobSummaries"] == []
    assert batchjobs_fake.calls[0].region == "eu-west-3"


def test_unfaked_operations_answer_501_naming_the_operation(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = requests.get(f"{BEDROCK}/foundation-models", timeout=5)
    assert bedrock.status_code == 501
    assert bedrock.headers["x-amzn-ErrorType"] == "NotImplemented"
    assert "bedrock ListFoundationModels is not faked" in bedrock.json()["message"]
    assert "activate moto's mock_aws" in bedrock.json()["message"]  # it mocks requests too
    personalize = personalize_call("ListSolutions", {})
    assert personalize.status_code == 501
    assert personalize.json()["__type"].endswith("#NotImplemented")
    assert "personalize ListSolutions is not faked" in personalize.json()["message"]
    unknown = requests.get(f"{BEDROCK}/no-such-thing", timeout=5)
    assert unknown.status_code == 404


def test_injected_errors_and_broken_connections(batchjobs_fake: BatchJobsFake) -> None:
    faults = batchjobs_fake.faults
    faults.fail("ListModelInvocationJobs", error="ThrottlingException")
    throttled = requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5)
    assert throttled.status_code == 429
    assert throttled.headers["x-amzn-ErrorType"] == "ThrottlingException"

    faults.transport("ListModelInvocationJobs", kind="connection_reset")
    with pytest.raises(requests.exceptions.ConnectionError, match="Connection reset by peer"):
        requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5)
    faults.transport("ListModelInvocationJobs", kind="read_timeout")
    with pytest.raises(requests.exceptions.ReadTimeout, match="Read timed out"):
        requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5)
    faults.transport("ListModelInvocationJobs", kind="bad_gateway")
    gateway = requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5)
    assert gateway.status_code == 502
    assert b"502 Bad Gateway" in gateway.content

    assert requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5).status_code == 200
    assert [call.error for call in batchjobs_fake.calls] == [
        "ThrottlingException",
        "connection_reset",
        "read_timeout",
        "bad_gateway",
        None,
    ]


def test_a_session_with_urllib3_retries_retries_throttling(batchjobs_fake: BatchJobsFake) -> None:
    from urllib3.util.retry import Retry

    batchjobs_fake.faults.fail("ListModelInvocationJobs", error="ThrottlingException", times=2)
    session = requests.Session()
    retry = Retry(total=3, status_forcelist=[429], backoff_factor=0, allowed_methods=None)
    session.mount("https://", HTTPAdapter(max_retries=retry))
    answer = session.get(f"{BEDROCK}/model-invocation-jobs", timeout=5)
    assert answer.status_code == 200
    assert batchjobs_fake.call_count("ListModelInvocationJobs") == 3


def test_other_urls_are_untouched(batchjobs_fake: BatchJobsFake, local_site: str) -> None:
    assert requests.get(local_site, timeout=5).text == "hello"
    assert batchjobs_fake.calls == []


def test_nothing_is_intercepted_once_the_fake_stops(local_site: str) -> None:
    original = HTTPAdapter.send
    with fake_batchjobs():
        assert HTTPAdapter.send is not original
    assert HTTPAdapter.send is original
    assert responses.RequestsMock._on_request.__module__ == "responses"
    assert requests.get(local_site, timeout=5).text == "hello"


# -- beside the test's own responses mocks ----------------------------------------------


@responses.activate
def test_decorator_activated_after_the_fake(batchjobs_fake: BatchJobsFake) -> None:
    responses.get("https://api.example.com/status", json={"ok": True})
    assert requests.get("https://api.example.com/status", timeout=5).json() == {"ok": True}
    created = requests.post(
        f"{BEDROCK}/model-invocation-job", json=bedrock_params("beside-responses"), timeout=5
    )
    assert created.status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused by Resp"):
        requests.get("https://api.example.com/unregistered", timeout=5)
    assert [call.request.url for call in responses.calls] == [
        "https://api.example.com/status",
        "https://api.example.com/unregistered",
    ]
    assert batchjobs_fake.call_count("CreateModelInvocationJob") == 1


@responses.activate
def test_decorator_activated_before_the_fake() -> None:
    responses.get("https://api.example.com/status", json={"ok": True})
    with fake_batchjobs() as fake:
        assert requests.get("https://api.example.com/status", timeout=5).json() == {"ok": True}
        listed = requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5)
        assert listed.json() == {"invocationJobSummaries": []}
        assert fake.call_count("ListModelInvocationJobs") == 1
    assert requests.get("https://api.example.com/status", timeout=5).json() == {"ok": True}
    assert len(responses.calls) == 2


@pytest.mark.parametrize("fake_first", [True, False], ids=["fake-first", "responses-first"])
def test_responses_start_in_either_order(fake_first: bool) -> None:
    fake = fake_batchjobs()
    if fake_first:
        fake.start()
    responses.start()
    try:
        if not fake_first:
            fake.start()
        responses.get("https://api.example.com/items", json=[1, 2])
        assert requests.get("https://api.example.com/items", timeout=5).json() == [1, 2]
        boto = boto3.client("bedrock", region_name="us-east-1")
        arn = bedrock_job(boto)
        encoded = requests.utils.quote(arn, safe="")
        seen = requests.get(f"{BEDROCK}/model-invocation-job/{encoded}", timeout=5)
        assert seen.json()["jobArn"] == arn
    finally:
        if fake_first:
            responses.stop()
            responses.reset()
            fake.stop()
        else:
            fake.stop()
            responses.stop()
            responses.reset()


@pytest.mark.parametrize("fake_first", [True, False], ids=["fake-first", "mock-first"])
def test_own_requests_mock_in_either_order(fake_first: bool) -> None:
    def exercise(mock: responses.RequestsMock) -> None:
        assert requests.get("https://api.example.com/a", timeout=5).text == "a"
        listed = requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5)
        assert listed.status_code == 200
        assert len(mock.calls) == 1

    if fake_first:
        with fake_batchjobs() as fake, responses.RequestsMock() as mock:
            mock.get("https://api.example.com/a", body="a")
            exercise(mock)
    else:
        with responses.RequestsMock() as mock, fake_batchjobs() as fake:
            mock.get("https://api.example.com/a", body="a")
            exercise(mock)
    assert fake.call_count("ListModelInvocationJobs") == 1


@pytest.mark.parametrize("fake_first", [True, False], ids=["fake-first", "mock-first"])
def test_a_registered_service_url_wins_in_either_order(fake_first: bool) -> None:
    canned = {"invocationJobSummaries": [], "nextToken": "canned"}
    url = f"{BEDROCK}/model-invocation-jobs"
    mock = responses.RequestsMock()
    mock.get(url, json=canned)
    fake = fake_batchjobs()
    first, second = (fake, mock) if fake_first else (mock, fake)
    with first, second:
        assert requests.get(url, timeout=5).json() == canned
        answered = requests.get(f"{BEDROCK}/model-invocation-job/abcdefghijkl", timeout=5)
        assert answered.status_code == 404  # not registered: the fake's answer
    assert fake.call_count("ListModelInvocationJobs") == 0
    assert fake.call_count("GetModelInvocationJob") == 1


def test_a_mock_stopped_out_of_order_leaves_a_working_send(local_site: str) -> None:
    original = HTTPAdapter.send
    fake = fake_batchjobs().start()
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    mock.start()
    fake.stop()  # before the mock started after it
    mock.get("https://api.example.com/a", body="a")
    assert requests.get("https://api.example.com/a", timeout=5).text == "a"
    mock.stop()
    assert requests.get(local_site, timeout=5).text == "hello"
    assert HTTPAdapter.send is original
    with fake_batchjobs() as again:
        assert requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5).status_code == 200
        assert again.call_count("ListModelInvocationJobs") == 1


def test_importing_the_plugin_loads_neither_responses_nor_requests() -> None:
    script = (
        "import pytest, sys; before = set(sys.modules); import pytest_batchjobs.plugin; "
        "print(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] in ('responses', 'requests', 'botocore', 'urllib3')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


# -- beside moto, which mocks requests too ----------------------------------------------


@pytest.mark.parametrize("fake_first", [True, False], ids=["fake-first", "moto-first"])
def test_inside_moto_the_fake_answers_first_and_moto_the_rest(fake_first: bool) -> None:
    from moto import mock_aws

    fake, moto = fake_batchjobs(), mock_aws()
    first, second = (fake, moto) if fake_first else (moto, fake)
    with first, second:
        created = requests.post(
            f"{BEDROCK}/model-invocation-job", json=bedrock_params("with-moto"), timeout=5
        )
        assert created.status_code == 200, created.text
        listed = requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5).json()
        assert listed["invocationJobSummaries"][0]["jobName"] == "with-moto"
        custom = requests.get(f"{BEDROCK}/custom-models", timeout=5)  # not faked: moto's
        assert custom.status_code == 200, custom.text
        assert custom.json()["modelSummaries"] == []
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="moto-bucket")
        bucket = requests.get("https://moto-bucket.s3.amazonaws.com/", timeout=5)
        assert bucket.status_code == 200
    assert [call.operation for call in fake.calls] == [
        "CreateModelInvocationJob",
        "ListModelInvocationJobs",
    ]


def test_sagemaker_transform_jobs_over_requests(batchjobs_fake: BatchJobsFake) -> None:
    auth = AWS4Auth("AKIDEXAMPLE", "secret", "eu-west-1", "sagemaker")
    host = "https://api.sagemaker.eu-west-1.amazonaws.com/"

    def call(operation: str, body: dict[str, Any]) -> Any:
        headers = {
            "X-Amz-Target": f"SageMaker.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        }
        return requests.post(host, data=json.dumps(body), headers=headers, auth=auth, timeout=5)

    created = call(
        "CreateTransformJob",
        {
            "TransformJobName": "Over-Requests",
            "ModelName": "churn-xgboost-v7",
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}}
            },
            "TransformOutput": {"S3OutputPath": "s3://out/"},
            "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
        },
    )
    assert created.status_code == 200, created.text
    arn = created.json()["TransformJobArn"]
    assert arn == "arn:aws:sagemaker:eu-west-1:123456789012:transform-job/Over-Requests"
    boto = boto3.client("sagemaker", region_name="eu-west-1")
    job = boto.describe_transform_job(TransformJobName="Over-Requests")
    assert job["TransformJobStatus"] == "InProgress"
    missing = call("DescribeTransformJob", {"TransformJobName": "nope"})
    assert missing.status_code == 400
    assert missing.json() == {
        "__type": "com.amazonaws.sagemaker#ValidationException",
        "message": "Could not find requested job with name nope",
    }
    unfaked = call("ListModels", {})
    assert unfaked.status_code == 501
    assert "sagemaker ListModels is not faked" in unfaked.json()["message"]
