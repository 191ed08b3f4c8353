"""The thread-sleep scheduler: sleeps in several threads overlap in fake time.

A sleeping thread waits (really, briefly) until no call into the fake is in progress
in another thread and none has been for a moment (:data:`SETTLE_SECONDS`), then the
clock moves to the earliest wake-up among all sleepers (in steps, through every
instant something is due on the way), waking every thread due by then. So pollers in
a thread pool, each sleeping 60 s, move the clock about 60 s per round, not 60 s per
poller. A thread alone in the process jumps at once.

Calls into the fake mark their thread busy (:meth:`Sleepers.enter` /
:meth:`Sleepers.leave`): a sleep waits for the others, not for its own thread, which
may sleep inside a hook the fake called.
"""

from __future__ import annotations

import datetime as _dt
import threading
import time
from collections.abc import Callable

# How long (real seconds) no thread may touch the fake before sleepers' time passes.
SETTLE_SECONDS = 0.004


_MONOTONIC = time.CLOCK_MONOTONIC
_gettime = time.clock_gettime
_get_ident = threading.get_ident


def real_monotonic() -> float:
    """Real monotonic time, whatever freezegun has patched (it patches ``monotonic``)."""
    return _gettime(_MONOTONIC)


class Sleepers:
    """The threads sleeping in one clock's fake time, and the threads busy in its fake.

    :attr:`condition` guards the clock: it moves only while holding it, and wakes the
    sleepers (``notify_all``) when it has.
    """

    def __init__(self) -> None:
        # enter() and leave() take the condition's lock itself (one frame fewer on every
        # call into the fake); waiting and notifying go through the condition.
        self._lock = threading.RLock()
        self.condition = threading.Condition(self._lock)
        self._wake_times: list[_dt.datetime] = []
        self._last_activity = 0.0
        # Threads in a call into the fake, and how deep.
        self._busy: dict[int, int] = {}

    def touch(self) -> None:
        """Note that a thread is busy with the fake (sleepers wait for quiet)."""
        self._last_activity = real_monotonic()

    def enter(self) -> None:
        """A call into the fake begins: no sleeper's time passes until it ends."""
        with self._lock:
            me = _get_ident()
            busy = self._busy
            busy[me] = busy.get(me, 0) + 1
            self._last_activity = _gettime(_MONOTONIC)

    def leave(self) -> None:
        """The call that :meth:`enter` began has ended: the sleepers, if any, look again
        (only :meth:`wait_until` waits on the condition, its wake-up listed meanwhile)."""
        with self._lock:
            me = _get_ident()
            busy = self._busy
            depth = busy.get(me, 0)
            if depth <= 1:
                busy.pop(me, None)
            else:
                busy[me] = depth - 1
            self._last_activity = _gettime(_MONOTONIC)
            if self._wake_times:
                self.condition.notify_all()

    def wait_until(
        self,
        wake: _dt.datetime,
        now: Callable[[], _dt.datetime],
        step: Callable[[_dt.datetime], None],
        settle: Callable[[], None],
    ) -> None:
        """Return once ``now()`` has reached ``wake``.

        When this thread's wake-up is the earliest and the fake is quiet, it moves the
        clock itself, a step at a time: ``step(wake)`` (holding :attr:`condition`) moves
        it to the next instant something is due on the way (or to ``wake``), then
        ``settle()`` lets it happen, with the condition released and this thread busy
        and no longer counted as sleeping (so that what happens there may sleep too).
        Otherwise it waits for another sleeper, or ``advance()``, to move the clock past
        it. Whatever ``step`` raises (the horizon) goes up through this thread's sleep.
        """
        me = threading.get_ident()
        with self.condition:
            self._wake_times.append(wake)
            self.touch()
            try:
                while now() < wake:
                    earliest = min(self._wake_times)
                    others_busy = any(t != me for t in self._busy)
                    quiet = (
                        not others_busy and real_monotonic() - self._last_activity >= SETTLE_SECONDS
                    )
                    if earliest >= wake and (quiet or threading.active_count() == 1):
                        step(wake)
                        self.condition.notify_all()
                        self._settle_released(wake, settle)
                    else:
                        self.condition.wait(SETTLE_SECONDS)
            finally:
                self._wake_times.remove(wake)

    def _settle_released(self, wake: _dt.datetime, settle: Callable[[], None]) -> None:
        """Run ``settle()`` outside :attr:`condition`, this thread busy meanwhile."""
        self._wake_times.remove(wake)
        self.enter()
        self.condition.release()
        try:
            settle()
        finally:
            self.condition.acquire()
            self._wake_times.append(wake)
            self.leave()
