"""A scenario: one set of things AWS may legally do to a client, applied to a fake.

An exploration (``@pytest.mark.batchjobs_explore``) draws scenarios with Hypothesis
(:mod:`.strategies`); this module is what a scenario *is*, and needs no Hypothesis: it
applies a scenario to a fake, says in words what the scenario did to the client, and
turns it into the plain ``replay=`` value a failure prints, and back.

A scenario holds, per dimension:

* ``pages``: the size of each page served, in order, whatever list operation serves
  it; within what the request asks (AWS may send fewer items than ``maxResults``, and
  an empty page that still carries a ``nextToken``). Then pages are cut as usual.
* ``faults``: which faked calls (counted from 1 in each example) answer a transient
  error the operation can return, and which one. A request (the same operation and
  params: botocore's retries of one call) never fails more than
  :data:`MOST_IN_A_ROW` times in a row, which every botocore retry mode survives with
  its default attempts (legacy 5, standard and adaptive 3).
* ``jobs``: per job kind, the lifecycle of each new job in turn (the jobs no lifecycle
  set by the test governs): its end status (``outcomes``) and the time it spends in
  each running status (``timing``).
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..policies.faults import Rule
from ..time.lifecycles import Lifecycle
from ..wire.errors import ServiceError

if TYPE_CHECKING:
    from ..fake import BatchJobsFake
    from ..services._kit.backend import KindBackend

DIMENSIONS = ("pages", "faults", "outcomes", "timing")

MOST_IN_A_ROW = 2
"""The most times one request fails in a row: botocore's standard and adaptive retry
modes make 3 attempts by default (legacy 5), so a client with default retries survives
every scenario, and one with retries off does not."""


@dataclass(frozen=True)
class FaultPlan:
    """The ``call``-th faked call of an example answers one of its operation's transient
    errors (``error`` picks which, counting round them)."""

    call: int
    error: int = 0


@dataclass(frozen=True)
class JobPlan:
    """A new job's lifecycle: its end status (``None``: the kind's default, or the
    ``batchjobs_outcomes`` run's) and seconds in each running status (the rest as by
    default)."""

    outcome: str | None = None
    durations: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Scenario:
    """Page sizes, faulted calls, and per job kind the plans of its new jobs."""

    pages: tuple[int, ...] = ()
    faults: tuple[FaultPlan, ...] = ()
    jobs: tuple[tuple[str, tuple[JobPlan, ...]], ...] = ()

    def as_replay(self) -> dict[str, Any]:
        """The scenario as the plain value of ``batchjobs_explore(replay=...)``."""
        replay: dict[str, Any] = {}
        if self.pages:
            replay["pages"] = list(self.pages)
        if self.faults:
            replay["faults"] = [[plan.call, plan.error] for plan in self.faults]
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
    if not _ints(pages, least=0):
        raise ValueError(f"replay pages must be a list of page sizes >= 0, got {pages!r}")
    faults = value.get("faults", [])
    if not (
        isinstance(faults, list)
        and all(isinstance(f, list | tuple) and len(f) == 2 and _ints(f, least=0) for f in faults)
        and all(f[0] >= 1 for f in faults)
    ):
        raise ValueError(f"replay faults must be a list of [call >= 1, error >= 0], got {faults!r}")
    jobs = value.get("jobs", {})
    if not isinstance(jobs, Mapping):
        raise ValueError(f"replay jobs must map job kinds to lists of plans, got {jobs!r}")
    planned = []
    for kind, plans in jobs.items():
        if kind not in kinds:
            raise ValueError(f"replay jobs: {kind!r} is not a job kind; the kinds are {list(kinds)}")
        if not isinstance(plans, list):
            raise ValueError(f"replay jobs[{kind!r}] must be a list, got {plans!r}")
        planned.append((kind, tuple(_job_plan(kind, plan, kinds[kind]) for plan in plans)))
    return Scenario(
        tuple(pages), tuple(FaultPlan(call, error) for call, error in faults), tuple(planned)
    )


def _job_plan(kind: str, plan: object, outcomes: Sequence[str]) -> JobPlan:
    shown = f"replay jobs[{kind!r}]: {plan!r}"
    if not (isinstance(plan, list | tuple) and len(plan) == 2 and isinstance(plan[1], Mapping)):
        raise ValueError(f"{shown} is not an [outcome, {{status: seconds}}] pair")
    outcome, durations = plan
    if outcome is not None and outcome not in outcomes:
        raise ValueError(f"{shown}: {outcome!r} is not an outcome of {kind} jobs")
    for status, seconds in durations.items():
        if not isinstance(status, str) or not _ints([seconds], least=0, numbers=True):
            raise ValueError(f"{shown}: durations map statuses to seconds >= 0")
    return JobPlan(outcome, tuple((status, float(s)) for status, s in durations.items()))


def _ints(values: object, *, least: int, numbers: bool = False) -> bool:
    kinds: tuple[type, ...] = (int, float) if numbers else (int,)
    return isinstance(values, list | tuple) and all(
        isinstance(v, kinds) and not isinstance(v, bool) and v >= least for v in values
    )


# -- applying a scenario to a fake -----------------------------------------------------


@dataclass
class PlannedFaults(Rule):
    """The scenario's faults: the planned calls answer a transient error, never more
    than :data:`MOST_IN_A_ROW` times in a row for one request."""

    plan: dict[int, int] = field(default_factory=dict)  # call number -> error choice
    transient: Mapping[tuple[str, str], Sequence[str]] = field(default_factory=dict)
    calls: int = 0
    in_a_row: dict[tuple[str, str], int] = field(default_factory=dict)
    fired_at: list[tuple[int, str, str, str]] = field(default_factory=list)
    _request: tuple[str, str] = ("", "")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def applies(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        # FaultRules asks applies() then fire() under its lock, for each call in turn:
        # the request named here is the one fire() answers.
        self._request = (operation, repr(sorted(params.items())))
        return service in self.services

    def fire(self, service: str, operation: str, now: _dt.datetime) -> ServiceError | None:
        self.calls += 1
        request = self._request
        choice = self.plan.get(self.calls)
        errors = self.transient.get((service, operation), ())
        if choice is None or not errors or self.in_a_row.get(request, 0) >= MOST_IN_A_ROW:
            self.in_a_row.pop(request, None)
            return None
        self.in_a_row[request] = self.in_a_row.get(request, 0) + 1
        code = errors[choice % len(errors)]
        self.fired += 1
        self.fired_at.append((self.calls, service, operation, code))
        return self.error(service, code)


@dataclass
class Applied:
    """A scenario applied to a fake, and what it did there: read by :func:`words`."""

    scenario: Scenario
    fake: BatchJobsFake
    faults: PlannedFaults | None


def apply(scenario: Scenario, fake: BatchJobsFake) -> Applied:
    """Set the fake up to behave as ``scenario`` says (on a fake just reset)."""
    fake.pagination._pager.plan_sizes(scenario.pages)
    backends = fake._backends.kinds
    for kind, plans in scenario.jobs:
        backend = backends[kind]
        backend.planned.extend(_lifecycle(backend, plan) for plan in plans)
    rule = None
    if scenario.faults:
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
            plan={plan.call: plan.error for plan in scenario.faults},
            transient=transient,
        )
        faults._rules.add(rule)
    return Applied(scenario, fake, rule)


def _lifecycle(backend: KindBackend[Any], plan: JobPlan) -> Lifecycle:
    outcome = backend.default_outcome if plan.outcome is None else plan.outcome
    return Lifecycle(backend.kind.statuses, outcome, None, dict(plan.durations))


# -- the scenario in words ---------------------------------------------------------------


def words(applied: Applied) -> str:
    """What the scenario did to the client, in the order a reader needs it: the pages
    it was served, the calls that failed, how each job it made went."""
    fake = applied.fake
    lines = []
    pager = fake.pagination._pager
    served = len(applied.scenario.pages) - pager.planned_left
    if served:
        sizes = ", ".join(str(size) for size in applied.scenario.pages[:served])
        lines.append(
            f"pages: sizes {sizes} (each at most what maxResults asked; 0 is an empty "
            "page with a nextToken), then pages as asked"
        )
    if applied.faults is not None and applied.faults.fired_at:
        failed = "; ".join(
            f"call {number} ({service} {operation}) answered {code}"
            for number, service, operation, code in applied.faults.fired_at
        )
        lines.append(f"faults: {failed}")
    for name, backend in fake._backends.kinds.items():
        for number, (job, lifecycle) in enumerate(backend.planned_taken, start=1):
            lines.append(f"{name} job {number} ({job}): {_journey(lifecycle)}")
    return "\n".join(lines) if lines else "nothing drawn came into play (pages, faults, jobs)"


def _journey(lifecycle: Lifecycle) -> str:
    """``ends Failed after 1 s in Submitted, 30 min in InProgress``."""
    statuses = lifecycle.statuses
    spent = ", ".join(
        f"{_duration(lifecycle.duration(status))} in {status}" for status in statuses.running
    )
    return f"ends {lifecycle.outcome} after {spent}"


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def used(applied: Applied) -> Scenario:
    """The part of the scenario that came into play: the pages served, the faults that
    fired, the plans of the jobs made. Replayed, it does to the client exactly what the
    whole scenario did."""
    fake, scenario = applied.fake, applied.scenario
    served = len(scenario.pages) - fake.pagination._pager.planned_left
    fired = set() if applied.faults is None else {at[0] for at in applied.faults.fired_at}
    backends = fake._backends.kinds
    return Scenario(
        scenario.pages[:served],
        tuple(plan for plan in scenario.faults if plan.call in fired),
        tuple(
            (kind, plans[: len(backends[kind].planned_taken)])
            for kind, plans in scenario.jobs
            if backends[kind].planned_taken
        ),
    )
