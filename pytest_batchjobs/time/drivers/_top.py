"""The frozen clock on top: whichever freeze everyone's ``time.time()`` reads now.

A test may freeze time itself inside the fake's life (freezegun's ``freeze_time``,
time-machine's ``travel``), on top of the fake's own freeze. Every driver reads and
moves that clock, the top one, not its own: jobs, the test and its client then all
agree on ``now``. The top one is the innermost freeze of the registered clock nearest
the caller (:class:`~pytest_batchjobs.time.drivers.library.Layer`) that has one; what
a freeze is and how to read and move it, each clock's module says.
"""

from __future__ import annotations

import datetime as _dt
import time
from typing import Any

from . import registry
from .library import ClockLibrary


def top() -> tuple[ClockLibrary, Any] | None:
    """The clock on top and its innermost freeze, ``None`` if nothing is frozen."""
    for library in registry.NEAREST_FIRST:
        freeze = library.innermost()
        if freeze is not None:
            return library, freeze
    return None


def now() -> _dt.datetime:
    """The current time of the clock on top, an aware UTC datetime (real time if
    nothing is frozen)."""
    for library in registry.NEAREST_FIRST:
        freeze = library.innermost()
        if freeze is not None:
            return library.read(freeze)
    return _dt.datetime.fromtimestamp(time.time(), _dt.timezone.utc)


def shift(delta: _dt.timedelta) -> None:
    """Move the clock on top forward by ``delta``."""
    found = top()
    if found is None:
        raise RuntimeError("the frozen clock has stopped; the fake cannot move it")
    library, freeze = found
    library.move(freeze, delta)


def frozen() -> bool:
    """Whether anyone has frozen time with a registered clock, the fake or not."""
    return top() is not None


def check() -> None:
    """Fail now, in the clock's words, if the freeze on top could not be moved or its
    library's release is older than its module knows (the fake is about to follow it)."""
    found = top()
    if found is not None:
        library, freeze = found
        library.check_release()
        library.check(freeze)
