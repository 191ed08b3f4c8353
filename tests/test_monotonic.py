"""time.monotonic() follows fake time under both clocks and agrees with asyncio's loop
time, as in CPython; time.perf_counter() and pytest's own durations stay real."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from time import perf_counter as bound_perf_counter  # before the freeze: kept real

import boto3
import pytest
from jobs import bedrock_job, wall_seconds

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

REGION = "us-east-1"


@pytest.fixture(params=["time-machine", "freezegun"])
def fake(request: pytest.FixtureRequest) -> Iterator[BatchJobsFake]:
    with fake_batchjobs(clock=request.param, seed=11) as active:
        assert active.clock.kind == request.param
        yield active


def test_monotonic_moves_with_the_fake_clock(fake: BatchJobsFake) -> None:
    before = [time.monotonic(), time.monotonic_ns()]
    fake.clock.advance(60)
    time.sleep(30)
    after = [time.monotonic(), time.monotonic_ns()]
    assert after[0] - before[0] == pytest.approx(90, abs=1e-3)
    assert (after[1] - before[1]) / 1e9 == pytest.approx(90, abs=1e-3)
    assert time.monotonic() == time.monotonic()  # it stands still while the clock does


def test_perf_counter_measures_real_time(fake: BatchJobsFake) -> None:
    readers = [time.perf_counter, bound_perf_counter]
    before = [read() for read in readers] + [time.perf_counter_ns()]
    began = wall_seconds()
    fake.clock.advance(hours=1)
    time.sleep(3600)
    real = wall_seconds() - began
    after = [read() for read in readers] + [time.perf_counter_ns()]
    assert after[0] - before[0] == pytest.approx(real, abs=0.05)
    assert after[1] - before[1] == pytest.approx(real, abs=0.05)
    assert (after[2] - before[2]) / 1e9 == pytest.approx(real, abs=0.05)
    assert real < 30


def test_a_deadline_poller_on_monotonic_stops_at_its_deadline(fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    fake.bedrock.lifecycle(durations={"InProgress": 86400})
    arn = bedrock_job(bedrock)
    polls = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        bedrock.get_model_invocation_job(jobIdentifier=arn)
        polls += 1
        time.sleep(60)
    assert polls == 10
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] != "Completed"


def test_loop_time_and_monotonic_are_one_clock(fake: BatchJobsFake) -> None:
    async def bridge() -> tuple[float, float, float]:
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + 300  # set from one, checked against the other
        waited = 0.0
        while loop.time() < deadline:
            await asyncio.sleep(60)
            waited += 60
        return loop.time(), time.monotonic(), waited

    began = wall_seconds()
    loop_time, monotonic, waited = asyncio.run(bridge())
    assert wall_seconds() - began < 30
    assert loop_time == monotonic
    assert waited == 300


def test_a_handler_reads_monotonic_at_its_events_instant(fake: BatchJobsFake) -> None:
    start, origin = fake.clock.now(), time.monotonic()
    readings: list[tuple[float, float]] = []
    fake.on_event(
        lambda event: readings.append(
            (time.monotonic() - origin, (fake.clock.now() - start).total_seconds())
        )
    )
    bedrock_job(boto3.client("bedrock", region_name=REGION))
    fake.clock.advance(hours=3)
    assert len(readings) == 5
    for elapsed, fake_elapsed in readings:
        assert elapsed == pytest.approx(fake_elapsed, abs=1e-3)


@pytest.mark.parametrize("clock", ["time-machine", "freezegun"])
def test_the_real_clocks_are_back_when_the_fake_stops(clock: str) -> None:
    originals = [time.monotonic, time.perf_counter, time.monotonic_ns, time.perf_counter_ns]
    with fake_batchjobs(clock=clock) as fake:
        fake.clock.advance(hours=1)
    assert [time.monotonic, time.perf_counter, time.monotonic_ns, time.perf_counter_ns] == originals
    assert time.monotonic() == pytest.approx(wall_seconds(), abs=1)


def test_loop_time_off_leaves_monotonic_to_the_backend() -> None:
    with fake_batchjobs(clock="time-machine", loop_time=False) as fake:
        before = time.monotonic()
        fake.clock.advance(hours=1)
        assert time.monotonic() - before < 60  # real, as asyncio's loop time then


def test_pytest_durations_stay_real(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time

        def test_a_long_fake_day(batchjobs_fake):
            start = time.monotonic()
            batchjobs_fake.clock.advance(days=1)
            time.sleep(3600)
            assert time.monotonic() - start >= 90000 - 1e-6  # to a float's rounding
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--durations=0", "--durations-min=0")
    result.assert_outcomes(passed=1)
    lines = [
        line for line in result.outlines if "test_a_long_fake_day" in line and " call " in line
    ]
    assert len(lines) == 1, result.outlines
    seconds = re.match(r"^([\d.]+)s call", lines[0])
    assert seconds is not None, lines[0]
    assert float(seconds.group(1)) < 30
