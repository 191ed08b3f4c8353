"""Freeze time with time-machine: it patches the C functions behind ``time.time()``,
``datetime.now()`` and friends, so starting and stopping cost microseconds whatever
is loaded. It leaves ``time.monotonic`` and ``time.perf_counter`` real; the loop patch
makes ``time.monotonic`` follow the fake clock (as asyncio's loop time).

The ``time-machine`` package is imported when the clock freezes, not before.
"""

from __future__ import annotations

import datetime as _dt

from . import _top


def available(required: bool) -> bool:
    """Whether time-machine can be imported; if ``required`` and it cannot, a
    ``RuntimeError`` that says how to install it."""
    try:
        import time_machine  # noqa: F401
    except ImportError:
        if required:
            raise RuntimeError(
                "clock backend 'time-machine' needs the time-machine package: "
                "pip install 'pytest-batchjobs[fast]'"
            ) from None
        return False
    return True


class TimeMachine(_top.OwnFreeze):
    """The :class:`~pytest_batchjobs.time.drivers.Driver` that freezes with time-machine."""

    kind = "time-machine"

    def start(self, at: _dt.datetime) -> None:
        import time_machine

        travel = time_machine.travel(at, tick=False)
        travel.start()
        self._travel = travel
