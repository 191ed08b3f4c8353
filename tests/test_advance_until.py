"""advance_until(): the clock to the instant a job reaches a status, as clients then see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from jobs import bedrock_job, personalize_job

from pytest_batchjobs import BatchJobsFake


def without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


@pytest.mark.parametrize("status", ["Validating", "Scheduled", "InProgress", "Completed"])
def test_the_clock_moves_to_the_instant_a_bedrock_job_reaches_the_status(
    batchjobs_fake: BatchJobsFake, bedrock: Any, status: str
) -> None:
    arn = bedrock_job(bedrock)
    start = batchjobs_fake.clock.now()
    shown = batchjobs_fake.advance_until(arn, status=status)
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert without_metadata(job) == shown
    assert job["status"] == status
    assert job["lastModifiedTime"] == batchjobs_fake.clock.now()  # the very instant
    assert batchjobs_fake.clock.now() > start


def test_by_default_the_clock_moves_to_the_jobs_end_and_accepts_the_job_dict(
    batchjobs_fake: BatchJobsFake, personalize: Any
) -> None:
    batchjobs_fake.personalize.lifecycle(outcome="CREATE FAILED", message="no access")
    arn = personalize_job(personalize)
    described = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
    shown = batchjobs_fake.advance_until(described["batchInferenceJob"])
    assert shown["status"] == "CREATE FAILED"
    again = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
    assert again["batchInferenceJob"] == shown
    assert batchjobs_fake.advance_until(arn) == shown  # already there: the clock stays


def test_a_stopped_job_is_followed_to_stopped(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    arn = bedrock_job(bedrock)
    batchjobs_fake.advance_until(arn, status="InProgress")
    bedrock.stop_model_invocation_job(jobIdentifier=arn)
    assert batchjobs_fake.advance_until(arn)["status"] == "Stopped"


def test_a_status_the_job_will_never_reach_is_refused_without_moving_the_clock(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    factory_job = batchjobs_fake.bedrock.add_job(status="Completed")
    arn = bedrock_job(bedrock)
    before = batchjobs_fake.clock.now()
    with pytest.raises(
        ValueError,
        match=r"will never be 'Failed': from 'Submitted' it goes "
        r"Submitted -> Validating -> Scheduled -> InProgress -> Completed\. "
        r".*batchjobs_fake\.bedrock\.lifecycle\(outcome=\.\.\.\)",
    ):
        batchjobs_fake.advance_until(arn, status="Failed")
    with pytest.raises(ValueError, match="will never be 'InProgress'"):
        batchjobs_fake.advance_until(factory_job, status="InProgress")  # past it
    with pytest.raises(ValueError, match="no job has the ARN 'arn:aws:bedrock:us-east-1:1"):
        batchjobs_fake.advance_until(arn[:-1] + ("1" if arn.endswith("0") else "0"))
    with pytest.raises(ValueError, match="needs a job's ARN, or a job dict with jobArn"):
        batchjobs_fake.advance_until({"status": "Completed"})
    assert batchjobs_fake.clock.now() == before


def test_a_poller_sees_the_end_at_once_after_advance_until(
    batchjobs_fake: BatchJobsFake,
) -> None:
    bedrock = boto3.client("bedrock", region_name="eu-west-1")
    arn = bedrock_job(bedrock)
    ended = batchjobs_fake.advance_until(arn)
    assert ended["endTime"] - ended["submitTime"] >= dt.timedelta(hours=1)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"
