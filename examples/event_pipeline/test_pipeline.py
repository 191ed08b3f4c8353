"""The pipeline against the fake and moto: the job's events go through the rule to the
queue, and the consumer reads what the job wrote. No test polls, no test sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pipeline import Outcome, drain, handle, route_job_ends, submit

from pytest_batchjobs import BatchJobsFake

ROLE = "arn:aws:iam::123456789012:role/NightlyBatch"
PROMPTS = {f"TICKET{n:04d}": f"Summarise support ticket {n}." for n in range(150)}


@pytest.fixture
def aws(batchjobs_fake: BatchJobsFake) -> Iterator[dict[str, Any]]:
    """moto's S3, SQS and EventBridge, with the pipeline's buckets and its rule."""
    with mock_aws():
        clients = {
            name: boto3.client(name, region_name="us-east-1")
            for name in ("s3", "sqs", "events", "bedrock")
        }
        for bucket in ("pipeline-input", "pipeline-output"):
            clients["s3"].create_bucket(Bucket=bucket)
        clients["queue"] = route_job_ends(clients["events"], clients["sqs"])
        yield clients


def test_a_finished_job_reaches_the_consumer(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    arn = submit(aws["bedrock"], aws["s3"], run_id="2024-01-01", prompts=PROMPTS, role=ROLE)
    assert drain(aws["sqs"], aws["s3"], aws["queue"]) == []  # nothing has ended yet

    batchjobs_fake.advance_until(arn)  # the clock to the job's end: its event is sent

    assert drain(aws["sqs"], aws["s3"], aws["queue"]) == [
        Outcome("nightly-2024-01-01", "Completed", "", succeeded=150, failed=0)
    ]
    batchjobs_fake.assert_event(status="Completed", job=arn, batchJobName="nightly-2024-01-01")


def test_a_failed_job_reaches_the_consumer_with_its_message(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.bedrock.lifecycle("Failed", message="The role cannot read the input.")
    arn = submit(aws["bedrock"], aws["s3"], run_id="2024-01-02", prompts=PROMPTS, role=ROLE)
    batchjobs_fake.advance_until(arn)
    [outcome] = drain(aws["sqs"], aws["s3"], aws["queue"])
    assert (outcome.status, outcome.message) == ("Failed", "The role cannot read the input.")


def test_the_rule_ignores_other_jobs_and_unfinished_ones(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.bedrock.add_job(status="InProgress", jobName="adhoc-report")
    stopped = batchjobs_fake.bedrock.add_job(status="InProgress", jobName="nightly-old")
    aws["bedrock"].stop_model_invocation_job(jobIdentifier=stopped["jobArn"])
    batchjobs_fake.clock.advance(hours=3)
    outcomes = drain(aws["sqs"], aws["s3"], aws["queue"])
    assert [(o.job_name, o.status) for o in outcomes] == [("nightly-old", "Stopped")]
    # Every transition was sent; the rule let through only the end of a nightly job.
    sent = [(e["detail"]["batchJobName"], e["detail"]["status"]) for e in batchjobs_fake.events]
    assert sent == [
        ("nightly-old", "Stopping"),
        ("nightly-old", "Stopped"),
        ("adhoc-report", "Completed"),
    ]


def test_the_handler_as_a_lambda_function(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    """Without the queue: each event straight to the handler, as EventBridge invokes a
    Lambda function, in the order fake time passes the transitions."""
    outcomes: list[Outcome] = []

    def lambda_handler(event: dict[str, Any], context: Any) -> None:
        outcomes.append(handle(event, aws["s3"]))

    batchjobs_fake.on_event(lambda_handler, status="Completed")
    for night in ("2024-01-03", "2024-01-04"):
        submit(aws["bedrock"], aws["s3"], run_id=night, prompts=PROMPTS, role=ROLE)
    batchjobs_fake.clock.advance(hours=6)
    assert [o.job_name for o in outcomes] == ["nightly-2024-01-03", "nightly-2024-01-04"]
    assert all(o.succeeded == 150 for o in outcomes)
