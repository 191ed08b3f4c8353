"""Scheduled actions: functions the clock runs once, at an instant, as time passes it.

``clock.call_at(when, fn)`` and ``clock.call_later(delay, fn)`` (asyncio's names) keep
a :class:`ScheduledAction` here. Whatever moves the clock (``advance()``, a sleep, an
asyncio timer, ``advance_until()``) stops at each action's instant on its way, as it
stops at each job transition, and runs the action there: an operator stopping a job
half an hour in, a quota raised at noon, a fault cleared after an outage, in the test's
own straight-line code.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Any


class ScheduledAction:
    """What ``call_at()`` and ``call_later()`` return: ``cancel()`` it before its
    instant and it never runs. ``when`` is the instant it runs at."""

    __slots__ = ("_args", "_cancelled", "_fn", "when")

    def __init__(self, when: _dt.datetime, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.when = when
        self._fn = fn
        self._args = args
        self._cancelled = False

    def cancel(self) -> None:
        """Never run it (nothing happens if it has run already)."""
        self._cancelled = True

    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def __repr__(self) -> str:
        state = " cancelled" if self._cancelled else ""
        name = getattr(self._fn, "__qualname__", None) or repr(self._fn)
        return f"<ScheduledAction {name} at {self.when.isoformat()}{state}>"


class Schedule:
    """The actions still to run, earliest first (in the order scheduled, at one instant)."""

    def __init__(self) -> None:
        self._heap: list[tuple[_dt.datetime, int, ScheduledAction]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def add(self, action: ScheduledAction) -> None:
        with self._lock:
            heapq.heappush(self._heap, (action.when, next(self._order), action))

    def __bool__(self) -> bool:
        """Whether any action is still scheduled (cancelled ones may count)."""
        return bool(self._heap)

    def next_at(self) -> _dt.datetime | None:
        """The instant of the earliest action not cancelled, if any."""
        heap = self._heap
        if not heap:
            return None
        with self._lock:
            while heap and heap[0][2]._cancelled:
                heapq.heappop(heap)
            return heap[0][0] if heap else None

    def pop_due(self, now: _dt.datetime) -> ScheduledAction | None:
        """The earliest action due at ``now`` (taken off the schedule), if any."""
        heap = self._heap
        with self._lock:
            while heap and heap[0][0] <= now:
                action = heapq.heappop(heap)[2]
                if not action._cancelled:
                    return action
        return None

    def reset(self) -> None:
        with self._lock:
            self._heap.clear()
