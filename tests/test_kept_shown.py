"""A Bedrock job polled in one status is rendered and serialized once: each Get sends
the same body with fresh headers until what the job shows changes (its status, its
record counts), and what a test does to a job handed to it never reaches a response."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from model_members import needs_model_member

from pytest_batchjobs import BatchJobsFake
from tests.jobs import bedrock_job

GET = "response-received.bedrock.GetModelInvocationJob"


def polled(client: Any, arn: str, times: int = 1) -> list[tuple[dict[str, str], bytes]]:
    """(headers, body) of ``times`` GetModelInvocationJob responses, as botocore got them."""
    seen: list[tuple[dict[str, str], bytes]] = []

    def on_received(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
        if response_dict is not None:
            seen.append((dict(response_dict["headers"]), bytes(response_dict["body"])))

    client.meta.events.register(GET, on_received)
    try:
        for _ in range(times):
            client.get_model_invocation_job(jobIdentifier=arn)
    finally:
        client.meta.events.unregister(GET, on_received)
    return seen


def test_polls_in_one_status_send_the_same_body_with_a_new_request_id_each(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    arn = bedrock_job(bedrock)
    responses = polled(bedrock, arn, times=3)
    bodies = {body for _, body in responses}
    assert len(bodies) == 1
    assert json.loads(bodies.pop())["status"] == "Submitted"
    request_ids = {headers["x-amzn-RequestId"] for headers, _ in responses}
    assert len(request_ids) == 3
    assert all(headers["Content-Type"] == "application/json" for headers, _ in responses)
    assert all(headers["Date"].endswith(" GMT") for headers, _ in responses)
    assert batchjobs_fake.call_count("GetModelInvocationJob") == 3


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_each_status_and_each_count_of_a_running_job_is_shown_when_it_changes(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    arn = bedrock_job(bedrock)
    shown = [bedrock.get_model_invocation_job(jobIdentifier=arn)["status"]]
    for minutes in (1, 3, 5):
        batchjobs_fake.clock.advance(minutes=minutes)
        shown.append(bedrock.get_model_invocation_job(jobIdentifier=arn)["status"])
    assert shown == ["Submitted", "Validating", "Scheduled", "InProgress"]
    first = bedrock.get_model_invocation_job(jobIdentifier=arn)
    batchjobs_fake.clock.advance(minutes=30)  # half-way through its hour InProgress
    half = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert half["status"] == "InProgress"
    assert half["processedRecordCount"] > first["processedRecordCount"]
    assert half["processedRecordCount"] < half["totalRecordCount"]
    batchjobs_fake.advance_until(arn)
    done = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert done["status"] == "Completed"
    assert done["processedRecordCount"] == done["totalRecordCount"]
    assert done["endTime"] == done["lastModifiedTime"] > half["lastModifiedTime"]


def test_a_job_stopped_between_polls_is_shown_stopping_then_stopped(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    arn = bedrock_job(bedrock)
    batchjobs_fake.clock.advance(minutes=10)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "InProgress"
    bedrock.stop_model_invocation_job(jobIdentifier=arn)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Stopping"
    batchjobs_fake.advance_until(arn)
    stopped = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert stopped["status"] == "Stopped"
    assert stopped["endTime"] == stopped["lastModifiedTime"]


def test_changing_a_job_handed_to_the_test_changes_no_response(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    job = batchjobs_fake.bedrock.add_job(status="InProgress")
    arn = job["jobArn"]
    before = polled(bedrock, arn)[0][1]
    job["status"] = "Completed"
    job["jobName"] = "changed-by-the-test"
    reached = batchjobs_fake.advance_until(arn, status="InProgress")
    reached["status"] = "Failed"
    assert polled(bedrock, arn)[0][1] == before
    assert json.loads(before)["status"] == "InProgress"


def test_the_same_job_is_shown_alike_by_get_and_by_a_list_page(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    arn = bedrock_job(bedrock)
    batchjobs_fake.clock.advance(minutes=40)
    for _ in range(2):  # the second Get answers what the first one kept
        got = bedrock.get_model_invocation_job(jobIdentifier=arn)
        (summary,) = bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
        del got["ResponseMetadata"]
        assert summary == got


# Each kind's get / describe call: (kind, boto3 service, operation, the member naming the
# job (in the request and in the factory's job), where the status is in the response, a
# running status, its end).
GETTERS = [
    ("sagemaker", "sagemaker", "describe_transform_job", "TransformJobName",
     ("TransformJobStatus",), "InProgress", "Completed"),
    ("bedrock_async", "bedrock-runtime", "get_async_invoke", "invocationArn",
     ("status",), "InProgress", "Completed"),
    ("personalize", "personalize", "describe_batch_inference_job", "batchInferenceJobArn",
     ("batchInferenceJob", "status"), "CREATE IN_PROGRESS", "ACTIVE"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "service", "operation", "member", "status_at", "running", "end"), GETTERS
)
def test_every_kinds_getter_shows_a_polled_job_anew_when_its_status_changes(
    batchjobs_fake: BatchJobsFake,
    kind: str,
    service: str,
    operation: str,
    member: str,
    status_at: tuple[str, ...],
    running: str,
    end: str,
) -> None:
    client = boto3.client(service, region_name="us-east-1")
    job = getattr(batchjobs_fake, kind).add_job(status=running)

    def status() -> Any:
        got: Any = getattr(client, operation)(**{member: job[member]})
        for name in status_at:
            got = got[name]
        return got

    assert [status(), status()] == [running, running]
    batchjobs_fake.advance_until(job)
    assert [status(), status()] == [end, end]
