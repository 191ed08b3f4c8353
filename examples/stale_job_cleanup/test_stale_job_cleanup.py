"""Tests of the stale-job cleanup: jobs seeded with the factory, stops checked in the journal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from stale_jobs import stop_stale_jobs

from pytest_batchjobs import BatchJobsFake

# The factory puts jobs in the environment's region (AWS_REGION, AWS_DEFAULT_REGION,
# else us-east-1): name the client's, so the tests do not depend on the shell.
REGION = "us-east-1"


@pytest.fixture
def bedrock(batchjobs_fake: BatchJobsFake) -> Any:
    return boto3.client("bedrock", region_name=REGION)


def hours_ago(fake: BatchJobsFake, hours: float) -> dt.datetime:
    return fake.clock.now() - dt.timedelta(hours=hours)


def stale_job(fake: BatchJobsFake, status: str, hours: float) -> dict[str, Any]:
    """A job in ``status`` since it was submitted ``hours`` ago.

    A 72-hour timeout, so that a job submitted 40 hours ago can still be running
    (with a shorter one its timeout would have ended it by now: a running job
    PartiallyCompleted, a queued one Expired, and the factory says so).
    """
    return fake.bedrock.add_job(
        status=status,
        submitTime=hours_ago(fake, hours),
        timeoutDurationInHours=72,
        region=REGION,
    )


@pytest.mark.batchjobs(max_page_size=5)  # small pages: a missed nextToken would show
def test_stops_every_stale_job_and_nothing_else(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    stale = [
        stale_job(batchjobs_fake, "InProgress", hours=30),
        stale_job(batchjobs_fake, "Scheduled", hours=26),
        stale_job(batchjobs_fake, "Submitted", hours=40),
    ]
    keep = [
        stale_job(batchjobs_fake, "InProgress", hours=2),  # running, but not for long
        stale_job(batchjobs_fake, "Stopping", hours=30),  # somebody is stopping it already
        stale_job(batchjobs_fake, "Completed", hours=50),
        stale_job(batchjobs_fake, "Failed", hours=28),
    ]
    # Background: 40 recent or finished jobs, in a realistic mix.
    batchjobs_fake.bedrock.add_jobs(
        40, status={"Completed": 6, "Failed": 1, "InProgress": 2}, region=REGION
    )

    report = stop_stale_jobs(bedrock, max_age_hours=24)

    assert sorted(report.stopped) == sorted(job["jobArn"] for job in stale)
    assert report.failed == {}
    for job in stale:
        batchjobs_fake.assert_called("StopModelInvocationJob", jobIdentifier=job["jobArn"])
    assert batchjobs_fake.call_count("StopModelInvocationJob") == len(stale)
    stopped = {
        call.params["jobIdentifier"]
        for call in batchjobs_fake.calls
        if call.operation == "StopModelInvocationJob"
    }
    assert not stopped & {job["jobArn"] for job in keep}
    # The listing followed every page, and never sent a token twice.
    batchjobs_fake.pagination.assert_exhausted("ListModelInvocationJobs")
    batchjobs_fake.pagination.assert_no_token_reuse()

    batchjobs_fake.clock.advance(minutes=2)  # Stopping lasts a minute
    for job in stale:
        assert bedrock.get_model_invocation_job(jobIdentifier=job["jobArn"])["status"] == "Stopped"


def test_a_dry_run_stops_nothing(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    job = stale_job(batchjobs_fake, "InProgress", hours=30)
    report = stop_stale_jobs(bedrock, max_age_hours=24, dry_run=True)
    assert report.would_stop == [job["jobArn"]]
    batchjobs_fake.assert_not_called("StopModelInvocationJob")


def test_a_job_becomes_stale_as_time_passes(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    # A job created through the API, which would run for two days.
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 48 * 3600})
    arn = bedrock.create_model_invocation_job(
        jobName="slow-backfill",
        roleArn="arn:aws:iam::123456789012:role/BatchRole",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/backfill.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/backfill/"}},
        timeoutDurationInHours=72,
    )["jobArn"]

    batchjobs_fake.clock.advance(hours=23)
    assert stop_stale_jobs(bedrock, max_age_hours=24).stopped == []
    batchjobs_fake.assert_not_called("StopModelInvocationJob")

    batchjobs_fake.clock.advance(hours=2)
    assert stop_stale_jobs(bedrock, max_age_hours=24).stopped == [arn]
    batchjobs_fake.assert_called("StopModelInvocationJob", jobIdentifier=arn)


def test_a_job_that_ends_before_the_stop_is_reported_not_fatal(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    first = stale_job(batchjobs_fake, "InProgress", hours=30)
    second = stale_job(batchjobs_fake, "InProgress", hours=31)
    # The job ended between the listing and the stop: AWS answers ValidationException.
    batchjobs_fake.faults.fail(
        "StopModelInvocationJob",
        error="ValidationException",
        message=f"Job {first['jobArn']} cannot be stopped. State was: Completed",
        when={"jobIdentifier": first["jobArn"]},
    )
    report = stop_stale_jobs(bedrock, max_age_hours=24)
    assert report.failed == {first["jobArn"]: "ValidationException"}
    assert report.stopped == [second["jobArn"]]
