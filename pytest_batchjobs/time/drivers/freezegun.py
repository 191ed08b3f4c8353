"""The freezegun clock: freeze time with freezegun, start it quickly, and know its insides.

freezegun replaces ``time.time``, ``datetime.datetime`` and friends, and at start scans
every loaded module for names bound to a real time function (``from time import
time``) to rebind them: a few milliseconds with hundreds of modules loaded. The fake's
own freeze makes that scan cheaper (:func:`_start_freezegun`): it skips packages that
read the time only for their own bookkeeping (:data:`FREEZEGUN_SKIP`), and checks
freezegun's per-module cache without rebuilding it (:func:`_quick_module_check`).

``time.perf_counter`` stays real under the fake's own freeze, whatever the options
(:func:`_keep_perf_counter_real`): it measures how long code takes, and event loops
that keep real time read it: trio's clock binds it when trio is imported, and a trio
imported during a freeze that froze it would wait for ever for its first deadline.

What this module reads of freezegun beyond its documented API (``freeze_time``, a
factory's ``tick()``), checked against freezegun 1.4.0 to 1.5.5:

* ``freezegun.api.freeze_factories``, the stack of active freezes: whether one is
  active, and the innermost, to read and move (required: :meth:`Freezegun.innermost`);
* ``tick()`` on a ticking freeze's factory (``freeze_time(tick=True)``), which
  freezegun 1.5.0 added (required when the fake follows such a freeze);
* ``freezegun.api.real_perf_counter`` (and ``_ns``), to keep ``perf_counter`` real
  (required);
* for the quicker start only, and left to freezegun's own way when missing:
  ``ignore_lists``, ``_get_cached_module_attributes``, ``_get_module_attributes`` and
  ``_real_time_object_ids`` of ``freezegun.api``.

The ``freezegun`` package is imported when the clock freezes, not before.
"""

from __future__ import annotations

import datetime as _dt
import functools
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from .library import ClockLibrary, Layer

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


_STACK = "freezegun's stack of active freezes: whether one is active, to read and move it"
_PERF_COUNTERS = ("perf_counter", "perf_counter_ns")


class Freezegun(ClockLibrary):
    """Freezes time with freezegun; reads and moves freezegun's innermost freeze."""

    name = "freezegun"
    module = "freezegun"
    distribution = "freezegun"
    known = ("1.4", "1.5.5")
    install = "pip install freezegun"
    layer = Layer.MODULE_ATTRIBUTES

    def freeze(self, at: _dt.datetime) -> Callable[[], None]:
        from freezegun import freeze_time

        api = sys.modules["freezegun.api"]
        self.internal(api, "freeze_factories", _STACK)  # before anything is frozen
        for name in _PERF_COUNTERS:
            if hasattr(time, name):
                self.internal(api, f"real_{name}", "the real perf_counter, put back")
        travel = freeze_time(at, tick=False)
        _start_freezegun(travel)
        _keep_perf_counter_real(api)
        stop: Callable[[], None] = travel.stop
        return stop

    def innermost(self) -> object | None:
        api = sys.modules.get("freezegun.api")
        if api is None:
            return None
        factories = getattr(api, "freeze_factories", None)  # read on every clock read
        if factories is None:
            factories = self.internal(api, "freeze_factories", _STACK)  # its error
        return factories[-1] if factories else None

    def read(self, freeze: Any) -> _dt.datetime:
        # The factory, not ``time.time()``: freezegun answers *real* time to callers
        # near an ignored module (``threading`` is one), which would make time jump in
        # pollers' threads.
        frozen: _dt.datetime = freeze()
        return frozen.replace(tzinfo=_dt.timezone.utc)

    def move(self, freeze: Any, delta: _dt.timedelta) -> None:
        self.check(freeze)
        freeze.tick(delta)

    def check(self, freeze: Any) -> None:
        if not hasattr(freeze, "tick"):  # freezegun 1.4's TickingDateTimeFactory
            raise self.changed(
                f"tick() of {type(freeze).__name__}",
                "to move a freeze started with freeze_time(tick=True)",
                fix="upgrade freezegun (it added that tick() in 1.5.0): "
                "pip install 'freezegun>=1.5', or freeze with tick=False",
                another=False,  # the freeze is the test's: another clock would follow it
            )


LIBRARY = Freezegun()


def _keep_perf_counter_real(api: Any) -> None:
    """Put the real ``time.perf_counter`` (and ``_ns``) back in place of freezegun's
    frozen ones; freezegun's stop puts the real ones back again."""
    for name in _PERF_COUNTERS:
        if hasattr(time, name):
            setattr(time, name, getattr(api, f"real_{name}"))


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
    real_ids = api._real_time_object_ids - _perf_counter_ids(api)
    found = [
        (name, value) for name, value in api._get_module_attributes(module) if id(value) in real_ids
    ]

    def forget(ref: weakref.ref[ModuleType]) -> None:
        if (current := _SCAN_CACHE.get(key)) is not None and current[0] is ref:
            del _SCAN_CACHE[key]

    _SCAN_CACHE[key] = (weakref.ref(module, forget), names, found)
    return found


def _perf_counter_ids(api: Any) -> set[int]:
    """The real ``perf_counter`` functions, which the fake's freeze leaves bound where
    they are: it measures how long code takes (``time.perf_counter`` itself is put back
    by :func:`_keep_perf_counter_real`)."""
    names = ("real_perf_counter", "real_perf_counter_ns")
    return {id(getattr(api, name)) for name in names if hasattr(api, name)}


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
