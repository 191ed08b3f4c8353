"""BatchJobsFake: the clock, the service backends and the journal, behind one request path.

Every request, whichever transport brings it, goes through :meth:`BatchJobsFake.handle`::

    route -> parse -> validate -> backend handler -> serialize

and is answered with the bytes AWS would send: the operation's output, or one of the
service's modeled errors.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from . import active
from .active import DUMMY_CREDENTIALS
from .batch.runner import BatchRunner
from .factory import JobFactory
from .faults import Faults
from .gateway import DEFAULT_REGION, Gateway, default_region
from .journal import Call, Journal
from .options import FakeOptions
from .pagination import PagePolicy, Pagination
from .services.base import DEFAULT_ACCOUNT, Backend, StoredJob
from .services.bedrock import BedrockBackend
from .services.personalize import PersonalizeBackend
from .time import sleep_patch
from .time.clock import DEFAULT_HORIZON, Clock
from .time.transitions import TransitionFeed
from .transports.botocore import moto_active

if TYPE_CHECKING:
    from .wire.messages import WireRequest, WireResponse

_CLEARED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN")
# Held while a JobFactory is made: each one seeds and draws from the one Faker that
# every factory of the process shares.
_BUILDING_FACTORY = threading.Lock()


class _Shared:
    """What the process has only one of, changed while any fake is active.

    Fakes may start and stop in any order (start A, start B, stop A, stop B). The
    first to start saves the environment and puts dummy credentials in it, and puts
    the transports in place; the first that lets fake time pass patches
    ``time.sleep``; a fake that froze the clock leaves the freeze in place when it
    stops, for the fakes started after it read their time from it. All of that is
    undone when the last active fake stops, in reverse order, each step even if an
    earlier one raised. So no fake ever takes another's patch for an original.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()  # one start or stop at a time, in the process
        self._until_last = ExitStack()
        self._sleep_patched = False

    def first_started(self) -> None:
        """The first active fake starts: dummy credentials, the transports. If a step
        fails, the caller undoes the steps before it with :meth:`last_stopped`."""
        from .transports import botocore as botocore_transport
        from .transports import http as http_transport

        self.until_last(_patch_env())
        botocore_transport.install()
        self.until_last(botocore_transport.deactivate)
        botocore_transport.activate()
        self.until_last(http_transport.deactivate)
        http_transport.activate()

    def patch_sleep(self) -> None:
        """A fake that lets fake time pass has started: patch sleeping, if not yet."""
        if not self._sleep_patched:
            self.until_last(sleep_patch.patch())
            self._sleep_patched = True

    def until_last(self, undo: Callable[[], None]) -> None:
        """Call ``undo()`` when the last active fake stops."""
        self._until_last.callback(undo)

    def last_stopped(self) -> None:
        """No fake is active any more: undo everything, the last change first."""
        self._sleep_patched = False
        self._until_last.close()


_SHARED = _Shared()


def _patch_env() -> Callable[[], None]:
    """Dummy credentials and a region in ``os.environ``; return what puts back the
    values they replaced."""
    changes: dict[str, str | None] = {**DUMMY_CREDENTIALS}
    changes.update(dict.fromkeys(_CLEARED_ENV))
    if not os.environ.get("AWS_DEFAULT_REGION"):  # botocore reads no other variable
        changes["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    saved = {name: os.environ.get(name) for name in changes}
    _set_env(changes)
    return lambda: _set_env(saved)


def _set_env(values: dict[str, str | None]) -> None:
    """Set each variable to its value; ``None`` removes it."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


class BatchJobsFake(ContextDecorator):
    """An in-memory Amazon Personalize and Amazon Bedrock batch-job service.

    Use it as the ``batchjobs_fake`` fixture in pytest, or outside pytest as a context
    manager or decorator (``with fake_batchjobs() as fake: ...``). While active, every
    botocore client's calls to the two services are answered here, inside botocore's
    own send path, so its serializer, signer, parser and retry handler all run;
    ``requests`` calls to the services' endpoints are answered through ``responses``;
    a :class:`~pytest_batchjobs.FakeServer` serves the same fake to other languages.
    Time is frozen (``clock``), ``time.sleep`` lets fake time pass, and
    ``bedrock`` / ``personalize`` (jobs, lifecycles, quotas, responders),
    ``faults``, ``pagination`` and the call journal (``calls``, ``assert_called``)
    control and observe it.
    """

    def __init__(
        self,
        *,
        start: _dt.datetime | None = None,
        clock: str = "auto",
        account: str | None = None,
        max_page_size: int | None = None,
        validate_outputs: bool = False,
        sleep: bool = True,
        horizon: _dt.timedelta | None = DEFAULT_HORIZON,
        hook: Any = None,
        seed: int | None = None,
    ) -> None:
        self.clock = Clock(start, clock, horizon)
        self.clock._horizon.message = self._horizon_message
        self.clock._on_change(self._observe_time)
        if account is not None and not (len(account) == 12 and account.isdigit()):
            raise ValueError(f"an AWS account id is 12 digits, got {account!r}")
        self._account = account
        self.pagination = Pagination(PagePolicy(max_page_size=max_page_size))
        self.patch_sleep = sleep
        self._hook = hook
        self._feed = TransitionFeed(self._job_created, self._status_changed)
        self._hooked = hook is not None and bool(
            hook.pytest_batchjobs_job_created.get_hookimpls()
            or hook.pytest_batchjobs_status_changed.get_hookimpls()
        )
        self._batch = BatchRunner()
        self.personalize = PersonalizeBackend(self.clock, self.pagination, self._feed)
        self.bedrock = BedrockBackend(self.clock, self.pagination, self._feed)
        self._backends: dict[str, Backend[Any]] = {
            "personalize": self.personalize,
            "bedrock": self.bedrock,
        }
        self.journal = Journal(
            operation for backend in self._backends.values() for operation in backend.handlers
        )
        self.faults = Faults({name: backend.handlers for name, backend in self._backends.items()})
        self._gateway = Gateway(
            self._backends, self.clock, self._feed, self.journal, self.faults, self._account_of
        )
        self._gateway.validate_outputs = validate_outputs
        self.seed = random.randrange(2**32) if seed is None else seed
        self._factory: JobFactory | None = None
        self._factory_lock = threading.RLock()
        for backend in self._backends.values():
            backend.account_of = self._account_of
            backend.default_region = default_region
            backend.factory = self._job_factory
            backend.batch = self._batch
        self.bedrock.random.seed(self.seed)
        self._active = False

    # -- life -------------------------------------------------------------------------

    def start(self) -> BatchJobsFake:
        """Activate: freeze the clock, supply dummy credentials, intercept the services.

        If a step fails, what the steps before it changed is undone before the error
        is raised.
        """
        if self._active:
            raise RuntimeError("this BatchJobsFake is already active")
        with _SHARED.lock:
            try:
                if active.active_fake() is None:
                    _SHARED.first_started()
                if self.patch_sleep:
                    _SHARED.patch_sleep()
                self.clock._freeze()
            except BaseException:
                self._leave()
                raise
            active.push(self)
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
        with _SHARED.lock:
            self._active = False
            active.pop(self)
            self._leave()

    def _leave(self) -> None:
        """This fake's clock stops driving time, and if no fake is active any more,
        everything shared is undone (its freeze with it: until then, fakes started
        after it may be reading their time from it)."""
        unfreeze = self.clock._release()
        if unfreeze is not None:
            _SHARED.until_last(unfreeze)
        if active.active_fake() is None:
            _SHARED.last_stopped()

    def __enter__(self) -> BatchJobsFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget jobs, calls, lifecycles, faults, quotas and responders (not the clock)."""
        for backend in self._backends.values():
            backend.reset()
        self._gateway.reset()
        self.journal.reset()
        self.pagination.reset()
        self.faults.clear()
        with self._factory_lock:
            self._factory = None
        self.bedrock.random.seed(self.seed)
        self._batch.reset()

    # -- the journal ------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call answered so far, in order (a copy)."""
        return self.journal.calls

    def assert_called(
        self, operation: str, /, *, service: str | None = None, **params: Any
    ) -> Call:
        """Assert that ``operation`` (API or boto3 casing) was called with at least
        ``params``; return that call. ``service`` tells TagResource & co. apart."""
        __tracebackhide__ = True
        return self.journal.assert_called(operation, service, **params)

    def assert_not_called(self, operation: str, /, *, service: str | None = None) -> None:
        """Assert that ``operation`` (API or boto3 casing) was never called."""
        __tracebackhide__ = True
        self.journal.assert_not_called(operation, service)

    def call_count(self, operation: str, /, *, service: str | None = None) -> int:
        """How many times ``operation`` (API or boto3 casing) was called."""
        return self.journal.call_count(operation, service)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of calls the fake itself failed to answer (bugs in the fake)."""
        return list(self._gateway.internal_errors)

    def faked_operations(self, service: str) -> list[str]:
        """The operations of ``service`` the fake answers, in API casing."""
        return self._gateway.faked_operations(service)

    # -- the request path -------------------------------------------------------------

    def handle(
        self,
        request: WireRequest,
        *,
        transport: str,
        service: str | None = None,
        defer: Callable[[], bool] | None = None,
    ) -> WireResponse | None:
        """Answer ``request`` as the service would (see :class:`Gateway`)."""
        return self._gateway.handle(request, transport=transport, service=service, defer=defer)

    @property
    def account(self) -> str:
        """The account the fake's jobs live in: the one it was given; else, while moto's
        ``mock_aws`` is active and ``MOTO_ACCOUNT_ID`` is set, moto's (so that STS and
        the job ARNs agree); else 123456789012."""
        return self._account_of()

    def _account_of(self) -> str:
        if self._account is not None:
            return self._account
        moto_account = os.environ.get("MOTO_ACCOUNT_ID")
        if moto_account and moto_active():
            return moto_account
        return DEFAULT_ACCOUNT

    @contextmanager
    def _job_factory(self) -> Iterator[JobFactory]:
        """The factory of this fake's jobs, for one caller at a time (its random draws
        and counters are not thread-safe); made on first use (faker loads then)."""
        with self._factory_lock:
            if self._factory is None:
                with _BUILDING_FACTORY:
                    self._factory = JobFactory(self.seed)
            yield self._factory

    # -- time and hooks ---------------------------------------------------------------

    def _observe_time(self) -> None:
        self._feed.observe(self.clock.now())

    def _job_created(self, service: str, job: StoredJob, now: _dt.datetime) -> None:
        if self._hooked:
            self._hook.pytest_batchjobs_job_created(fake=self, service=service, job=job.shown(now))

    def _status_changed(
        self, service: str, job: StoredJob, old: str, new: str, at: _dt.datetime
    ) -> None:
        try:
            if self._batch.on_transition(service, job, new):
                self._feed.rescheduled(service, job)
        except Exception:
            self._gateway.internal_errors.append(
                "pytest-batchjobs failed while running a job's data (a bug in the fake, or "
                f"in a responder): {service} {job.ident} entering {new}\n" + traceback.format_exc()
            )
        if self._hooked:
            self._hook.pytest_batchjobs_status_changed(
                fake=self, service=service, job=job.shown(at), old=old, new=new
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
        return dict(self._batch.storage.outputs.get(_arn_of(job, "outputs"), {}))

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
        stored: StoredJob | None = next(
            (found for b in self._backends.values() if (found := b.stored(arn)) is not None),
            None,
        )
        if stored is None:
            raise ValueError(f"advance_until(): no job has the ARN {arn!r} in this fake")
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
                    f"batchjobs_fake.{stored.arn.split(':')[2]}.lifecycle(outcome=...)"
                )
            self.clock.advance(timeline.at(ahead[0]) - now)

    def jobs(self) -> Iterator[Any]:
        """Every stored job of both services (internal records)."""
        yield from self.personalize.all_jobs()
        yield from self.bedrock.all_jobs()


def _arn_of(job: str | dict[str, Any], caller: str) -> str:
    """A job's ARN, from the ARN itself or the job as a call or the factory showed it."""
    if isinstance(job, str):
        return job
    arn = job.get("jobArn") or job.get("batchInferenceJobArn")
    if arn is None:
        raise ValueError(
            f"{caller}() needs a job's ARN, or a job dict with jobArn / "
            f"batchInferenceJobArn; got keys {sorted(job)}"
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
