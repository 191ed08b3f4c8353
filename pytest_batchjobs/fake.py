"""BatchJobsFake: the composition root, and the façade tests hold.

It builds one fake's parts (the clock, a backend per job kind of the registry, the
journal, the faults, the pagination controls, the request pipeline every transport
hands its requests to) and shows the documented controls; starting it puts its
pipeline on the active stack, where the transports find it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import os
import random
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from typing import TYPE_CHECKING, Any

from . import active
from .activation import SHARED
from .arguments import did_you_mean
from .core.backends import assemble
from .core.pipeline import Pipeline
from .core.registry import KINDS, LIST_OPERATIONS, SERVICES
from .events.log import EventLog, Handler
from .neighbours.moto import moto_active
from .options import FakeOptions
from .policies.faults import FaultRules, Faults
from .policies.journal import Call, Journal, JournalControls
from .policies.pagination import PagePolicy, Pager, Pagination
from .policies.statuses import StatusesSeen
from .services._kit.backend import Parts
from .services._kit.context import DEFAULT_ACCOUNT
from .services._kit.factory import JobFactory
from .services._kit.storage import Storage
from .time import loop_patch
from .time.clock import DEFAULT_HORIZON, Clock
from .time.transitions import TransitionFeed
from .wire.facts import default_region

if TYPE_CHECKING:
    from .services._kit.controls import JobControls
    from .services._kit.job import StoredJob
    from .services.bedrock.invocation_jobs.controls import InvocationJobControls
    from .time.lifecycles import Timeline


class BatchJobsFake(ContextDecorator):
    """An in-memory Amazon Personalize, Amazon Bedrock and SageMaker batch-job service.

    Use it as the ``batchjobs_fake`` fixture in pytest, or outside pytest as a context
    manager or decorator (``with fake_batchjobs() as fake: ...``). While active, every
    botocore client's calls to the faked services are answered here, inside botocore's
    own send path, so its serializer, signer, parser and retry handler all run;
    ``requests`` calls to the services' endpoints are answered through ``responses``;
    a :class:`~pytest_batchjobs.FakeServer` serves the same fake to other languages.
    Time is frozen (``clock``), ``time.sleep`` lets fake time pass, and
    ``bedrock`` / ``personalize`` / ``sagemaker`` (jobs, lifecycles, quotas, responders),
    ``faults``, ``pagination``, the call journal (``calls``, ``assert_called``) and
    the jobs' EventBridge events (``events``, ``assert_event``, ``on_event``) control
    and observe it.
    """

    clock: Clock
    """Fake time: ``now()``, ``advance()``, ``sleep()``."""
    pagination: Pagination
    """Page controls, the pagination sequences, and assertions on them."""
    faults: Faults
    """Injected errors, throttling, chaos, broken connections."""
    journal: JournalControls
    """How many calls the journal keeps (``limit``), and how many it let go."""
    # The controls of each job kind of the registry: set from it in __init__, declared
    # here for type checkers (tests/test_registry.py checks that the two agree).
    bedrock: InvocationJobControls
    """Bedrock model invocation jobs: the factory, lifecycles, the quota, responders,
    record limits."""
    personalize: JobControls
    """Personalize batch inference jobs: the factory, lifecycles, the quota, responders."""
    personalize_segments: JobControls
    """Personalize batch segment jobs: the factory, lifecycles, the quota, responders."""
    sagemaker: JobControls
    """SageMaker transform jobs: the factory, lifecycles, the quota, responders."""
    bedrock_async: JobControls
    """Bedrock async invocations (bedrock-runtime StartAsyncInvoke): the factory,
    lifecycles, the quota, responders."""

    def __init__(
        self,
        *,
        start: _dt.datetime | None = None,
        clock: str = "auto",
        account: str | None = None,
        max_page_size: int | None = None,
        validate_outputs: bool = False,
        sleep: bool = True,
        loop_time: bool = True,
        horizon: _dt.timedelta | None = DEFAULT_HORIZON,
        hook: Any = None,
        seed: int | None = None,
    ) -> None:
        self.clock = Clock(start, clock, horizon)
        self.clock._horizon.message = self._horizon_message
        self.clock._on_change(self._observe_time)
        self.clock._on_change(loop_patch.moved)
        self.clock._on_due(self._next_due)
        self.clock._report = self._report
        if account is not None and not (len(account) == 12 and account.isdigit()):
            raise ValueError(f"an AWS account id is 12 digits, got {account!r}")
        self._account = account
        pager = Pager(PagePolicy(max_page_size=max_page_size))
        self.pagination = Pagination(pager, LIST_OPERATIONS)
        self._sleep = sleep
        self._loop_time = loop_time
        self._hook = hook
        self._feed = TransitionFeed(self._job_created, self._status_changed)
        self._hooked = hook is not None and bool(
            hook.pytest_batchjobs_job_created.get_hookimpls()
            or hook.pytest_batchjobs_status_changed.get_hookimpls()
        )
        self._seed = random.randrange(2**32) if seed is None else seed
        self._retry_jitter = random.Random(self._seed)  # botocore's backoff (retry_jitter)
        self._factory: JobFactory | None = None
        self._factory_lock = threading.RLock()
        self._storage = Storage()
        parts = Parts(
            clock=self.clock,
            pager=pager,
            feed=self._feed,
            storage=self._storage,
            account_of=self._account_of,
            default_region=default_region,
            factory=self._job_factory,
        )
        self._backends = assemble(parts)
        self._events = EventLog(
            [backend.kind for backend in self._backends.kinds.values()], self._report
        )
        self._events.reset(self._seed)
        for name, backend in self._backends.kinds.items():
            setattr(self, name, backend.kind.controls(backend))
            backend.seed(self._seed)
        endpoints = self._backends.endpoints
        self._journal = Journal(endpoints)
        self.journal = JournalControls(self._journal)
        self._statuses = StatusesSeen()
        rules = FaultRules()
        self.faults = Faults(
            rules,
            {s.name: self._backends.faked_operations(s.name) for s in SERVICES},
            {s.name: s.common_errors for s in SERVICES},
        )
        self._core = Pipeline(
            clock=self.clock,
            feed=self._feed,
            endpoints=endpoints,
            faults=rules,
            journal=self._journal,
            account_of=self._account_of,
            statuses=self._statuses,
            validate_outputs=validate_outputs,
        )
        self._active = False

    # -- life -------------------------------------------------------------------------

    def start(self) -> BatchJobsFake:
        """Activate: freeze the clock, supply dummy credentials, intercept the services.

        If a step fails, what the steps before it changed is undone before the error
        is raised.
        """
        if self._active:
            raise RuntimeError("this BatchJobsFake is already active")
        with SHARED.lock:
            try:
                if active.active_fake() is None:
                    SHARED.first_started()
                if self.patch_sleep:
                    SHARED.patch_sleep()
                self.clock._freeze()
            except BaseException:
                self._leave()
                raise
            active.push(self, self._core)
            SHARED.innermost_changed()
        self._active = True
        return self

    def stop(self) -> None:
        """Deactivate and undo everything :meth:`start` changed.

        All of it is undone whatever raises on the way (a ``status_changed`` hook
        that fails on the transitions reported at the end); then the error is raised.
        """
        if not self._active:
            return
        try:
            self._observe_time()  # transitions up to the end reach the hooks
        finally:
            self._deactivate()

    def _deactivate(self) -> None:
        with SHARED.lock:
            self._active = False
            active.pop(self)
            try:
                SHARED.innermost_changed()
            finally:
                self._leave()

    def _leave(self) -> None:
        """This fake's clock stops driving time, and if no fake is active any more,
        everything parts is undone (its freeze with it: until then, fakes started
        after it may be reading their time from it)."""
        unfreeze = self.clock._release()
        if unfreeze is not None:
            SHARED.until_last(unfreeze)
        if active.active_fake() is None:
            SHARED.last_stopped()

    def __enter__(self) -> BatchJobsFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> BatchJobsFake:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func: Any) -> Any:
        """Decorate a function, or a coroutine function (the fake is active while
        the coroutine runs, not only while it is created)."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def active_while_awaited(*args: Any, **kwargs: Any) -> Any:
                async with self._recreate_cm():
                    return await func(*args, **kwargs)

            return active_while_awaited
        return super().__call__(func)

    def reset(self) -> None:
        """Forget jobs, calls, events, event handlers, scheduled actions, the statuses
        seen, lifecycles, faults, quotas and responders (not the clock's time, nor a
        ``batchjobs_outcomes`` run's outcome)."""
        for backend in self._backends.kinds.values():
            backend.reset()
            backend.seed(self._seed)
        self._retry_jitter.seed(self._seed)
        self._core.internal_errors.clear()
        self._feed.reset()
        self._events.reset(self._seed)
        self.clock._schedule.reset()
        self._journal.reset()
        self._statuses.reset()
        self.pagination.reset()
        self.faults.clear()
        with self._factory_lock:
            self._factory = None
        self._storage.reset()

    # -- the journal ------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call answered so far, in order (a copy)."""
        return self._journal.calls

    def assert_called(
        self, operation: str, /, *, service: str | None = None, **params: Any
    ) -> Call:
        """Assert that ``operation`` (API or boto3 casing) was called with at least
        ``params``; return that call. ``service`` tells TagResource & co. apart."""
        __tracebackhide__ = True
        return self._journal.assert_called(operation, service, **params)

    def assert_not_called(self, operation: str, /, *, service: str | None = None) -> None:
        """Assert that ``operation`` (API or boto3 casing) was never called."""
        __tracebackhide__ = True
        self._journal.assert_not_called(operation, service)

    def call_count(self, operation: str, /, *, service: str | None = None) -> int:
        """How many times ``operation`` (API or boto3 casing) was called."""
        return self._journal.call_count(operation, service)

    def statuses_seen(self, kind: str) -> list[str]:
        """The statuses responses carried to clients for ``kind``'s jobs (``"bedrock"``,
        ``"personalize"``, ...), in the order first seen: every status a get, describe
        or list response held, as sent. Jobs the factory stored or the clock moved are
        not seen until a response shows them; errors, injected faults and broken
        connections carry none."""
        if kind not in self._backends.kinds:
            kinds = list(self._backends.kinds)
            raise ValueError(
                did_you_mean(
                    f"statuses_seen(): {kind!r} is not a job kind",
                    kind,
                    kinds,
                    f"the kinds are {', '.join(kinds)}",
                )
            )
        return self._statuses.of(kind)

    # -- EventBridge events -----------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        """The EventBridge events emitted so far, in the order of fake time (a copy):
        one per status change of every job whose service sends one (Bedrock's "Batch
        Inference Job State Change"), as AWS puts it on the default event bus."""
        return self._events.events

    def assert_event(
        self,
        *,
        status: str | None = None,
        job: str | dict[str, Any] | None = None,
        **detail: Any,
    ) -> dict[str, Any]:
        """Assert that an event was emitted for ``job`` (its ARN, or the job as a call
        or the factory showed it) entering ``status``, with at least the ``detail``
        members given (``batchJobName="nightly-1"``); return the first such event."""
        __tracebackhide__ = True
        arn = None if job is None else _arn_of(job, "assert_event")
        return self._events.assert_event(self._events.filter(status, arn, detail))

    def on_event(
        self,
        handler: Handler | None = None,
        /,
        *,
        status: str | None = None,
        job: str | dict[str, Any] | None = None,
        **detail: Any,
    ) -> Any:
        """Hand each event emitted from now on to ``handler``, in fake time order, with
        the clock at the event's instant: ``handler(event)``, or ``handler(event, None)``
        for a Lambda handler taking ``(event, context)``. As EventBridge's, delivery is
        asynchronous: never inside the API call that emitted the event, but the next
        time fake time passes (``advance()``, a sleep, ``advance_until()``), before the
        clock leaves the call's instant, or when the fake stops. ``status``, ``job`` and
        ``detail`` filter the events as :meth:`assert_event` does. Returns ``handler``; without one,
        returns a decorator. A handler that raises fails the test at its end."""
        arn = None if job is None else _arn_of(job, "on_event")
        wanted = self._events.filter(status, arn, detail)

        def register(function: Handler) -> Handler:
            if not callable(function):
                raise TypeError(f"on_event() needs a callable, got {function!r}")
            self._events.on_event(function, wanted)
            return function

        return register if handler is None else register(handler)

    @property
    def internal_errors(self) -> list[str]:
        """What the test fails on at its end: tracebacks of calls the fake itself failed
        to answer (bugs in the fake), of event handlers that raised, and events it
        could not deliver to a rule's target."""
        return list(self._core.internal_errors)

    def faked_operations(self, service: str) -> list[str]:
        """The operations of ``service`` the fake answers, in API casing."""
        names = [each.name for each in SERVICES]
        if service not in names:
            raise ValueError(
                did_you_mean(
                    f"faked_operations(): {service!r} is not a faked service",
                    service,
                    names,
                    f"the services are {', '.join(names)}",
                )
            )
        return self._backends.faked_operations(service)

    @property
    def seed(self) -> int:
        """The seed of this fake's factory and job ids (the ``seed`` option; in pytest,
        derived from the session's seed and the test's id when not given)."""
        return self._seed

    @property
    def patch_sleep(self) -> bool:
        """Whether ``time.sleep`` lets fake time pass while this fake is active (the
        ``sleep`` option), rather than blocking."""
        return self._sleep

    @property
    def loop_time(self) -> bool:
        """Whether asyncio's timers let fake time pass while this fake is active (the
        ``loop_time`` option), rather than waiting in real time."""
        return self._loop_time

    @property
    def account(self) -> str:
        """The account the fake's jobs live in: the one it was given; else, while moto's
        ``mock_aws`` is active and ``MOTO_ACCOUNT_ID`` is set, moto's (so that STS and
        the job ARNs agree); else 123456789012."""
        return self._account_of()

    def _account_of(self) -> str:
        if self._account is not None:
            return self._account
        if moto_active():
            return os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT
        return DEFAULT_ACCOUNT

    @contextmanager
    def _job_factory(self) -> Iterator[JobFactory]:
        """The factory of this fake's jobs, for one caller at a time (its random draws
        and counters are not thread-safe); made on first use."""
        with self._factory_lock:
            if self._factory is None:
                self._factory = JobFactory(self._seed)
            yield self._factory

    # -- time and hooks ---------------------------------------------------------------

    def _observe_time(self) -> None:
        """At an instant the clock stopped at (or the fake's end): report transitions up
        to it, then deliver the events emitted so far."""
        self._feed.observe(self.clock.now())
        self._events.deliver()

    def _next_due(self) -> _dt.datetime | None:
        """Where the clock must stop next for the fake: now if events wait to be
        delivered; the next transition if anyone can observe it at its instant (an
        event handler, moto's bus, a hook), else nowhere."""
        events = self._events
        if events.undelivered():
            return self.clock.now()
        if self._hooked or events.listening():
            return self._feed.next_at()
        return None

    def _report(self, problem: str) -> None:
        """A problem beside the calls (an event handler that raised): the test fails on
        it at its end, as on the fake's own errors."""
        self._core.internal_errors.append(problem)

    # The transition feed names a job by its kind; the hooks get its service (botocore's
    # name) and its kind, which differ for a service with several kinds (Personalize).
    def _job_created(self, kind: str, job: StoredJob, now: _dt.datetime) -> None:
        backend = self._backends.kinds[kind]
        if not job.from_factory:  # a factory's job was there before: no event for it
            self._events.emit(backend.kind, job, job.timeline.statuses[job.reported], now)
        if self._hooked:
            self._hook.pytest_batchjobs_job_created(
                fake=self, service=backend.service.name, kind=kind, job=job.shown(now)
            )

    def _status_changed(
        self, kind: str, job: StoredJob, old: str, new: str, at: _dt.datetime
    ) -> None:
        backend = self._backends.kinds[kind]
        try:
            if backend.on_transition(job, new):
                self._feed.rescheduled(kind, job)
        except Exception:
            self._core.internal_errors.append(
                "pytest-batchjobs failed while running a job's data (a bug in the fake, or "
                f"in a responder): {kind} {job.ident} entering {new}\n" + traceback.format_exc()
            )
        self._events.emit(backend.kind, job, new, at)
        if self._hooked:
            self._hook.pytest_batchjobs_status_changed(
                fake=self,
                service=backend.service.name,
                kind=kind,
                job=job.shown(at),
                old=old,
                new=new,
            )

    def _horizon_message(self, slept: _dt.timedelta) -> str:
        horizon = self.clock._horizon.limit
        recent = self.calls[-5:]
        shown = "\n".join(
            f"  {call.time:%Y-%m-%d %H:%M:%S} {call.service} {call.operation}"
            f"{' -> ' + call.error if call.error else ''}"
            for call in recent
        )
        return (
            f"time.sleep() has moved the fake clock {slept} forward, past the horizon of "
            f"{horizon}: the client seems to poll forever (no end status reached, or the "
            f"loop never checks for one).\n"
            f"Last calls:\n{shown or '  (none)'}\n"
            "Fix the client's loop, make the job end sooner with "
            "batchjobs_fake.bedrock.lifecycle(durations=...), or raise the horizon with "
            "@pytest.mark.batchjobs(horizon=...)."
        )

    def outputs(self, job: str | dict[str, Any]) -> dict[str, str]:
        """The output files a job wrote, as {S3 URI: content}: empty until the job is
        ``InProgress``; then the records processed so far, and the manifest once it ends.

        ``job`` is its ARN or the job as a get / describe call or the factory showed
        it. Outputs are written to moto's S3 too when moto is active.
        """
        return dict(self._storage.outputs.get(_arn_of(job, "outputs"), {}))

    def advance_until(self, job: str | dict[str, Any], status: str | None = None) -> dict[str, Any]:
        """Move the clock to the instant ``job`` reaches ``status`` (default: its end)
        and return the job as get / describe shows it then.

        ``job`` is its ARN or the job as a get / describe call or the factory showed
        it. The clock does not move when the job already shows ``status``. A job that
        will never reach ``status`` from where it is (its lifecycle ends elsewhere, or
        it is past it) raises ``ValueError`` naming the statuses it will go through.
        """
        __tracebackhide__ = True
        arn = _arn_of(job, "advance_until")
        found: tuple[str, StoredJob] | None = next(
            (
                (backend.name, stored)
                for backend in self._backends.kinds.values()
                if (stored := backend.stored(arn)) is not None
            ),
            None,
        )
        if found is None:
            raise ValueError(f"advance_until(): no job has the ARN {arn!r} in this fake")
        kind, stored = found
        while True:  # a job's data can change its timeline as it runs: read it again
            now = self.clock.now()
            timeline = stored.timeline
            current = timeline.index(now)
            last = len(timeline) - 1
            if (status is None and current == last) or timeline.statuses[current] == status:
                return stored.shown(now)
            ahead = [
                position
                for position in range(current + 1, last + 1)
                if (position == last if status is None else timeline.statuses[position] == status)
            ]
            if not ahead:
                path = " -> ".join(timeline.statuses[current:])
                raise ValueError(
                    f"advance_until(): job {arn} will never be {status!r}: from "
                    f"{timeline.statuses[current]!r} it goes {path}. A job's lifecycle is "
                    "fixed when it is created: set it first with "
                    f"batchjobs_fake.{kind}.lifecycle(outcome=...)"
                )
            # Stop early if the job's timeline changes on the way (an action stops it).
            self.clock._move_to(timeline.at(ahead[0]), until=_changed(stored, timeline))

    def jobs(self) -> Iterator[StoredJob]:
        """Every stored job of every kind (the fake's own records), kind by kind."""
        for backend in self._backends.kinds.values():
            yield from backend.all_jobs()


def _changed(job: StoredJob, timeline: Timeline) -> Callable[[], bool]:
    """Whether ``job``'s timeline is no longer ``timeline`` (a stop, a failure)."""
    return lambda: job.timeline is not timeline


def _arn_of(job: str | dict[str, Any], caller: str) -> str:
    """A job's ARN, from the ARN itself or the job as a call or the factory showed it."""
    if isinstance(job, str):
        return job
    if not isinstance(job, dict):
        raise TypeError(
            f"{caller}() needs a job's ARN (a string), or the job as a call or the factory "
            f"showed it (a dict); got {type(job).__name__} {job!r:.60}"
        )
    members = dict.fromkeys(kind.arn_member for kind in sorted(KINDS, key=lambda k: k.name))
    arn = next((job[member] for member in members if job.get(member)), None)
    if arn is None:
        raise ValueError(
            f"{caller}() needs a job's ARN, or a job dict with {' / '.join(members)}; got "
            f"keys {sorted(job)}"
        )
    return str(arn)


def fake_batchjobs(
    *,
    start: _dt.datetime | None = None,
    clock: str = "auto",
    account: str | None = None,
    max_page_size: int | None = None,
    validate_outputs: bool = False,
    sleep: bool = True,
    loop_time: bool = True,
    horizon: _dt.timedelta | None = DEFAULT_HORIZON,
    seed: int | None = None,
) -> BatchJobsFake:
    """A fake to use outside pytest, as a context manager or a decorator::

        with fake_batchjobs() as fake:
            boto3.client("bedrock").list_model_invocation_jobs()

    The keywords are the ``batchjobs`` marker's, and are checked as the marker's are:
    a bad value is a ``ValueError`` that says what is valid.
    """
    # These keywords mirror the option table, which reads them (tests/test_options.py
    # checks that they are the table's, in its order, with its types and defaults).
    return BatchJobsFake(**FakeOptions.of(**locals()).keywords())
