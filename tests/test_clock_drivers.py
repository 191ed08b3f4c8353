"""Clock drivers: a clock is one module and one registry line, and each module checks
the release of the library it knows before relying on its insides.

The suite's own clock (``tests/manual_clock.py``, which freezes nothing in the process)
is registered for a test and runs fakes through the ``batchjobs_clock`` option, the
marker and ``fake_batchjobs()``. The guards are tested by taking away, with
monkeypatch, what each clock's module reads of its library.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import boto3
import freezegun
import pytest
import time_machine
from jobs import bedrock_job
from manual_clock import MANUAL

from pytest_batchjobs import fake_batchjobs
from pytest_batchjobs.time.drivers import UnsupportedClockLibrary, backends, registered, registry
from pytest_batchjobs.time.drivers.freezegun import LIBRARY as FREEZEGUN
from pytest_batchjobs.time.drivers.time_machine import LIBRARY as TIME_MACHINE

UTC = dt.timezone.utc
START = dt.datetime(2024, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
def manual() -> Iterator[None]:
    with registered(MANUAL):
        yield


def nothing_frozen() -> bool:
    return not freezegun.api.freeze_factories and not time_machine.traveller_stack


# -- a clock of the suite's own --------------------------------------------------------


CONFTEST = """
import pytest
from manual_clock import MANUAL
from pytest_batchjobs.time.drivers import registered

@pytest.fixture(autouse=True)
def manual_clock():
    with registered(MANUAL):
        yield
"""

POLLER = """
import datetime as dt
import time

import boto3
from jobs import bedrock_job

def test_a_poller_on_the_manual_clock(batchjobs_fake):
    clock = batchjobs_fake.clock
    assert clock.kind == "manual"
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock_job(bedrock)
    seen = []
    while (job := bedrock.get_model_invocation_job(jobIdentifier=arn))["status"] != "Completed":
        seen.append(job["status"])
        time.sleep(600)  # moves the manual clock
    assert seen[0] == "Submitted" and "InProgress" in seen
    assert job["submitTime"] == dt.datetime(2024, 1, 1, 9, tzinfo=dt.timezone.utc)
    assert job["submitTime"] < job["endTime"] <= clock.now()
    # Only the fake reads the manual clock: the process's time is real.
    assert dt.datetime.now(dt.timezone.utc).year >= 2026
"""


def test_a_clock_of_the_suites_own_runs_a_fake_through_the_ini_option(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_poller=POLLER)
    result = pytester.runpytest("-p", "no:randomly", "-o", "batchjobs_clock=manual")
    result.assert_outcomes(passed=1)


def test_without_its_registry_line_the_option_refuses_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_poller=POLLER)
    result = pytester.runpytest("-p", "no:randomly", "-o", "batchjobs_clock=manual")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*batchjobs clock 'manual' is not one of auto, time-machine, freezegun*"]
    )


@pytest.mark.usefixtures("manual")
def test_the_registered_clock_is_among_the_choices_until_the_block_ends() -> None:
    assert backends() == ("auto", "time-machine", "freezegun", "manual")
    with pytest.raises(ValueError, match="already registered or reserved"), registered(MANUAL):
        pass
    assert registry.get("manual") is MANUAL


def test_the_registry_is_as_it_was_after_the_block() -> None:
    with registered(MANUAL):
        pass
    assert backends() == ("auto", "time-machine", "freezegun")
    with pytest.raises(ValueError, match=r"clock 'manual' is not one of auto, time-machine, freez"):
        fake_batchjobs(clock="manual")


@pytest.mark.usefixtures("manual")
def test_the_manual_clock_drives_jobs_sleeps_and_advance() -> None:
    with fake_batchjobs(clock="manual") as fake:
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        assert fake.clock.kind == "manual"
        assert fake.clock.now() == START
        arn = bedrock_job(bedrock)
        time.sleep(60)
        assert MANUAL.freezes[-1].at == START + dt.timedelta(seconds=60)
        fake.clock.advance(hours=3)
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
        assert job["status"] == "Completed"
        assert job["submitTime"] == START
        assert fake.clock.now() == START + dt.timedelta(hours=3, seconds=60)
    assert MANUAL.freezes == []  # the freeze is undone with the last fake


@pytest.mark.usefixtures("manual")
def test_a_fake_started_inside_follows_the_manual_clock() -> None:
    with fake_batchjobs(clock="manual") as outer:
        with fake_batchjobs(clock="freezegun") as inner:
            assert inner.clock.kind == "follow"
            inner.clock.advance(90)
        assert outer.clock.now() == START + dt.timedelta(seconds=90)
    assert nothing_frozen()


@pytest.mark.usefixtures("manual")
def test_a_test_freeze_on_top_of_the_manual_clock_is_the_one_moved() -> None:
    # freezegun's freeze sits nearer the caller than one nobody else reads.
    with fake_batchjobs(clock="manual") as fake:
        with freezegun.freeze_time("2030-06-01T00:00:00Z") as frozen:
            fake.clock.advance(30)
            assert dt.datetime.now() == dt.datetime(2030, 6, 1, 0, 0, 30)
            assert fake.clock.now() == dt.datetime(2030, 6, 1, 0, 0, 30, tzinfo=UTC)
            assert frozen() == dt.datetime(2030, 6, 1, 0, 0, 30)
        assert fake.clock.now() == START


def test_auto_picks_the_first_installed_clock_in_the_registrys_order() -> None:
    with fake_batchjobs() as fake:
        assert fake.clock.kind == "time-machine"


def test_the_options_words_come_from_the_registry() -> None:
    assert registry.auto_words() == (
        "time-machine when installed: `pip install 'pytest-batchjobs[fast]'`; else freezegun"
    )


# -- the guards: what each clock reads of its library ----------------------------------


def test_freezegun_without_its_stack_of_freezes_fails_at_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(freezegun.api, "freeze_factories")
    fake = fake_batchjobs(clock="freezegun")
    with pytest.raises(UnsupportedClockLibrary) as raised:
        fake.start()
    message = str(raised.value)
    assert message == (
        "the fake's freezegun clock reads freezegun.api.freeze_factories (freezegun's stack "
        "of active freezes: whether one is active, to read and move it), which freezegun "
        f"{freezegun.__version__} does not have; pytest-batchjobs knows freezegun 1.4 to "
        "1.5.5. To fix it, pin a release it knows: pip install 'freezegun>=1.4,<=1.5.5'; "
        "or have the fake freeze time with another library: batchjobs_clock = time-machine "
        "(clock='time-machine' in the batchjobs marker or fake_batchjobs())."
    )
    monkeypatch.undo()
    assert nothing_frozen()


def test_freezegun_without_its_real_perf_counter_fails_before_freezing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(freezegun.api, "real_perf_counter")
    with pytest.raises(UnsupportedClockLibrary, match=r"reads freezegun\.api\.real_perf_counter"):
        fake_batchjobs(clock="freezegun").start()
    assert nothing_frozen()


def test_time_machine_without_its_stack_of_travels_fails_at_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(time_machine, "traveller_stack")
    with pytest.raises(UnsupportedClockLibrary) as raised:
        fake_batchjobs(clock="time-machine").start()
    message = str(raised.value)
    assert message.startswith(
        "the fake's time-machine clock reads time_machine.traveller_stack "
        "(coordinates_stack before 3.0) (time-machine's stack of active travels: "
        f"whether one is active, to move it), which time-machine {TIME_MACHINE.version()} "
        "does not have; pytest-batchjobs knows time-machine 2.13 to 3.6.0. To fix it, pin "
        "a release it knows: pip install 'time-machine>=2.13,<=3.6.0'; or have the fake "
        "freeze time with another library: batchjobs_clock = freezegun"
    )


def test_time_machine_2s_stack_of_travels_is_read_by_its_name_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # time-machine 3.0 renamed coordinates_stack: the module reads either.
    travel = time_machine.travel(START, tick=False)
    travel.start()
    try:
        stack = time_machine.traveller_stack
        monkeypatch.delattr(time_machine, "traveller_stack")
        monkeypatch.setattr(time_machine, "coordinates_stack", stack, raising=False)
        assert TIME_MACHINE.innermost() is stack[-1]
        TIME_MACHINE.move(stack[-1], dt.timedelta(minutes=5))
        assert TIME_MACHINE.read(stack[-1]) == START + dt.timedelta(minutes=5)
    finally:
        monkeypatch.undo()
        travel.stop()


@pytest.mark.parametrize("library", [FREEZEGUN, TIME_MACHINE], ids=lambda lib: lib.name)
def test_a_release_older_than_the_module_knows_fails_at_the_start(
    monkeypatch: pytest.MonkeyPatch, library: Any
) -> None:
    monkeypatch.setattr(library, "version", lambda: "1.0.0")
    with pytest.raises(UnsupportedClockLibrary) as raised:
        fake_batchjobs(clock=library.name).start()
    other = "freezegun" if library is TIME_MACHINE else "time-machine"
    assert str(raised.value) == (
        f"the fake's {library.name} clock needs {library.distribution} {library.known[0]} or "
        f"later; {library.distribution} 1.0.0 is installed. Upgrade it (pip install "
        f"'{library.distribution}>={library.known[0]}'); or have the fake freeze time with "
        f"another library: batchjobs_clock = {other} (clock={other!r} in the batchjobs "
        "marker or fake_batchjobs())."
    )
    assert nothing_frozen()


def test_following_a_ticking_freeze_freezegun_cannot_move_fails_at_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # freezegun 1.4's TickingDateTimeFactory had no tick(); 1.5.0 added it.
    monkeypatch.delattr(freezegun.api.TickingDateTimeFactory, "tick", raising=False)
    with (
        freezegun.freeze_time("2030-01-01", tick=True),
        pytest.raises(UnsupportedClockLibrary) as raised,
    ):
        fake_batchjobs().start()
    assert str(raised.value) == (
        "the fake's freezegun clock reads tick() of TickingDateTimeFactory (to move a freeze "
        f"started with freeze_time(tick=True)), which freezegun {freezegun.__version__} does "
        "not have; pytest-batchjobs knows freezegun 1.4 to 1.5.5. To fix it, upgrade "
        "freezegun (it added that tick() in 1.5.0): pip install 'freezegun>=1.5', or "
        "freeze with tick=False."
    )
    assert nothing_frozen()
