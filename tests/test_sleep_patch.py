"""Modules holding ``time.sleep`` under their own name sleep in fake time under every
fake, however ``sys.modules`` changed between two fakes (the modules are read again
only from where they changed)."""

from __future__ import annotations

import datetime as dt
import sys
import time
import types

import pytest

from pytest_batchjobs import BatchJobsFake


def poller_module(name: str) -> types.ModuleType:
    """A module that did ``from time import sleep`` (while no fake was active)."""
    module = types.ModuleType(name)
    exec("from time import sleep\ndef wait(seconds):\n    sleep(seconds)\n", module.__dict__)
    return module


def slept_in_fake_time(module: types.ModuleType) -> bool:
    """Whether, under a new fake, ``module``'s own ``sleep`` is the fake's (checked
    before sleeping: the real one would block for an hour) and ``module.wait(3600)``
    moves the fake clock by an hour."""
    with BatchJobsFake() as fake:
        if module.sleep is not time.sleep:  # time.sleep is the fake's while it is active
            return False
        before = fake.clock.now()
        module.wait(3600)
        moved = fake.clock.now() - before == dt.timedelta(hours=1)
    assert module.sleep is time.sleep  # put back when the fake stopped
    return moved


def test_a_module_loaded_between_two_fakes_sleeps_in_fake_time_under_the_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = poller_module("batchjobs_first_poller")
    monkeypatch.setitem(sys.modules, first.__name__, first)
    assert slept_in_fake_time(first)
    later = poller_module("batchjobs_later_poller")
    monkeypatch.setitem(sys.modules, later.__name__, later)
    assert slept_in_fake_time(later)
    assert slept_in_fake_time(first)  # still found, without reading it again


def test_a_module_replaced_under_its_name_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "batchjobs_replaced_poller"
    monkeypatch.setitem(sys.modules, name, types.ModuleType(name))  # holds no sleep
    with BatchJobsFake():
        pass
    replacement = poller_module(name)
    monkeypatch.setitem(sys.modules, name, replacement)  # same place, another module
    assert slept_in_fake_time(replacement)


def test_a_module_removed_and_loaded_again_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "batchjobs_reloaded_poller"
    monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    with BatchJobsFake():
        pass
    del sys.modules[name]
    reloaded = poller_module(name)
    sys.modules[name] = reloaded  # at the end of sys.modules now
    assert slept_in_fake_time(reloaded)


def test_a_module_that_rebound_its_sleep_elsewhere_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = poller_module("batchjobs_rebinding_poller")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    assert slept_in_fake_time(module)

    def own_sleep(seconds: float) -> None:
        pass

    module.sleep = own_sleep  # type: ignore[attr-defined]
    with BatchJobsFake():
        assert module.sleep is own_sleep
    assert module.sleep is own_sleep
