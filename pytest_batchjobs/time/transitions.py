"""Report jobs' creation and every status transition, exactly once and in time order.

Statuses are read off timelines, with no background thread, so a transition "happens"
whenever fake time passes its instant. The feed keeps the upcoming transitions of all
jobs in a heap; whenever the fake sees the time (a call, ``advance()``, a sleep, the
end of the test) it pops the ones now past and reports them, oldest first, then tells
its watchers the time (what changes between transitions: a running job's outputs).
While someone can observe transitions (an event handler, moto's bus, a hook), the clock
stops at each one's instant (:meth:`TransitionFeed.next_at`), so they are reported with
the clock there.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

from .lifecycles import Timeline


class Scheduled(Protocol):
    """What the feed needs of a job: its timeline (replaced when the job is stopped or
    fails), its creation sequence (to order transitions at one instant), and the index
    of its last transition reported, which the feed keeps up to date."""

    reported: int

    @property
    def timeline(self) -> Timeline: ...

    @property
    def sequence(self) -> int: ...


J = TypeVar("J", bound=Scheduled)


class TransitionFeed(Generic[J]):
    """Upcoming transitions of every job, reported as time passes them: to
    ``on_created(service, job, now)`` and ``on_changed(service, job, old, new, at)``."""

    def __init__(
        self,
        on_created: Callable[[str, J, _dt.datetime], None],
        on_changed: Callable[[str, J, str, str, _dt.datetime], None],
    ) -> None:
        self._on_created = on_created
        self._on_changed = on_changed
        # (instant, job sequence, transition index, entry number, service, job, timeline):
        # the entry number keeps a rescheduled job's entries from being compared further.
        self._heap: list[tuple[_dt.datetime, int, int, int, str, J, Timeline]] = []
        self._entries = itertools.count()
        self._lock = threading.RLock()
        self._watchers: list[Callable[[_dt.datetime], None]] = []
        self._reporting = 0  # threads (or nested calls) reporting transitions now

    def reset(self) -> None:
        """Forget every job's upcoming transitions (the jobs are forgotten too)."""
        with self._lock:
            self._heap.clear()

    def watch(self, watcher: Callable[[_dt.datetime], None]) -> None:
        """Call ``watcher(now)`` whenever the time is seen, after its transitions."""
        self._watchers.append(watcher)

    def created(self, service: str, job: J, now: _dt.datetime) -> None:
        """A new job: report it, and watch its future transitions."""
        job.reported = job.timeline.index(now)
        self._on_created(service, job, now)
        self.rescheduled(service, job)

    def created_many(self, service: str, jobs: Sequence[J], now: _dt.datetime) -> None:
        """Many new jobs (the factory's): as :meth:`created`, for each in turn."""
        with self._lock:
            for job in jobs:
                self.created(service, job, now)

    def rescheduled(self, service: str, job: J) -> None:
        """The job's timeline changed (it was stopped, or failed): watch its new transitions."""
        timeline = job.timeline
        with self._lock:
            for index in range(job.reported + 1, len(timeline)):
                heapq.heappush(
                    self._heap,
                    (
                        timeline.at(index),
                        job.sequence,
                        index,
                        next(self._entries),
                        service,
                        job,
                        timeline,
                    ),
                )

    def next_at(self) -> _dt.datetime | None:
        """The instant of the earliest transition not reported yet, if any (it may have
        been cancelled since: a stopped job's)."""
        with self._lock:
            return self._heap[0][0] if self._heap else None

    def observe(self, now: _dt.datetime) -> None:
        """Report every transition at or before ``now`` not reported yet, then tell the
        watchers ``now``."""
        heap = self._heap
        # Most calls find nothing due and nobody reporting: they skip the lock. The head
        # is read before the count (a reporter counts itself before it pops), so a call
        # racing a report either sees the transitions due or waits for the report to end.
        try:
            quiet = heap[0][0] > now
        except IndexError:  # empty, or another thread popped the last entry meanwhile
            quiet = True
        if not quiet or self._reporting:
            self._report_due(now)
        for watcher in self._watchers:
            watcher(now)

    def _report_due(self, now: _dt.datetime) -> None:
        """Report every transition at or before ``now`` not reported yet, oldest first."""
        heap = self._heap
        with self._lock:  # also to read the head: another thread may pop the last entry
            self._reporting += 1
            try:
                while heap and heap[0][0] <= now:
                    at, _, index, _, service, job, timeline = heapq.heappop(heap)
                    if timeline is not job.timeline or index <= job.reported:
                        continue  # the job was stopped: this transition will not happen
                    job.reported = index
                    old, new = timeline.statuses[index - 1], timeline.statuses[index]
                    self._on_changed(service, job, old, new, at)
            finally:
                self._reporting -= 1
