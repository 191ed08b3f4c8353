"""Jobs of one kind in one (account, region), kept in listing order.

Jobs are ordered by a unique key (creation instant in microseconds, insertion
sequence), so a page starts by bisecting to the key a token carries and costs
O(page size) plus whatever the filters skip, however many jobs are stored.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar

from sortedcontainers import SortedKeyList

from ...policies.tokens import Key


class Keyed(Protocol):
    """Anything stored: it has an id and a listing key."""

    @property
    def ident(self) -> str: ...

    @property
    def key(self) -> Key: ...


J = TypeVar("J", bound=Keyed)

_sequence = itertools.count()


def next_sequence() -> int:
    """A process-wide increasing number that breaks ties between equal instants."""
    return next(_sequence)


class JobStore(Generic[J]):
    """Jobs by id, and in key order for listing."""

    def __init__(self) -> None:
        self._by_id: dict[str, J] = {}
        self._ordered: SortedKeyList = SortedKeyList(key=lambda job: job.key)

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

    def add_many(self, jobs: list[J]) -> None:
        """Store many jobs at once (cheaper than one by one)."""
        for job in jobs:
            self._by_id[job.ident] = job
        self._ordered.update(jobs)

    def walk(
        self,
        *,
        descending: bool,
        after: Key | None,
        accept: Callable[[J], bool],
    ) -> Iterator[J]:
        """Jobs in listing order strictly past ``after`` that ``accept`` lets through."""
        ordered = self._ordered
        if descending:
            candidates = (
                ordered.irange_key(max_key=after, inclusive=(True, False), reverse=True)
                if after is not None
                else reversed(ordered)
            )
        else:
            candidates = (
                ordered.irange_key(min_key=after, inclusive=(False, True))
                if after is not None
                else iter(ordered)
            )
        return (job for job in candidates if accept(job))
