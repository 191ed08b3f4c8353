"""Bedrock's timeout, as AWS defines it, and record counts that add up.

AWS (GetModelInvocationJob, ``status``): ``Expired``: "This job timed out because it
was scheduled but didn't begin before the set timeout duration"; ``PartiallyCompleted``:
"Not all of your records could be processed in time". The timeout instant is
``jobExpirationTime`` (``submitTime + timeoutDurationInHours``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from jobs import bedrock_job
from model_members import needs_model_member

from pytest_batchjobs import BatchJobsFake

END = ("Completed", "PartiallyCompleted", "Expired")
COUNTS = ("totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount")


def counts(job: dict[str, Any]) -> tuple[int, ...]:
    return tuple(job[name] for name in COUNTS)


def assert_counts_add_up(job: dict[str, Any]) -> None:
    total, processed, success, errors = counts(job)
    assert processed == success + errors, job
    assert 0 <= success <= processed <= total, job
    assert 0 <= errors <= processed, job
    if job["status"] == "Completed":
        assert processed == total, job


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_a_job_still_queued_at_its_timeout_expires_with_nothing_processed(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.bedrock.lifecycle(durations={"Scheduled": 30 * 3600})  # queued > 24 h
    arn = bedrock_job(bedrock, timeoutDurationInHours=24)
    batchjobs_fake.clock.advance(hours=23)
    queued = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert queued["status"] == "Scheduled"
    assert counts(queued) == (100, 0, 0, 0)
    batchjobs_fake.clock.advance(hours=2)
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "Expired"
    assert job["endTime"] == job["jobExpirationTime"] == job["lastModifiedTime"]
    assert job["jobExpirationTime"] == job["submitTime"] + dt.timedelta(hours=24)
    assert counts(job) == (100, 0, 0, 0)  # the counts stay when it ends without running
    assert batchjobs_fake.outputs(job) == {}


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_the_expired_outcome_keeps_jobs_queued_until_their_timeout(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.bedrock.lifecycle(outcome="Expired")
    arn = bedrock_job(bedrock, timeoutDurationInHours=24)
    seen = []
    for _ in range(25):
        batchjobs_fake.clock.advance(hours=1)
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
        assert_counts_add_up(job)
        assert job["processedRecordCount"] == 0  # it never began
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
    assert seen == ["Scheduled", "Expired"]
    assert job["endTime"] == job["jobExpirationTime"]
    assert counts(job) == (100, 0, 0, 0)


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_a_job_running_at_its_timeout_ends_partially_completed(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 30 * 3600})  # a 30 h run
    arn = bedrock_job(bedrock, timeoutDurationInHours=24)
    batchjobs_fake.clock.advance(hours=23)
    running = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert running["status"] == "InProgress"
    assert_counts_add_up(running)
    batchjobs_fake.clock.advance(hours=2)
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "PartiallyCompleted"
    assert job["endTime"] == job["jobExpirationTime"] == job["lastModifiedTime"]
    # InProgress from 7.5 min after submission to the timeout at 24 h, of a 30 h run.
    ran = dt.timedelta(hours=24) - dt.timedelta(minutes=7.5)
    assert counts(job) == (100, 100 * ran // dt.timedelta(hours=30), 79, 0)
    assert job["processedRecordCount"] < job["totalRecordCount"]
    assert "timeout" in job["message"]
    batchjobs_fake.clock.advance(days=3)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["processedRecordCount"] == 79


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_progress_is_the_share_of_the_planned_run(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    """An Expired outcome no longer shows every record succeeded an hour in; a stopped job
    keeps the share it processed."""
    batchjobs_fake.bedrock.lifecycle(outcome="Expired", match="never-*")
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 4 * 3600}, match="long-*")
    never = bedrock_job(bedrock, "never-runs", timeoutDurationInHours=24)
    long = bedrock_job(bedrock, "long-run", timeoutDurationInHours=24)
    batchjobs_fake.clock.advance(minutes=7.5 + 60)  # an hour into the long run
    assert counts(bedrock.get_model_invocation_job(jobIdentifier=never)) == (100, 0, 0, 0)
    assert counts(bedrock.get_model_invocation_job(jobIdentifier=long)) == (100, 25, 25, 0)
    bedrock.stop_model_invocation_job(jobIdentifier=long)
    batchjobs_fake.clock.advance(hours=5)
    stopped = bedrock.get_model_invocation_job(jobIdentifier=long)
    assert stopped["status"] == "Stopped"
    assert counts(stopped) == (100, 25, 25, 0)


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
@pytest.mark.parametrize("stop_after", [None, 0, 4, 10, 50])  # minutes after submission
@pytest.mark.parametrize("outcome", ["Completed", "PartiallyCompleted", "Failed", "Expired"])
def test_counts_add_up_at_every_instant(
    bedrock: Any, batchjobs_fake: BatchJobsFake, outcome: str, stop_after: int | None
) -> None:
    batchjobs_fake.bedrock.lifecycle(outcome)
    arn = bedrock_job(bedrock, timeoutDurationInHours=24)
    shown = False  # once the counts appear (at validation), they never vanish
    for step in range(61):
        if step == stop_after:
            bedrock.stop_model_invocation_job(jobIdentifier=arn)
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
        if job["status"] in ("Scheduled", "InProgress", *END):
            assert "totalRecordCount" in job, job
        if shown or "totalRecordCount" in job:
            assert_counts_add_up(job)
            shown = True
        batchjobs_fake.clock.advance(minutes=1 if step < 59 else 48 * 60)
    if stop_after is None:
        assert job["status"] == outcome
    else:
        assert job["status"] == "Stopped"
