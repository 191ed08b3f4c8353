"""Scheduled actions: clock.call_at() and clock.call_later() run once, with the clock at
exactly their instant, whatever moves time past it, interleaved with job transitions."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from jobs import bedrock_job

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

REGION = "us-east-1"
UTC = dt.timezone.utc
START = dt.datetime(2024, 1, 1, 9, tzinfo=UTC)
ENDS = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}


@pytest.fixture(params=["time-machine", "freezegun"])
def fake(request: pytest.FixtureRequest) -> Iterator[BatchJobsFake]:
    with fake_batchjobs(clock=request.param, seed=5) as active:
        yield active


def poll(bedrock: Any, arn: str) -> list[str]:
    """A plain poller, as deployed: get, sleep 60 s, until an end status."""
    seen: list[str] = []
    while True:
        status = bedrock.get_model_invocation_job(jobIdentifier=arn)["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ENDS:
            return seen
        time.sleep(60)


def test_an_operator_stops_the_job_half_an_hour_in_while_the_client_polls(
    fake: BatchJobsFake,
) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    arn = bedrock_job(bedrock)
    fake.bedrock.lifecycle(durations={"InProgress": 3600})
    stopped_at: list[dt.datetime] = []

    def operator() -> None:
        stopped_at.append(fake.clock.now())
        bedrock.stop_model_invocation_job(jobIdentifier=arn)

    fake.clock.call_later(dt.timedelta(minutes=30), operator)
    assert poll(bedrock, arn)[-2:] == ["Stopping", "Stopped"]
    assert stopped_at == [START + dt.timedelta(minutes=30)]
    stop = fake.assert_called("StopModelInvocationJob", jobIdentifier=arn)
    assert stop.time == START + dt.timedelta(minutes=30)
    assert fake.assert_event(status="Stopping", job=arn)["time"] == "2024-01-01T09:30:00Z"


def test_a_quota_raised_at_noon(fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    fake.bedrock.quota(1)
    fake.clock.call_at(dt.datetime(2024, 1, 1, 12, tzinfo=UTC), fake.bedrock.quota, 5)
    fake.bedrock.lifecycle(durations={"InProgress": 86400})
    bedrock_job(bedrock, "first")
    refused: list[str] = []
    while True:
        try:
            bedrock_job(bedrock, "second")
            break
        except ClientError as error:
            refused.append(error.response["Error"]["Code"])
            time.sleep(600)
    assert fake.clock.now() == dt.datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert refused == ["ServiceQuotaExceededException"] * 18  # 09:00 to 11:50, every 10 min


def test_a_fault_cleared_after_an_outage_under_asyncio(fake: BatchJobsFake) -> None:
    no_retries = Config(retries={"total_max_attempts": 1})
    bedrock = boto3.client("bedrock", region_name=REGION, config=no_retries)
    fake.faults.fail("ListModelInvocationJobs", error="InternalServerException", times=None)
    fake.clock.call_later(900, fake.faults.clear)

    async def wait_for_recovery() -> int:
        failures = 0
        while True:
            try:
                bedrock.list_model_invocation_jobs()
                return failures
            except ClientError:
                failures += 1
                await asyncio.sleep(120)

    assert asyncio.run(wait_for_recovery()) == 8  # 09:00 ... 09:14, every two minutes
    assert fake.clock.now() == START + dt.timedelta(minutes=16)


def test_actions_and_transitions_interleave_in_time_order(fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    seen: list[tuple[str, str]] = []
    fake.on_event(lambda event: seen.append(("event", event["detail"]["status"])))
    arn = bedrock_job(bedrock)

    def look(label: str) -> None:
        status = bedrock.get_model_invocation_job(jobIdentifier=arn)["status"]
        seen.append((label, status))

    for minutes in (0, 1, 30, 600):
        fake.clock.call_later(dt.timedelta(minutes=minutes), look, f"+{minutes}m")
    fake.clock.advance(hours=12)
    transitions = [status for label, status in seen if label == "event"]
    assert transitions == ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
    looks = {label: status for label, status in seen if label != "event"}
    assert looks["+0m"] == "Submitted"
    assert looks["+600m"] == "Completed"
    for label, status in seen:  # each look sees the latest transition before it
        if label != "event":
            before = [s for lb, s in seen[: seen.index((label, status))] if lb == "event"]
            assert status == before[-1]


def test_actions_at_one_instant_run_in_the_order_scheduled(batchjobs_fake: BatchJobsFake) -> None:
    ran: list[str] = []
    noon = dt.datetime(2024, 1, 1, 12, tzinfo=UTC)
    batchjobs_fake.clock.call_at(noon, ran.append, "a")
    batchjobs_fake.clock.call_later(3 * 3600, ran.append, "b")
    batchjobs_fake.clock.call_at(noon.replace(tzinfo=None), ran.append, "c")  # naive: UTC
    batchjobs_fake.clock.advance(hours=2)
    assert ran == []
    batchjobs_fake.clock.advance(hours=2)
    assert ran == ["a", "b", "c"]
    batchjobs_fake.clock.advance(hours=2)
    assert ran == ["a", "b", "c"]  # once


def test_advance_until_stops_where_an_action_changed_the_job(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    arn = bedrock_job(bedrock)
    batchjobs_fake.clock.call_later(
        1800, lambda: bedrock.stop_model_invocation_job(jobIdentifier=arn)
    )
    job = batchjobs_fake.advance_until(arn)
    assert job["status"] == "Stopped"
    assert batchjobs_fake.clock.now() == job["endTime"]
    assert job["endTime"] < START + dt.timedelta(hours=1)


def test_cancel_and_the_handle(batchjobs_fake: BatchJobsFake) -> None:
    ran: list[int] = []
    kept = batchjobs_fake.clock.call_later(60, ran.append, 1)
    dropped = batchjobs_fake.clock.call_later(30, ran.append, 2)
    assert dropped.when == START + dt.timedelta(seconds=30)
    dropped.cancel()
    assert dropped.cancelled()
    assert not kept.cancelled()
    assert "cancelled" in repr(dropped)
    time.sleep(120)
    assert ran == [1]


def test_call_later_zero_runs_when_time_next_passes_at_that_instant(
    batchjobs_fake: BatchJobsFake,
) -> None:
    at: list[dt.datetime] = []
    batchjobs_fake.clock.call_later(0, lambda: at.append(batchjobs_fake.clock.now()))
    assert at == []
    batchjobs_fake.clock.advance(10)
    assert at == [START]


def test_an_action_that_raises_fails_the_test_at_its_end_and_time_goes_on() -> None:
    with fake_batchjobs() as fake:

        def broken() -> None:
            raise RuntimeError("operator typo")

        fake.clock.call_later(60, broken)
        fake.clock.advance(120)
        assert fake.clock.now() == START + dt.timedelta(seconds=120)
        [error] = fake.internal_errors
    assert error.startswith(
        "the scheduled action <ScheduledAction "
        "test_an_action_that_raises_fails_the_test_at_its_end_and_time_goes_on.<locals>.broken "
        "at 2024-01-01T09:01:00+00:00> raised (the clock went on):"
    )
    assert "RuntimeError: operator typo" in error


def test_reset_forgets_the_actions(batchjobs_fake: BatchJobsFake) -> None:
    ran: list[int] = []
    batchjobs_fake.clock.call_later(60, ran.append, 1)
    batchjobs_fake.reset()
    batchjobs_fake.clock.advance(120)
    assert ran == []


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: c.call_at("2024-01-01", print), TypeError, "call_at(): when must be a datetime"),
        (
            lambda c: c.call_at(START - dt.timedelta(seconds=1), print),
            ValueError,
            "call_at(): when, 2024-01-01T08:59:59+00:00, is before the fake clock's now",
        ),
        (lambda c: c.call_at(START, 3), TypeError, "call_at(): fn must be callable, got 3"),
        (lambda c: c.call_later("60", print), TypeError, "call_later(): delay must be seconds"),
        (lambda c: c.call_later(True, print), TypeError, "call_later(): delay must be seconds"),
        (lambda c: c.call_later(-1, print), ValueError, "call_later(): delay must be 0 or more"),
        (lambda c: c.call_later(math.nan, print), ValueError, "call_later(): delay must be 0"),
        (
            lambda c: c.call_later(math.inf, print),
            ValueError,
            "call_later(): delay inf would be past 9000-01-01 00:00:00 UTC",
        ),
        (lambda c: c.call_later(1, None), TypeError, "call_later(): fn must be callable"),
    ],
)
def test_bad_arguments_are_refused_at_the_call(
    batchjobs_fake: BatchJobsFake, call: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as refused:
        call(batchjobs_fake.clock)
    assert str(refused.value).startswith(message)


def test_an_aiobotocore_poller_on_asyncio_sleep_meets_the_action_and_the_events(
    fake: BatchJobsFake,
) -> None:
    """The asyncio path: the loop's idle waits move the clock through the transitions
    and the action's instant; handlers and the action run there, in the loop's thread."""
    session = pytest.importorskip("aiobotocore.session")
    bedrock = boto3.client("bedrock", region_name=REGION)
    fake.bedrock.lifecycle(durations={"InProgress": 3600})
    arn = bedrock_job(bedrock)
    read: list[tuple[str, str]] = []
    fake.on_event(
        lambda event: read.append(
            (
                event["detail"]["status"],
                bedrock.get_model_invocation_job(jobIdentifier=arn)["status"],
            )
        )
    )
    action = fake.clock.call_later(
        1800, lambda: bedrock.stop_model_invocation_job(jobIdentifier=arn)
    )

    async def poll() -> list[str]:
        seen: list[str] = []
        async with session.get_session().create_client("bedrock", region_name=REGION) as client:
            while not seen or seen[-1] not in ENDS:
                status = (await client.get_model_invocation_job(jobIdentifier=arn))["status"]
                if not seen or seen[-1] != status:
                    seen.append(status)
                await asyncio.sleep(60)
        return seen

    assert asyncio.run(poll())[-2:] == ["Stopping", "Stopped"]
    assert all(sent == seen for sent, seen in read)
    assert [sent for sent, _ in read][-2:] == ["Stopping", "Stopped"]
    stop = fake.assert_called("StopModelInvocationJob", jobIdentifier=arn)
    assert stop.time == action.when == START + dt.timedelta(minutes=30)
