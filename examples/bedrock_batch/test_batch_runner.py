"""Tests of the nightly batch runner against the fake."""

from __future__ import annotations

import boto3
from batch_runner import submit, wait

from pytest_batchjobs import BatchJobsFake

ROLE = "arn:aws:iam::123456789012:role/NightlyBatch"


def test_the_nightly_job_completes(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = submit(
        bedrock,
        run_id="2024-01-01",
        input_uri="s3://nightly-input/2024-01-01/records.jsonl",
        output_uri="s3://nightly-output/2024-01-01/",
        role=ROLE,
    )
    result = wait(bedrock, arn)  # time.sleep(60) lets fake time pass
    assert result.status == "Completed"
    assert result.errors == 0
    assert result.records > 0
    assert 60 < result.polls < 80  # about 70 minutes of polling once a minute


def test_a_retried_submission_does_not_start_a_second_job(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    kwargs = {
        "run_id": "2024-01-02",
        "input_uri": "s3://nightly-input/2024-01-02/records.jsonl",
        "output_uri": "s3://nightly-output/2024-01-02/",
        "role": ROLE,
    }
    assert submit(bedrock, **kwargs) == submit(bedrock, **kwargs)
    listed = bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
    assert len(listed) == 1


def test_the_runner_reports_a_stopped_job(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = submit(
        bedrock,
        run_id="2024-01-03",
        input_uri="s3://nightly-input/2024-01-03/records.jsonl",
        output_uri="s3://nightly-output/2024-01-03/",
        role=ROLE,
    )
    batchjobs_fake.clock.advance(minutes=10)
    bedrock.stop_model_invocation_job(jobIdentifier=arn)  # an operator stops it
    result = wait(bedrock, arn)  # time.sleep(60) lets fake time pass
    assert result.status == "Stopped"
