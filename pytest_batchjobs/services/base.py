"""What both service backends share: operation dispatch, per-region state, listing."""

from __future__ import annotations

import abc
import contextlib
import datetime as _dt
import gc
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ..batch.runner import BatchRunner, JobData, Responder
from ..factory import JobFactory
from ..pagination import Page, Pagination
from ..time.lifecycles import Lifecycle, ServiceStatuses, Timeline
from ..tokens import InvalidToken, Position
from ..wire.constraints import summary, violations
from ..wire.errors import ServiceError
from ..wire.models import service_model
from ..wire.regions import partition_of
from .store import JobStore, Key

if TYPE_CHECKING:
    from ..time.clock import Clock
    from ..time.transitions import TransitionFeed

DEFAULT_ACCOUNT = "123456789012"

Handler = Callable[[Any, "CallContext", dict[str, Any]], dict[str, Any]]


J = TypeVar("J", bound="StoredJob")
T = TypeVar("T")


@dataclass(eq=False, kw_only=True, slots=True)
class StoredJob(abc.ABC):
    """What every stored job has: the request it was created with, and its timeline."""

    arn: str
    request: dict[str, Any]
    created: _dt.datetime
    timeline: Timeline
    lifecycle: Lifecycle
    sequence: int
    tags: dict[str, str] = field(default_factory=dict)
    reported: int = 0  # the index of the last transition reported (time/transitions.py)
    from_factory: bool = False
    failure: str | None = None  # why the input was refused, once it was read
    data: JobData | None = None  # the answered records, once the input was read

    # The listing key: the creation instant in microseconds (it never changes), then the
    # sequence. Set once, not computed on each read: sorting 100,000 jobs reads it often.
    key: Key = field(init=False)

    def __post_init__(self) -> None:
        self.key = (int(self.created.timestamp() * 1_000_000), self.sequence)

    @property
    def ident(self) -> str:
        return self.arn

    @property
    def name(self) -> str:
        return str(self.request["jobName"])

    @abc.abstractmethod
    def shown(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as the service's get / describe call shows it at ``now``."""


@dataclass(slots=True)
class CallContext:
    """Who calls, where, and when: fixed for the whole of one call."""

    account: str
    region: str
    now: _dt.datetime
    transport: str = "botocore"

    @property
    def partition(self) -> str:
        """The ARN partition of the region (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
        return partition_of(self.region) or "aws"


class NotOwned(Exception):
    """The call names a resource that is not a job of this fake (a tag operation on
    another kind of resource): moto may own it, when it is active."""


def handles(operation: str) -> Callable[[Handler], Handler]:
    """Mark a backend method as the handler of ``operation`` (API casing)."""

    def mark(method: Handler) -> Handler:
        method._batchjobs_operation = operation  # type: ignore[attr-defined]
        return method

    return mark


@dataclass
class RegionState(Generic[J]):
    """One service's state in one (account, region)."""

    jobs: JobStore[J] = field(default_factory=JobStore)
    idempotency: dict[str, tuple[str, str]] = field(default_factory=dict)


class Backend(abc.ABC, Generic[J]):
    """A faked service: its jobs per (account, region) and its operation handlers.

    Every handler runs under the backend's lock, so concurrent calls from many
    threads see and leave consistent state.
    """

    name: ClassVar[str]
    statuses: ClassVar[ServiceStatuses]
    validation_error: ClassVar[str]
    token_error: ClassVar[str]
    token_message: ClassVar[str]
    quota_error: ClassVar[str]
    quota_message: ClassVar[str]
    default_page_size: ClassVar[int]
    handlers: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {
            getattr(method, "_batchjobs_operation"): attribute  # noqa: B009
            for attribute, method in vars(cls).items()
            if hasattr(method, "_batchjobs_operation")
        }

    def __init__(self, clock: Clock, pagination: Pagination, feed: TransitionFeed) -> None:
        self._clock = clock
        self._pagination = pagination
        self.feed = feed
        self._lock = threading.RLock()
        self._regions: dict[tuple[str, str], RegionState[J]] = {}
        self._lifecycles: list[Lifecycle] = []
        self._default_lifecycle = Lifecycle(self.statuses, self.statuses.outcomes[0])
        self.max_active_jobs: int | None = None
        # Set by the fake that owns the backend.
        self.account_of: Callable[[], str] = lambda: DEFAULT_ACCOUNT
        self.default_region: Callable[[], str] = lambda: "us-east-1"
        # The factory, for one caller at a time: a context manager holding its lock.
        self.factory: Callable[[], contextlib.AbstractContextManager[JobFactory]] = lambda: (
            contextlib.nullcontext(JobFactory(0))
        )
        self.batch = BatchRunner()

    # -- dispatch ---------------------------------------------------------------------

    def call(self, operation: str, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        """Run ``operation``'s handler; the caller has checked that it is faked."""
        handler = getattr(self, self.handlers[operation])
        with self._lock:
            result: dict[str, Any] = handler(context, params)
        return result

    def reset(self) -> None:
        """Forget every job and lifecycle."""
        with self._lock:
            self._regions.clear()
            self._lifecycles.clear()
            self.max_active_jobs = None

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
        with self._lock:
            for state in self._regions.values():
                job = state.jobs.get(arn)
                if job is not None:
                    return job
        return None

    def all_jobs(self) -> Iterator[J]:
        """Every job in every region, region by region, in listing order."""
        with self._lock:
            jobs = [job for state in self._regions.values() for job in state.jobs]
        return iter(jobs)

    # -- lifecycles -------------------------------------------------------------------

    def lifecycle(
        self,
        outcome: str | None = None,
        *,
        message: str | None = None,
        durations: Mapping[str, float] | None = None,
        match: str | None = None,
    ) -> Lifecycle:
        """Set how jobs created from now on move through their statuses.

        ``outcome``: the end status (Bedrock ``Completed``, ``PartiallyCompleted``,
        ``Failed``, ``Expired``; Personalize ``ACTIVE``, ``CREATE FAILED``). A Bedrock
        job still ``InProgress`` at its timeout ends ``PartiallyCompleted`` then, one
        not begun ``Expired``; ``Expired`` keeps jobs ``Scheduled`` until their timeout.
        ``message``: Bedrock's ``message`` / Personalize's ``failureReason``.
        ``durations``: seconds spent in each running status, e.g.
        ``{"InProgress": 20 * 3600}`` or ``{"CREATE IN_PROGRESS": 600}``. ``match``: a
        glob on job names; only matching jobs follow this lifecycle. The newest
        matching lifecycle wins.
        """
        statuses = self.statuses
        chosen = statuses.outcomes[0] if outcome is None else outcome
        if chosen not in statuses.outcomes:
            raise ValueError(
                f"{self.name} lifecycle outcome {chosen!r} is not a status a job can end in; "
                f"choose one of: {', '.join(statuses.outcomes)}"
            )
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
        with self._lock:
            self._lifecycles.append(lifecycle)
        return lifecycle

    def responder(self, function: Responder | None) -> None:
        """Answer every input record of jobs with ``function(record)``.

        Bedrock: ``record`` is the input line (``recordId``, ``modelInput``); return the
        ``modelOutput``. Personalize: ``record`` is the input line (``userId``, ...);
        return the recommended item ids (or a dict with ``recommendedItems`` and
        ``scores``). Raise to make that record an error record. ``None`` restores the
        default, deterministic answers.
        """
        if function is not None and not callable(function):
            raise ValueError(f"responder must be a callable or None, got {function!r}")
        self.batch.responders[self.name] = function

    def quota(self, max_active_jobs: int | None) -> None:
        """Allow at most ``max_active_jobs`` unfinished jobs per (account, region);
        creating one more is the service's quota error. ``None`` lifts the quota."""
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
        """Raise the service's quota error if one more unfinished job is too many."""
        limit = self.max_active_jobs
        if limit is None:
            return
        now = context.now
        ends = self.statuses.ends
        jobs = self.state(context.account, context.region).jobs
        active = sum(1 for job in jobs if job.timeline.status(now) not in ends)
        if active >= limit:
            raise ServiceError(
                self.quota_error, self.quota_message.format(limit=limit, active=active)
            )

    # -- the factory ------------------------------------------------------------------

    create_operation: ClassVar[str]
    extra_overrides: ClassVar[tuple[str, ...]]

    def add_job(self, **overrides: Any) -> dict[str, Any]:
        """Put one realistic job straight into the store; return it as get/describe shows it.

        Overrides are in API casing: any member of the create request (``jobName``,
        ``modelId``, ``solutionVersionArn``, ...) and ``status``, ``region`` and the
        service's submit time and failure message (see :meth:`override_names`).
        """
        return self.add_jobs(1, **overrides)[0]

    def add_jobs(self, count: int, **overrides: Any) -> list[dict[str, Any]]:
        """Put ``count`` realistic jobs straight into the store, the same for the same seed.

        ``status`` may be one status, a list to cycle through, or a dict of weights
        (``{"Completed": 8, "Failed": 2}``). Each job is in its status at the fake
        clock's ``now``, with a timeline consistent with it, and is returned exactly as
        a get / describe call then shows it (instants to the millisecond). Values the
        API could never return (a negative record count, more error records than
        records, ...) are a ``ValueError`` that says what is allowed.
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"add_jobs needs a count >= 0, got {count!r}")
        unknown = sorted(set(overrides) - set(self.override_names()))
        if unknown:
            raise ValueError(
                f"{self.name} jobs have no field {', '.join(map(repr, unknown))}; valid "
                f"overrides: {', '.join(self.override_names())}"
            )
        region = overrides.pop("region", None) or self.default_region()
        spec = overrides.pop("status", self.statuses.outcomes[0])
        for named in [spec] if isinstance(spec, str) else list(spec):
            self.statuses.refuse_documented_only(named, f"{self.name} add_jobs status")
        # One lock at a time, never two: the factory's while it draws, then the
        # backend's while the jobs are stored, then none while hooks hear of them.
        with collector_paused():
            with self.factory() as factory:
                now = self._clock.now()
                account = self.account_of()
                context = CallContext(account, region, now, "factory")
                wanted = factory.statuses(spec, count)
                jobs = self.made_jobs(factory, context, wanted, dict(overrides))
            if jobs:
                # Generated values satisfy the model by construction; the overrides are the
                # same for every job: checking the first job's request covers them.
                self.checked_request(jobs[0].request)
            with self._lock:
                state = self.state(account, region)
                self.admit(state, jobs)
                state.jobs.add_many(jobs)
            self.feed.created_many(self.name, jobs, now)
            return [job.shown(now) for job in jobs]

    def override_names(self) -> list[str]:
        """What :meth:`add_job` accepts: the create request's members and a few more."""
        shape = service_model(self.name).operation_model(self.create_operation).input_shape
        return sorted({*shape.members, "status", "region", *self.extra_overrides})

    def checked_request(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` if the create request would accept them, else a ``ValueError``."""
        shape = service_model(self.name).operation_model(self.create_operation).input_shape
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
        """Factory jobs, one in each status of ``wanted`` (each service fills in its own
        fields); ``overrides`` hold the same value for every job."""

    def admit(self, state: RegionState[J], jobs: list[J]) -> None:
        """Refuse factory jobs the service could not hold (a repeated name, say)."""

    def lifecycle_for(self, job_name: str) -> Lifecycle:
        """The newest lifecycle that applies to ``job_name``, else the default."""
        for lifecycle in reversed(self._lifecycles):
            if lifecycle.applies_to(job_name):
                return lifecycle
        return self._default_lifecycle

    # -- errors and listing -----------------------------------------------------------

    def invalid(self, message: str) -> ServiceError:
        """The service's own validation error."""
        return ServiceError(self.validation_error, message)

    def page(
        self,
        context: CallContext,
        operation: str,
        params: dict[str, Any],
        filters: dict[str, Any],
        accept: Callable[[J], bool],
        descending: bool = True,
    ) -> tuple[list[J], str | None]:
        """One page of the region's jobs that ``accept`` lets through.

        ``filters`` are the query's own parameters: a token is only valid for the same.
        """
        pagination = self._pagination
        query = {
            "operation": operation,
            "account": context.account,
            "region": context.region,
            "descending": descending,
            **filters,
        }
        token = params.get("nextToken")
        try:
            position = pagination.position(token, query, context.now)
        except InvalidToken as error:
            raise ServiceError(self.token_error, f"{self.token_message} ({error}).") from None
        jobs = self.state(context.account, context.region).jobs
        candidates = jobs.walk(descending=descending, after=position.key, accept=accept)
        empty = pagination.policy.empty_pages and position.page % 2 == 0
        if empty:
            first = next(candidates, None)
            items: list[J] = []
            resume: Position | None = position if first is not None else None
        else:
            limit = pagination.limit(params.get("maxResults"), self.default_page_size)
            items, last = cut_page(candidates, limit, lambda job: job.key)
            resume = None if last is None else Position(last, position.page)
        next_token = None
        if resume is not None:
            next_token = pagination.codec.issue(
                query, Position(resume.key, position.page + 1), context.now
            )
        pagination.record(
            service=self.name,
            operation=operation,
            region=context.region,
            filters=filters,
            page=Page(
                number=position.page,
                time=context.now,
                token_in=token,
                token_out=next_token,
                items=[job.ident for job in items],
                max_results=params.get("maxResults"),
                empty_on_purpose=empty and next_token is not None,
            ),
        )
        return items, next_token


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


def cut_page(
    candidates: Iterator[T], limit: int, key_of: Callable[[T], Key]
) -> tuple[list[T], Key | None]:
    """The first ``limit`` candidates, and the key to continue from if more remain."""
    items: list[T] = []
    for item in candidates:
        if len(items) == limit:
            return items, key_of(items[-1])
        items.append(item)
    return items, None
