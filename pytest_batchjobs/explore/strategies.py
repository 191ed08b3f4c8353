"""Hypothesis strategies for scenarios: what AWS may legally do, drawn and shrunk.

Each dimension shrinks towards the plainest behaviour, so the scenario a failure
reports is the smallest that still breaks the client: page sizes towards 1, fewer and
earlier faults, outcomes towards the kind's first (its success), and durations towards
a second. Imported only by an exploration: Hypothesis is an optional dependency.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from hypothesis import strategies as st

from ..time.lifecycles import ServiceStatuses
from .scenario import FaultPlan, JobPlan, Scenario

MOST_PAGES = 12
MOST_FAULTS = 6
FAULTED_CALLS = 40  # faults fall among an example's first calls
MOST_JOBS = 6  # planned per kind; later jobs follow the kind's default

DURATIONS = (1, 5, 30, 60, 120, 300, 600, 1200, 1800, 3600, 2 * 3600, 6 * 3600, 12 * 3600)
"""Seconds a job may spend in one running status: from a second to half a day, so a
job's whole run (at most four running statuses) stays within the default polling
horizon of three days, and consecutive polls a minute apart may skip statuses."""


def scenarios(
    kinds: Mapping[str, ServiceStatuses],
    dimensions: Collection[str],
    fixed_outcomes: Collection[str] = (),
) -> st.SearchStrategy[Scenario]:
    """Scenarios varying ``dimensions`` only; ``kinds`` maps each job kind to its
    statuses, ``fixed_outcomes`` names kinds whose end a ``batchjobs_outcomes`` run
    fixes (their outcomes are not drawn)."""
    pages: st.SearchStrategy[tuple[int, ...]] = st.just(())
    if "pages" in dimensions:
        # A short page shrinks towards 1 item; an empty page (0) is drawn too.
        size = st.one_of(st.integers(1, 100), st.just(0))
        pages = st.lists(size, max_size=MOST_PAGES).map(tuple)
    faults: st.SearchStrategy[tuple[FaultPlan, ...]] = st.just(())
    if "faults" in dimensions:
        plan = st.builds(FaultPlan, st.integers(1, FAULTED_CALLS), st.integers(0, 3))
        faults = st.lists(plan, max_size=MOST_FAULTS, unique_by=lambda p: p.call).map(
            lambda plans: tuple(sorted(plans, key=lambda p: p.call))
        )
    jobs: st.SearchStrategy[tuple[tuple[str, tuple[JobPlan, ...]], ...]] = st.just(())
    vary_outcomes = "outcomes" in dimensions
    if vary_outcomes or "timing" in dimensions:
        jobs = st.tuples(
            *(
                st.tuples(
                    st.just(name),
                    st.lists(
                        _job_plan(
                            statuses,
                            vary_outcomes and name not in fixed_outcomes,
                            "timing" in dimensions,
                        ),
                        max_size=MOST_JOBS,
                    ).map(tuple),
                )
                for name, statuses in kinds.items()
            )
        )
    return st.builds(Scenario, pages, faults, jobs)


def _job_plan(
    statuses: ServiceStatuses, outcomes: bool, timing: bool
) -> st.SearchStrategy[JobPlan]:
    outcome: st.SearchStrategy[str | None] = st.none()
    if outcomes:
        outcome = st.sampled_from(statuses.outcomes)
    durations: st.SearchStrategy[tuple[tuple[str, float], ...]] = st.just(())
    if timing:
        running: Sequence[str] = statuses.running
        durations = st.tuples(
            *(st.tuples(st.just(status), st.sampled_from(DURATIONS).map(float)) for status in running)
        )
    return st.builds(JobPlan, outcome, durations)
