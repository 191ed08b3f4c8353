"""The fake clock: frozen time that only moves when the test, or a sleep, moves it.

:class:`Clock` is what a test sees (``batchjobs_fake.clock``): ``now()``,
``advance()``, ``sleep()`` and ``kind``. Behind it:

* a driver (:mod:`pytest_batchjobs.time.drivers`) freezes time for the fake's whole
  life: time-machine or freezegun, or, if the test has already frozen time itself,
  none: the clock follows the test's own freeze instead of fighting it (jobs read their
  time from ``time.time()``, whoever patched it, and ``advance()`` moves the test's
  frozen clock);
* the sleepers (:mod:`pytest_batchjobs.time.sleepers`) let sleeps in several threads
  overlap in fake time as they would in real time;
* the :class:`Horizon` stops a client whose sleeps carry fake time too far: it polls
  forever.

Time passes in steps: whatever moves the clock (``advance()``, a sleep, an asyncio
timer, ``advance_until()``) stops at every instant something is due on the way (a job
transition someone can observe, a scheduled action, an event not yet delivered), lets
what is due there happen with the clock at that instant, then goes on.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
import traceback
from collections.abc import Callable
from typing import Any

from .. import arguments
from . import drivers
from .drivers import Driver
from .schedule import Schedule, ScheduledAction
from .sleepers import Sleepers

DEFAULT_START = _dt.datetime(2024, 1, 1, 9, 0, tzinfo=_dt.timezone.utc)
DEFAULT_HORIZON = _dt.timedelta(days=3)
# The latest instant the clock starts at or moves to (9000-01-01), the control API's
# bound too: after it, Python's dates keep room for the longest timeline a job created
# then can have, so no create fails for want of a date.
LATEST = arguments.LATEST
_RESOLUTION = _dt.timedelta(microseconds=1)


class PollingHorizonExceeded(BaseException):
    """Sleeping has carried fake time past the horizon: the client seems to poll forever.

    A ``BaseException``, like pytest's own outcomes, so that a client's
    ``except Exception`` retry loop cannot swallow it.
    """


class Horizon:
    """How far sleeping alone may carry fake time before the test fails as polling
    forever; ``advance()`` does not count."""

    def __init__(self, limit: _dt.timedelta | None) -> None:
        self.limit = limit
        self.message: Callable[[_dt.timedelta], str] = _default_horizon_message
        self.reset()

    def reset(self) -> None:
        """Nothing slept yet (a fake starts)."""
        self.slept = _dt.timedelta(0)
        self.error: str | None = None  # what stopped the client, once it has
        self.thread: int | None = None  # the thread it stopped

    def charge(self, delta: _dt.timedelta) -> None:
        """Sleeping moves fake time by ``delta``: a :class:`PollingHorizonExceeded`
        (before it moves) if that carries the sleeping past the limit."""
        self.slept += delta
        if self.limit is not None and self.slept > self.limit:
            self.error = self.message(self.slept)
            self.thread = threading.get_ident()
            raise PollingHorizonExceeded(self.error)


class Clock(arguments.Settings):
    """Now, as jobs see it; ``advance()`` and ``sleep()`` move it forward, and
    ``call_at()`` / ``call_later()`` schedule what happens on the way.

    A test sees ``now``, ``advance``, ``sleep``, ``kind``, ``call_at`` and
    ``call_later`` (the names the Python API
    page documents, and all that ``dir()`` shows without an underscore: a test checks
    it). The rest is the fake's machinery, behind underscores: the driver, the sleepers
    (``_sleepers``, where calls into the fake mark their thread busy) and the horizon
    (``_horizon``).
    """

    def __init__(
        self,
        start: _dt.datetime | None = None,
        backend: str = "auto",
        horizon: _dt.timedelta | None = DEFAULT_HORIZON,
    ) -> None:
        if backend not in drivers.backends():
            raise ValueError(
                arguments.did_you_mean(
                    f"unknown clock backend {backend!r}",
                    backend,
                    drivers.backends(),
                    f"expected one of {', '.join(drivers.backends())}",
                )
            )
        self._start_at = arguments.instant(
            "the fake clock's start", DEFAULT_START if start is None else start
        )
        if horizon is not None:
            if not isinstance(horizon, _dt.timedelta):
                arguments.wrong_type("the fake clock's horizon", _HORIZON, horizon)
            if horizon <= _dt.timedelta(0):
                arguments.out_of_range("the fake clock's horizon", _HORIZON, horizon)
        self._backend = backend
        self._horizon = Horizon(horizon)
        self._driver: Driver | None = None
        self._sleepers = Sleepers()
        self._listeners: list[Callable[[], None]] = []
        self._schedule = Schedule()
        # What else says when something is due (the fake: transitions, undelivered events).
        self._due: list[Callable[[], _dt.datetime | None]] = [self._schedule.next_at]
        # Where a scheduled action that raised is reported (the fake's errors); raised if None.
        self._report: Callable[[str], None] | None = None

    # -- the fake's side --------------------------------------------------------------

    def _freeze(self) -> None:
        """Freeze time at the start, unless the test already froze it (then follow)."""
        self._horizon.reset()
        driver = drivers.choose(self._backend)
        driver.start(self._start_at)
        self._driver = driver

    def _release(self) -> Callable[[], None] | None:
        """Stop driving time; return what undoes :meth:`_freeze`, if it froze time.

        The freeze is not undone here: fakes started meanwhile may be reading their
        time from it (following it), so the fake calls what this returns once the
        last of them has stopped.
        """
        driver, self._driver = self._driver, None
        return None if driver is None else driver.release()

    def _on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` at every instant the clock stops at while it moves."""
        self._listeners.append(listener)

    def _on_due(self, source: Callable[[], _dt.datetime | None]) -> None:
        """Stop the clock, whenever it moves, at the instant ``source()`` says something
        is due (``None``: nothing), so that it happens with the clock there."""
        self._due.append(source)

    # -- reading and moving -----------------------------------------------------------

    @property
    def kind(self) -> str:
        """Which clock drives time: its name (``time-machine``, ``freezegun``),
        ``follow`` (the test's own freeze) or ``none``."""
        return "none" if self._driver is None else self._driver.kind

    def now(self) -> _dt.datetime:
        """The current fake time, an aware UTC datetime."""
        driver = self._driver
        return drivers.now() if driver is None else driver.now()

    def advance(
        self,
        seconds: float | _dt.timedelta = 0,
        *,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> _dt.datetime:
        """Move fake time forward and return the new ``now``.

        ``advance(90)``, ``advance(minutes=30)``, ``advance(timedelta(hours=2))``. An
        amount that would carry the clock past :data:`LATEST` (9000-01-01, the bound
        of the control API's ``clock/advance`` too) or is NaN is a ``ValueError``, one
        that is not a number a ``TypeError``, raised before anything moves.
        """
        amounts = {"minutes": minutes, "hours": hours, "days": days}
        for name, amount in {"seconds": seconds, **amounts}.items():
            if not (
                arguments.is_number(amount)
                or (name == "seconds" and isinstance(amount, _dt.timedelta))
            ):
                arguments.wrong_type(
                    f"advance() {name}",
                    "a number" + (" or a timedelta" if name == "seconds" else ""),
                    amount,
                )
        try:
            base = seconds if isinstance(seconds, _dt.timedelta) else _dt.timedelta(seconds=seconds)
            delta: _dt.timedelta | None = base + _dt.timedelta(**amounts)
        except OverflowError:  # infinite, or past timedelta's 999999999 days: too far anyway
            delta = None
        except ValueError:  # NaN
            raise ValueError(
                f"{_advance_call(seconds, amounts)} cannot move the fake clock: an amount is "
                "not a number (NaN). Nothing moved."
            ) from None
        if delta is not None and delta < _dt.timedelta(0):
            raise ValueError(
                f"the fake clock only moves forward; got {_advance_call(seconds, amounts)}"
            )
        with self._sleepers.condition:
            now = self.now()
            if delta is None or delta > LATEST - now:
                raise ValueError(
                    _past_the_end(_advance_call(seconds, amounts), now) + " advance by less."
                )
        self._move_to(now + delta)
        return self.now()

    def sleep(self, seconds: float) -> None:
        """What ``time.sleep`` does while the fake is active: let fake time pass.

        Returns once fake time has reached ``now + seconds``. Raises
        :class:`PollingHorizonExceeded` when sleeping has carried the clock past the
        horizon, and ``OverflowError`` (as ``time.sleep`` does for a length it cannot
        hold), without moving it, for a sleep that would end past :data:`LATEST`.
        """
        if math.isnan(seconds):  # in time.sleep's own words
            raise ValueError("Invalid value NaN (not a number)")
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if seconds == 0:
            return
        with self._sleepers.condition:
            now = self.now()
            if seconds > (LATEST - now).total_seconds():  # an OverflowError, as time.sleep's
                raise OverflowError(_past_the_end(f"sleep({seconds!r})", now) + " sleep less.")
        # At least a microsecond (the clock's resolution), so a tiny sleep in a loop
        # waiting for time to pass always moves it.
        wake = now + max(_dt.timedelta(seconds=seconds), _RESOLUTION)
        charged = False

        def step(wake: _dt.datetime) -> None:
            nonlocal charged
            if not charged and wake > self.now():  # the whole sleep, before anything moves
                self._horizon.charge(wake - self.now())
                charged = True
            self._step(wake)

        self._sleepers.wait_until(wake, self.now, step, lambda: self._settle_on_the_way(wake))

    # -- scheduled actions ------------------------------------------------------------

    def call_at(self, when: _dt.datetime, fn: Callable[..., Any], /, *args: Any) -> ScheduledAction:
        """Run ``fn(*args)`` once, with the clock at exactly ``when``, when fake time
        passes it (``advance()``, ``time.sleep``, ``asyncio.sleep``, ``advance_until()``).

        ``when`` is a datetime (a naive one is UTC), not before ``now()``. ``fn`` may call
        the fake (stop a job, add a fault, raise a quota); what it raises fails the test
        at its end, as an event handler's does. Returns a
        :class:`~pytest_batchjobs.time.schedule.ScheduledAction`: ``cancel()`` it to never
        run it.
        """
        if not isinstance(when, _dt.datetime):
            raise TypeError(f"call_at(): when must be a datetime, got {when!r}")
        when = when if when.tzinfo else when.replace(tzinfo=_dt.timezone.utc)
        if when > LATEST:
            raise ValueError(
                f"call_at(): when, {when.isoformat()}, is past {_shown(LATEST)}, the latest "
                "instant the fake clock can hold"
            )
        now = self.now()
        if when < now:
            raise ValueError(
                f"call_at(): when, {when.isoformat()}, is before the fake clock's now, "
                f"{now.isoformat()}: the clock only moves forward, so it would never run. "
                "Schedule it at now or later (call_later(0, fn) runs it when time next moves)."
            )
        return self._scheduled("call_at", when, fn, args)

    def call_later(
        self, delay: float | _dt.timedelta, fn: Callable[..., Any], /, *args: Any
    ) -> ScheduledAction:
        """Run ``fn(*args)`` once, with the clock at exactly ``now() + delay``, when fake
        time passes it: ``call_later(1800, stop_the_job)``, ``call_later(timedelta(hours=3),
        fn)``. ``delay`` is seconds or a timedelta, not negative. As :meth:`call_at`."""
        if isinstance(delay, bool) or not isinstance(delay, (int, float, _dt.timedelta)):
            raise TypeError(
                f"call_later(): delay must be seconds (a number) or a timedelta, got {delay!r}"
            )
        try:
            seconds = delay.total_seconds() if isinstance(delay, _dt.timedelta) else float(delay)
        except OverflowError:  # an int past any float: past the latest instant anyway
            seconds = math.inf
        if math.isnan(seconds) or seconds < 0:
            raise ValueError(
                f"call_later(): delay must be 0 or more seconds, got {delay!r}: the clock only "
                "moves forward"
            )
        now = self.now()
        if seconds > (LATEST - now).total_seconds():
            raise ValueError(
                f"call_later(): delay {delay!r} would be past {_shown(LATEST)}, the latest "
                f"instant the fake clock can hold (it is at {_shown(now)})"
            )
        when = now + (delay if isinstance(delay, _dt.timedelta) else _dt.timedelta(seconds=seconds))
        return self._scheduled("call_later", when, fn, args)

    def _scheduled(
        self, caller: str, when: _dt.datetime, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> ScheduledAction:
        if not callable(fn):
            raise TypeError(f"{caller}(): fn must be callable, got {fn!r}")
        action = ScheduledAction(when, fn, args)
        self._schedule.add(action)
        return action

    # -- moving in steps --------------------------------------------------------------

    def _move_to(self, target: _dt.datetime, until: Callable[[], bool] | None = None) -> None:
        """Move the clock to ``target`` in steps: to each instant something is due on
        the way, letting it happen there (:meth:`_settle`), then on. Stops early, at
        an instant, once ``until()`` holds."""
        condition = self._sleepers.condition
        while True:
            with condition:
                stop = self._step(target)
                condition.notify_all()
            self._settle_on_the_way(target)
            if stop >= target or (until is not None and until()):
                return

    def _settle_on_the_way(self, target: _dt.datetime) -> None:
        """:meth:`_settle`; if it raises (a hook), the clock still gets to ``target``
        before the error goes up, and what is due on the way is reported later."""
        try:
            self._settle()
        except BaseException:
            with self._sleepers.condition:
                now = self.now()
                if target > now:
                    self._shift(target - now)
                self._sleepers.condition.notify_all()
            raise

    def _step(self, target: _dt.datetime) -> _dt.datetime:
        """Move (holding the sleepers' condition) to the earliest instant something is
        due, or to ``target`` if nothing is due before it; return where it stopped. Does
        not move when something is due now."""
        now = self.now()
        stop = target
        for source in self._due:
            due = source()
            if due is not None and due < stop:
                stop = due
        if stop > now:
            self._shift(stop - now)
            return stop
        return now

    def _settle(self) -> None:
        """What happens at the instant the clock stopped at: the listeners (the fake
        reports transitions and delivers events), then the scheduled actions due. The
        thread is busy in the fake meanwhile, so no sleeper moves the clock under it."""
        sleepers = self._sleepers
        sleepers.enter()
        try:
            for listener in self._listeners:
                listener()
            schedule = self._schedule
            if schedule:
                now = self.now()
                while (action := schedule.pop_due(now)) is not None:
                    self._run(action)
        finally:
            sleepers.leave()

    def _run(self, action: ScheduledAction) -> None:
        try:
            action._fn(*action._args)
        except Exception:
            if self._report is None:
                raise
            self._report(
                f"the scheduled action {action!r} raised (the clock went on):\n"
                + traceback.format_exc()
            )

    def _shift(self, delta: _dt.timedelta) -> None:
        """Move whichever frozen clock is on top: the test's own, if it froze time
        inside the fake's life, else the fake's."""
        driver = self._driver
        if driver is None:
            raise RuntimeError(
                "the fake clock is not running: advance() works while the fake is active"
            )
        driver.shift(delta)


_HORIZON = "a timedelta longer than 0, or None (no limit)"


def _default_horizon_message(slept: _dt.timedelta) -> str:
    return f"time.sleep() has moved the fake clock {slept} forward: the client polls forever?"


def _advance_call(seconds: float | _dt.timedelta, amounts: dict[str, float]) -> str:
    """The call as the caller wrote it, for messages: ``advance(days=2)``."""
    shown = [f"{name}={amount!r}" for name, amount in amounts.items() if amount]
    if seconds or not shown:
        shown.insert(0, repr(seconds))
    return f"advance({', '.join(shown)})"


def _past_the_end(call: str, now: _dt.datetime) -> str:
    return (
        f"{call} cannot move the fake clock past {_shown(LATEST)}, the latest instant it "
        "moves to (jobs need room for their timelines before Python's dates end, in 9999): "
        f"it is at {_shown(now)}, {LATEST - now} before. Nothing moved:"
    )


def _shown(moment: _dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"
