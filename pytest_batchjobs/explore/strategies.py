"""The plan that draws its answers with Hypothesis, as the client's calls arrive.

Each answer shrinks towards AWS's plainest behaviour, so the scenario a failure reports
is the smallest that still breaks the client: a page as asked, no fault, a job ending in
its kind's first outcome (its success) after a second in each status. Drawing as the
calls arrive keeps the scenario to what the client reached: a test that lists and
never creates a job draws no job plans.

Hypothesis draws in the test's own thread only: a question from another thread (a
thread pool's call, the local server's) gets the plain answer, and is counted.
Imported only by an exploration: Hypothesis is an optional dependency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import Any

from hypothesis import strategies as st

from ..time.lifecycles import ServiceStatuses
from .scenario import JobPlan, Plan

MOST_PAGES = 12  # pages whose size is drawn in one example; later ones as asked
MOST_FAULTS = 6  # faults in one example (botocore's retry quota is not the point)
MOST_JOBS = 6  # job plans drawn per kind in one example; later jobs as by default

DURATIONS = (1, 5, 30, 60, 120, 300, 600, 1200, 1800, 3600, 2 * 3600, 6 * 3600, 12 * 3600)
"""Seconds a job may spend in one running status: from a second to half a day, so a
job's whole run (at most four running statuses) stays within the default polling
horizon of three days, and consecutive polls a minute apart may skip statuses."""

_PAGE = st.one_of(st.none(), st.integers(0, 100))
_FAULTS = st.integers(0, 4)  # 4: this call fails (1 in 5 as drawn at first)
_ERROR = st.integers(0, 3)


class Drawing(Plan):
    """Draws each answer from ``data`` (Hypothesis' ``st.data()``), varying only
    ``dimensions``; ``fixed_outcomes`` names kinds whose end a ``batchjobs_outcomes`` run
    fixes."""

    def __init__(
        self, data: Any, dimensions: Collection[str], fixed_outcomes: Collection[str] = ()
    ) -> None:
        super().__init__()
        self._data = data
        self._dimensions = frozenset(dimensions)
        self._fixed = frozenset(fixed_outcomes)
        self._thread = threading.get_ident()
        self.elsewhere = 0  # questions from other threads, answered plainly

    def _here(self) -> bool:
        if threading.get_ident() == self._thread:
            return True
        self.elsewhere += 1
        return False

    def _page(self, number: int) -> int | None:
        if "pages" not in self._dimensions or number >= MOST_PAGES or not self._here():
            return None
        size: int | None = self._data.draw(_PAGE)
        return size

    def _fault(self, call: int) -> int | None:
        if "faults" not in self._dimensions or len(self.faults) >= MOST_FAULTS:
            return None
        if not self._here() or self._data.draw(_FAULTS) != 4:
            return None
        error: int = self._data.draw(_ERROR)
        return error

    def _job(self, kind: str, statuses: ServiceStatuses, number: int) -> JobPlan | None:
        outcomes = "outcomes" in self._dimensions and kind not in self._fixed
        timing = "timing" in self._dimensions
        if not (outcomes or timing) or number >= MOST_JOBS or not self._here():
            return None
        plan: JobPlan = self._data.draw(_job_plan(statuses, outcomes, timing))
        return plan


def _job_plan(
    statuses: ServiceStatuses, outcomes: bool, timing: bool
) -> st.SearchStrategy[JobPlan]:
    outcome: st.SearchStrategy[str | None] = st.none()
    if outcomes:
        outcome = st.sampled_from(statuses.outcomes)
    durations: st.SearchStrategy[tuple[tuple[str, float], ...]] = st.just(())
    if timing:
        durations = st.tuples(
            *(
                st.tuples(st.just(status), st.sampled_from(DURATIONS).map(float))
                for status in statuses.running
            )
        )
        if statuses.timeout is not None:
            durations = durations.filter(_within(statuses.timeout.shortest))
    return st.builds(JobPlan, outcome, durations)


def _within(timeout: float) -> Callable[[tuple[tuple[str, float], ...]], bool]:
    """Whether a run ends before the shortest timeout its kind allows. A longer run would
    end by the timeout instead of its planned outcome: the ``outcomes`` dimension draws
    the timeout's ends itself, and a ``batchjobs_outcomes`` run's fixed outcome must
    hold."""

    def ends_in_time(durations: tuple[tuple[str, float], ...]) -> bool:
        return sum(seconds for _, seconds in durations) < timeout

    return ends_in_time
