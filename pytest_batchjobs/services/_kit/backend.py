"""One job kind of one fake: its jobs per (account, region), its lifecycles, its quota,
the factory's jobs, and dispatch to its handlers.

A job kind subclasses :class:`KindBackend`, marks one method per operation with
:func:`handles`, and fills in what differs: how a job is made (:meth:`~KindBackend.new_job`
and, for the factory, :meth:`~KindBackend.made_jobs`) and found.
"""

from __future__ import annotations

import abc
import contextlib
import gc
import json
import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from ...time.lifecycles import Lifecycle
from ...wire.constraints import summary, violations
from ...wire.errors import ServiceError
from ...wire.members import lacked, refuse_newer
from ...wire.models import service_model
from .context import CallContext
from .factory import JobFactory
from .job import StoredJob
from .listing import page
from .outputs import Outputs, Responder
from .store import JobStore, Window

if TYPE_CHECKING:
    import datetime as _dt

    from ...policies.pagination import Pager
    from ...time.clock import Clock
    from .spec import JobKind, Service
    from .storage import Storage

Handler = Callable[[Any, CallContext, dict[str, Any]], dict[str, Any]]
J = TypeVar("J", bound=StoredJob)


class Feed(Protocol):
    """Where jobs' creation and transitions are reported (the fake's transition feed)."""

    def created(self, service: str, job: Any, now: _dt.datetime) -> None: ...

    def created_many(self, service: str, jobs: Sequence[Any], now: _dt.datetime) -> None: ...

    def rescheduled(self, service: str, job: Any) -> None: ...

    def watch(self, watcher: Callable[[_dt.datetime], None]) -> None: ...


@dataclass
class Parts:
    """The parts of one fake every job kind uses: its clock, its pages, its transition
    feed, its outputs' storage, its account and default region, its factory."""

    clock: Clock
    pager: Pager
    feed: Feed
    storage: Storage
    account_of: Callable[[], str]
    default_region: Callable[[], str]
    # The factory, for one caller at a time: a context manager holding its lock.
    factory: Callable[[], contextlib.AbstractContextManager[JobFactory]]


def handles(operation: str) -> Callable[[Handler], Handler]:
    """Mark a backend method as the handler of ``operation`` (API casing)."""

    def mark(method: Handler) -> Handler:
        method._batchjobs_operation = operation  # type: ignore[attr-defined]
        return method

    return mark


@dataclass
class RegionState(Generic[J]):
    """One kind's jobs in one (account, region), and the idempotency tokens seen."""

    jobs: JobStore[J] = field(default_factory=JobStore)
    idempotency: dict[str, tuple[str, str]] = field(default_factory=dict)


class KindBackend(abc.ABC, Generic[J]):
    """One job kind: its jobs per (account, region) and its operation handlers.

    Every handler runs under the backend's lock, so concurrent calls from many
    threads see and leave consistent state.
    """

    handlers: ClassVar[dict[str, str]]  # operation -> method name, from @handles
    outputs_class: ClassVar[type[Outputs]] = Outputs
    quota_error: ClassVar[str]
    quota_message: ClassVar[str]  # with {limit} and {active}
    default_page_size: ClassVar[int]
    extra_overrides: ClassVar[tuple[str, ...]]  # factory fields beyond the create request

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {
            getattr(method, "_batchjobs_operation"): attribute  # noqa: B009
            for attribute, method in vars(cls).items()
            if hasattr(method, "_batchjobs_operation")
        }

    def __init__(self, kind: JobKind, service: Service, parts: Parts) -> None:
        self.kind = kind
        self.service = service
        self.parts = parts
        self.lock = threading.RLock()
        self.outputs = self.outputs_class(parts.storage)
        self._regions: dict[tuple[str, str], RegionState[J]] = {}
        self.lifecycles: list[Lifecycle] = []
        self.default_outcome = kind.statuses.outcomes[0]
        self._default_lifecycle = Lifecycle(kind.statuses, self.default_outcome)
        self.max_active_jobs: int | None = None
        self._random = random.Random()  # the kind's own draws (job ids); seeded by the fake
        self._seed: int | None = None  # the seed to give it before its next draw
        # An exploration's lifecycle for each new job no lifecycle of the test governs
        # (None, or a None answer: the default).
        self.plan: Callable[[str], Lifecycle | None] | None = None

    @property
    def name(self) -> str:
        return self.kind.name

    def seed(self, seed: int) -> None:
        """Seed the kind's own randomness (its job ids, if it draws them): the fake's
        seed, at its start and on every reset. It is seeded before its next draw, not
        now: seeding takes microseconds, at every reset of every kind, and most tests
        draw from one kind or none."""
        self._seed = seed

    @property
    def random(self) -> random.Random:
        """The kind's own randomness, seeded with the fake's seed since its last reset."""
        if self._seed is not None:
            self._random.seed(self._seed)
            self._seed = None
        return self._random

    # -- dispatch ---------------------------------------------------------------------

    def handler(self, operation: str) -> Callable[[CallContext, dict[str, Any]], dict[str, Any]]:
        """The bound handler of ``operation`` (one the kind handles)."""
        method: Callable[[CallContext, dict[str, Any]], dict[str, Any]] = getattr(
            self, self.handlers[operation]
        )
        return method

    def endpoint(self, operation: str) -> Callable[[CallContext, dict[str, Any]], dict[str, Any]]:
        """What answers ``operation``: its handler, run under the lock."""
        handler = self.handler(operation)
        lock = self.lock

        def call(context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
            with lock:
                return handler(context, params)

        return call

    def reset(self) -> None:
        """Forget every job, lifecycle, the quota, the responder and output settings."""
        with self.lock:
            self._regions.clear()
            self.lifecycles.clear()
            self.plan = None
            self.max_active_jobs = None
            self.outputs.reset()

    def state(self, account: str, region: str) -> RegionState[J]:
        """The state of (account, region), created empty on first use (call it with
        the lock held)."""
        key = (account, region)
        found = self._regions.get(key)
        if found is None:
            found = self._regions[key] = RegionState()
        return found

    def stored(self, arn: str) -> J | None:
        """The job with ARN ``arn``, in whichever account and region it lives."""
        with self.lock:
            for state in self._regions.values():
                job = state.jobs.get(arn)
                if job is not None:
                    return job
        return None

    def all_jobs(self) -> Iterator[J]:
        """Every job in every region, region by region, in listing order."""
        with self.lock:
            jobs = [job for state in self._regions.values() for job in state.jobs]
        return iter(jobs)

    def job_arn(self, context: CallContext, ident: str) -> str:
        """The ARN of the job ``ident`` (its id or name) in the caller's (account, region)."""
        return self.kind.arn_of(context.partition, context.region, context.account, ident)

    @abc.abstractmethod
    def find_arn(self, context: CallContext, arn: str) -> J:
        """The job with ``arn`` in the caller's (account, region), else the kind's own
        ResourceNotFoundException."""

    def created(self, state: RegionState[J], job: J, now: _dt.datetime) -> None:
        """Store a job created by a call, and report it."""
        state.jobs.add(job)
        self.parts.feed.created(self.name, job, now)

    def create_once(
        self,
        context: CallContext,
        params: dict[str, Any],
        conflict: str,
        make: Callable[[], J],
        check: Callable[[], None] | None = None,
    ) -> str:
        """Create a job for the call with ``make()``, once per ``clientRequestToken``;
        return its ARN.

        The token again with the same request returns the job it made; with another
        request it is the ``ConflictException`` ``conflict`` words (with ``{token}`` and
        ``{arn}``). A new request runs ``check`` (the kind's own refusals), then the
        quota, before the job is made.
        """
        state = self.state(context.account, context.region)
        token = params.get("clientRequestToken")
        fingerprint = json.dumps(
            {k: v for k, v in params.items() if k != "clientRequestToken"},
            sort_keys=True,
            default=str,
        )
        if token is not None and token in state.idempotency:
            previous, arn = state.idempotency[token]
            if previous != fingerprint:
                raise ServiceError("ConflictException", conflict.format(token=token, arn=arn))
            return arn
        if check is not None:
            check()
        self.check_quota(context)
        job = make()
        self.created(state, job, context.now)
        if token is not None:
            state.idempotency[token] = (fingerprint, job.arn)
        return job.arn

    # -- what happens to a job's data -------------------------------------------------

    def on_transition(self, job: J, new: str) -> bool:
        """Do what a job does on entering ``new``; whether its timeline changed."""
        if job.from_factory:
            return False
        return self.outputs.on_transition(job, new)

    def stop_job(self, job: J, now: _dt.datetime) -> None:
        """Stop ``job`` at ``now``: the kind's stopping status from then (Bedrock
        ``Stopping``), its stopped status after the lifecycle's duration of the
        stopping one (``Stopped``); the feed reports the new transitions."""
        statuses = self.kind.statuses
        if not statuses.stop:
            raise TypeError(f"{self.name} jobs cannot be stopped: the kind declares no stop")
        stopping, stopped = statuses.stop
        seconds = job.lifecycle.duration(stopping)
        job.timeline = job.timeline.interrupted(now, [(0.0, stopping), (seconds, stopped)])
        self.parts.feed.rescheduled(self.name, job)

    def responder(self, function: Responder | None) -> None:
        if function is not None and not callable(function):
            raise ValueError(f"responder must be a callable or None, got {function!r}")
        self.outputs.responder = function

    # -- lifecycles and the quota -----------------------------------------------------

    def lifecycle(
        self,
        outcome: str | None = None,
        *,
        message: str | None = None,
        durations: Mapping[str, float] | None = None,
        match: str | None = None,
    ) -> Lifecycle:
        statuses = self.kind.statuses
        chosen = self.default_outcome if outcome is None else outcome
        self.check_outcome(chosen)
        timing = dict(durations or {})
        for status, seconds in timing.items():
            statuses.refuse_documented_only(status, f"{self.name} lifecycle durations")
            if status not in statuses.default_durations:
                raise ValueError(
                    f"{self.name} lifecycle durations: {status!r} is not a status with a "
                    f"duration; valid ones: {', '.join(statuses.default_durations)}"
                )
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                raise ValueError(
                    f"{self.name} lifecycle durations: {status!r} must last a number of "
                    f"seconds >= 0, got {seconds!r}"
                )
        lifecycle = Lifecycle(statuses, chosen, message, timing, match)
        with self.lock:
            self.lifecycles.append(lifecycle)
        return lifecycle

    def check_outcome(self, outcome: str) -> None:
        """A ``ValueError`` unless ``outcome`` is a status a lifecycle can end in."""
        outcomes = self.kind.statuses.outcomes
        if outcome not in outcomes:
            raise ValueError(
                f"{self.name} lifecycle outcome {outcome!r} is not a status a job can end in; "
                f"choose one of: {', '.join(outcomes)}"
            )

    def end_in(self, outcome: str) -> None:
        """Make ``outcome`` the end of jobs no lifecycle governs, and of lifecycles set
        without one (the outcome of a ``batchjobs_outcomes`` run; kept across resets)."""
        self.check_outcome(outcome)
        with self.lock:
            self.default_outcome = outcome
            self._default_lifecycle = Lifecycle(self.kind.statuses, outcome)

    def lifecycle_for(self, job_name: str, *, explored: bool = True) -> Lifecycle:
        """The newest lifecycle that applies to ``job_name``, else an exploration's plan
        for it (for a job a client creates: ``explored``; the factory's jobs keep the
        status the test gave them), else the default."""
        for lifecycle in reversed(self.lifecycles):
            if lifecycle.applies_to(job_name):
                return lifecycle
        plan = self.plan if explored else None
        planned = None if plan is None else plan(job_name)
        return self._default_lifecycle if planned is None else planned

    def quota(self, max_active_jobs: int | None) -> None:
        if max_active_jobs is not None and (
            isinstance(max_active_jobs, bool)
            or not isinstance(max_active_jobs, int)
            or max_active_jobs < 0
        ):
            raise ValueError(
                f"{self.name} quota: max_active_jobs must be an integer >= 0 or None, "
                f"got {max_active_jobs!r}"
            )
        self.max_active_jobs = max_active_jobs

    def check_quota(self, context: CallContext) -> None:
        """Raise the kind's quota error if one more unfinished job is too many."""
        limit = self.max_active_jobs
        if limit is None:
            return
        now = context.now
        ends = self.kind.statuses.ends
        jobs = self.state(context.account, context.region).jobs
        active = sum(1 for job in jobs if job.timeline.status(now) not in ends)
        if active >= limit:
            raise ServiceError(
                self.quota_error, self.quota_message.format(limit=limit, active=active)
            )

    # -- the factory ------------------------------------------------------------------

    def add_jobs(self, count: int, **overrides: Any) -> list[dict[str, Any]]:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"add_jobs needs a count >= 0, got {count!r}")
        self.refuse_newer(overrides)
        unknown = sorted(set(overrides) - set(self.override_names()))
        if unknown:
            raise ValueError(
                f"{self.name} jobs have no field {', '.join(map(repr, unknown))}; valid "
                f"overrides: {', '.join(self.override_names())}"
            )
        parts = self.parts
        region = overrides.pop("region", None) or parts.default_region()
        statuses = self.kind.statuses
        spec = overrides.pop("status", statuses.outcomes[0])
        for named in [spec] if isinstance(spec, str) else list(spec):
            statuses.refuse_documented_only(named, f"{self.name} add_jobs status")
        # One lock at a time, never two: the factory's while it draws, then the
        # backend's while the jobs are stored, then none while hooks hear of them.
        with collector_paused():
            with parts.factory() as factory:
                now = parts.clock.now()
                account = parts.account_of()
                context = CallContext(account, region, now, "factory")
                wanted = factory.statuses(spec, count)
                jobs = self.made_jobs(factory, context, wanted, dict(overrides))
            if jobs:
                # Generated values satisfy the model by construction; the overrides are the
                # same for every job: checking the first job's request covers them.
                self.checked_request(jobs[0].request)
            with self.lock:
                state = self.state(account, region)
                self.admit(state, jobs)
                state.jobs.add_many(jobs)
            parts.feed.created_many(self.name, jobs, now)
            return [job.shown(now) for job in jobs]

    def override_names(self) -> list[str]:
        """The create request's members and the kind's other factory fields, those the
        loaded model shows (an older botocore's lacks some), and the job's status and
        region."""
        service = self.service.name
        shape = service_model(service).operation_model(self.kind.create).input_shape
        extras = [name for name in self.extra_overrides if lacked(service, name) is None]
        return sorted({*shape.members, "status", "region", *extras})

    def refuse_newer(self, overrides: Mapping[str, Any]) -> None:
        """A ``ValueError`` for an override the loaded botocore model lacks."""
        kind = self.kind
        refuse_newer(kind.name, kind.service, kind.create, overrides)

    def checked_request(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` if the create request would accept them, else a ``ValueError``."""
        shape = service_model(self.service.name).operation_model(self.kind.create).input_shape
        problems = violations(shape, params)
        if problems:
            raise ValueError(f"{self.name} would reject this job: {summary(problems)}")
        return params

    @abc.abstractmethod
    def made_jobs(
        self,
        factory: JobFactory,
        context: CallContext,
        wanted: list[str],
        overrides: dict[str, Any],
    ) -> list[J]:
        """Factory jobs, one in each status of ``wanted`` (each kind fills in its own
        fields); ``overrides`` hold the same value for every job."""

    def admit(self, state: RegionState[J], jobs: list[J]) -> None:
        """Refuse factory jobs the service could not hold (a repeated name, say)."""

    # -- listing ----------------------------------------------------------------------

    def page(
        self,
        context: CallContext,
        params: dict[str, Any],
        filters: dict[str, Any],
        accept: Callable[[J], bool],
        descending: bool = True,
        order: Callable[[J], Any] | None = None,
        window: Window = (None, None),
        status: str | None = None,
        fixed_order: bool = False,
    ) -> tuple[list[J], str | None]:
        """One page of the region's jobs that ``accept`` lets through, for the kind's
        list operation; ``filters`` are the query's own parameters (a token is only
        valid for the same); ``order`` sorts by something other than creation
        (``fixed_order``: something a job keeps for life, such as its name); ``window``
        bounds the keys of the jobs ``accept`` can let through; ``status`` is the status
        ``accept`` requires at the call's now, if any."""
        return page(
            self.parts.pager,
            self.service,
            self.kind.listing,
            self.state(context.account, context.region).jobs,
            context,
            params,
            filters,
            accept,
            descending,
            self.default_page_size,
            order,
            window,
            status,
            fixed_order,
        )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the factory builds many jobs.

    The jobs hold no reference cycles, but allocating a million containers sets off
    full collections that rescan the whole heap again and again: a third of the time
    of 100,000 jobs. Collection resumes (if it was on) as soon as the jobs are stored.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
