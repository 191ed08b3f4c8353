"""Freeze time with freezegun, and start it quickly.

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

from . import _top

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


class Freezegun(_top.OwnFreeze):
    """The :class:`~pytest_batchjobs.time.drivers.Driver` that freezes with freezegun."""

    kind = "freezegun"

    def start(self, at: _dt.datetime) -> None:
        from freezegun import freeze_time

        travel = freeze_time(at, tick=False)
        _start_freezegun(travel)
        self._travel = travel
        _keep_perf_counter_real(sys.modules["freezegun.api"])


def _keep_perf_counter_real(api: Any) -> None:
    """Put the real ``time.perf_counter`` (and ``_ns``) back in place of freezegun's
    frozen ones; freezegun's stop puts the real ones back again."""
    for name in ("perf_counter", "perf_counter_ns"):
        real = getattr(api, f"real_{name}", None)
        if real is not None and hasattr(time, name):
            setattr(time, name, real)


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
