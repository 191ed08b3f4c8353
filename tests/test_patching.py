"""The one patch utility and the one import finder every part of the fake patches with.

The transports' tests show them at work beside real libraries and users' mocks; these
hold their own rules: undone the latest first, each even if another fails; a layer
another patch was put on top of stays inert and takes itself out once on top again;
``if_unchanged`` leaves a name rebound meanwhile; a callback runs once its module has
been imported, and the finder leaves ``sys.meta_path`` when nothing waits.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_batchjobs.patching.imports import WATCH, when_imported
from pytest_batchjobs.patching.patches import Patches, below, is_layer


class Owner:
    @staticmethod
    def greet() -> str:
        return "original"


def replaced_by(word: str) -> Callable[[Any], Any]:
    return lambda original: staticmethod(lambda: f"{word} over {original.__func__()}")


@pytest.fixture
def owner() -> Iterator[type[Owner]]:
    saved = Owner.__dict__["greet"]
    yield Owner
    Owner.greet = saved  # type: ignore[method-assign]


def test_undo_puts_the_originals_back_the_latest_first(owner: type[Owner]) -> None:
    patches = Patches()
    patches.apply(owner, "greet", replaced_by("first"))
    patches.apply(owner, "greet", replaced_by("second"))
    assert owner.greet() == "second over first over original"
    patches.undo()
    assert owner.greet() == "original"
    assert not patches.applied


def test_an_undo_that_fails_does_not_stop_the_others(owner: type[Owner]) -> None:
    class Lockable:
        locked = False
        value = "original"

        def __setattr__(self, name: str, value: object) -> None:
            if self.locked:
                raise AttributeError(f"{name} is locked")
            object.__setattr__(self, name, value)

    lockable = Lockable()
    patches = Patches()
    patches.apply(owner, "greet", replaced_by("patched"))
    patches.apply(lockable, "value", lambda _: "patched")  # the latest: undone first
    lockable.locked = True
    with pytest.raises(AttributeError, match="value is locked"):
        patches.undo()
    assert owner.greet() == "original"


def test_a_layer_under_another_patch_stays_inert_and_leaves_once_on_top() -> None:
    module = types.SimpleNamespace(send=lambda request: f"network {request}")
    patches = Patches()
    patches.apply(module, "send", lambda below_: lambda request: f"fake {request}", layered=True)
    fake_layer = module.send
    assert is_layer(fake_layer)
    assert below(fake_layer)("x") == "network x"
    users = fake_layer
    module.send = lambda request: f"user mock over {users(request)}"  # a user's mock on top
    patches.undo()  # the fake stops while the user's mock is still on top
    assert module.send("a") == "user mock over network a"  # the layer passes calls down
    module.send = users  # the user's mock stops, putting back what it found
    assert module.send("b") == "network b"  # the inert layer on top takes itself out
    assert not is_layer(module.send)


def test_if_unchanged_leaves_a_name_rebound_meanwhile() -> None:
    module = types.SimpleNamespace(sleep="real")
    patches = Patches()
    patches.apply(module, "sleep", lambda _: "fake", if_unchanged=True)
    module.sleep = "the module's own"
    patches.undo()
    assert module.sleep == "the module's own"


def test_a_callback_waits_for_its_module_and_the_finder_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "batchjobs_awaited.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    seen: list[bool] = []
    when_imported("batchjobs_awaited", lambda: seen.append(sys.modules["batchjobs_awaited"].LOADED))
    assert WATCH in sys.meta_path
    assert seen == []
    import batchjobs_awaited  # noqa: F401

    assert seen == [True]
    assert not WATCH.waiting("batchjobs_awaited")
    del sys.modules["batchjobs_awaited"]


def test_a_loaded_module_runs_its_callback_at_once_and_stopping_removes_the_finder() -> None:
    seen: list[str] = []
    when_imported("json", lambda: seen.append("json"))
    assert seen == ["json"]
    stop = when_imported("batchjobs_never_imported", lambda: seen.append("never"))
    assert WATCH in sys.meta_path
    stop()
    assert not WATCH.waiting("batchjobs_never_imported")
    assert seen == ["json"]
