"""The fake clock: frozen time that only moves when the test, or a sleep, moves it.

By default the clock freezes time at a fixed instant for the fake's whole life, with
time-machine when it is installed (start + stop cost microseconds) and freezegun
otherwise (start + stop scan every loaded module: about 10 ms). If the test has
already frozen time itself (freezegun's ``freeze_time``, pytest-freezer's ``freezer``,
time-machine's ``travel``), the clock follows that clock instead of fighting it:
jobs read their time from ``time.time()``, whoever patched it, and ``advance()``
moves the test's own frozen clock.

Sleeping (see :meth:`Clock.sleep`) moves fake time instead of blocking. Sleeps in
several threads overlap as they would in real time: a sleeping thread waits (really,
briefly) until no call into the fake is in progress and none has been for a moment,
then the clock jumps to the earliest wake-up among all sleepers, waking every thread
due by then. A thread alone in the process jumps at once.
"""

from __future__ import annotations

import datetime as _dt
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

DEFAULT_START = _dt.datetime(2024, 1, 1, 9, 0, tzinfo=_dt.timezone.utc)
DEFAULT_HORIZON = _dt.timedelta(days=3)
_RESOLUTION = _dt.timedelta(microseconds=1)
BACKENDS = ("auto", "time-machine", "freezegun")

# Packages the fake's own freezegun leaves alone. freezegun's start and stop call dir()
# on every loaded module to find bound time functions: that scan is most of its cost
# (about 10 ms with 1,000 modules). These packages read the time only for their own
# bookkeeping (test durations, log records, HTTP plumbing), so they are skipped, and
# see real time, as freezegun's own ignore list already does for ``threading``.
# botocore and moto are not skipped: their timestamps must be fake time.
FREEZEGUN_SKIP = (
    "_pytest.",
    "pluggy.",
    "faker.",
    "hypothesis.",
    "importlib.",
    "encodings.",
    "email.",
    "xml.",
    "json.",
    "logging.",
    "jinja2.",
    "cryptography.",
    "pygments.",
    "packaging.",
    "attr.",
    "attrs.",
    "iniconfig.",
    "werkzeug.",
    "requests.",
    "urllib3.",
    "charset_normalizer.",
    "idna.",
    "certifi.",
    "collections.",
    "concurrent.",
    "unittest.",
    "ctypes.",
    "multiprocessing.",
    "http.",
    "urllib.",
    "sortedcontainers.",
    "regex.",
    "dateutil.",
    "jmespath.",
    "mypy.",
    "pydantic.",
    "jsonschema.",
    "referencing.",
    "rpds.",
    "yaml.",
    "markupsafe.",
    "docker.",
    "flask.",
)

# How long (real seconds) no thread may touch the fake before sleepers' time passes.
SETTLE_SECONDS = 0.004


def _real_monotonic() -> float:
    """Real monotonic time, whatever freezegun has patched (it patches ``monotonic``)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class PollingHorizonExceeded(BaseException):
    """Sleeping has carried fake time past the horizon: the client seems to poll forever.

    A ``BaseException``, like pytest's own outcomes, so that a client's
    ``except Exception`` retry loop cannot swallow it.
    """


class Clock:
    """Now, as jobs see it; ``advance()`` and ``sleep()`` move it forward."""

    def __init__(
        self,
        start: _dt.datetime | None = None,
        backend: str = "auto",
        horizon: _dt.timedelta | None = DEFAULT_HORIZON,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(
                f"unknown clock backend {backend!r}; expected one of {', '.join(BACKENDS)}"
            )
        self.start_at = _aware(start or DEFAULT_START)
        self.backend = backend
        self.horizon = horizon
        self.slept = _dt.timedelta(0)
        self.horizon_error: str | None = None
        self._owned: Any = None
        self._travel: Any = None
        self._kind = "none"
        self._condition = threading.Condition(threading.RLock())
        self._wake_times: list[_dt.datetime] = []
        self._last_activity = 0.0
        # Threads in a call into the fake, and how deep: a sleep waits for the others
        # (not for its own thread, which may sleep inside a hook called by the fake).
        self._busy: dict[int, int] = {}
        self._listeners: list[Callable[[], None]] = []
        self.horizon_message: Callable[[_dt.timedelta], str] = _default_horizon_message

    # -- life -------------------------------------------------------------------------

    def freeze(self) -> None:
        """Freeze time at ``start_at``, unless the test already froze it."""
        self.slept = _dt.timedelta(0)
        self.horizon_error = None
        if _user_frozen():
            self._kind = "follow"
            return
        if self.backend in ("auto", "time-machine") and _time_machine_available(
            required=self.backend == "time-machine"
        ):
            import time_machine

            self._travel = time_machine.travel(self.start_at, tick=False)
            self._owned = self._travel.start()
            self._kind = "time-machine"
        else:
            from freezegun import freeze_time
            from freezegun.config import settings

            ignore = [*settings.default_ignore_list, *FREEZEGUN_SKIP]
            self._travel = freeze_time(self.start_at, tick=False, ignore=ignore)
            self._owned = self._travel.start()
            self._kind = "freezegun"

    def unfreeze(self) -> None:
        """Undo :meth:`freeze`."""
        if self._travel is not None:
            self._travel.stop()
        self._travel = self._owned = None
        self._kind = "none"

    @property
    def kind(self) -> str:
        """Which clock drives time: ``time-machine``, ``freezegun``, ``follow`` or ``none``."""
        return self._kind

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every move of the clock."""
        self._listeners.append(listener)

    def touch(self) -> None:
        """Note that a thread is busy with the fake (sleepers wait for quiet)."""
        self._last_activity = _real_monotonic()

    def enter(self) -> None:
        """A call into the fake begins: no sleeper's time passes until it ends."""
        with self._condition:
            me = threading.get_ident()
            self._busy[me] = self._busy.get(me, 0) + 1
            self.touch()

    def leave(self) -> None:
        """The call that :meth:`enter` began has ended."""
        with self._condition:
            me = threading.get_ident()
            if self._busy.get(me, 0) <= 1:
                self._busy.pop(me, None)
            else:
                self._busy[me] -= 1
            self.touch()
            self._condition.notify_all()

    # -- reading and moving -----------------------------------------------------------

    def now(self) -> _dt.datetime:
        """The current fake time, an aware UTC datetime.

        Under freezegun it asks the innermost frozen factory directly: freezegun's
        ``time.time()`` answers *real* time to callers near an ignored module
        (``threading`` is one), which would make time jump in pollers' threads.
        """
        freezegun_api = sys.modules.get("freezegun.api")
        if freezegun_api is not None and freezegun_api.freeze_factories:
            frozen: _dt.datetime = freezegun_api.freeze_factories[-1]()
            return frozen.replace(tzinfo=_dt.timezone.utc)
        return _dt.datetime.fromtimestamp(time.time(), _dt.timezone.utc)

    def advance(
        self,
        seconds: float | _dt.timedelta = 0,
        *,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> _dt.datetime:
        """Move fake time forward and return the new ``now``.

        ``advance(90)``, ``advance(minutes=30)``, ``advance(timedelta(hours=2))``.
        """
        base = seconds if isinstance(seconds, _dt.timedelta) else _dt.timedelta(seconds=seconds)
        delta = base + _dt.timedelta(minutes=minutes, hours=hours, days=days)
        if delta < _dt.timedelta(0):
            raise ValueError(f"the fake clock only moves forward; got advance({delta})")
        with self._condition:
            self._shift(delta)
            self._condition.notify_all()
        self._changed()
        return self.now()

    def sleep(self, seconds: float) -> None:
        """What ``time.sleep`` does while the fake is active: let fake time pass.

        Returns once fake time has reached ``now + seconds``. Raises
        :class:`PollingHorizonExceeded` when sleeping has carried the clock past the
        horizon.
        """
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if seconds == 0:
            return
        jumped = False
        with self._condition:
            # At least a microsecond (the clock's resolution), so a tiny sleep in a
            # loop waiting for time to pass always moves it.
            wake = self.now() + max(_dt.timedelta(seconds=seconds), _RESOLUTION)
            self._wake_times.append(wake)
            self.touch()
            try:
                while self.now() < wake:
                    earliest = min(self._wake_times)
                    others_busy = any(t != threading.get_ident() for t in self._busy)
                    quiet = (
                        not others_busy
                        and _real_monotonic() - self._last_activity >= SETTLE_SECONDS
                    )
                    if earliest >= wake and (quiet or threading.active_count() == 1):
                        self._sleep_to(wake)
                        jumped = True
                        self._condition.notify_all()
                    else:
                        self._condition.wait(SETTLE_SECONDS)
            finally:
                self._wake_times.remove(wake)
        if jumped:
            self._changed()

    def _sleep_to(self, wake: _dt.datetime) -> None:
        delta = wake - self.now()
        if delta <= _dt.timedelta(0):
            return
        self.slept += delta
        if self.horizon is not None and self.slept > self.horizon:
            self.horizon_error = self.horizon_message(self.slept)
            raise PollingHorizonExceeded(self.horizon_error)
        self._shift(delta)

    def _shift(self, delta: _dt.timedelta) -> None:
        """Move whichever frozen clock is on top: the test's own, if it froze time
        inside the fake's life, else the fake's."""
        if self._kind == "none":
            raise RuntimeError(
                "the fake clock is not running: advance() works while the fake is active"
            )
        _shift_top_clock(delta)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()


def _default_horizon_message(slept: _dt.timedelta) -> str:
    return f"time.sleep() has moved the fake clock {slept} forward: the client polls forever?"


def _aware(moment: _dt.datetime) -> _dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _time_machine_available(required: bool) -> bool:
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


def _user_frozen() -> bool:
    freezegun_api = sys.modules.get("freezegun.api")
    if freezegun_api is not None and freezegun_api.freeze_factories:
        return True
    time_machine = sys.modules.get("time_machine")
    return bool(time_machine is not None and time_machine.traveller_stack)


def _shift_top_clock(delta: _dt.timedelta) -> None:
    # freezegun replaces the ``time.time`` attribute, over time-machine's C-level
    # patch, so an active freezegun factory is the clock everyone reads.
    freezegun_api = sys.modules.get("freezegun.api")
    if freezegun_api is not None and freezegun_api.freeze_factories:
        freezegun_api.freeze_factories[-1].tick(delta)
        return
    time_machine = sys.modules.get("time_machine")
    if time_machine is not None and time_machine.traveller_stack:
        time_machine.traveller_stack[-1].shift(delta)
        return
    raise RuntimeError("the frozen clock has stopped; the fake cannot move it")
