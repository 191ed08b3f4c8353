"""Jobs by the status they keep for good, so a status filter skips the others.

A job's status is read off its timeline at the clock's now, so it changes as time
passes; but once the clock is past a job's last transition, its status is that
transition's for good (a job's timeline changes only before its end: a stop, or its
input failing at validation, and the fake reports every transition up to now before a
call's handler runs). So the index keeps:

* *settled* jobs, past their last transition, in one key-ordered list per final status;
* *live* jobs, all others, in one key-ordered list (every one is checked by the filter),
  with a heap of their last instants, to settle each once the clock passes it.

A page with a status filter merges the settled list of that status with the live list,
in listing order: it reads the jobs it lists plus the live ones, not the whole region.
New jobs wait in a plain list until the next filtered page places them (a factory's
100,000 jobs cost no heap entry when they are already settled then).
"""

from __future__ import annotations

import datetime as _dt
import heapq
from collections.abc import Iterator
from typing import Any

from sortedcontainers import SortedKeyList

from ...policies.tokens import Key


def _key(job: Any) -> Key:
    return job.key  # type: ignore[no-any-return]


class StatusIndex:
    """The settled jobs of a store by final status, and its live ones."""

    def __init__(self) -> None:
        self._new: list[Any] = []
        self._live: SortedKeyList = SortedKeyList(key=_key)
        self._settled: dict[str, SortedKeyList] = {}
        # (last instant, key, job) of each live job; a stale entry is checked when popped.
        self._due: list[tuple[_dt.datetime, Key, Any]] = []
        self._seen: _dt.datetime | None = None  # the latest now the index was settled at

    def add(self, jobs: list[Any]) -> None:
        self._new.extend(jobs)

    def range(
        self,
        status: str,
        now: _dt.datetime,
        low: Key | None,
        high: Key | None,
        inclusive: tuple[bool, bool],
        descending: bool,
    ) -> Iterator[Any] | None:
        """The jobs between ``low`` and ``high`` that can be in ``status`` at ``now``,
        in listing order (a superset: the caller's filter still applies); None when the
        clock went back since the index was settled (the caller reads every job)."""
        if self._seen is not None and now < self._seen:
            return None
        self._settle(now)
        live: Iterator[Any] = self._live.irange_key(low, high, inclusive, reverse=descending)
        settled = self._settled.get(status)
        if settled is None:
            return iter(live)
        ended = settled.irange_key(low, high, inclusive, reverse=descending)
        return heapq.merge(live, ended, key=_key, reverse=descending)

    def _settle(self, now: _dt.datetime) -> None:
        self._seen = now
        new, self._new = self._new, []
        settled: dict[str, list[Any]] = {}
        live = []
        for job in new:  # placed in bulk: a factory's 100,000 jobs are sorted once
            timeline = job.timeline
            end = timeline.at(-1)
            if end <= now:
                settled.setdefault(timeline.statuses[-1], []).append(job)
            else:
                live.append(job)
                heapq.heappush(self._due, (end, job.key, job))
        self._live.update(live)
        for status, jobs in settled.items():
            self._bucket(status).update(jobs)
        due = self._due
        later = []
        while due and due[0][0] <= now:
            _, _, job = heapq.heappop(due)
            end = job.timeline.at(-1)
            if end <= now:
                self._live.remove(job)
                self._keep(job)
            else:  # its timeline changed (a stop): wait for its new end
                later.append((end, job.key, job))
        for entry in later:
            heapq.heappush(due, entry)

    def _keep(self, job: Any) -> None:
        self._bucket(job.timeline.statuses[-1]).add(job)

    def _bucket(self, status: str) -> SortedKeyList:
        found = self._settled.get(status)
        if found is None:
            found = self._settled[status] = SortedKeyList(key=_key)
        return found
