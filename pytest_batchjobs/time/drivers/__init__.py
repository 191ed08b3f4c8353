"""What freezes and moves time under the fake clock, and which one a clock gets.

A driver is chosen when the fake starts (:func:`choose`):

* ``follow`` when the test has already frozen time itself (freezegun's ``freeze_time``,
  pytest-freezer's ``freezer``, time-machine's ``travel``): the fake follows that clock
  instead of fighting it;
* otherwise the fake's own freeze (:class:`~.own.OwnFreeze`) with the clock asked for:
  ``auto`` is the first installed in the registry's order (time-machine, whose start +
  stop cost microseconds, else freezegun, whose start + stop scan the loaded modules: a
  few ms); ``time-machine`` or ``freezegun`` name one.

Each clock is a module here declaring a
:class:`~pytest_batchjobs.time.drivers.library.ClockLibrary` (what it knows of its
library, behind a check of the release), and one line in :mod:`.registry`, the only
list of them. Every driver reads and moves the clock on top (``_top``): a test that
freezes time inside the fake's life moves everyone's clock, the fake's jobs' included.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Protocol

from . import _top, registry
from .follow import Follow
from .library import ClockLibrary, Layer, UnsupportedClockLibrary
from .own import OwnFreeze
from .registry import backends, registered

__all__ = [
    "ClockLibrary",
    "Driver",
    "Layer",
    "UnsupportedClockLibrary",
    "backends",
    "choose",
    "now",
    "registered",
]


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
    """The driver for a clock asked for ``backend`` (one of :func:`backends`), now."""
    if _top.frozen():
        return Follow()
    if backend == registry.AUTO:
        installed = [library for library in registry.libraries() if library.installed()]
        if not installed:
            raise RuntimeError(
                "no library to freeze time with is installed: "
                + "; or ".join(library.install for library in registry.libraries())
            )
        return OwnFreeze(installed[0])
    try:
        library = registry.get(backend)
    except KeyError:
        raise ValueError(
            f"unknown clock backend {backend!r}; expected one of {', '.join(backends())}"
        ) from None
    if not library.installed():
        raise RuntimeError(
            f"clock backend {backend!r} needs the {library.distribution} package: {library.install}"
        )
    return OwnFreeze(library)


def now() -> _dt.datetime:
    """The time while no driver drives it: the clock on top (real time if nothing is
    frozen)."""
    return _top.now()
