"""Status timelines: a job's status is a function of time, fixed when it is created.

A :class:`Timeline` is the list of a job's transitions (instant, status). The status a
call sees is the last transition at or before the clock's ``now``; nothing runs in the
background. A :class:`Lifecycle` is the policy that builds a new job's timeline.

Default durations (each the time spent *in* that status) are typical of what AWS
reports for small jobs; tests set their own with ``lifecycle(durations=...)``:

* Personalize: ``CREATE PENDING`` 60 s, ``CREATE IN_PROGRESS`` 30 min, then ``ACTIVE``
  (the statuses the service sends; its API reference lists ``PENDING`` and
  ``IN PROGRESS``, which it never sends: see :data:`PERSONALIZE`).
* Bedrock: ``Submitted`` 30 s, ``Validating`` 2 min, ``Scheduled`` 5 min,
  ``InProgress`` 1 h, then ``Completed``. ``Stopping`` lasts 60 s before ``Stopped``.

Each kind declares its words (:class:`ServiceStatuses`): its running statuses and
outcomes, which outcomes are failures, the two statuses a stopped job shows (none for a
kind whose jobs cannot be stopped), and how its timeout ends a job (:class:`Timeout`,
none for a kind without one). Nothing here knows a service's words.

Bedrock's timeout (``jobExpirationTime`` = ``submitTime + timeoutDurationInHours``) ends
a job as AWS defines its two timeout statuses: one that has not begun ``InProgress`` by
then is ``Expired`` ("scheduled but didn't begin before the set timeout duration"); one
still ``InProgress`` then is ``PartiallyCompleted`` ("not all of your records could be
processed in time"), having processed the share of its planned run it got through. The
outcome ``Expired`` keeps a job queued (``Scheduled``) until its timeout.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import fnmatch
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..documented import Documented


@dataclass(frozen=True)
class Timeout:
    """How a kind's timeout ends a job that has not ended by then (Bedrock's: a job
    that has not begun its working status is ``not_begun``, ``Expired``; one still in it
    is ``unfinished``, ``PartiallyCompleted``). Both are outcomes of the kind; a
    lifecycle ending ``not_begun`` keeps its jobs queued until their timeout.
    ``submitted`` and ``setting`` are the job's members its messages name: when it was
    submitted, and the create request's member setting the timeout; ``shortest`` the
    shortest timeout that member allows, in seconds (Bedrock's: 24 hours)."""

    not_begun: str
    unfinished: str
    submitted: str
    setting: str
    shortest: float


@dataclass(frozen=True)
class ServiceStatuses(Documented):
    """The statuses of one kind's jobs, in lifecycle order, as its service spells them.

    ``running`` are the statuses a job passes through, ``outcomes`` those a lifecycle
    can end in (the first is the default), ``failed`` the outcomes that are failures
    (a job ending in one shows its failure message). ``stopping`` and ``stopped`` are
    what a stopped job shows, until it has stopped and then (Bedrock ``Stopping`` and
    ``Stopped``, Comprehend ``STOP_REQUESTED`` and ``STOPPED``); both ``None`` for a
    kind whose jobs cannot be stopped. ``stopping`` has a duration in
    ``default_durations``, as each running status does. ``timeout``: how the kind's
    timeout ends a job, ``None`` if its jobs have none. ``documented_only`` maps status
    names the API reference lists but the service never sends to the names it sends
    instead: given by a user, they are refused (a test written against them would pass
    against the fake and never match a real job).
    """

    _documented = (
        "service",
        "running",
        "outcomes",
        "default_durations",
        "working",
        "failed",
        "stopping",
        "stopped",
        "timeout",
        "documented_only",
        "every",
        "ends",
    )

    service: str
    running: tuple[str, ...]
    outcomes: tuple[str, ...]
    default_durations: Mapping[str, float]
    working: str  # the running status in which records are processed
    failed: tuple[str, ...] = ()
    stopping: str | None = None
    stopped: str | None = None
    timeout: Timeout | None = None
    documented_only: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if self.working not in self.running:
            problems.append(f"working {self.working!r} is not one of running")
        missing = [status for status in self.running if status not in self.default_durations]
        if missing:
            problems.append(f"default_durations has no {', '.join(map(repr, missing))}")
        if (self.stopping is None) != (self.stopped is None):
            problems.append("stopping and stopped are both a status, or both None")
        if self.stopping is not None and self.stopping not in self.default_durations:
            problems.append(f"default_durations has no stopping {self.stopping!r}")
        for name, given in (
            ("failed", self.failed),
            ("timeout", () if self.timeout is None else self._timeout_ends),
        ):
            strays = [status for status in given if status not in self.outcomes]
            if strays:
                problems.append(f"{name} {', '.join(map(repr, strays))} not among outcomes")
        if problems:
            raise ValueError(f"{self.service} statuses: {'; '.join(problems)}")

    @property
    def _timeout_ends(self) -> tuple[str, ...]:
        timeout = self.timeout
        return () if timeout is None else (timeout.not_begun, timeout.unfinished)

    @functools.cached_property
    def stop(self) -> tuple[str, ...]:
        """What a stopped job shows, in order (``Stopping``, ``Stopped``); none for a
        kind whose jobs cannot be stopped."""
        if self.stopping is None or self.stopped is None:
            return ()
        return (self.stopping, self.stopped)

    @functools.cached_property
    def ends(self) -> frozenset[str]:
        """The statuses a job ends in: its outcomes, and the stopped status."""
        return frozenset((*self.outcomes, *self.stop[1:]))

    @functools.cached_property
    def every(self) -> tuple[str, ...]:
        """Every status a job can show, in lifecycle order: the running statuses, the
        outcomes, then a stopped job's."""
        return (*self.running, *self.outcomes, *self.stop)

    def refuse_documented_only(self, status: object, where: str) -> None:
        """A ``ValueError`` if ``status`` is a name the service documents but never sends."""
        sent = self.documented_only.get(status) if isinstance(status, str) else None
        if sent is None:
            return
        raise ValueError(
            f"{where}: {status!r} is how the {self.service} API reference names a status, but "
            f"the service sends {sent!r}: its jobs report {' -> '.join(self.running)} -> "
            f"{' or '.join(self.outcomes)}. Use {sent!r}; the evidence is on the fidelity "
            "page (docs/fidelity.md, 'Lifecycles')."
        )


_MILLISECOND = _dt.timedelta(milliseconds=1)


def to_millis(instant: _dt.datetime) -> _dt.datetime:
    """``instant`` truncated to the millisecond.

    Both protocols send instants in milliseconds (REST-JSON ISO 8601 with three
    decimals, JSON 1.1 epoch seconds with three), so every instant a job keeps is cut
    to that when it enters the job: its creation and each transition. A filter, a sort
    or a cursor then compares exactly what the client saw; a microsecond kept but not
    sent would let ``submitTimeAfter=<the newest submitTime seen>`` return that job again.
    """
    return instant.replace(microsecond=instant.microsecond - instant.microsecond % 1000)


def span(seconds: float) -> _dt.timedelta:
    """``seconds`` as a whole number of milliseconds (an offset between two transitions)."""
    return _dt.timedelta(milliseconds=round(seconds * 1000))


@dataclass(frozen=True, slots=True)
class Timeline(Documented):
    """A job's transitions, in time order; the first is its submission: ``statuses``
    and the instant of each (``at(position)``), and the status at an instant
    (``status(now)``).

    Kept as the submission instant and each transition's offset from it, not as
    instants: jobs on the same lifecycle share one tuple of offsets, so a new timeline
    costs no date arithmetic (the factory makes 100,000 at once). The start and every
    offset are whole milliseconds (see :func:`to_millis`).
    """

    _documented = ("start", "statuses", "at", "status")

    start: _dt.datetime
    """The instant the job was submitted."""
    offsets: tuple[_dt.timedelta, ...]
    statuses: tuple[str, ...]
    """Its statuses, in order: the first at ``start``, the last its end."""
    timed_out: bool = False  # its end is its kind's timeout, not the lifecycle's outcome

    def __len__(self) -> int:
        return len(self.statuses)

    def at(self, position: int) -> _dt.datetime:
        """The instant of the transition at ``position``."""
        return self.start + self.offsets[position]

    def index(self, now: _dt.datetime) -> int:
        """The position of the transition in force at ``now``."""
        return max(bisect.bisect_right(self.offsets, now - self.start) - 1, 0)

    def status(self, now: _dt.datetime) -> str:
        """The status at ``now``."""
        return self.statuses[self.index(now)]

    def changed_at(self, now: _dt.datetime) -> _dt.datetime:
        """When the status seen at ``now`` began: the latest transition so far."""
        return self.at(self.index(now))

    def interrupted(self, at: _dt.datetime, then: list[tuple[float, str]]) -> Timeline:
        """This timeline up to ``at`` (cut to the millisecond), followed by ``then``
        (seconds after ``at``, status)."""
        since = (at - self.start) // _MILLISECOND * _MILLISECOND
        keep = bisect.bisect_right(self.offsets, since)
        offsets = list(self.offsets[:keep])
        statuses = list(self.statuses[:keep])
        for offset, status in then:
            offsets.append(since + span(offset))
            statuses.append(status)
        return Timeline(self.start, tuple(offsets), tuple(statuses))

    def ending(self, position: int, status: str) -> Timeline:
        """This timeline up to ``position``, where it ends in ``status`` instead."""
        offsets = self.offsets[: position + 1]
        timed_out = self.timed_out and position == len(self.statuses) - 1
        return Timeline(self.start, offsets, (*self.statuses[:position], status), timed_out)


@dataclass(frozen=True)
class Lifecycle(Documented):
    """How jobs created from now on move through their statuses (what
    ``batchjobs_fake.<kind>.lifecycle()`` returns and ``.lifecycles`` lists).
    """

    _documented = ("outcome", "message", "durations", "match")

    statuses: ServiceStatuses
    outcome: str
    """The status a job ends in."""
    message: str | None = None
    """The failure message (Bedrock's ``message``, Personalize's ``failureReason``,
    SageMaker's ``FailureReason``), or ``None`` for the kind's default."""
    durations: Mapping[str, float] = field(default_factory=dict)
    """Seconds spent in each running status, where they differ from the kind's
    defaults."""
    match: str | None = None
    """A glob on job names: only jobs whose names match follow this lifecycle."""

    def applies_to(self, job_name: str) -> bool:
        """Whether this lifecycle governs a job called ``job_name``."""
        return self.match is None or fnmatch.fnmatchcase(job_name, self.match)

    def duration(self, status: str) -> float:
        """Seconds spent in ``status`` before the next one."""
        return float(self.durations.get(status, self.statuses.default_durations[status]))

    def timeline(self, submitted: _dt.datetime, expires: _dt.datetime | None = None) -> Timeline:
        """The timeline of a job submitted at ``submitted`` (a whole millisecond).

        ``expires`` is the job's timeout, for a kind that declares one (its
        :class:`Timeout`): a job that would not have begun working by then (or whose
        outcome is the timeout's ``not_begun``) stays queued and ends ``not_begun`` at
        that instant (Bedrock ``Expired``); one still working then ends ``unfinished``
        at that instant (``PartiallyCompleted``).
        """
        offsets, statuses = self._steps
        if expires is None:
            return Timeline(submitted, offsets, statuses)
        timeout = self.statuses.timeout
        if timeout is None:
            raise ValueError(f"{self.statuses.service} jobs have no timeout to expire at")
        limit = expires - submitted
        working = self._working
        if self.outcome == timeout.not_begun or offsets[working] >= limit:
            keep = bisect.bisect_left(offsets, limit, 0, working)
            return Timeline(
                submitted, (*offsets[:keep], limit), (*statuses[:keep], timeout.not_begun), True
            )
        if offsets[-1] > limit:
            keep = working + 1
            return Timeline(
                submitted, (*offsets[:keep], limit), (*statuses[:keep], timeout.unfinished), True
            )
        return Timeline(submitted, offsets, statuses)

    @functools.cached_property
    def run(self) -> _dt.timedelta:
        """How long a whole run takes: the planned time in the working status, to the
        millisecond as on the timeline. Records are processed evenly over it."""
        return span(self.duration(self.statuses.working))

    @functools.cached_property
    def _working(self) -> int:
        """The position on the timeline of the transition into the working status."""
        return self.statuses.running.index(self.statuses.working)

    @functools.cached_property
    def _steps(self) -> tuple[tuple[_dt.timedelta, ...], tuple[str, ...]]:
        """Each transition's offset from submission, and the status it enters."""
        running = self.statuses.running
        offsets = [_dt.timedelta(0)]
        for status in running:
            offsets.append(offsets[-1] + span(self.duration(status)))
        return tuple(offsets), (*running, self.outcome)
