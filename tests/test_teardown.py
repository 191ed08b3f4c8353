"""Teardown leaves the process as it found it: whatever raises, in whatever order fakes
stop, and for modules imported while a fake was active. The clock refuses to leave the
range of instants a datetime can hold."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import sys
import time
from typing import Any

import boto3
import botocore.endpoint
import pluggy
import pytest
import requests
import requests.adapters

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs._pytest import hookspecs
from pytest_batchjobs.active import DUMMY_CREDENTIALS, active_fake

UTC = dt.timezone.utc
CLOCKS = ("time-machine", "freezegun")

# Checked by the pytester runs below, in the later tests of the same session.
CHECK_CLEAN = """
import os, sys, time
import botocore.endpoint
import requests.adapters

ORIGINAL_SLEEP = time.sleep
ORIGINAL_SEND = botocore.endpoint.Endpoint._send
ORIGINAL_HTTP_SEND = requests.adapters.HTTPAdapter.send
ENV = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}

def check_clean():
    from pytest_batchjobs.active import active_fake
    assert active_fake() is None
    assert time.sleep is ORIGINAL_SLEEP
    assert botocore.endpoint.Endpoint._send is ORIGINAL_SEND
    assert requests.adapters.HTTPAdapter.send is ORIGINAL_HTTP_SEND
    assert {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} == ENV
    assert os.environ["AWS_PROFILE"] == "dev"
    assert "FAKEBATCHJOBSKEY0000" not in os.environ.values()
    assert abs(time.time() - time.clock_gettime(time.CLOCK_REALTIME)) < 5  # real time
    freezegun = sys.modules.get("freezegun.api")
    assert freezegun is None or not freezegun.freeze_factories
    time_machine = sys.modules.get("time_machine")
    assert time_machine is None or not time_machine.traveller_stack
"""


def _process_state() -> dict[str, Any]:
    """What a fake changes process-wide while it is active."""
    freezegun = sys.modules.get("freezegun.api")
    time_machine = sys.modules.get("time_machine")
    return {
        "active": active_fake(),
        "sleep": time.sleep,
        "send": botocore.endpoint.Endpoint._send,
        "http send": requests.adapters.HTTPAdapter.send,
        "env": {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"},
        "freezegun": list(freezegun.freeze_factories) if freezegun else [],
        "time-machine": list(time_machine.traveller_stack) if time_machine else [],
    }


def _real_time() -> bool:
    return abs(time.time() - time.clock_gettime(time.CLOCK_REALTIME)) < 5


# -- a stop() that raises ---------------------------------------------------------------


def test_a_hook_that_raises_at_teardown_fails_its_test_and_the_next_test_is_clean(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    pytester.makeconftest(
        """
        def pytest_batchjobs_status_changed(fake, service, job, old, new):
            raise RuntimeError(f"the hook fails on {old} -> {new}")
        """
    )
    pytester.makepyfile(
        check=CHECK_CLEAN,
        test_hook=(
            """
            import pytest
            from check import check_clean

            def fail_in_the_hook(fake):
                fake.bedrock.add_job(status="Submitted")
                with pytest.raises(RuntimeError, match="the hook fails on Submitted"):
                    fake.clock.advance(days=1)
                # the transitions still due are reported at the end of the test, where
                # the hook raises again

            @pytest.mark.batchjobs(clock="time-machine")
            def test_1_hook_fails_at_teardown_time_machine(batchjobs_fake):
                fail_in_the_hook(batchjobs_fake)

            def test_2_clean():
                check_clean()

            @pytest.mark.batchjobs(clock="freezegun")
            def test_3_hook_fails_at_teardown_freezegun(batchjobs_fake):
                fail_in_the_hook(batchjobs_fake)

            def test_4_clean():
                check_clean()
            """
        ),
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=4, errors=2)
    for name in (
        "test_1_hook_fails_at_teardown_time_machine",
        "test_3_hook_fails_at_teardown_freezegun",
    ):
        result.stdout.fnmatch_lines(
            [
                f"*ERROR at teardown of {name}*",
                '*raise RuntimeError(f"the hook fails on {old} -> {new}")',
                "E*RuntimeError: the hook fails on Validating -> Scheduled",
                "conftest.py:*: RuntimeError",
            ]
        )


class _FailingHook:
    """A plugin whose status hook raises, as a conftest.py's might."""

    @pytest.hookimpl
    def pytest_batchjobs_status_changed(self, old: str, new: str) -> None:
        raise RuntimeError(f"the hook fails on {old} -> {new}")


@pytest.mark.parametrize("clock", CLOCKS)
def test_stop_restores_everything_when_a_hook_raises(clock: str) -> None:
    manager = pluggy.PluginManager("pytest")
    manager.add_hookspecs(hookspecs)
    manager.register(_FailingHook())
    before = _process_state()
    fake = BatchJobsFake(clock=clock, hook=manager.hook)
    fake.start()
    fake.bedrock.add_job(status="Submitted")
    with pytest.raises(RuntimeError, match="the hook fails on Submitted -> Validating"):
        fake.clock.advance(days=1)
    with pytest.raises(RuntimeError, match="the hook fails on Validating -> Scheduled"):
        fake.stop()  # the transitions still due, reported at the end
    assert _process_state() == before
    assert _real_time()
    assert fake.clock.kind == "none"
    fake.stop()  # stopped already: nothing to do


@pytest.mark.parametrize("clock", CLOCKS)
def test_a_start_that_fails_half_way_undoes_what_it_did(
    clock: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import freezegun
    import time_machine

    before = _process_state()
    fake = BatchJobsFake(clock=clock)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the clock cannot freeze")

    # The last step of start() fails: the backend's own freeze.
    backend = {"time-machine": (time_machine, "travel"), "freezegun": (freezegun, "freeze_time")}
    monkeypatch.setattr(*backend[clock], broken)
    with pytest.raises(RuntimeError, match="the clock cannot freeze"):
        fake.start()
    assert _process_state() == before
    monkeypatch.undo()
    with fake:  # and it starts once the cause is gone
        assert active_fake() is fake
    assert _process_state() == before


# -- monkeypatch and the fake's environment -------------------------------------------

MONKEYPATCHED = """
import os

import pytest

NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_PROFILE")
BEFORE = {name: os.environ.get(name) for name in NAMES}

def set_aws_variables(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTSOWNKEY00000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_PROFILE", "the-tests-profile")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")

def test_1_monkeypatch_first(monkeypatch, batchjobs_fake):
    set_aws_variables(monkeypatch)

def test_2_as_before():
    assert {name: os.environ.get(name) for name in NAMES} == BEFORE

def test_3_monkeypatch_after(batchjobs_fake, monkeypatch):
    set_aws_variables(monkeypatch)

def test_4_as_before():
    assert {name: os.environ.get(name) for name in NAMES} == BEFORE

@pytest.fixture
def region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")  # before the fake starts

def test_5_set_before_the_fake_too(region, monkeypatch, batchjobs_fake):
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"
    set_aws_variables(monkeypatch)

def test_6_as_before():
    assert {name: os.environ.get(name) for name in NAMES} == BEFORE
"""


def test_variables_a_test_monkeypatches_during_the_fake_are_put_back_as_before_the_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """monkeypatch saves the fake's dummy value of a variable the test sets, and its
    teardown runs after the fake's when the test asked for it first: the dummy keys,
    the default region and a removed profile must not outlive the test."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEYOFTHEUSER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the-users-real-secret")
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    pytester.makepyfile(test_monkeypatched=MONKEYPATCHED)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=6)
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEYOFTHEUSER"
    assert "AWS_DEFAULT_REGION" not in os.environ


# -- fakes started and stopped in any order ----------------------------------------------


@pytest.mark.parametrize("clock", CLOCKS)
@pytest.mark.parametrize("stop_order", list(itertools.permutations(range(3))))
def test_fakes_stopped_in_any_order_restore_everything(
    clock: str, stop_order: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    before = _process_state()
    fakes = [BatchJobsFake(clock=clock) for _ in range(3)]
    for fake in fakes:
        fake.start()
    running = list(fakes)
    for index in stop_order:
        fakes[index].stop()
        running.remove(fakes[index])
        if not running:
            break
        # the fakes still active work as before: credentials, sleep, clock, calls
        current = running[-1]
        assert active_fake() is current
        assert os.environ["AWS_ACCESS_KEY_ID"] == DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"]
        assert "AWS_PROFILE" not in os.environ
        start = current.clock.now()
        time.sleep(60)
        assert current.clock.now() - start == dt.timedelta(seconds=60)
        assert current.clock.advance(minutes=1) - start == dt.timedelta(minutes=2)
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        bedrock.list_model_invocation_jobs()
        assert len(current.calls) == 1
        current.reset()
    assert _process_state() == before
    assert _real_time()
    assert all(fake.clock.kind == "none" for fake in fakes)


def test_the_innermost_fake_decides_whether_sleep_is_fake() -> None:
    real_sleep = time.sleep
    with BatchJobsFake() as outer:
        with BatchJobsFake(sleep=False) as inner:
            before = inner.clock.now()
            time.sleep(0.01)  # blocks for real: the inner fake leaves sleep alone
            assert inner.clock.now() == before
        time.sleep(60)
        assert outer.clock.now() - before == dt.timedelta(seconds=60)
    assert time.sleep is real_sleep


# -- modules imported while a fake is active --------------------------------------------


def test_a_module_imported_during_a_fake_sleeps_for_real_after_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    pytester.makepyfile(
        check=CHECK_CLEAN,
        poller="""
            import time
            from time import sleep

            def wait(seconds):
                sleep(seconds)

            def wait_with(seconds, pause=time.sleep):  # the function held by a default
                pause(seconds)
            """,
        test_poller="""
            import datetime as dt
            import time
            from check import check_clean

            def test_1_imports_the_poller_under_a_fake(batchjobs_fake):
                import poller
                start = batchjobs_fake.clock.now()
                poller.wait(60)
                poller.wait_with(60)
                assert batchjobs_fake.clock.now() - start == dt.timedelta(seconds=120)

            def test_2_the_poller_sleeps_for_real_without_a_fake():
                import poller
                check_clean()
                started = time.clock_gettime(time.CLOCK_MONOTONIC)
                poller.wait(0.01)
                poller.wait_with(0.01)
                assert time.clock_gettime(time.CLOCK_MONOTONIC) - started >= 0.02

            def test_3_and_in_fake_time_under_the_next_fake(batchjobs_fake):
                import poller
                start = batchjobs_fake.clock.now()
                poller.wait(3600)
                poller.wait_with(3600)
                assert batchjobs_fake.clock.now() - start == dt.timedelta(hours=2)
            """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)


# -- the clock's range ------------------------------------------------------------------

# The clock's last instant is 9000-01-01, as the control API's: the room after it holds
# the longest timeline a job created then can have.
NEAR_THE_END = dt.datetime(8999, 12, 30, 12, tzinfo=UTC)
THE_END = "9000-01-01 00:00:00 UTC"


@pytest.mark.parametrize("clock", CLOCKS)
@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ({"days": 2}, "advance(days=2)"),
        ({"seconds": dt.timedelta(days=3)}, "advance(datetime.timedelta(days=3))"),
        ({"days": 10**9}, "advance(days=1000000000)"),
        ({"seconds": float("inf")}, "advance(inf)"),
        ({"hours": float("nan")}, "advance(hours=nan)"),
    ],
)
def test_advance_past_the_last_instant_is_refused_before_anything_moves(
    clock: str, amount: dict[str, Any], shown: str
) -> None:
    with BatchJobsFake(clock=clock, start=NEAR_THE_END) as fake:
        with pytest.raises(ValueError, match=re.escape(shown)) as refused:
            fake.clock.advance(**amount)
        message = str(refused.value)
        assert message.startswith(f"{shown} cannot move the fake clock"), message
        assert "Nothing moved" in message, message
        assert fake.clock.now() == NEAR_THE_END
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        assert bedrock.list_model_invocation_jobs()["invocationJobSummaries"] == []
        assert fake.clock.advance(days=1) == NEAR_THE_END + dt.timedelta(days=1)
    assert _real_time()


@pytest.mark.parametrize("clock", CLOCKS)
@pytest.mark.parametrize(
    ("seconds", "error", "shown"),
    [
        (3 * 86400, OverflowError, f"cannot move the fake clock past {THE_END}"),
        (1e300, OverflowError, f"cannot move the fake clock past {THE_END}"),
        (float("inf"), OverflowError, f"cannot move the fake clock past {THE_END}"),
        (float("nan"), ValueError, "Invalid value NaN (not a number)"),
    ],
)
def test_a_sleep_past_the_last_instant_raises_without_moving_the_clock(
    clock: str, seconds: float, error: type[Exception], shown: str
) -> None:
    # A horizon of 90 s: had the refused sleep counted towards it, the next one would stop.
    horizon = dt.timedelta(seconds=90)
    with BatchJobsFake(clock=clock, start=NEAR_THE_END, horizon=horizon) as fake:
        with pytest.raises(error) as refused:
            time.sleep(seconds)
        assert shown in str(refused.value)
        assert fake.clock.now() == NEAR_THE_END
        time.sleep(60)
        assert fake.clock.now() == NEAR_THE_END + dt.timedelta(seconds=60)
    assert _real_time()


def test_a_start_past_the_last_instant_is_refused() -> None:
    with pytest.raises(ValueError, match=r"start must be a datetime .* to 9000-01-01T00:00:00Z"):
        BatchJobsFake(start=dt.datetime(9000, 1, 1, 0, 0, 0, 1))


@pytest.mark.batchjobs(start=NEAR_THE_END)
def test_the_control_api_refuses_an_advance_past_the_last_instant(batchjobs_server: Any) -> None:
    control = batchjobs_server.endpoint_url.rstrip("/") + "/_batchjobs"
    with requests.Session() as http:
        refused = http.post(f"{control}/clock/advance", json={"days": 10})
        assert refused.status_code == 400, refused.text
        assert "would take it past 9000-01-01T00:00:00Z" in refused.json()["error"]
        clock = http.get(f"{control}/clock")
        assert clock.status_code == 200, clock.text
        assert dt.datetime.fromisoformat(clock.json()["now"].replace("Z", "+00:00")) == NEAR_THE_END
        listed = http.get(batchjobs_server.endpoint_url.rstrip("/") + "/model-invocation-jobs")
        assert listed.status_code == 200, listed.text
