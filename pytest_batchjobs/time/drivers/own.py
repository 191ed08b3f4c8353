"""The fake's own freeze, made with one registered clock (freezegun, time-machine, ...)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from . import _top
from .library import ClockLibrary


class OwnFreeze:
    """The :class:`~pytest_batchjobs.time.drivers.Driver` that freezes time with
    ``library``. It reads and moves the clock on top (the test's own freeze, if it
    froze time on top of this one), and hands back its freeze's undoing on release."""

    def __init__(self, library: ClockLibrary) -> None:
        self.library = library
        self.kind = library.name
        self._unfreeze: Callable[[], None] | None = None

    def start(self, at: _dt.datetime) -> None:
        self.library.check_release()
        self._unfreeze = self.library.freeze(at)

    def now(self) -> _dt.datetime:
        return _top.now()

    def shift(self, delta: _dt.timedelta) -> None:
        _top.shift(delta)

    def release(self) -> Callable[[], None] | None:
        unfreeze, self._unfreeze = self._unfreeze, None
        return unfreeze
