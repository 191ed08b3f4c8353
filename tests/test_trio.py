"""trio, and anyio on trio, keep real time under the fake, whichever clock froze time:
trio's timers wait in real time, never for ever, and do not move the fake clock."""

from __future__ import annotations

import threading
import time
from importlib.util import find_spec
from typing import Any

import pytest

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.time import trio_clock

needs_trio = pytest.mark.skipif(
    find_spec("trio") is None, reason="trio is not installed (it is in the `test` extra)"
)

# The first import of trio happens inside the fake, in a fresh process: trio binds
# ``perf_counter`` then, from whatever the freeze has put in ``time``. The plugins that
# import trio at start-up are off (anyio's imports every backend it finds; httpcore,
# loaded by pytest-httpx and respx, imports trio when it can). A hang fails by its
# timeout.
TRIO_UNDER_THE_FAKE = """
import sys
import threading

import pytest

assert "trio" not in sys.modules


@pytest.mark.timeout(10)
@pytest.mark.batchjobs({options})
def test_trio_run(batchjobs_fake):
    import trio

    before = batchjobs_fake.clock.now()
    trio.run(trio.sleep, 0.2)
    assert batchjobs_fake.clock.now() == before


@pytest.mark.timeout(10)
@pytest.mark.batchjobs({options})
def test_anyio_run_on_trio(batchjobs_fake):
    import anyio

    async def main():
        await anyio.sleep(0.2)
        with anyio.move_on_after(0.05) as scope:
            await anyio.sleep(5)
        return scope.cancelled_caught

    before = batchjobs_fake.clock.now()
    assert anyio.run(main, backend="trio")
    assert batchjobs_fake.clock.now() == before


@pytest.mark.timeout(10)
@pytest.mark.batchjobs({options})
def test_trio_in_a_thread(batchjobs_fake):
    import trio

    failures = []

    def run():
        try:
            trio.run(trio.sleep, 0.2)
        except BaseException as error:
            failures.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(8)
    assert not worker.is_alive(), "trio.run still waiting"
    assert failures == []
"""

OPTIONS: list[dict[str, Any]] = [
    {"clock": "freezegun"},
    {"clock": "freezegun", "loop_time": False},
    {"clock": "freezegun", "sleep": False, "loop_time": False},
    {"clock": "time-machine"},
    {"clock": "time-machine", "loop_time": False},
    {"clock": "time-machine", "sleep": False, "loop_time": False},
]


def arguments(options: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in options.items())


UNDER_EACH_OPTION = [
    pytest.param(options, id=arguments(options), marks=pytest.mark.batchjobs(**options))
    for options in OPTIONS
]


# Each in a process of its own: time-machine never touches perf_counter, so once is enough.
@needs_trio
@pytest.mark.timeout(120)
@pytest.mark.parametrize("options", [*OPTIONS[:3], OPTIONS[-1]], ids=arguments)
def test_trio_imported_under_the_fake_keeps_real_time(
    pytester: pytest.Pytester, options: dict[str, Any]
) -> None:
    pytester.makepyfile(TRIO_UNDER_THE_FAKE.format(options=arguments(options)))
    result = pytester.runpytest_subprocess(
        *("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:anyio"),
        *("-p", "no:pytest_httpx", "-p", "no:respx"),
    )
    result.assert_outcomes(passed=3)


@needs_trio
@pytest.mark.timeout(30)
@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.parametrize("options", UNDER_EACH_OPTION)
async def test_anyio_pytest_plugin_on_trio(
    batchjobs_fake: BatchJobsFake, options: dict[str, Any]
) -> None:
    import anyio

    assert batchjobs_fake.clock.kind == options["clock"]
    before = batchjobs_fake.clock.now()
    await anyio.sleep(0.2)
    with anyio.move_on_after(0.05) as scope:
        await anyio.sleep(5)
    assert scope.cancelled_caught
    assert batchjobs_fake.clock.now() == before


@needs_trio
@pytest.mark.timeout(30)
@pytest.mark.parametrize("loop_time", [True, False])
def test_trio_keeps_real_time_when_the_fake_follows_a_freezegun_freeze(loop_time: bool) -> None:
    import trio
    from freezegun import freeze_time

    # freezegun rebinds the perf_counter trio bound when it was imported: a plain
    # freeze_time() makes trio wait for ever; under the fake, trio's clock is real.
    with freeze_time("2026-03-01"), fake_batchjobs(loop_time=loop_time) as fake:
        assert fake.clock.kind == "follow"
        before = fake.clock.now()
        trio.run(trio.sleep, 0.2)
        assert fake.clock.now() == before


@needs_trio
def test_trio_clock_is_its_own_again_when_the_fake_stops() -> None:
    import trio
    from trio._core._run import SystemClock

    own = SystemClock.__dict__["current_time"]
    with fake_batchjobs(clock="freezegun"):
        assert SystemClock.__dict__["current_time"] is not own
    assert SystemClock.__dict__["current_time"] is own
    trio.run(trio.sleep, 0.01)


@needs_trio
def test_a_trio_it_does_not_know_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    import trio
    from trio._core._run import SystemClock

    own = SystemClock.__dict__["current_time"]
    monkeypatch.setattr(trio, "__version__", "0.21.0")
    assert trio_clock.system_clock() is None
    with fake_batchjobs(clock="time-machine"):
        assert SystemClock.__dict__["current_time"] is own


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.35.0", (0, 35)), ("0.22.2+dev", (0, 22)), ("1.0", (1, 0)), ("x", None)],
)
def test_version(text: str, expected: tuple[int, int] | None) -> None:
    assert trio_clock.version(text) == expected


@pytest.mark.parametrize("loop_time", [True, False])
def test_perf_counter_stays_real_under_the_fakes_freezegun_freeze(loop_time: bool) -> None:
    with fake_batchjobs(clock="freezegun", loop_time=loop_time):
        readers = [time.perf_counter, time.perf_counter_ns]
        before = [read() for read in readers]
        threading.Event().wait(0.01)  # a real wait: a frozen counter would not move
        after = [read() for read in readers]
    assert all(later > earlier for earlier, later in zip(before, after, strict=True))
