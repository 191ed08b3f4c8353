"""Realistic jobs in bulk, placed straight into the store, the same for the same seed.

Values come from the plugin's own word lists (``names``) and the seed: job names that
satisfy each API's pattern and are unique, S3 URIs, role ARNs, KMS keys; each job
kind's factory (its ``made_jobs``) draws its own fields from these columns (model ids,
solution version ARNs, failure messages). A job made with a status is in that status
at the fake clock's ``now``, and its timeline is consistent with it: a ``Completed``
job ended after it was submitted; an ``InProgress`` job finishes later as the clock
moves.

Randomness comes from one seed per fake (in pytest: derived from the session seed and
the test's node id), so the same seed gives the same jobs.

Memory: ``add_jobs(count)`` keeps about 2.3 KB per job for as long as the fake lives
(measured with tracemalloc and RSS over 100,000 jobs: 2.1 to 2.4 KiB a Bedrock job,
2.0 to 2.2 KiB a Personalize one), so 100,000 jobs cost about 230 MB and 1,000,000
about 2.3 GB; the list of jobs it returns is built on top of that. The control API
takes at most 1,000,000 jobs per request.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import itertools
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ...time.lifecycles import Lifecycle, ServiceStatuses, Timeline, to_millis
from .names import NamePools

SPREAD = _dt.timedelta(days=30)

T = TypeVar("T")


def seed_for_test(session_seed: int, node_id: str) -> int:
    """The seed of one test's fake: stable across runs for the same session seed."""
    digest = hashlib.sha256(f"{session_seed}:{node_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@functools.cache
def _triples(alphabet: str) -> tuple[str, ...]:
    """Every string of three characters from ``alphabet``."""
    return tuple(a + b + c for a in alphabet for b in alphabet for c in alphabet)


@dataclass(slots=True)
class Placed:
    """Where a new job sits in time: its lifecycle, submit instant and timeline, and when
    its timeout ends it (if it has one)."""

    lifecycle: Lifecycle
    submitted: _dt.datetime
    timeline: Timeline
    expires: _dt.datetime | None


@dataclass(frozen=True)
class _Plan:
    """A lifecycle's timing, worked out once: seconds in each running status, the
    seconds before each running status begins, their total, and how long a stopped job
    shows its stopping status (Bedrock ``Stopping``)."""

    lifecycle: Lifecycle
    durations: dict[str, float]
    before: dict[str, float]
    running_total: float
    stopping: float

    @classmethod
    def of(cls, lifecycle: Lifecycle) -> _Plan:
        running = lifecycle.statuses.running
        durations = {status: lifecycle.duration(status) for status in running}
        before, total = {}, 0.0
        for status in running:
            before[status] = total
            total += durations[status]
        word = lifecycle.statuses.stopping
        stopping = 60.0 if word is None else lifecycle.duration(word)
        return cls(lifecycle, durations, before, total, stopping)


class JobFactory:
    """Realistic request parameters and timelines, from one seed.

    Values are drawn a column at a time (``names(n)``, ``picks(values, n)``, ...):
    one call for many jobs costs far less than one call per job, which is what lets
    the factory fill a store with 100,000 jobs in a couple of seconds.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.random = random.Random(seed)
        pools = NamePools.draw(self.random)
        self.stems, self._teams, self._roles = pools.stems, pools.teams, pools.roles
        self._numbers = itertools.count(1)
        self._lifecycles: dict[tuple[Any, ...], Lifecycle] = {}
        self._plans: dict[int, _Plan] = {}  # by id() of the lifecycle
        self._days: dict[int, str] = {}  # date path segments, by day
        self._now = self._now_millis = _dt.datetime.min

    # -- values, a column at a time ---------------------------------------------------

    def each(self, given: T | None, count: int, draw: Callable[[int], list[T]]) -> list[T]:
        """``given`` for every job when it is set (an override), else ``draw(count)``."""
        return [given] * count if given is not None else draw(count)

    def picks(self, values: Sequence[T], count: int) -> list[T]:
        """``count`` values chosen from ``values``."""
        return self.random.choices(values, k=count)

    def integers(self, low: int, high: int, count: int) -> list[int]:
        """``count`` integers from ``low`` to ``high`` inclusive."""
        draw, span = self.random.random, high - low + 1
        return [low + int(draw() * span) for _ in range(count)]

    def fractions(self, low: float, high: float, count: int) -> list[float]:
        """``count`` numbers between ``low`` and ``high``."""
        draw, span = self.random.random, high - low
        return [low + draw() * span for _ in range(count)]

    def names(self, kind: str, count: int) -> list[str]:
        """Unique, pattern-satisfying job names (letters, digits and dashes)."""
        numbers = self._numbers
        return [f"{stem}-{kind}-{next(numbers):05d}" for stem in self.picks(self.stems, count)]

    def buckets(self, purpose: str, count: int) -> list[str]:
        """S3 bucket names (3 to 63 lower-case letters, digits, dashes)."""
        names = [f"{team.lower()}-{purpose}"[:63].strip("-") for team in self._teams]
        return self.picks(names, count)

    def roles(self, account: str, count: int) -> list[str]:
        """IAM role ARNs."""
        arns = [f"arn:aws:iam::{account}:role/service-role/{role}" for role in self._roles]
        return self.picks(arns, count)

    def kms_keys(self, region: str, account: str, share: float, count: int) -> list[str | None]:
        """KMS key ARNs for about ``share`` of ``count`` jobs, ``None`` for the rest."""
        draw, bits = self.random.random, self.random.getrandbits
        return [
            f"arn:aws:kms:{region}:{account}:key/{uuid.UUID(int=bits(128), version=4)}"
            if draw() < share
            else None
            for _ in range(count)
        ]

    def tokens(self, count: int) -> list[str]:
        """Idempotency tokens (32 hex digits)."""
        bits = self.random.getrandbits
        return [f"{bits(128):032x}" for _ in range(count)]

    def ids(self, alphabet: str, length: int, count: int) -> list[str]:
        """``count`` ids of ``length`` characters from ``alphabet`` (drawn three
        characters at a time, a third of the draws)."""
        triples, rest = divmod(length, 3)
        chunks = self.picks(_triples(alphabet), triples * count)
        ends = self.picks(alphabet, rest * count)
        return [
            "".join(chunks[index * triples : (index + 1) * triples])
            + "".join(ends[index * rest : (index + 1) * rest])
            for index in range(count)
        ]

    def day(self, submitted: _dt.datetime) -> str:
        """A date path segment, as pipelines lay out their S3 prefixes."""
        ordinal = submitted.toordinal()
        found = self._days.get(ordinal)
        if found is None:
            found = self._days[ordinal] = submitted.strftime("%Y/%m/%d")
        return found

    def statuses(self, spec: str | Sequence[str] | Mapping[str, float], count: int) -> list[str]:
        """``count`` statuses from one status, a list to cycle through, or weights."""
        if isinstance(spec, str):
            return [spec] * count
        if isinstance(spec, Mapping):
            names, weights = list(spec), list(spec.values())
            return self.random.choices(names, weights=weights, k=count)
        cycle = list(spec)
        return [cycle[index % len(cycle)] for index in range(count)]

    # -- time -------------------------------------------------------------------------

    def _lifecycle(
        self,
        statuses: ServiceStatuses,
        outcome: str,
        message: str | None,
        durations: dict[str, float],
        plan: _Plan,
    ) -> Lifecycle:
        """A lifecycle, shared between jobs that have the same one (most do)."""
        timing = id(plan) if durations is plan.durations else tuple(sorted(durations.items()))
        key = (statuses.running, outcome, message, timing)
        found = self._lifecycles.get(key)
        if found is None:
            found = self._lifecycles[key] = Lifecycle(statuses, outcome, message, durations)
        return found

    def _plan(self, lifecycle: Lifecycle) -> _Plan:
        found = self._plans.get(id(lifecycle))
        if found is None or found.lifecycle is not lifecycle:
            found = self._plans[id(lifecycle)] = _Plan.of(lifecycle)
        return found

    def _millis(self, now: _dt.datetime) -> _dt.datetime:
        """``now`` cut to the millisecond, worked out once for all the jobs of a call."""
        if now is not self._now:
            self._now, self._now_millis = now, to_millis(now)
        return self._now_millis

    def place(
        self,
        base: Lifecycle,
        status: str,
        now: _dt.datetime,
        *,
        submitted: _dt.datetime | None,
        timeout: _dt.timedelta | None,
        message: str | None,
        failure: str | None = None,
    ) -> Placed:
        """A timeline on which the job is in ``status`` at ``now``.

        ``base`` is the lifecycle the job would follow if created now (the service's
        default, or the newest ``lifecycle()`` matching its name): its durations, and
        for a job still running, its outcome. The job's message is ``message``, else
        the base's (if the job ends as the base does), else ``failure`` for a job in
        one of its kind's failed statuses.

        The statuses are the kind's words (``base.statuses``): a stopped job's are its
        ``stopping`` and ``stopped``, and ``timeout`` is the job's timeout, for a kind
        that declares one. Without ``submitted``, the job is placed at random: a running
        job somewhere in its status, an ended one up to 30 days ago. With it, durations
        stretch or shrink to fit. An impossible request (an ``InProgress`` job submitted
        before its timeout ran out) is a ``ValueError`` that says why.
        """
        rng = self.random
        statuses = base.statuses
        plan = self._plan(base)
        durations = plan.durations  # shared by most jobs: copied before any change
        stopping, running_total = plan.stopping, plan.running_total
        if submitted is not None:
            submitted = to_millis(submitted)
        elapsed = None if submitted is None else (now - submitted).total_seconds()
        outcome = base.outcome
        stop_at: float | None = None
        stopping_word, stopped_word = statuses.stopping, statuses.stopped
        ends_at_timeout = statuses.timeout
        if status in plan.before:
            before = plan.before[status]
            if elapsed is None:
                elapsed = before + rng.uniform(0, durations[status] * 0.999)
            else:
                durations = dict(durations)
                if elapsed < before:
                    for earlier in statuses.running[: statuses.running.index(status)]:
                        durations[earlier] *= elapsed / before if before else 0.0
                    before = elapsed
                durations[status] = max(durations[status], elapsed - before + rng.uniform(60, 3600))
        elif status in statuses.stop:
            if elapsed is None:
                stop_at = rng.uniform(0, running_total * 0.999)
                extra = (
                    rng.uniform(0, stopping * 0.999)
                    if status == stopping_word
                    else (stopping + rng.uniform(0, SPREAD.total_seconds()))
                )
                elapsed = stop_at + extra
            else:
                room = elapsed - (0 if status == stopping_word else stopping)
                if room < 0:
                    raise ValueError(
                        f"{_a(stopped_word)} job needs at least {stopping:g} s between "
                        f"submission and now ({stopping_word} lasts that long); it was "
                        f"submitted {elapsed:g} s ago"
                    )
                stop_at = (
                    max(0.0, room - rng.uniform(0, min(room, stopping * 0.999)))
                    if (status == stopping_word)
                    else rng.uniform(0, room)
                )
                if stop_at >= running_total:
                    durations = dict(durations)
                    durations[statuses.running[-1]] += stop_at - running_total + 3600
        elif status in statuses.outcomes:
            outcome = status
            if ends_at_timeout is not None and status == ends_at_timeout.not_begun:
                if timeout is None:
                    raise ValueError(f"only jobs with a timeout can be {status}")
                floor = timeout.total_seconds()
                if elapsed is None:
                    elapsed = floor + rng.uniform(0, SPREAD.total_seconds())
                elif elapsed < floor:
                    raise ValueError(
                        f"{_a(status)} job must have been submitted at least {timeout} ago "
                        f"(its {ends_at_timeout.setting})"
                    )
            elif elapsed is None:
                elapsed = running_total + rng.uniform(0, SPREAD.total_seconds())
            elif elapsed <= running_total:
                scale = elapsed * 0.9 / running_total
                durations = {s: d * scale for s, d in durations.items()}
        else:
            raise ValueError(
                f"unknown status {status!r}; valid statuses: {', '.join(statuses.every)}"
            )
        assert elapsed is not None
        if submitted is None:  # a whole millisecond, as every instant of a job
            start = self._millis(now) - _dt.timedelta(milliseconds=int(elapsed * 1000))
        else:
            start = submitted
        if message is None:
            failed = failure if status in statuses.failed else None
            message = (base.message if outcome == base.outcome else None) or failed
        lifecycle = self._lifecycle(statuses, outcome, message, durations, plan)
        expires = None if timeout is None else start + timeout
        timeline = lifecycle.timeline(start, expires)
        if stop_at is not None:
            timeline = timeline.interrupted(
                start + _dt.timedelta(seconds=stop_at),
                [(0.0, statuses.stop[0]), (stopping, statuses.stop[1])],
            )
        if timeline.status(now) != status:
            raise ValueError(
                f"a job submitted at {start.isoformat()} cannot be {status} at "
                f"{now.isoformat()}: it would be {timeline.status(now)} by then"
                + _timeout_explained(statuses)
            )
        return Placed(lifecycle, start, timeline, expires)


def _timeout_explained(statuses: ServiceStatuses) -> str:
    """How the kind's timeout ends a job, for a message (nothing for a kind without
    one): `` (a Bedrock job ends at its timeout, submitTime + ...: Expired if ...)``."""
    timeout = statuses.timeout
    if timeout is None:
        return ""
    return (
        f" (a {statuses.service} job ends at its timeout, {timeout.submitted} + "
        f"{timeout.setting}: {timeout.not_begun} if it had not begun, {timeout.unfinished} "
        f"if it was {statuses.working})"
    )


def _a(word: str | None) -> str:
    """``word`` after its indefinite article: ``an Expired``, ``a STOPPED``."""
    return f"{'an' if str(word)[:1].lower() in 'aeiou' else 'a'} {word}"
