"""While a fake is active, asyncio's event loops keep their time on the fake clock.

:func:`patch` is called once for the whole process (the first active fake calls it;
the last to stop undoes it). The patches:

* ``BaseEventLoop.time`` reads real monotonic time (``clock_gettime``, never
  freezegun's frozen ``time.monotonic``: a loop under a plain freezegun freeze waits
  for ever) plus an offset, a float, so ``loop.time()`` stays cheap. This holds
  whatever the options: no clock backend ever hangs a loop.
* While the innermost active fake lets loop time pass (its ``loop_time`` option), loop
  time is *paused* as the fake clock is frozen: it stands still while the loop runs
  callbacks, and moves when the loop waits. A loop with nothing to do but wait for a
  timer sleeps in fake time (:class:`~pytest_batchjobs.time.clock.Clock.sleep`: it
  overlaps with sleeping threads, and charges the horizon), and the clock's move is
  added to the offset; so ``await asyncio.sleep(60)`` moves the fake clock exactly
  60 s, at once. A loop with real work in flight waits for real, and the real time it
  waited is added: a thread (``run_in_executor``, ``to_thread``, ``wrap_future``), a
  subprocess, or any file descriptor registered besides the loop's own wake-up pipe
  (a socket, a server). Its timeouts then run out in real time, never early.
* The selectors' ``select()``, for the running loop's own selector only (any other
  call is the original), which is where the loop waits.
* Whenever the fake clock moves (a thread's ``time.sleep``, ``clock.advance()``),
  loops waiting for real are woken to look at their timers again.

trio's own clock reads real monotonic time too, whatever the options
(:mod:`.trio_clock`): trio's timers wait in real time and do not move the fake clock.

When the last fake stops, loop time is real monotonic time again, and the timers
pending in the loops that ran meanwhile are moved by the same amount, so each waits
what it had left to wait.

While loop time follows a fake clock, ``time.monotonic()`` (and ``monotonic_ns``)
reads loop time too, as in CPython, where the loop's time *is* ``time.monotonic()``:
under time-machine it would stay real (a poller's ``while time.monotonic() <
deadline`` would poll until the horizon), under freezegun it would read the frozen wall
clock (a deadline taken from loop time and checked against it would never pass). The
name in ``time`` is replaced, not names bound before (``threading``'s and ``queue``'s
own ``monotonic`` stay real for their real waits). ``time.perf_counter()`` (and
``perf_counter_ns``) is real under both backends (freezegun would freeze it): it
measures how long code takes (benchmarks, timing logs), not when a deadline passes.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from ..active import active_fake
from ..patching.imports import when_imported
from ..patching.patches import Patches
from . import trio_clock

if TYPE_CHECKING:
    from .clock import Clock

_MONOTONIC = time.CLOCK_MONOTONIC
_gettime = time.clock_gettime


def _real() -> float:
    return _gettime(_MONOTONIC)


class _LoopClock:
    """The state behind every patched loop's ``time()``: one per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.offset = 0.0  # loop time minus the reading (real, or the paused instant)
        self.paused = False  # loop time stands still but for waits
        self.paused_at = 0.0  # the real reading loop time stands on while paused
        self.fake_seen = 0.0  # the fake clock's timestamp last added to the offset
        self.credited = 0.0  # real time up to which real waits have been added
        self.clock: Clock | None = None  # the clock loop time follows while paused
        self.loops: weakref.WeakSet[Any] = weakref.WeakSet()  # loops that ran patched
        self.waiting: weakref.WeakSet[Any] = weakref.WeakSet()  # loops in a real wait

    def now(self) -> float:
        return (self.paused_at if self.paused else _real()) + self.offset

    def follow(self, clock: Clock | None) -> None:
        """Loop time follows ``clock`` from now on (paused), or real time (``None``);
        continuous either way."""
        with self.lock:
            current = self.now()
            self.clock = clock
            if clock is None:
                self.paused = False
                self.offset = current - _real()
                _MONOTONIC_NAMES.restore()
                return
            _MONOTONIC_NAMES.install()
            self.paused = True
            self.paused_at = _real()
            self.credited = self.paused_at
            self.offset = current - self.paused_at
            self.fake_seen = clock.now().timestamp()

    def catch_up(self) -> None:
        """Add whatever the followed fake clock moved since last seen."""
        clock = self.clock
        if clock is None:
            return
        with self.lock:
            if self.clock is not clock:
                return
            seen = clock.now().timestamp()
            if seen > self.fake_seen:
                self.offset += seen - self.fake_seen
                self.fake_seen = seen
        for loop in list(self.waiting):
            try:
                loop._write_to_self()  # thread-safe: what call_soon_threadsafe does
            except Exception:  # a loop closing meanwhile
                continue

    def credit(self, started: float) -> None:
        """A real wait begun at ``started`` has ended: add the real time it took that
        no other wait has added already (loops in several threads wait at once)."""
        with self.lock:
            now = _real()
            since = max(started, self.credited)
            if self.paused and now > since:
                self.offset += now - since
            self.credited = max(self.credited, now)


_STATE = _LoopClock()


def _fake_monotonic() -> float:
    """``time.monotonic`` while loop time follows a fake clock: loop time, with any move
    of the clock not added yet (a handler reading it while the clock stops at an
    instant; a test moving its own freeze)."""
    state = _STATE
    clock = state.clock
    if not state.paused or clock is None:
        return _gettime(_MONOTONIC) + state.offset
    ahead = clock.now().timestamp() - state.fake_seen
    return state.paused_at + state.offset + (ahead if ahead > 0 else 0.0)


def _fake_monotonic_ns() -> int:
    return int(_fake_monotonic() * 1e9)


def _real_perf_counter() -> float:
    return _gettime(_MONOTONIC)  # what time.perf_counter reads on Linux


def _real_perf_counter_ns() -> int:
    return time.clock_gettime_ns(_MONOTONIC)


class _TimeNames:
    """``time.monotonic`` (and ``_ns``) replaced by loop time, ``time.perf_counter``
    (and ``_ns``) by the real one, and what they were (real, or a freezegun freeze's)
    put back."""

    FAKES: ClassVar[dict[str, Callable[[], Any]]] = {
        "monotonic": _fake_monotonic,
        "monotonic_ns": _fake_monotonic_ns,
        "perf_counter": _real_perf_counter,
        "perf_counter_ns": _real_perf_counter_ns,
    }

    def __init__(self) -> None:
        self._patches = Patches()

    def install(self) -> None:
        for name, fake in self.FAKES.items():
            if getattr(time, name) is not fake:
                self._patches.apply(time, name, _always(fake), if_unchanged=True)

    def restore(self) -> None:
        """Put back what :meth:`install` replaced, where it is still in place (a freeze
        started and stopped on top of it meanwhile has put the real one back)."""
        self._patches.undo()


def _always(value: Any) -> Callable[[Any], Any]:
    """A patch's ``wrap`` that replaces whatever was there with ``value``."""
    return lambda _: value


_MONOTONIC_NAMES = _TimeNames()


def moved() -> None:
    """The listener every fake clock calls after it has moved."""
    if _STATE.clock is not None:
        _STATE.catch_up()


def rebased() -> None:
    """The followed fake clock was put back (each example of an exploration begins at
    the same instant): loop time, and so ``time.monotonic()``, does not go back with it,
    and moves with the clock again from where the clock is now."""
    state = _STATE
    clock = state.clock
    if clock is None:
        return
    with state.lock:
        if state.clock is clock:
            state.fake_seen = clock.now().timestamp()


def sync() -> None:
    """The innermost active fake changed: follow its clock if it lets loop time pass."""
    fake = active_fake()
    clock = fake.clock if fake is not None and getattr(fake, "loop_time", False) else None
    if clock is not _STATE.clock:
        _STATE.follow(clock)


def _loop_time(self: Any) -> float:
    """``BaseEventLoop.time`` while patched."""
    return (_STATE.paused_at if _STATE.paused else _gettime(_MONOTONIC)) + _STATE.offset


# -- what the loop is waiting for -----------------------------------------------------

_WORK = "_batchjobs_real_work"  # the attribute on a loop: its real work in flight


def _work(loop: Any) -> set[Any]:
    work: set[Any] | None = loop.__dict__.get(_WORK)
    if work is None:
        work = loop.__dict__[_WORK] = set()
    return work


def _idle(loop: Any, selector: Any) -> bool:
    """Whether ``loop`` waits for nothing real: no thread, subprocess or descriptor."""
    if loop.__dict__.get(_WORK):
        return False
    registered = selector.get_map()
    count = len(registered)
    if count == 0:
        return True
    if count > 1:
        return False
    wakeup = getattr(loop, "_ssock", None)
    return wakeup is not None and wakeup.fileno() in registered


@functools.cache
def _selector_classes(selectors: ModuleType) -> tuple[type, ...]:
    """The selector classes of the ``selectors`` module, each once (``DefaultSelector``
    is another name of one of them)."""
    found = {id(value): value for value in vars(selectors).values()}.values()
    return tuple(
        cls for cls in found if isinstance(cls, type) and issubclass(cls, selectors.BaseSelector)
    )


# The wrappers are made once per original (cached), not again at every activation.
@functools.lru_cache(maxsize=16)
def _wrap_select(original: Callable[..., Any], asyncio: ModuleType) -> Callable[..., Any]:
    get_running_loop = asyncio._get_running_loop

    def select(self: Any, timeout: float | None = None) -> Any:
        loop = get_running_loop()
        if loop is None or getattr(loop, "_selector", None) is not self:
            return original(self, timeout)
        if type(loop).time is not _loop_time:  # a loop keeping its own time
            return original(self, timeout)
        state = _STATE
        clock = state.clock
        if clock is None or (timeout is not None and timeout <= 0):
            return original(self, timeout)
        state.loops.add(loop)
        if timeout is not None and _idle(loop, self):
            events = original(self, 0)
            if events:
                return events
            try:
                clock.sleep(timeout)
            finally:
                state.catch_up()
            return original(self, 0)
        started = _real()
        state.waiting.add(loop)
        try:
            return original(self, timeout)
        finally:
            state.waiting.discard(loop)
            state.credit(started)

    select.__wrapped__ = original  # type: ignore[attr-defined]
    return select


@functools.lru_cache(maxsize=4)
def _wrap_future(original: Callable[..., Any], concurrent: ModuleType) -> Callable[..., Any]:
    def wrap_future(future: Any, *, loop: Any = None) -> Any:
        wrapped = original(future, loop=loop)
        if isinstance(future, concurrent.Future) and not wrapped.done():
            work = _work(wrapped.get_loop())
            work.add(wrapped)
            wrapped.add_done_callback(work.discard)
        return wrapped

    wrap_future.__wrapped__ = original  # type: ignore[attr-defined]
    return wrap_future


# -- installing -----------------------------------------------------------------------


def _patch(asyncio: ModuleType) -> Callable[[], None]:
    """Patch loaded asyncio; return the undo."""
    import concurrent.futures
    import selectors
    from asyncio import base_events, base_subprocess, futures

    patches = Patches()

    def replace(owner: Any, name: str, value: Any) -> None:
        patches.apply(owner, name, lambda _: value)

    _STATE.reset()
    replace(base_events.BaseEventLoop, "time", _loop_time)
    for cls in _selector_classes(selectors):
        if "select" in cls.__dict__:
            replace(cls, "select", _wrap_select(cls.__dict__["select"], asyncio))
    wrapped_future = _wrap_future(futures.wrap_future, concurrent.futures)
    replace(futures, "wrap_future", wrapped_future)
    if asyncio.__dict__.get("wrap_future") is wrapped_future.__wrapped__:  # type: ignore[attr-defined]
        replace(asyncio, "wrap_future", wrapped_future)

    transport = base_subprocess.BaseSubprocessTransport
    own_init, own_exited = transport.__init__, transport._process_exited

    def __init__(self: Any, loop: Any, *args: Any, **kwargs: Any) -> None:
        _work(loop).add(self)  # a subprocess is real work until it exits
        try:
            own_init(self, loop, *args, **kwargs)
        except BaseException:
            _work(loop).discard(self)
            raise

    def _process_exited(self: Any, returncode: int) -> None:
        _work(self._loop).discard(self)
        own_exited(self, returncode)

    replace(transport, "__init__", __init__)
    replace(transport, "_process_exited", _process_exited)

    def restore() -> None:
        with _STATE.lock:
            shift = _STATE.now() - _real()
            loops = list(_STATE.loops)
            _STATE.reset()
            _MONOTONIC_NAMES.restore()
        patches.undo()
        me = threading.get_ident()
        for loop in loops:
            if getattr(loop, "_thread_id", None) not in (None, me) or loop.is_closed():
                continue  # running in another thread: its heap is not ours to touch
            for handle in loop._scheduled:  # one shift for all keeps the heap's order
                handle._when -= shift

    return restore


def patch() -> Callable[[], None]:
    """Patch asyncio (importing it: the requests transport loads it anyway, through
    ``responses`` and ``unittest.mock``), and trio's clock (:mod:`.trio_clock`) now or
    when trio is loaded; return the undo."""
    import asyncio

    undo_asyncio = _patch(asyncio)
    stop_waiting = when_imported("trio", trio_clock.activate)

    def undo() -> None:
        try:
            stop_waiting()
            trio_clock.deactivate()
        finally:
            undo_asyncio()

    return undo
