"""The frozen clock on top: whichever freeze everyone's ``time.time()`` reads now.

A test may freeze time itself inside the fake's life (freezegun's ``freeze_time``,
time-machine's ``travel``), on top of the fake's own freeze. Every driver reads and
moves that clock, the top one, not its own: jobs, the test and its client then all
agree on ``now``.
"""

from __future__ import annotations

import datetime as _dt
import sys
import time
from collections.abc import Callable
from typing import Any


def now() -> _dt.datetime:
    """The current time of the clock on top, an aware UTC datetime (real time if
    nothing is frozen).

    Under freezegun it asks the innermost frozen factory directly: freezegun's
    ``time.time()`` answers *real* time to callers near an ignored module
    (``threading`` is one), which would make time jump in pollers' threads.
    """
    freezegun_api = sys.modules.get("freezegun.api")
    if freezegun_api is not None and freezegun_api.freeze_factories:
        frozen: _dt.datetime = freezegun_api.freeze_factories[-1]()
        return frozen.replace(tzinfo=_dt.timezone.utc)
    return _dt.datetime.fromtimestamp(time.time(), _dt.timezone.utc)


def shift(delta: _dt.timedelta) -> None:
    """Move the clock on top forward by ``delta``."""
    # freezegun replaces the ``time.time`` attribute, over time-machine's C-level
    # patch, so an active freezegun factory is the clock everyone reads.
    freezegun_api = sys.modules.get("freezegun.api")
    if freezegun_api is not None and freezegun_api.freeze_factories:
        freezegun_api.freeze_factories[-1].tick(delta)
        return
    time_machine = sys.modules.get("time_machine")
    if time_machine is not None and time_machine.traveller_stack:
        time_machine.traveller_stack[-1].shift(delta)
        return
    raise RuntimeError("the frozen clock has stopped; the fake cannot move it")


def frozen() -> bool:
    """Whether anyone has frozen time (freezegun or time-machine), the fake or not."""
    freezegun_api = sys.modules.get("freezegun.api")
    if freezegun_api is not None and freezegun_api.freeze_factories:
        return True
    time_machine = sys.modules.get("time_machine")
    return bool(time_machine is not None and time_machine.traveller_stack)


class OwnFreeze:
    """What a driver that makes its own freeze does beyond starting it: it reads and
    moves the clock on top, and hands back its freeze's ``stop`` on release. A
    subclass sets ``kind`` and starts ``self._travel`` in ``start()``."""

    def __init__(self) -> None:
        self._travel: Any = None

    def now(self) -> _dt.datetime:
        return now()  # the test's own freeze, if it froze time on top of this one

    def shift(self, delta: _dt.timedelta) -> None:
        shift(delta)

    def release(self) -> Callable[[], None] | None:
        travel, self._travel = self._travel, None
        return None if travel is None else travel.stop
