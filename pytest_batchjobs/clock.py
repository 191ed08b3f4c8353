"""The fake clock: frozen time that only moves when the test, or a sleep, moves it.

By default the clock freezes time at a fixed instant for the fake's whole life, with
time-machine when it is installed (start + stop cost microseconds) and freezegun
otherwise (start + stop scan every loaded module: a few ms). If the test has
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
import functools
import math
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

DEFAULT_START = _dt.datetime(2024, 1, 1, 9, 0, tzinfo=_dt.timezone.utc)
DEFAULT_HORIZON = _dt.timedelta(days=3)
# The latest instant the clock may reach: the last whole second a datetime can hold.
# Not datetime.max itself: time.time() is a float, 64 µs coarse in year 9999, and its
# datetime could round past the end.
LATEST = _dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=_dt.timezone.utc)
_RESOLUTION = _dt.timedelta(microseconds=1)
BACKENDS = ("auto", "time-machine", "freezegun")

# Packages whose modules the fake's own freezegun does not scan. freezegun's start
# looks through every loaded module for names bound to a real time function (``from
# time import time``) and rebinds them to its fakes; that scan is most of its cost.
# These packages read the time only for their own bookkeeping (test durations, log
# records, HTTP plumbing), so their bound names stay real. They are left out of the
# scan only: which callers freezegun answers with real time (its call-stack check) is
# decided by freezegun's own ignore list, as for a plain ``freeze_time()``. With them
# there, every function called from a test or a fixture (pytest and pluggy are on the
# stack a few frames up) would read real time from ``time.time()``.
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
        if self.start_at > LATEST:
            raise ValueError(
                f"the fake clock's start {self.start_at.isoformat()} is past {_shown(LATEST)}, "
                "the latest instant it can hold; start earlier"
            )
        self.backend = backend
        self.horizon = horizon
        self.slept = _dt.timedelta(0)
        self.horizon_error: str | None = None
        self.horizon_thread: int | None = None  # the thread the horizon stopped
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
        self.horizon_thread = None
        if _user_frozen():
            self._kind = "follow"
            return
        if self.backend in ("auto", "time-machine") and _time_machine_available(
            required=self.backend == "time-machine"
        ):
            import time_machine

            travel: Any = time_machine.travel(self.start_at, tick=False)
            travel.start()
            self._kind = "time-machine"
        else:
            from freezegun import freeze_time

            travel = freeze_time(self.start_at, tick=False)
            _start_freezegun(travel)
            self._kind = "freezegun"
        self._travel = travel

    def release(self) -> Callable[[], None] | None:
        """Stop driving time; return what undoes :meth:`freeze`, if it froze time.

        The freeze is not undone here: fakes started meanwhile may be reading their
        time from it (following it), so the fake calls what this returns once the
        last of them has stopped.
        """
        travel, self._travel = self._travel, None
        self._kind = "none"
        return None if travel is None else travel.stop

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

        ``advance(90)``, ``advance(minutes=30)``, ``advance(timedelta(hours=2))``. An
        amount that would carry the clock past :data:`LATEST` (or is not a number) is
        a ``ValueError``, raised before anything moves.
        """
        amounts = {"minutes": minutes, "hours": hours, "days": days}
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
        with self._condition:
            now = self.now()
            if delta is None or delta > LATEST - now:
                raise ValueError(
                    _past_the_end(_advance_call(seconds, amounts), now) + " advance by less."
                )
            self._shift(delta)
            self._condition.notify_all()
        self._changed()
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
        jumped = False
        with self._condition:
            now = self.now()
            if seconds > (LATEST - now).total_seconds():  # an OverflowError, as time.sleep's
                raise OverflowError(_past_the_end(f"sleep({seconds!r})", now) + " sleep less.")
            # At least a microsecond (the clock's resolution), so a tiny sleep in a
            # loop waiting for time to pass always moves it.
            wake = now + max(_dt.timedelta(seconds=seconds), _RESOLUTION)
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
            self.horizon_thread = threading.get_ident()
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


def _advance_call(seconds: float | _dt.timedelta, amounts: dict[str, float]) -> str:
    """The call as the caller wrote it, for messages: ``advance(days=2)``."""
    shown = [f"{name}={amount!r}" for name, amount in amounts.items() if amount]
    if seconds or not shown:
        shown.insert(0, repr(seconds))
    return f"advance({', '.join(shown)})"


def _past_the_end(call: str, now: _dt.datetime) -> str:
    return (
        f"{call} cannot move the fake clock past {_shown(LATEST)}, the latest instant it "
        f"can hold: it is at {_shown(now)}, {LATEST - now} before. Nothing moved:"
    )


def _shown(moment: _dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


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


# freezegun's start() asks, for every module it scans, which of its attributes hold a
# real time function. It caches the answer by module name, and checks that the answer
# still holds by hashing ``frozenset(dir(module))``: a sorted list, a frozenset and a
# string per module on every start, most of start's cost (about 6 of 7 ms, with 440
# modules to scan). While the fake's own freezegun starts, :func:`_time_attributes`
# stands in for that check. It computes an answer as freezegun does (freezegun's own
# ``_get_module_attributes``, filtered by freezegun's ``_real_time_object_ids``) and
# keeps it while the module's names are the very ones it had then, in the same order:
# freezegun's rule (same names, same answer), checked exactly rather than through a
# hash, without sorting or building a set, and keyed by the module object, where
# freezegun's key, ``__name__``, is shared by ``io`` and ``_io``, ``decimal`` and
# ``_decimal``, which evict each other on every start.
_ScanEntry = tuple["weakref.ref[ModuleType]", list[str], list[tuple[str, Any]]]
_SCAN_CACHE: dict[int, _ScanEntry] = {}


def _time_attributes(api: Any, fallback: Callable[[Any], Any], module: Any) -> Any:
    """``freezegun.api._get_cached_module_attributes(module)``, checked more cheaply."""
    # Not a plain module (a ModuleType subclass, a class standing in for a module), or
    # one that answers dir() itself: dir() may differ from __dict__, so freezegun's way.
    if type(module) is not ModuleType or "__dir__" in module.__dict__:
        return fallback(module)
    names = list(module.__dict__)
    key = id(module)
    entry = _SCAN_CACHE.get(key)
    if entry is not None and entry[1] == names and entry[0]() is module:
        return entry[2]
    real_ids = api._real_time_object_ids
    found = [
        (name, value) for name, value in api._get_module_attributes(module) if id(value) in real_ids
    ]

    def forget(ref: weakref.ref[ModuleType]) -> None:
        if (current := _SCAN_CACHE.get(key)) is not None and current[0] is ref:
            del _SCAN_CACHE[key]

    _SCAN_CACHE[key] = (weakref.ref(module, forget), names, found)
    return found


def _start_freezegun(travel: Any) -> Any:
    """``travel.start()``, its module scan skipping :data:`FREEZEGUN_SKIP` as well.

    freezegun reads one ignore list (``travel.ignore``) for both the scan and the
    call-stack check: the longer list is in place for the scan only, and the frozen
    clock's entry in freezegun's stack of ignore lists is put back to the plain one.
    """
    api: Any = sys.modules["freezegun.api"]
    if not isinstance(getattr(api, "ignore_lists", None), list):
        return travel.start()  # not the freezegun 1.x this is written against: its way
    plain = travel.ignore
    travel.ignore = (*plain, *FREEZEGUN_SKIP)
    try:
        with _quick_module_check(api):
            factory = travel.start()
    finally:
        travel.ignore = plain
    api.ignore_lists[-1] = plain
    return factory


@contextmanager
def _quick_module_check(api: Any) -> Iterator[None]:
    """Let freezegun's start() check its module cache with :func:`_time_attributes`."""
    original = getattr(api, "_get_cached_module_attributes", None)
    if original is None or not all(
        hasattr(api, name) for name in ("_get_module_attributes", "_real_time_object_ids")
    ):  # not the freezegun 1.x this is written against: leave it alone
        yield
        return
    api._get_cached_module_attributes = functools.partial(_time_attributes, api, original)
    try:
        yield
    finally:
        api._get_cached_module_attributes = original


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
