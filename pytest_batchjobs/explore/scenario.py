"""A scenario: what AWS may legally do to a client, decided call by call.

An exploration (``@pytest.mark.batchjobs_explore``) gives the fake a :class:`Plan`,
which the fake asks, as the client's calls arrive, how to behave where AWS leaves it
free. A plan either draws its answers with Hypothesis (:mod:`.strategies`) or replays a
recorded :class:`Scenario`; either way it records what it answered, so the scenario a
failure reports is exactly what the client met, and nothing it never reached. What a
plan decides, per dimension:

* ``pages``: the most items each page holds, in the order pages are served, whatever
  list operation serves them (AWS may send fewer items than ``maxResults``, and an empty
  page that still carries a ``nextToken``); ``None``: as asked.
* ``faults``: for each faked call (counted from 1 in each example), whether it answers
  one of the transient errors its operation can return, and which. One request (the same
  operation and params: botocore's retries of one call) never fails more than
  :data:`MOST_IN_A_ROW` times in a row, which every botocore retry mode survives with its
  default attempts (legacy 5, standard and adaptive 3).
* ``jobs``: for each new job no lifecycle of the test governs, its end status
  (``outcomes``) and the seconds it spends in each running status (``timing``).

This module needs no Hypothesis: a replay runs without it.
"""

from __future__ import annotations

import abc
import datetime as _dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..arguments import did_you_mean
from ..policies.faults import FaultRule
from ..time.lifecycles import Lifecycle
from ..wire.errors import ServiceError

if TYPE_CHECKING:
    from ..fake import BatchJobsFake

DIMENSIONS = ("pages", "faults", "outcomes", "timing")

MOST_IN_A_ROW = 2
"""The most times one request fails in a row: botocore's standard and adaptive retry
modes make 3 attempts by default (legacy 5), so a client with default retries survives
every scenario, and one with retries off does not."""


@dataclass(frozen=True)
class JobPlan:
    """A new job's lifecycle: its end status (``None``: the kind's default, or the
    ``batchjobs_outcomes`` run's) and seconds in each running status (the rest as by
    default)."""

    outcome: str | None = None
    durations: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Scenario:
    """What a plan answered: each page's size (``None``: as asked), each faulted call
    (its number and the error's choice), and per job kind each new job's plan."""

    pages: tuple[int | None, ...] = ()
    faults: tuple[tuple[int, int], ...] = ()
    jobs: tuple[tuple[str, tuple[JobPlan, ...]], ...] = ()

    def as_replay(self) -> dict[str, Any]:
        """The scenario as the plain value of ``batchjobs_explore(replay=...)``."""
        replay: dict[str, Any] = {}
        pages = list(self.pages)
        while pages and pages[-1] is None:
            pages.pop()
        if pages:
            replay["pages"] = pages
        if self.faults:
            replay["faults"] = [list(fault) for fault in self.faults]
        jobs = {
            kind: [[plan.outcome, dict(plan.durations)] for plan in plans]
            for kind, plans in self.jobs
            if plans
        }
        if jobs:
            replay["jobs"] = jobs
        return replay


def from_replay(value: object, kinds: Mapping[str, Sequence[str]]) -> Scenario:
    """The scenario a ``replay=`` value describes (as :meth:`Scenario.as_replay` writes
    it); a ``ValueError`` saying what is wrong otherwise. ``kinds`` maps each job kind
    to its outcomes."""
    if not isinstance(value, Mapping):
        raise ValueError(f"replay must be the dict a failed exploration printed, got {value!r}")
    unknown = sorted(set(value) - {"pages", "faults", "jobs"})
    if unknown:
        raise ValueError(f"replay has unknown keys {unknown}; it holds pages, faults and jobs")
    pages = value.get("pages", [])
    if not (isinstance(pages, list) and all(p is None or _count(p) for p in pages)):
        raise ValueError(f"replay pages must be a list of page sizes >= 0 or None, got {pages!r}")
    faults = value.get("faults", [])
    if not (
        isinstance(faults, list)
        and all(isinstance(f, list | tuple) and len(f) == 2 and all(map(_count, f)) for f in faults)
        and all(f[0] >= 1 for f in faults)
    ):
        raise ValueError(f"replay faults must be a list of [call >= 1, error >= 0], got {faults!r}")
    jobs = value.get("jobs", {})
    if not isinstance(jobs, Mapping):
        raise ValueError(f"replay jobs must map job kinds to lists of plans, got {jobs!r}")
    planned = []
    for kind, plans in jobs.items():
        if kind not in kinds:
            raise ValueError(
                did_you_mean(
                    f"replay jobs: {kind!r} is not a job kind",
                    kind,
                    kinds,
                    f"the kinds are {list(kinds)}",
                )
            )
        if not isinstance(plans, list):
            raise ValueError(f"replay jobs[{kind!r}] must be a list, got {plans!r}")
        planned.append((kind, tuple(_job_plan(kind, plan, kinds[kind]) for plan in plans)))
    return Scenario(tuple(pages), tuple((c, e) for c, e in faults), tuple(planned))


def _job_plan(kind: str, plan: object, outcomes: Sequence[str]) -> JobPlan:
    shown = f"replay jobs[{kind!r}]: {plan!r}"
    if not (isinstance(plan, list | tuple) and len(plan) == 2 and isinstance(plan[1], Mapping)):
        raise ValueError(f"{shown} is not an [outcome, {{status: seconds}}] pair")
    outcome, durations = plan
    if outcome is not None and outcome not in outcomes:
        raise ValueError(f"{shown}: {outcome!r} is not an outcome of {kind} jobs")
    for status, seconds in durations.items():
        if not isinstance(status, str) or not _count(seconds, numbers=True):
            raise ValueError(f"{shown}: durations map statuses to seconds >= 0")
    return JobPlan(outcome, tuple((status, float(s)) for status, s in durations.items()))


def _count(value: object, numbers: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return (numbers or isinstance(value, int)) and value >= 0


# -- plans: what the fake asks ---------------------------------------------------------


class Plan(abc.ABC):
    """Answers the fake's questions during one example, and records the answers.

    Subclasses decide (:meth:`_page`, :meth:`_fault`, :meth:`_job`); this class keeps
    the record, in the order the questions came, across threads.
    """

    def __init__(self) -> None:
        self.pages: list[int | None] = []
        self.faults: list[tuple[int, int]] = []
        self.jobs: dict[str, list[JobPlan]] = {}
        self.lock = threading.RLock()

    def page_size(self) -> int | None:
        with self.lock:
            size = self._page(len(self.pages))
            self.pages.append(size)
            return size

    def fault(self, call: int) -> int | None:
        with self.lock:
            choice = self._fault(call)
            if choice is not None:
                self.faults.append((call, choice))
            return choice

    def job(self, kind: str, statuses: Any) -> JobPlan | None:
        with self.lock:
            planned = self.jobs.setdefault(kind, [])
            plan = self._job(kind, statuses, len(planned))
            if plan is not None:
                planned.append(plan)
            return plan

    def scenario(self) -> Scenario:
        """What this plan answered, as a scenario that replays it exactly."""
        with self.lock:
            jobs = tuple((kind, tuple(plans)) for kind, plans in self.jobs.items() if plans)
            return Scenario(tuple(self.pages), tuple(self.faults), jobs)

    @abc.abstractmethod
    def _page(self, number: int) -> int | None:
        """The most items page ``number`` (from 0) holds, or ``None``: as asked."""

    @abc.abstractmethod
    def _fault(self, call: int) -> int | None:
        """Which transient error call ``call`` answers (counting round the operation's),
        or ``None``: none."""

    @abc.abstractmethod
    def _job(self, kind: str, statuses: Any, number: int) -> JobPlan | None:
        """The plan of the ``number``-th new job (from 0) of ``kind``, or ``None``."""


class Replay(Plan):
    """Answers as a recorded scenario says; as asked, no fault, the default beyond it."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__()
        self._recorded = scenario
        self._faulted = dict(scenario.faults)
        self._plans = dict(scenario.jobs)

    def _page(self, number: int) -> int | None:
        pages = self._recorded.pages
        return pages[number] if number < len(pages) else None

    def _fault(self, call: int) -> int | None:
        return self._faulted.get(call)

    def _job(self, kind: str, statuses: Any, number: int) -> JobPlan | None:
        plans = self._plans.get(kind, ())
        return plans[number] if number < len(plans) else None


# -- applying a plan to a fake -----------------------------------------------------------


@dataclass
class PlannedFaults(FaultRule):
    """Asks the plan about every faked call: the planned ones answer a transient error,
    never more than :data:`MOST_IN_A_ROW` times in a row for one request."""

    plan: Plan | None = None
    transient: Mapping[tuple[str, str], Sequence[str]] = field(default_factory=dict)
    calls: int = 0
    in_a_row: dict[tuple[str, str], int] = field(default_factory=dict)
    fired_at: list[tuple[int, str, str, str]] = field(default_factory=list)
    _request: tuple[str, str] = ("", "")

    def applies(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        # FaultRules asks applies() then fire() under its lock, for each call in turn:
        # the request named here is the one fire() answers.
        self._request = (operation, repr(sorted(params.items())))
        return service in self.services

    def fire(self, service: str, operation: str, now: _dt.datetime) -> ServiceError | None:
        self.calls += 1
        request = self._request
        errors = self.transient.get((service, operation), ())
        choice = None
        if errors and self.plan is not None and self.in_a_row.get(request, 0) < MOST_IN_A_ROW:
            choice = self.plan.fault(self.calls)
        if choice is None:
            self.in_a_row.pop(request, None)
            return None
        self.in_a_row[request] = self.in_a_row.get(request, 0) + 1
        code = errors[choice % len(errors)]
        self.fired += 1
        self.fired_at.append((self.calls, service, operation, code))
        return self.error(service, code)


@dataclass
class Applied:
    """A plan in force on a fake, and what it did there: read by :func:`words`."""

    plan: Plan
    faults: PlannedFaults
    jobs: list[tuple[str, str, Lifecycle]] = field(default_factory=list)


def apply(plan: Plan, fake: BatchJobsFake) -> Applied:
    """Put ``plan`` in force on ``fake`` (just reset): its pages, faults and jobs."""
    fake.pagination._pager.plan = plan.page_size
    faults = fake.faults
    transient = {
        (service, operation): [
            code
            for code in faults.valid_errors(service, operation)
            if (common := faults._common[service].get(code)) is not None and common.transient
        ]
        for service, operations in faults._faked.items()
        for operation in operations
    }
    rule = PlannedFaults(
        frozenset(faults._faked),
        None,
        common=faults._common,
        description="batchjobs_explore faults",
        plan=plan,
        transient=transient,
    )
    faults._rules.add(rule)
    applied = Applied(plan, rule)
    for name, backend in fake._backends.kinds.items():
        backend.plan = _job_planner(applied, name, backend)
    return applied


def _job_planner(applied: Applied, kind: str, backend: Any) -> Any:
    statuses = backend.kind.statuses

    def planned(job_name: str) -> Lifecycle | None:
        plan = applied.plan.job(kind, statuses)
        if plan is None:
            return None
        outcome = backend.default_outcome if plan.outcome is None else plan.outcome
        lifecycle = Lifecycle(statuses, outcome, None, dict(plan.durations))
        applied.jobs.append((kind, job_name, lifecycle))
        return lifecycle

    return planned


# -- the scenario in words ---------------------------------------------------------------


def words(applied: Applied) -> str:
    """What the scenario did to the client, in the order a reader needs it: the pages
    it was served, the calls that failed, how each job it made went."""
    lines = []
    pages = applied.plan.scenario().pages
    if any(size is not None for size in pages):
        sizes = ", ".join("as asked" if size is None else str(size) for size in pages)
        lines.append(
            f"pages: at most {sizes} items (AWS may send fewer than maxResults asks; "
            "0 is an empty page with a nextToken)"
        )
    if applied.faults.fired_at:
        failed = "; ".join(
            f"call {number} ({service} {operation}) answered {code}"
            for number, service, operation, code in applied.faults.fired_at
        )
        lines.append(f"faults: {failed}")
    numbers: dict[str, int] = {}
    for kind, job, lifecycle in applied.jobs:
        numbers[kind] = number = numbers.get(kind, 0) + 1
        lines.append(f"{kind} job {number} ({job}): {_journey(lifecycle)}")
    return (
        "\n".join(lines) if lines else "nothing was varied: the client met AWS's plainest answers"
    )


def _journey(lifecycle: Lifecycle) -> str:
    """``ends Failed after 30 s in Submitted, ..., 1 h in InProgress``; a job whose
    outcome is its timeout's ``not_begun`` waits queued until its timeout."""
    statuses = lifecycle.statuses
    running = statuses.running
    timeout = statuses.timeout
    waits = ""
    if timeout is not None and lifecycle.outcome == timeout.not_begun:
        queue = running.index(statuses.working) - 1
        waits = f", then {running[queue]} until its timeout ({timeout.setting})"
        running = running[:queue]
    spent = ", ".join(f"{_duration(lifecycle.duration(status))} in {status}" for status in running)
    return f"ends {lifecycle.outcome} after {spent}{waits}"


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
