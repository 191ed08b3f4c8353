"""Report jobs' creation and every status transition, exactly once and in time order.

Statuses are read off timelines, with no background thread, so a transition "happens"
whenever fake time passes its instant. The feed keeps the upcoming transitions of all
jobs in a heap; whenever the fake sees the time (a call, ``advance()``, a sleep, the
end of the test) it pops the ones now past and reports them, oldest first.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .lifecycle import Timeline

if TYPE_CHECKING:
    from .services.base import Job


Created = Callable[[str, dict[str, Any]], None]
Changed = Callable[[str, dict[str, Any], str, str], None]


class TransitionFeed:
    """Upcoming transitions of every job, reported as time passes them."""

    def __init__(self, on_created: Created, on_changed: Changed) -> None:
        self._on_created = on_created
        self._on_changed = on_changed
        # Off when nothing listens (no hook implementations): then jobs cost nothing here.
        self.enabled = True
        self._heap: list[tuple[_dt.datetime, int, int, str, Job, Timeline]] = []
        self._lock = threading.RLock()

    def created(self, service: str, job: Job, now: _dt.datetime) -> None:
        """A new job: report it, and watch its future transitions."""
        if not self.enabled:
            return
        timeline = job.timeline
        job.reported = bisect_index(timeline, now)
        self._on_created(service, job.shown(now))
        self.rescheduled(service, job)

    def rescheduled(self, service: str, job: Job) -> None:
        """The job's timeline changed (it was stopped): watch its new transitions."""
        if not self.enabled:
            return
        timeline = job.timeline
        with self._lock:
            for index in range(job.reported + 1, len(timeline.times)):
                heapq.heappush(
                    self._heap,
                    (timeline.times[index], job.sequence, index, service, job, timeline),
                )

    def observe(self, now: _dt.datetime) -> None:
        """Report every transition at or before ``now`` not reported yet."""
        heap = self._heap
        if not heap or heap[0][0] > now:
            return
        with self._lock:
            while heap and heap[0][0] <= now:
                at, _, index, service, job, timeline = heapq.heappop(heap)
                if timeline is not job.timeline or index <= job.reported:
                    continue  # the job was stopped: this transition will not happen
                job.reported = index
                old, new = timeline.statuses[index - 1], timeline.statuses[index]
                self._on_changed(service, job.shown(at), old, new)


def bisect_index(timeline: Timeline, now: _dt.datetime) -> int:
    """The index of the transition in force at ``now``."""
    import bisect

    return max(bisect.bisect_right(timeline.times, now) - 1, 0)
