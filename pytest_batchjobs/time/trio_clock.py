"""While a fake is active, trio's own clock keeps real time, whatever froze time.

trio's default clock (``SystemClock``, what ``trio.run`` and anyio's trio backend use
unless given ``clock=``) reads ``perf_counter``, a name bound when trio is imported. A
freezegun freeze started after that (a test's own ``freeze_time`` or pytest-freezer's
``freezer``, which the fake follows) rebinds the name to its frozen ``perf_counter``, and
trio's scheduler then waits for ever for its first deadline. So while any fake is
active (:func:`activate`, called when trio is loaded), the clock reads the real
monotonic clock itself, as asyncio's loop time does under the loop patch.

trio's timers are not driven by the fake: ``await trio.sleep(0.2)`` takes 0.2 s of real
time and does not move the fake clock (asyncio's timers do, with ``loop_time``). Test
code that needs trio timers on fake time passes its own clock (``trio.testing.
MockClock``) and moves the fake with ``advance()``.

This module is all the plugin knows of trio's internals. It patches a trio from
:data:`MINIMUM_VERSION` on whose ``SystemClock`` it recognises (``current_time`` defined
on the class, an ``offset`` field); any other trio is left as it is.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from typing import Any

from ..patching.patches import Patches

#: The oldest trio whose ``SystemClock`` this patches (its ``current_time`` has been
#: ``self.offset + perf_counter()`` since well before; checked up to trio 0.35).
MINIMUM_VERSION = (0, 22)

_MONOTONIC = time.CLOCK_MONOTONIC
_gettime = time.clock_gettime
_lock = threading.Lock()
_patches = Patches()  # SystemClock.current_time, while patched


def _current_time(self: Any) -> float:
    """``SystemClock.current_time`` while patched: the real monotonic clock, which is
    what ``perf_counter`` reads on Linux, so a run spanning a fake's start or stop sees
    no jump."""
    offset: float = self.offset
    return offset + _gettime(_MONOTONIC)


def version(text: str) -> tuple[int, int] | None:
    """``(major, minor)`` of a version string such as ``0.35.0+dev``; ``None`` if it
    does not start with two numbers."""
    match = re.match(r"(\d+)\.(\d+)", text)
    return None if match is None else (int(match[1]), int(match[2]))


def system_clock() -> type | None:
    """trio's ``SystemClock`` if trio is loaded and is one this module knows, else
    ``None``."""
    trio = sys.modules.get("trio")
    run = sys.modules.get("trio._core._run")
    if trio is None or run is None:
        return None
    found = version(str(getattr(trio, "__version__", "")))
    if found is None or found < MINIMUM_VERSION:
        return None
    clock = getattr(run, "SystemClock", None)
    if not isinstance(clock, type) or not callable(clock.__dict__.get("current_time")):
        return None
    fields = {field.name for field in getattr(clock, "__attrs_attrs__", ())}
    return clock if "offset" in fields else None


def activate() -> None:
    """A fake is active and trio is loaded: its clock reads real time."""
    with _lock:
        clock = system_clock()
        if not _patches.applied and clock is not None:
            _patches.apply(clock, "current_time", lambda _: _current_time)


def deactivate() -> None:
    """No fake is active any more: trio's clock is its own again."""
    with _lock:
        _patches.undo()
