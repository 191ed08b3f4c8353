"""A clock defined in the test suite, to prove that a clock is one module and one line.

It freezes nothing in the process: the instant it holds lives here, and only the fake
reads it (``datetime.now()`` stays real). ``registry.registered(MANUAL)`` is its
registry line; tests/test_clock_drivers.py runs fakes on it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from pytest_batchjobs.time.drivers import ClockLibrary, Layer


class Instant:
    """One freeze of the manual clock: the instant it holds."""

    def __init__(self, at: _dt.datetime) -> None:
        self.at = at


class ManualClock(ClockLibrary):
    """A stack of instants kept in memory, the innermost the one read and moved."""

    name = "manual"
    module = __name__
    install = "it is tests/manual_clock.py, registered by the test"
    layer = Layer.OWN

    def __init__(self) -> None:
        self.freezes: list[Instant] = []

    def freeze(self, at: _dt.datetime) -> Callable[[], None]:
        instant = Instant(at)
        self.freezes.append(instant)
        return lambda: self.freezes.remove(instant)

    def innermost(self) -> Instant | None:
        return self.freezes[-1] if self.freezes else None

    def read(self, freeze: Instant) -> _dt.datetime:
        return freeze.at

    def move(self, freeze: Instant, delta: _dt.timedelta) -> None:
        freeze.at += delta


MANUAL = ManualClock()
