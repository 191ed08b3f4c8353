"""``@pytest.mark.batchjobs_outcomes(kind, outcomes=None)``: a run per end status.

Loaded at collection, and only for a test that carries the marker. The marker is read
here (its kind and outcomes checked against the kind's declaration in the registry:
its ``statuses.outcomes``, the statuses a lifecycle can end in) and the test
parametrized with the ``batchjobs_outcome`` fixture, indirectly: each run's parameter
is ``(kind, outcome)``, the fixture gives the outcome, and ``batchjobs_fake`` makes it
the end of the kind's jobs for that run (:func:`apply`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest

from ..arguments import did_you_mean

if TYPE_CHECKING:
    from ..fake import BatchJobsFake
    from ..services._kit.spec import JobKind

MARKER = "batchjobs_outcomes"
FIXTURE = "batchjobs_outcome"


def parametrize(metafunc: pytest.Metafunc, marker: pytest.Mark) -> None:
    """One run of the test per outcome the marker names, ids ``<kind>-<outcome>``."""
    kind, outcomes = read(marker, metafunc.function.__name__)
    if "batchjobs_fake" not in metafunc.fixturenames:
        raise collection_error(
            f"{metafunc.function.__name__}: {_shown(marker)}: the test uses no "
            "batchjobs_fake, so no jobs end in the outcome; ask for the batchjobs_fake "
            "fixture (or a fixture that uses it)"
        )
    if FIXTURE not in metafunc.fixturenames:
        metafunc.fixturenames.append(FIXTURE)  # the runs exist whether or not it is asked for
    metafunc.parametrize(
        FIXTURE,
        [(kind.name, outcome) for outcome in outcomes],
        ids=[f"{kind.name}-{outcome}" for outcome in outcomes],
        indirect=True,
    )


def read(marker: pytest.Mark, test: str) -> tuple[JobKind, tuple[str, ...]]:
    """The marker's job kind and outcomes (the kind's own, in its order, by default),
    or a collection error saying what is valid."""
    from ..core.registry import KINDS

    where = f"{test}: {_shown(marker)}"
    kinds = {kind.name: kind for kind in KINDS}
    arguments = dict(zip(("kind", "outcomes"), marker.args, strict=False))
    unknown = sorted(set(marker.kwargs) - {"kind", "outcomes"})
    if len(marker.args) > 2 or unknown or set(arguments) & set(marker.kwargs):
        raise collection_error(
            f"{where}: the marker takes a job kind and, optionally, outcomes: "
            f"@pytest.mark.{MARKER}(kind, outcomes=None)"
        )
    arguments.update(marker.kwargs)
    name = arguments.get("kind")
    if name is None:
        raise collection_error(
            f"{where}: name the job kind whose outcomes to run, e.g. "
            f"@pytest.mark.{MARKER}('bedrock'); the kinds are {', '.join(kinds)}"
        )
    kind = kinds.get(name) if isinstance(name, str) else None
    if kind is None:
        raise collection_error(
            did_you_mean(
                f"{where}: {name!r} is not a job kind",
                name,
                kinds,
                f"the kinds are {', '.join(kinds)}",
            )
        )
    valid = kind.statuses.outcomes
    wanted = arguments.get("outcomes")
    if wanted is None:
        return kind, valid
    listed: Sequence[Any] = [wanted] if isinstance(wanted, str) else wanted
    if not isinstance(listed, Sequence | set | frozenset) or not listed:
        raise collection_error(
            f"{where}: outcomes must be a non-empty list of {kind.name} outcomes "
            f"({', '.join(valid)}), got {wanted!r}"
        )
    for outcome in listed:
        if outcome not in valid:
            raise collection_error(
                f"{where}: {outcome!r} is not an outcome of {kind.name} jobs"
                f"{_why_not(kind, outcome)}; the valid outcomes are {', '.join(valid)}"
            )
    return kind, tuple(dict.fromkeys(listed))


def _why_not(kind: JobKind, outcome: Any) -> str:
    """What ``outcome`` is instead, if it is close to something the kind knows."""
    statuses = kind.statuses
    if outcome == statuses.stopped:
        return f" (a job ends {outcome!r} only when a client stops it, not by its lifecycle)"
    if outcome in statuses.every:
        return f" ({outcome!r} is a status a job passes through, not one it ends in)"
    if isinstance(outcome, str):
        sent = statuses.documented_only.get(outcome)
        if sent is not None:
            return f" (its API reference's name for {sent!r}, which is not an end either)"
        squeezed = _squeeze(outcome)
        for status in statuses.outcomes:
            if _squeeze(status) == squeezed:
                return f" (the service sends {status!r})"
    return ""


def _squeeze(status: str) -> str:
    return re.sub(r"[^a-z0-9]", "", status.lower())


def _shown(marker: pytest.Mark) -> str:
    arguments = [repr(arg) for arg in marker.args]
    arguments += [f"{key}={value!r}" for key, value in marker.kwargs.items()]
    return f"@pytest.mark.{MARKER}({', '.join(arguments)})"


def collection_error(message: str) -> BaseException:
    """The test's collection fails with ``message`` alone, no traceback."""
    return pytest.fail.Exception(message, pytrace=False)


def run_of(item: pytest.Item) -> tuple[str, str] | None:
    """This run's (kind, outcome), for a test the marker parametrized."""
    callspec = getattr(item, "callspec", None)
    param = None if callspec is None else callspec.params.get(FIXTURE)
    return None if param is None else (param[0], param[1])


def apply(fake: BatchJobsFake, run: tuple[str, str]) -> None:
    """The run's outcome becomes the end of its kind's jobs: those no lifecycle
    governs, and those of a lifecycle set without an outcome (``lifecycle(durations=
    ...)`` keeps it). A horizon failure in the run names it."""
    kind, outcome = run
    fake._backends.kinds[kind].end_in(outcome)
    horizon = fake.clock._horizon
    message = horizon.message

    def with_the_run(slept: Any) -> str:
        return (
            f"{message(slept)}\nThis run ends {kind} jobs {outcome!r} "
            f"(@pytest.mark.{MARKER}): the client never handled that outcome, or needs "
            "more time than the horizon to reach it."
        )

    horizon.message = with_the_run
