"""Notice a thread that sleeps in real time while a fake lets fake time pass.

While a fake is active, :mod:`.sleep_patch` replaces ``time.sleep`` and the module-level
``sleep`` names bound to it. A reference to the real sleep taken before the fake started
escapes it: a default argument (``def poll(sleep=time.sleep)``), ``from time import
sleep as pause``, a closure or an attribute holding ``time.sleep``. The thread that
calls it blocks for real, and a poller that sleeps a minute a round hangs the test
without a word.

A :class:`Watch` looks for such a thread while its fake is active. One thread for the
whole process (started by the first :func:`watch`, then waking every
:data:`SAMPLE_SECONDS`, whether a fake is active or not: a test pays only for adding
and removing its watch; ``threading`` does not count it) reads every other thread's
innermost Python frame. A thread
found at the same instruction of the same frame for :data:`REPORT_AFTER_SECONDS` of
real time while the fake clock has not moved, whose line calls the real
``time.sleep`` (a name or attribute on that line resolves to the C function itself), is
reported once per line. A thread blocked in a socket read, a lock or a queue is never
reported: its line calls no sleep, and a sleep that lets fake time pass runs in Python
frames of the fake's, not in the caller's line.

The watcher waits with ``threading.Event.wait``, a lock's timed wait on the C monotonic
clock, and measures with :func:`~.sleepers.real_monotonic`: neither the sleep patch nor
freezegun (which replaces ``time.monotonic``) nor time-machine reaches them.
"""

from __future__ import annotations

import _thread
import datetime as _dt
import dis
import functools
import inspect
import linecache
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import docs_link
from . import sleep_patch
from .sleepers import real_monotonic

#: How often (real seconds) the watcher reads the threads' frames.
SAMPLE_SECONDS = 0.5
#: How long (real seconds) a thread must have slept, the fake clock standing still,
#: before it is reported.
REPORT_AFTER_SECONDS = 3.0
# How many frames, from the sleeping one outwards, a report shows.
_FRAMES_SHOWN = 4
# Frames of these files end the callers shown: pytest and pluggy call the test
# function, threading and concurrent.futures a thread's target.
_RUNNERS = (
    f"{os.sep}_pytest{os.sep}",
    f"{os.sep}pluggy{os.sep}",
    threading.__file__,
    f"{os.sep}concurrent{os.sep}futures{os.sep}",
)


class BatchJobsRealSleepWarning(UserWarning):
    """A thread slept in real time while the fake let fake time pass: it called the real
    ``time.sleep`` through a reference bound before the fake started."""


@dataclass(frozen=True)
class Frame:
    """Where a thread was: a file, a line, the function, the line's source."""

    filename: str
    lineno: int
    function: str
    source: str


@dataclass(frozen=True)
class RealSleep:
    """A thread found sleeping in real time under a fake."""

    thread: str
    seconds: float
    #: The expression the line called, as written: ``pause``, ``sleep``, ``self._sleep``.
    call: str
    #: Innermost first: the sleeping line, then its callers up to the test.
    frames: tuple[Frame, ...]

    @property
    def where(self) -> Frame:
        """The line that sleeps."""
        return self.frames[0]

    def message(self) -> str:
        """What happened, why, and how to fix it."""
        where = self.where
        shown = [f"  {_shown_path(where.filename)}:{where.lineno}, in {where.function}()"]
        if where.source:
            shown.append(f"      {where.source}")
        shown += [
            f"    called from {_shown_path(frame.filename)}:{frame.lineno}, in {frame.function}()"
            for frame in self.frames[1:]
        ]
        return "\n".join(
            [
                f"pytest-batchjobs: thread {self.thread!r} has slept {self.seconds:.0f} s in "
                "real time while the fake clock stood still, at",
                *shown,
                "Expected: while batchjobs_fake is active, sleeping lets fake time pass at "
                "once (the fake patches time.sleep).",
                f"What happened: {self.call!r} is the real time.sleep, bound before the fake "
                "started (a default argument sleep=time.sleep, `from time import sleep as "
                "pause`, a closure or an attribute holding it), where the fake's patch "
                "cannot reach: this thread waits in real time, and a poller waiting a "
                "minute a round hangs the test.",
                "Fix: look time.sleep up when sleeping (call time.sleep(...) itself, or "
                "default the argument to None and use `sleep or time.sleep` inside), or "
                "pass batchjobs_fake.clock.sleep to the code under test. A test that means "
                "to wait in real time: @pytest.mark.batchjobs(sleep=False).",
                f"See {docs_link('moving-time')}",
            ]
        )


class Watch:
    """Looks for threads sleeping in real time while one fake is active; hands each one
    found to ``report``, from the watcher's thread, once per sleeping line.

    ``now`` reads the fake clock (it is read from the watcher's thread too).
    """

    def __init__(
        self, now: Callable[[], _dt.datetime], report: Callable[[RealSleep], None]
    ) -> None:
        self._now = now
        self._report = report
        self._episodes: dict[int, _Episode] = {}
        self._reported: set[tuple[str, int]] = set()

    def stop(self) -> None:
        """Stop looking (before the fake stops): when this returns, the watcher has
        finished with this watch, and will not read its clock again."""
        with _LOCK:
            if self in _WATCHES:
                _WATCHES.remove(self)

    def _sample(
        self, frames: dict[int, types.FrameType], watcher: int, at: float
    ) -> list[RealSleep]:
        """Look at every thread's innermost frame once, ``at`` real monotonic seconds;
        return the real sleeps to report."""
        found: list[RealSleep] = []
        clock: _dt.datetime | None = None
        for ident in [ident for ident in self._episodes if ident not in frames]:
            del self._episodes[ident]  # the thread has ended
        for ident, frame in frames.items():
            if ident == watcher:
                continue
            episode = self._episodes.get(ident)
            if episode is None or not episode.at(frame):
                clock = clock or self._now()
                self._episodes[ident] = _Episode(frame, at, clock)
                continue
            if episode.examined or at - episode.since < REPORT_AFTER_SECONDS:
                continue
            clock = clock or self._now()
            if clock != episode.clock:  # another thread moves fake time: start again
                episode.since, episode.clock = at, clock
                continue
            episode.examined = True
            sleep = find_real_sleep(frame, ident, at - episode.since)
            if sleep is None:
                continue
            line = (sleep.where.filename, sleep.where.lineno)
            if line not in self._reported:
                self._reported.add(line)
                found.append(sleep)
        return found


class _Episode:
    """One thread seen at the same instruction of the same frame since ``since``."""

    __slots__ = ("clock", "code", "examined", "frame", "lasti", "since")

    def __init__(self, frame: types.FrameType, since: float, clock: _dt.datetime) -> None:
        # The frame's id, not the frame: holding it would keep its locals alive after
        # its function returns (a test checking that an object is collected would fail).
        self.frame = id(frame)
        self.code = frame.f_code
        self.lasti = frame.f_lasti
        self.since = since
        self.clock = clock
        self.examined = False

    def at(self, frame: types.FrameType) -> bool:
        return self.frame == id(frame) and self.code is frame.f_code and self.lasti == frame.f_lasti


_LOCK = threading.Lock()
_WATCHES: list[Watch] = []
# The process the watcher's thread runs in, while it runs (a forked child has none).
_WATCHING_IN: list[int] = []


def watch(now: Callable[[], _dt.datetime], report: Callable[[RealSleep], None]) -> Watch:
    """Start looking for threads sleeping in real time until the watch is stopped."""
    started = Watch(now, report)
    with _LOCK:
        _WATCHES.append(started)
        if [os.getpid()] != _WATCHING_IN:
            # A bare thread, not a threading.Thread: threading.active_count() does not
            # count it. The fake's sleepers let a thread alone in the process jump at
            # once (a counted watcher would make every fake sleep wait for quiet), and
            # a test may check that its own threads have all ended.
            _thread.start_new_thread(_look, ())
            _WATCHING_IN[:] = [os.getpid()]
    return started


def _look() -> None:
    """The watcher's thread: every :data:`SAMPLE_SECONDS`, sample for every watch."""
    never_set = threading.Event()  # its timed wait is real whatever is patched
    me = threading.get_ident()
    try:
        while True:
            never_set.wait(SAMPLE_SECONDS)
            # Sampling holds the lock: once Watch.stop() has returned, its fake's clock
            # is never read again (a stopping freezegun clock could not answer).
            # Reports are made outside it: one may wait for a slow terminal.
            with _LOCK:
                if not _WATCHES:
                    continue
                frames = sys._current_frames()
                try:
                    at = real_monotonic()
                    found = [(each, each._sample(frames, me, at)) for each in _WATCHES]
                finally:
                    del frames  # hold no thread's frame until the next sample
            for each, sleeps in found:
                for sleep in sleeps:
                    each._report(sleep)
    finally:  # a report failed: the next watch starts another thread
        with _LOCK:
            _WATCHING_IN.clear()


def find_real_sleep(frame: types.FrameType, ident: int, seconds: float) -> RealSleep | None:
    """The real sleep ``frame``'s current line calls, if it calls one, as a report.

    The patched ``time.sleep`` itself sleeps for real on purpose while the innermost
    active fake was made with ``sleep=False``: not reported.
    """
    if frame.f_code is sleep_patch.sleep.__code__:
        return None
    call = _real_sleep_called(frame)
    if call is None:
        return None
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return RealSleep(
        thread=names.get(ident, f"thread {ident}"),
        seconds=seconds,
        call=call,
        frames=tuple(_frames_from(frame)),
    )


def _real_sleep_called(frame: types.FrameType) -> str | None:
    """The expression on the frame's current line that is the real ``time.sleep``
    (``pause``, ``sleep``, ``self._sleep``), if any."""
    for chain in _loaded_chains(frame.f_code, frame.f_lasti, frame.f_lineno):
        if _is_real_sleep(_resolved(frame, chain)):
            return ".".join(chain)
    return None


# Opcodes that load a name (the start of an expression like ``pause`` or ``self.sleep``)
# and that load an attribute of what is on the stack, across Python 3.10 to 3.14.
_NAME_LOADS = ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_CLASSDEREF")
_ATTRIBUTE_LOADS = ("LOAD_ATTR", "LOAD_METHOD")


def _loaded_chains(
    code: types.CodeType, lasti: int, lineno: int | None
) -> Iterator[tuple[str, ...]]:
    """The dotted names the line ``lineno`` loads up to the instruction at ``lasti``:
    ``("pause",)``, ``("self", "_sleep")``."""
    chain: list[str] = []
    for instruction in _line(code, lasti, lineno):
        name = instruction.opname
        if name in _NAME_LOADS or "LOAD_FAST" in name:
            if chain:
                yield tuple(chain)
            loaded = instruction.argval
            # Python 3.13+ pairs: LOAD_FAST_LOAD_FAST loads two names, and
            # STORE_FAST_LOAD_FAST stores one and loads the other; the last loaded
            # may start a chain.
            if isinstance(loaded, tuple):
                if name.startswith("LOAD_FAST"):
                    yield from ((str(each),) for each in loaded[:-1])
                loaded = loaded[-1]
            chain = [str(loaded)]
        elif name in _ATTRIBUTE_LOADS and chain:
            chain.append(str(instruction.argval))
        elif chain:
            yield tuple(chain)
            chain = []
    if chain:
        yield tuple(chain)


def _line(code: types.CodeType, lasti: int, lineno: int | None) -> Iterator[dis.Instruction]:
    """The instructions of the expression running at offset ``lasti`` (a call that may
    span several lines: from Python 3.11, its instruction's positions say which), or
    of its line ``lineno``, up to that instruction."""
    instructions = [each for each in dis.get_instructions(code) if each.offset <= lasti]
    positions = getattr(instructions[-1], "positions", None) if instructions else None
    first = last = lineno
    if positions is not None and positions.lineno is not None:  # Python 3.11+
        first, last = positions.lineno, positions.end_lineno or positions.lineno
    line = None
    for instruction in instructions:
        at = getattr(instruction, "positions", None)
        if at is not None:
            line = at.lineno if at.lineno is not None else line
        elif instruction.starts_line is not None:  # Python 3.10: the line it starts
            line = int(instruction.starts_line)
        if line is not None and first is not None and last is not None and first <= line <= last:
            yield instruction


def _resolved(frame: types.FrameType, chain: tuple[str, ...]) -> object:
    """What the dotted name ``chain`` is in ``frame``, read without running any code
    (no property, no ``__getattr__``); ``None`` where it cannot be found."""
    base, *attributes = chain
    missing = object()
    value = frame.f_locals.get(base, missing)
    if value is missing:
        value = frame.f_globals.get(base, missing)
    if value is missing:
        value = frame.f_builtins.get(base)
    for attribute in attributes:
        try:
            value = inspect.getattr_static(value, attribute)
        except AttributeError:
            return None
    return value


def _is_real_sleep(value: object) -> bool:
    """Whether ``value`` is the C function ``time.sleep`` (perhaps in a ``partial``)."""
    while isinstance(value, functools.partial):
        value = value.func
    return (
        isinstance(value, types.BuiltinFunctionType)
        and value.__name__ == "sleep"
        and getattr(value, "__module__", None) == "time"
    )


def _frames_from(frame: types.FrameType) -> Iterator[Frame]:
    """``frame`` and its callers, up to the test function or the thread's target (at
    most :data:`_FRAMES_SHOWN`)."""
    current: types.FrameType | None = frame
    for shown in range(_FRAMES_SHOWN):
        if current is None or (
            shown and any(runner in current.f_code.co_filename for runner in _RUNNERS)
        ):
            return
        filename, lineno = current.f_code.co_filename, current.f_lineno or 0
        source = linecache.getline(filename, lineno).strip()
        yield Frame(filename, lineno, current.f_code.co_name, source)
        current = current.f_back


def _shown_path(filename: str) -> str:
    """``filename`` relative to the working directory when it is below it."""
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive (Windows)
        return filename
    return filename if relative.startswith(os.pardir) else relative
