"""Tests of the requests client: against AWS's own URL (answered in-process through
``responses``), and against the fake as a local HTTP server driven by its control API."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
import requests
from bedrock_http import BedrockError, BedrockJobs

from pytest_batchjobs import BatchJobsFake, FakeServer

# The factory puts jobs in the environment's region (AWS_REGION, AWS_DEFAULT_REGION,
# else us-east-1): name the client's, so the tests do not depend on the shell.
REGION = "us-east-1"


@pytest.mark.batchjobs(max_page_size=5)  # small pages: every nextToken must be followed
def test_lists_every_job_across_pages(batchjobs_fake: BatchJobsFake) -> None:
    seeded = batchjobs_fake.bedrock.add_jobs(
        23, status=["Completed", "InProgress", "Failed"], region=REGION
    )
    client = BedrockJobs(REGION)  # https://bedrock.us-east-1.amazonaws.com

    jobs = client.list_jobs()

    assert {job["jobArn"] for job in jobs} == {job["jobArn"] for job in seeded}
    assert [job["submitTime"] for job in jobs] == sorted(
        (job["submitTime"] for job in jobs), reverse=True
    )
    batchjobs_fake.pagination.assert_exhausted("ListModelInvocationJobs")
    batchjobs_fake.pagination.assert_no_token_reuse()
    assert {call.transport for call in batchjobs_fake.calls} == {"responses"}
    failed = client.list_jobs(status="Failed")
    assert len(failed) == 7
    assert all(job["status"] == "Failed" and "message" in job for job in failed)


def test_throttling_is_retried_with_backoff(batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.faults.fail("ListModelInvocationJobs", error="ThrottlingException", times=3)
    before = batchjobs_fake.clock.now()

    assert BedrockJobs(REGION).list_jobs() == []

    assert batchjobs_fake.call_count("ListModelInvocationJobs") == 4
    # The backoff slept 0.5 + 1 + 2 s, in fake time: the test took none of it.
    assert batchjobs_fake.clock.now() - before == dt.timedelta(seconds=3.5)


def test_errors_carry_the_service_code(batchjobs_fake: BatchJobsFake) -> None:
    client = BedrockJobs(REGION)
    with pytest.raises(BedrockError) as missing:
        client.get_job("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234wxyz")
    assert (missing.value.code, missing.value.status) == ("ResourceNotFoundException", 404)

    finished = batchjobs_fake.bedrock.add_job(status="Completed", region=REGION)
    with pytest.raises(BedrockError) as refused:
        client.stop_job(finished["jobArn"])
    assert (refused.value.code, refused.value.status) == ("ValidationException", 400)
    assert "cannot be stopped" in refused.value.message


def test_the_same_client_against_the_local_server(batchjobs_server: FakeServer) -> None:
    control = f"{batchjobs_server.endpoint_url}/_batchjobs"
    # Drive the fake over HTTP, as a test suite in another language would.
    seed = {"count": 3, "status": "InProgress", "region": REGION}
    added = requests.post(f"{control}/bedrock/jobs", json=seed, timeout=5).json()["jobs"]
    # Each region has its own jobs: the client signs for a region, the server reads it.
    assert BedrockJobs("eu-west-1", endpoint_url=batchjobs_server.endpoint_url).list_jobs() == []
    client = BedrockJobs(REGION, endpoint_url=batchjobs_server.endpoint_url)
    running = client.list_jobs(status="InProgress")
    assert sorted(job["jobArn"] for job in running) == sorted(job["jobArn"] for job in added)

    client.stop_job(added[0]["jobArn"])
    requests.post(f"{control}/clock/advance", json={"minutes": 2}, timeout=5)
    assert client.get_job(added[0]["jobArn"])["status"] == "Stopped"

    calls = requests.get(f"{control}/calls", timeout=5).json()["calls"]
    assert [call["operation"] for call in calls] == [
        "ListModelInvocationJobs",
        "ListModelInvocationJobs",
        "StopModelInvocationJob",
        "GetModelInvocationJob",
    ]
    assert {call["transport"] for call in calls} == {"server"}
    # The same fake, seen from Python, and from boto3 in this process.
    batchjobs_server.fake.assert_called("StopModelInvocationJob")
    boto = boto3.client("bedrock", region_name=REGION)
    assert boto.get_model_invocation_job(jobIdentifier=added[0]["jobArn"])["status"] == "Stopped"
