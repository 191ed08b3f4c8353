"""What freezes and moves time under the fake clock, and which one a clock gets.

A driver is chosen when the fake starts (:func:`choose`):

* ``follow`` when the test has already frozen time itself (freezegun's ``freeze_time``,
  pytest-freezer's ``freezer``, time-machine's ``travel``): the fake follows that clock
  instead of fighting it;
* otherwise the backend asked for: ``auto`` is time-machine when it is installed (start
  + stop cost microseconds), else freezegun (start + stop scan the loaded modules: a few
  ms); ``time-machine`` or ``freezegun`` name one.

Each driver is a module here with one class implementing :class:`Driver`. A driver
reads and moves the clock on top (``_top``): a test that freezes time inside the fake's
life moves everyone's clock, the fake's jobs' included.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Protocol

from . import _top

BACKENDS = ("auto", "time-machine", "freezegun")


class Driver(Protocol):
    """Freezes time while one fake is active, and reads and moves it."""

    #: What :attr:`Clock.kind <pytest_batchjobs.time.clock.Clock.kind>` shows.
    kind: str

    def start(self, at: _dt.datetime) -> None:
        """Freeze time at ``at`` (an aware UTC datetime), or fail leaving nothing frozen."""

    def now(self) -> _dt.datetime:
        """The current fake time, an aware UTC datetime."""

    def shift(self, delta: _dt.timedelta) -> None:
        """Move fake time forward by ``delta`` (positive, checked by the clock)."""

    def release(self) -> Callable[[], None] | None:
        """Stop driving time; return what undoes :meth:`start`'s freeze, if it froze.

        The freeze is not undone here: fakes started meanwhile may be reading their
        time from it (following it); the fake calls what this returns once the last
        active fake has stopped.
        """


def choose(backend: str) -> Driver:
    """The driver for a clock asked for ``backend`` (one of :data:`BACKENDS`), now."""
    if _top.frozen():
        from .follow import Follow

        return Follow()
    if backend in ("auto", "time-machine"):
        from . import time_machine

        if time_machine.available(required=backend == "time-machine"):
            return time_machine.TimeMachine()
    from .freezegun import Freezegun

    return Freezegun()


def now() -> _dt.datetime:
    """The time while no driver drives it: the clock on top (real time if nothing is
    frozen)."""
    return _top.now()
