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
import traceback
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, ExitStack
from typing import TYPE_CHECKING, Any

from . import active
from .active import DUMMY_CREDENTIALS
from .batch.runner import BatchRunner
from .clock import DEFAULT_HORIZON, Clock
from .factory import JobFactory
from .faults import Faults
from .gateway import DEFAULT_REGION, Gateway, default_region
from .journal import Call, Journal
from .pagination import PagePolicy, Pagination
from .services.base import DEFAULT_ACCOUNT, Backend, StoredJob
from .services.bedrock import BedrockBackend
from .services.personalize import PersonalizeBackend
from .sleeping import SleepPatch
from .transitions import TransitionFeed

if TYPE_CHECKING:
    from .wire.messages import WireRequest, WireResponse

_CLEARED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN")


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
        clock_backend: str = "auto",
        account: str = DEFAULT_ACCOUNT,
        max_page_size: int | None = None,
        validate_outputs: bool = False,
        sleep: bool = True,
        horizon: _dt.timedelta | None = DEFAULT_HORIZON,
        hook: Any = None,
        seed: int | None = None,
    ) -> None:
        self.clock = Clock(start, clock_backend, horizon)
        self.clock.horizon_message = self._horizon_message
        self.clock.on_change(self._observe_time)
        self.account = account
        self.pagination = Pagination(PagePolicy(max_page_size=max_page_size))
        self.patch_sleep = sleep
        self._sleep_patch = SleepPatch(self.clock)
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
            self._backends, self.clock, self._feed, self.journal, self.faults, account
        )
        self._gateway.validate_outputs = validate_outputs
        self.seed = random.randrange(2**32) if seed is None else seed
        self._factory: JobFactory | None = None
        for backend in self._backends.values():
            backend.account = account
            backend.default_region = default_region
            backend.factory = self._job_factory
            backend.batch = self._batch
        self.bedrock.random.seed(self.seed)
        self._saved_env: dict[str, str | None] = {}
        self._active = False

    # -- life -------------------------------------------------------------------------

    def start(self) -> BatchJobsFake:
        """Activate: freeze the clock, supply dummy credentials, intercept the services."""
        from .transports import botocore as botocore_transport
        from .transports import http as http_transport

        if self._active:
            raise RuntimeError("this BatchJobsFake is already active")
        self._patch_env()
        self.clock.freeze()
        botocore_transport.install()
        active.push(self)
        botocore_transport.activate()
        http_transport.activate()
        if self.patch_sleep:
            self._sleep_patch.start()
        self._active = True
        return self

    def stop(self) -> None:
        """Deactivate and undo everything :meth:`start` changed.

        All of it is undone whatever raises on the way (a ``status_changed`` hook
        that fails on the transitions reported at the end); then the error is raised.
        """
        from .transports import botocore as botocore_transport
        from .transports import http as http_transport

        if not self._active:
            return
        self._active = False
        with ExitStack() as undo:  # the last callback first
            undo.callback(self._restore_env)
            undo.callback(self.clock.unfreeze)
            undo.callback(http_transport.deactivate)
            undo.callback(botocore_transport.deactivate)
            undo.callback(active.pop, self)
            undo.callback(self._sleep_patch.stop)
            self._observe_time()  # transitions up to the end reach the hooks

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
        self._factory = None
        self.bedrock.random.seed(self.seed)
        self._batch.reset()

    def _patch_env(self) -> None:
        changes: dict[str, str | None] = {**DUMMY_CREDENTIALS}
        changes.update(dict.fromkeys(_CLEARED_ENV))
        if not os.environ.get("AWS_DEFAULT_REGION"):  # botocore reads no other variable
            changes["AWS_DEFAULT_REGION"] = DEFAULT_REGION
        for name, value in changes.items():
            self._saved_env[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def _restore_env(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

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

    def _job_factory(self) -> JobFactory:
        """The factory of this fake's jobs, made on first use (faker loads then)."""
        if self._factory is None:
            self._factory = JobFactory(self.seed)
        return self._factory

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
        horizon = self.clock.horizon
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
        """The output files a job wrote, as {S3 URI: content}; empty until it completes.

        ``job`` is its ARN or the job as a get / describe call or the factory showed
        it. Outputs are written to moto's S3 too when moto is active.
        """
        if isinstance(job, dict):
            arn = job.get("jobArn") or job.get("batchInferenceJobArn")
            if arn is None:
                raise ValueError(
                    "outputs() needs a job's ARN, or a job dict with jobArn / "
                    f"batchInferenceJobArn; got keys {sorted(job)}"
                )
            job = str(arn)
        return dict(self._batch.storage.outputs.get(job, {}))

    def jobs(self) -> Iterator[Any]:
        """Every stored job of both services (internal records)."""
        yield from self.personalize.all_jobs()
        yield from self.bedrock.all_jobs()


def fake_batchjobs(
    *,
    start: _dt.datetime | None = None,
    clock: str = "auto",
    account: str = DEFAULT_ACCOUNT,
    max_page_size: int | None = None,
    validate_outputs: bool = False,
    sleep: bool = True,
    horizon: _dt.timedelta | None = DEFAULT_HORIZON,
    seed: int | None = None,
) -> BatchJobsFake:
    """A fake to use outside pytest, as a context manager or a decorator::

        with fake_batchjobs() as fake:
            boto3.client("bedrock").list_model_invocation_jobs()

    The keywords are the ``batchjobs`` marker's (``clock`` is ``BatchJobsFake``'s
    ``clock_backend``).
    """
    return BatchJobsFake(
        start=start,
        clock_backend=clock,
        account=account,
        max_page_size=max_page_size,
        validate_outputs=validate_outputs,
        sleep=sleep,
        horizon=horizon,
        seed=seed,
    )
