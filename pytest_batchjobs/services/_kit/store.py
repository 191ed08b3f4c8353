"""Jobs of one kind in one (account, region), kept in listing order.

Jobs are ordered by a unique key (creation instant in microseconds, insertion
sequence), so a page starts by bisecting to the key a token carries and costs
O(page size) plus whatever the filters skip, however many jobs are stored. A filter on
the creation time narrows the keys looked at (:func:`created_window`), so it skips
nothing outside its range; a status filter skips the jobs that ended in another
status (:mod:`.status_index`).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import sys
from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from sortedcontainers import SortedKeyList

from ...policies.tokens import Key
from .status_index import StatusIndex


class Keyed(Protocol):
    """Anything stored: it has an id and a listing key."""

    @property
    def ident(self) -> str: ...

    @property
    def key(self) -> Key: ...


J = TypeVar("J", bound=Keyed)

# Inclusive bounds on the keys a listing looks at; None leaves that side open.
Window = tuple[Key | None, Key | None]
# A status filter: the status, and the instant it is read at.
Status = tuple[str, _dt.datetime]

_sequence = itertools.count()


def next_sequence() -> int:
    """A process-wide increasing number that breaks ties between equal instants."""
    return next(_sequence)


class JobStore(Generic[J]):
    """Jobs by id, and in key order for listing."""

    def __init__(self) -> None:
        self._by_id: dict[str, J] = {}
        self._ordered: SortedKeyList = SortedKeyList(key=lambda job: job.key)
        self._statuses = StatusIndex()
        # Jobs sorted by a fixed property (a name), then key: made on the first listing
        # in that order, then kept as jobs are added.
        self._ranked: dict[Callable[[J], Any], SortedKeyList] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[J]:
        return iter(self._ordered)

    def get(self, ident: str) -> J | None:
        """The job with id ``ident``, if stored."""
        return self._by_id.get(ident)

    def at_key(self, key: Key) -> J | None:
        """The job whose listing key is ``key``, if stored."""
        for job in self._ordered.irange_key(key, key):
            return job  # type: ignore[no-any-return]
        return None

    def add(self, job: J) -> None:
        """Store ``job``; its key must be unique."""
        self._by_id[job.ident] = job
        self._ordered.add(job)
        self._statuses.add([job])
        for ranked in self._ranked.values():
            ranked.add(job)

    def add_many(self, jobs: list[J]) -> None:
        """Store many jobs at once (cheaper than one by one)."""
        for job in jobs:
            self._by_id[job.ident] = job
        self._ordered.update(jobs)
        self._statuses.add(jobs)
        for ranked in self._ranked.values():
            ranked.update(jobs)

    def walk(
        self,
        *,
        descending: bool,
        after: Key | None,
        accept: Callable[[J], bool],
        window: Window = (None, None),
        status: Status | None = None,
    ) -> Iterator[J]:
        """Jobs in listing order strictly past ``after`` that ``accept`` lets through,
        looked for only between the keys of ``window`` (inclusive bounds, ``None`` for
        none): a filter on creation time skips the jobs outside its range by bisecting
        instead of reading them. ``status`` (a status and the clock's now: ``accept``
        keeps only jobs in it) skips the jobs settled in another status."""
        low, high = window
        # One bound is the token's (exclusive), where it is tighter than the window's.
        if after is not None:
            if descending and (high is None or after <= high):
                return self._range(low, after, (True, False), accept, descending, status)
            if not descending and (low is None or after >= low):
                return self._range(after, high, (False, True), accept, descending, status)
        return self._range(low, high, (True, True), accept, descending, status)

    def ranked(
        self, order: Callable[[J], Any], *, descending: bool, after: J | None
    ) -> Iterator[J]:
        """Every job sorted by ``order``, a property that never changes (a name), then
        by key, strictly past ``after`` in that order. The first call for an ``order``
        sorts the jobs (O(n log n)); they stay sorted as jobs are added, so a page
        bisects to where it starts and reads on from there."""
        ranked = self._ranked.get(order)
        if ranked is None:

            def rank(job: J) -> tuple[Any, Key]:
                return (order(job), job.key)

            ranked = self._ranked[order] = SortedKeyList(self._ordered, key=rank)
        if after is None:
            return iter(reversed(ranked)) if descending else iter(ranked)
        bound = (order(after), after.key)
        if descending:
            return ranked.irange_key(None, bound, (True, False), reverse=True)  # type: ignore[no-any-return]
        return ranked.irange_key(bound, None, (False, True))  # type: ignore[no-any-return]

    def between(self, window: Window) -> Iterator[J]:
        """Every job whose key is within ``window`` (inclusive), in key order."""
        return self._range(window[0], window[1], (True, True), lambda job: True, False)

    def _range(
        self,
        low: Key | None,
        high: Key | None,
        inclusive: tuple[bool, bool],
        accept: Callable[[J], bool],
        descending: bool,
        status: Status | None = None,
    ) -> Iterator[J]:
        if low is not None and high is not None and low > high:
            return iter(())
        candidates = None
        if status is not None:
            candidates = self._statuses.range(*status, low, high, inclusive, descending)
        if candidates is None:
            candidates = self._ordered.irange_key(low, high, inclusive, reverse=descending)
        return (job for job in candidates if accept(job))


def created_window(after: _dt.datetime | None, before: _dt.datetime | None) -> Window:
    """The keys that can hold jobs created strictly after ``after`` and strictly before
    ``before`` (either may be None): a superset, the filter itself still applies.

    A key's first part is ``int(created.timestamp() * 1_000_000)``, which never
    decreases as the instant grows, so a job created after ``after`` has a key at or
    past the key of ``after``, whatever the float rounding.
    """
    low = None if after is None else (_micros(after), -1)
    high = None if before is None else (_micros(before), sys.maxsize)
    return low, high


def _micros(instant: _dt.datetime) -> int:
    return int(instant.timestamp() * 1_000_000)
