"""Tests of the async batch bridge against the fake, through real aiobotocore clients.

``await asyncio.sleep(60)`` lets fake time pass while the fake is active: a night of
polling takes a moment, and the concurrent pollers' sleeps overlap as they would in
real time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiobotocore.session import get_session
from bridge import run_night

from pytest_batchjobs import BatchJobsFake

ROLE = "arn:aws:iam::123456789012:role/NightlyBatch"
SHARDS = ["shard-0", "shard-1", "shard-2", "shard-3", "shard-4"]


@pytest.mark.asyncio
async def test_every_shard_completes_in_about_one_jobs_time(batchjobs_fake: BatchJobsFake) -> None:
    started = batchjobs_fake.clock.now()
    results = await run_night(
        get_session(), SHARDS, run_id="2024-01-01", bucket="nightly", role=ROLE
    )
    assert [r.status for r in results] == ["Completed"] * 5
    # Five pollers sleeping 60 s each move the clock by one job's run (about 70 minutes),
    # not five runs' worth.
    assert batchjobs_fake.clock.now() - started < timedelta(hours=2)
    assert all(60 < r.polls < 80 for r in results)


@pytest.mark.asyncio
async def test_a_partially_completed_shard_is_usable_and_a_failed_one_is_not(
    batchjobs_fake: BatchJobsFake,
) -> None:
    batchjobs_fake.bedrock.lifecycle("PartiallyCompleted", message="3 records failed")
    partial = await run_night(
        get_session(), SHARDS[:1], run_id="2024-01-02", bucket="nightly", role=ROLE
    )
    batchjobs_fake.bedrock.lifecycle("Failed", message="The role cannot read the bucket")
    failed = await run_night(
        get_session(), SHARDS[:1], run_id="2024-01-03", bucket="nightly", role=ROLE
    )
    assert (partial[0].status, partial[0].usable) == ("PartiallyCompleted", True)
    assert (failed[0].status, failed[0].usable, failed[0].message) == (
        "Failed",
        False,
        "The role cannot read the bucket",
    )


@pytest.mark.asyncio
async def test_a_throttled_submission_is_retried_by_aiobotocore(
    batchjobs_fake: BatchJobsFake,
) -> None:
    batchjobs_fake.faults.fail("CreateModelInvocationJob", "ThrottlingException", times=2)
    results = await run_night(
        get_session(), SHARDS[:2], run_id="2024-01-04", bucket="nightly", role=ROLE
    )
    assert [r.status for r in results] == ["Completed", "Completed"]
    assert batchjobs_fake.call_count("CreateModelInvocationJob") == 4


@pytest.mark.asyncio
async def test_the_deadline_stops_a_night_that_never_ends(batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 48 * 3600})
    with pytest.raises(TimeoutError):
        await run_night(
            get_session(),
            SHARDS[:1],
            run_id="2024-01-05",
            bucket="nightly",
            role=ROLE,
            deadline_hours=6,
        )
