"""``--batchjobs-status-report``: the statuses this session's clients never received.

Each ``batchjobs_fake`` adds what its responses carried (``statuses_seen``) to the
session's record when it is torn down (:func:`note`). Under pytest-xdist every worker
keeps its own and sends it to the controller in its ``workeroutput``
(:func:`to_controller`), where the records are merged as each worker finishes
(:func:`from_worker`); the controller writes the report, once, for the whole session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .keys import STATUSES_RECEIVED

if TYPE_CHECKING:
    import pytest

    from ..fake import BatchJobsFake

WORKER_KEY = "batchjobs_statuses_received"


def note(config: pytest.Config, fake: BatchJobsFake) -> None:
    """Add what ``fake``'s responses carried to the session's record, if it keeps one."""
    received = config.stash.get(STATUSES_RECEIVED, None)
    if received is None:
        return
    for kind in fake._backends.kinds:
        received.setdefault(kind, {}).update(dict.fromkeys(fake.statuses_seen(kind)))


def to_controller(config: pytest.Config) -> None:
    """A worker's record, into the output xdist sends to the controller at its end."""
    received = config.stash.get(STATUSES_RECEIVED, None)
    output = getattr(config, "workeroutput", None)
    if received is not None and output is not None:
        output[WORKER_KEY] = {kind: list(statuses) for kind, statuses in received.items()}


def from_worker(config: pytest.Config, output: dict[str, Any]) -> None:
    """Merge a finished worker's record into the controller's."""
    received = config.stash.get(STATUSES_RECEIVED, None)
    if received is None:
        return
    for kind, statuses in output.get(WORKER_KEY, {}).items():
        received.setdefault(kind, {}).update(dict.fromkeys(statuses))


def lines(received: dict[str, dict[str, None]]) -> list[str]:
    """The report: per job kind of the registry, the statuses received and not."""
    from ..core.registry import KINDS

    out = ["The statuses the fake's responses carried to this session's clients, per job kind:"]
    untested_ends = untested_stops = False
    for kind in KINDS:
        statuses = kind.statuses
        got = received.get(kind.name, {})
        shown = [status for status in statuses.every if status in got]
        shown += [status for status in got if status not in statuses.every]
        missing = [status for status in statuses.every if status not in got]
        untested_ends = untested_ends or any(status in statuses.outcomes for status in missing)
        untested_stops = untested_stops or any(
            status not in statuses.outcomes and status not in statuses.running for status in missing
        )
        out.append(f"{kind.name}: {len(shown)} of {len(statuses.every)} received")
        if shown:
            out.append(f"  received: {', '.join(shown)}")
        if missing:
            out.append(f"  never received: {', '.join(missing)}")
    if untested_ends or untested_stops:
        out.append("A status never received is one no client's handling was tested against.")
    if untested_ends:
        out.append(
            "@pytest.mark.batchjobs_outcomes(kind) runs a test once per outcome a job can end in."
        )
    if untested_stops:
        out.append("A stopped job's statuses are shown once a client stops a job.")
    return out


def write(reporter: Any, config: pytest.Config) -> None:
    """The report's section at the end of the terminal summary."""
    received = config.stash.get(STATUSES_RECEIVED, None)
    if received is None:
        return
    reporter.write_sep("=", "batchjobs status report")
    for line in lines(received):
        reporter.write_line(line)
