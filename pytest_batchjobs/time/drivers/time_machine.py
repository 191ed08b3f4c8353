"""The time-machine clock: it patches the C functions behind ``time.time()``,
``datetime.now()`` and friends, so starting and stopping cost microseconds whatever
is loaded. It leaves ``time.monotonic`` and ``time.perf_counter`` real; the loop patch
makes ``time.monotonic`` follow the fake clock (as asyncio's loop time).

What this module reads of time-machine beyond its documented API (``travel(...,
tick=False)``, its ``start()`` and ``stop()``), checked against time-machine 2.13.0 to
3.6.0: the stack of active travels, ``time_machine.traveller_stack``
(``coordinates_stack`` before 3.0), to know whether one is active, and its innermost
travel's ``time_ns()`` and ``shift()``, to read and move it.

The ``time-machine`` package is imported when the clock freezes, not before.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Callable
from typing import Any

from .library import ClockLibrary, Layer

# The stack of active travels, by its name since time-machine 3.0, then before it.
_STACKS = ("traveller_stack", "coordinates_stack")
_STACK = "time-machine's stack of active travels: whether one is active, to move it"
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


class TimeMachine(ClockLibrary):
    """Freezes time with time-machine; reads and moves its innermost travel."""

    name = "time-machine"
    module = "time_machine"
    distribution = "time-machine"
    known = ("2.13", "3.6.0")
    install = "pip install 'pytest-batchjobs[fast]'"
    layer = Layer.C_FUNCTIONS

    def freeze(self, at: _dt.datetime) -> Callable[[], None]:
        import time_machine

        self._stack(time_machine)  # before anything is frozen
        travel = time_machine.travel(at, tick=False)
        travel.start()
        stop: Callable[[], None] = travel.stop
        return stop

    def innermost(self) -> object | None:
        module = sys.modules.get("time_machine")
        if module is None:
            return None
        stack = getattr(module, "traveller_stack", None)  # read on every clock read
        if stack is None:
            stack = self._stack(module)  # time-machine 2's name, else its error
        return stack[-1] if stack else None

    def read(self, freeze: Any) -> _dt.datetime:
        # The travel's own time, in whole microseconds (no float).
        return _EPOCH + _dt.timedelta(microseconds=freeze.time_ns() // 1000)

    def move(self, freeze: Any, delta: _dt.timedelta) -> None:
        freeze.shift(delta)

    def _stack(self, module: Any) -> list[Any]:
        for name in _STACKS:
            stack = getattr(module, name, None)
            if isinstance(stack, list):
                return stack
        raise self.changed(f"time_machine.{_STACKS[0]} ({_STACKS[1]} before 3.0)", _STACK)


LIBRARY = TimeMachine()
