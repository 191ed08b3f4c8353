"""Follow the test's own freeze: freezegun's ``freeze_time`` (or pytest-freezer's
``freezer``), time-machine's ``travel``, started before the fake.

The fake freezes nothing: jobs read their time from the test's frozen clock, and
``advance()`` and sleeps move it. When the fake stops, the test's freeze is left as it
is, moved by however much fake time passed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from . import _top


class Follow:
    """The :class:`~pytest_batchjobs.time.drivers.Driver` that follows the clock on top."""

    kind = "follow"

    def start(self, at: _dt.datetime) -> None:
        """Nothing to freeze: the test has; ``at`` (the fake's start) is not used. Fails
        now, in the clock's words, if its freeze could not be moved."""
        _top.check()

    def now(self) -> _dt.datetime:
        return _top.now()

    def shift(self, delta: _dt.timedelta) -> None:
        _top.shift(delta)

    def release(self) -> Callable[[], None] | None:
        return None  # the freeze is the test's, to undo
