"""asyncio on fake time: event-loop timers move the fake clock, real work waits for real.

Each test runs its own loop with ``asyncio.run`` inside a fake on each clock backend
(freezegun freezes ``time.monotonic``, which the loop schedules by; time-machine leaves
it real): the pytest-asyncio and anyio plugins are in tests/test_async_plugins.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import selectors
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import boto3
import pytest

from pytest_batchjobs import BatchJobsFake, PollingHorizonExceeded, fake_batchjobs
from tests.jobs import bedrock_job, wall_seconds

T = TypeVar("T")
HOUR = dt.timedelta(hours=1)


@pytest.fixture(params=["time-machine", "freezegun"])
def fake(request: pytest.FixtureRequest) -> Iterator[BatchJobsFake]:
    with fake_batchjobs(clock=request.param, seed=7) as active:
        yield active


def run(fake: BatchJobsFake, main: Callable[[], Awaitable[T]]) -> tuple[T, dt.timedelta]:
    """Run ``main()`` in a new loop; return its result and how far the fake clock moved.
    A generous real-time bound: fake time must never be waited for."""
    start, began = fake.clock.now(), wall_seconds()
    result = asyncio.run(main())  # type: ignore[arg-type]
    assert wall_seconds() - began < 60, "the loop waited in real time"
    return result, fake.clock.now() - start


async def poll_until_done(client: Any, arn: str, every: float = 60) -> list[str]:
    """An async poller calling a sync boto3 client inside the coroutine."""
    seen = []
    while True:
        status = client.get_model_invocation_job(jobIdentifier=arn)["status"]
        seen.append(status)
        if status in ("Completed", "Failed", "Stopped", "PartiallyCompleted", "Expired"):
            return seen
        await asyncio.sleep(every)


def test_asyncio_sleep_moves_the_fake_clock_exactly_and_at_once(fake: BatchJobsFake) -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        before = loop.time()
        await asyncio.sleep(3600)
        return loop.time() - before

    waited, moved = run(fake, main)
    assert moved == HOUR
    assert waited == pytest.approx(3600)


def test_wait_for_timeout_and_call_later_run_on_the_fake_clock(fake: BatchJobsFake) -> None:
    async def main() -> list[dt.timedelta]:
        start = fake.clock.now()
        marks = []
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(1000), timeout=5)
        marks.append(fake.clock.now() - start)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(7):
                await asyncio.Event().wait()
        marks.append(fake.clock.now() - start)
        called = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(90, called.set_result, "called")
        assert await called == "called"
        marks.append(fake.clock.now() - start)
        return marks

    marks, _ = run(fake, main)
    seconds = dt.timedelta(seconds=1)
    assert marks == [5 * seconds, 12 * seconds, 102 * seconds]


def test_the_loop_never_reads_freezeguns_frozen_monotonic(fake: BatchJobsFake) -> None:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        before, monotonic = loop.time(), time.monotonic()
        await asyncio.sleep(60)
        return loop.time() - before, time.monotonic() - monotonic

    (loop_moved, _), moved = run(fake, main)
    assert moved == dt.timedelta(seconds=60)
    assert loop_moved == pytest.approx(60)


def test_five_concurrent_pollers_advance_the_clock_by_about_one_jobs_duration(
    fake: BatchJobsFake,
) -> None:
    fake.bedrock.lifecycle(durations={"InProgress": 3600})
    client = boto3.client("bedrock", region_name="us-east-1")
    arns = [bedrock_job(client, f"job-{n}") for n in range(5)]

    async def main() -> list[list[str]]:
        return await asyncio.gather(*(poll_until_done(client, arn) for arn in arns))

    seen, moved = run(fake, main)
    assert all(statuses[-1] == "Completed" for statuses in seen)
    job = client.get_model_invocation_job(jobIdentifier=arns[-1])
    lasted = job["endTime"] - job["submitTime"]
    assert lasted <= moved <= lasted + dt.timedelta(seconds=60)  # one job's, not five


def test_sleeping_threads_and_tasks_share_one_fake_time(fake: BatchJobsFake) -> None:
    def in_a_thread() -> None:
        for _ in range(10):
            time.sleep(60)

    async def main() -> None:
        thread = threading.Thread(target=in_a_thread)
        thread.start()
        for _ in range(10):
            await asyncio.sleep(60)
        await asyncio.to_thread(thread.join)

    _, moved = run(fake, main)
    assert dt.timedelta(seconds=600) <= moved <= dt.timedelta(seconds=660)  # not 1200


def test_a_thread_under_wait_for_is_waited_for_in_real_time(fake: BatchJobsFake) -> None:
    client = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock_job(client)
    released = threading.Event()
    threading.Timer(0.3, released.set).start()  # real work: done in 0.3 s of real time

    def real_work() -> str:
        assert released.wait(30)
        return str(client.get_model_invocation_job(jobIdentifier=arn)["status"])

    async def main() -> tuple[str, str]:
        in_executor = asyncio.get_running_loop().run_in_executor(None, real_work)
        first = await asyncio.wait_for(in_executor, timeout=10)
        second = await asyncio.wait_for(asyncio.to_thread(real_work), timeout=10)
        return first, second

    statuses, moved = run(fake, main)
    assert statuses == ("Submitted", "Submitted")
    assert moved == dt.timedelta(0)  # the timeouts never jumped


def test_a_subprocess_is_waited_for_in_real_time(fake: BatchJobsFake) -> None:
    async def main() -> int:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import time; time.sleep(0.3)"
        )
        return await asyncio.wait_for(process.wait(), timeout=10)

    returncode, moved = run(fake, main)
    assert returncode == 0
    assert moved == dt.timedelta(0)


def test_a_socket_is_waited_for_in_real_time(fake: BatchJobsFake) -> None:
    async def main() -> bytes:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(0.2)  # sockets are registered: a real wait
            writer.write(b"hello")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            data = await asyncio.wait_for(reader.read(5), timeout=10)
            writer.close()
            await writer.wait_closed()
        return data

    data, moved = run(fake, main)
    assert data == b"hello"
    assert moved == dt.timedelta(0)


def test_the_horizon_stops_an_async_client_polling_for_ever() -> None:
    with fake_batchjobs(horizon=HOUR) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        arn = bedrock_job(client)
        fake.bedrock.lifecycle(durations={"InProgress": 10 * 3600})

        async def never_checks() -> None:
            while True:
                client.get_model_invocation_job(jobIdentifier=arn)
                await asyncio.sleep(60)

        with pytest.raises(PollingHorizonExceeded) as raised:
            asyncio.run(never_checks())
    message = str(raised.value)
    assert message.startswith("time.sleep() has moved the fake clock 1:01:00 forward")
    assert "GetModelInvocationJob" in message


@pytest.mark.parametrize("clock", ["time-machine", "freezegun"])
def test_loop_time_off_keeps_real_loop_time_and_never_hangs(clock: str) -> None:
    with fake_batchjobs(clock=clock, loop_time=False) as fake:
        start = fake.clock.now()

        async def main() -> float:
            loop = asyncio.get_running_loop()
            before = loop.time()
            await asyncio.sleep(0.05)
            return loop.time() - before

        assert asyncio.run(main()) >= 0.05
        assert fake.clock.now() == start


def test_a_users_event_loop_policy_keeps_working(fake: BatchJobsFake) -> None:
    class OwnLoop(asyncio.SelectorEventLoop):
        pass

    class OwnPolicy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return OwnLoop(selectors.SelectSelector())

    async def main() -> str:
        await asyncio.sleep(600)
        return type(asyncio.get_running_loop()).__name__

    old = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(OwnPolicy())
    try:
        name, moved = run(fake, main)
    finally:
        asyncio.set_event_loop_policy(old)
    assert (name, moved) == ("OwnLoop", dt.timedelta(minutes=10))


def test_a_loop_keeping_its_own_time_waits_for_real_and_never_hangs(fake: BatchJobsFake) -> None:
    """As uvloop's loop does (libuv's clock): its timers are real, the clock stays."""

    class OwnTime(asyncio.SelectorEventLoop):
        def time(self) -> float:
            return time.clock_gettime(time.CLOCK_MONOTONIC)

    began = wall_seconds()
    with asyncio.Runner(loop_factory=OwnTime) as runner:
        runner.run(asyncio.sleep(0.05))
    assert wall_seconds() - began >= 0.05
    assert fake.clock.now() == dt.datetime(2024, 1, 1, 9, tzinfo=dt.timezone.utc)


def test_asyncio_run_nested_in_sync_code_on_a_thread_moves_the_same_clock(
    fake: BatchJobsFake,
) -> None:
    def sync_code() -> str:
        asyncio.run(asyncio.sleep(600))
        return "done"

    async def main() -> str:
        return await asyncio.wait_for(asyncio.to_thread(sync_code), timeout=3600)

    result, moved = run(fake, main)
    assert result == "done"
    assert moved == dt.timedelta(minutes=10)


def test_advance_wakes_a_sleeping_task_without_moving_further(fake: BatchJobsFake) -> None:
    async def main() -> bool:
        sleeper = asyncio.create_task(asyncio.sleep(3600))
        await asyncio.sleep(0)
        fake.clock.advance(hours=1)
        await asyncio.wait_for(sleeper, timeout=1)
        return sleeper.done()

    done, moved = run(fake, main)
    assert done
    assert moved == HOUR


@pytest.mark.parametrize("clock", ["time-machine", "freezegun"])
def test_fake_batchjobs_works_as_async_with_and_on_a_coroutine_function(clock: str) -> None:
    async def main() -> dt.timedelta:
        async with fake_batchjobs(clock=clock) as fake:
            start = fake.clock.now()
            await asyncio.sleep(7200)
            return fake.clock.now() - start

    assert asyncio.run(main()) == 2 * HOUR

    @fake_batchjobs(clock=clock)
    async def decorated() -> dt.timedelta:
        loop = asyncio.get_running_loop()
        before = loop.time()
        await asyncio.sleep(7200)  # active while awaited, not only while created
        return dt.timedelta(seconds=round(loop.time() - before))

    began = wall_seconds()
    assert asyncio.run(decorated()) == 2 * HOUR
    assert wall_seconds() - began < 60


def test_timers_pending_when_the_fake_stops_wait_what_they_had_left() -> None:
    async def main() -> str:
        fake = fake_batchjobs().start()
        try:
            await asyncio.sleep(3600)  # loop time is an hour ahead of real time now
            later = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_later(0.1, later.set_result, "on time")
        finally:
            fake.stop()
        return await asyncio.wait_for(later, timeout=30)  # real time again

    began = wall_seconds()
    assert asyncio.run(main()) == "on time"
    assert wall_seconds() - began < 30
    loop_time = asyncio.base_events.BaseEventLoop.time
    assert getattr(loop_time, "__module__", None) == "asyncio.base_events"  # undone
