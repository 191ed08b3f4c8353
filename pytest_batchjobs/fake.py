"""BatchJobsFake: the clock, the service backends and the journal, behind one request path.

Every request, whichever transport brings it, goes through :meth:`BatchJobsFake.handle`::

    route -> parse -> validate -> backend handler -> serialize

and is answered with the bytes AWS would send: the operation's output, or one of the
service's modeled errors.
"""

from __future__ import annotations

import datetime as _dt
import os
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import active
from .active import DUMMY_CREDENTIALS
from .clock import DEFAULT_HORIZON, Clock
from .errors import FakeInternalError, UnfakedOperationError
from .journal import Call
from .pagination import PagePolicy, TokenCodec
from .services.base import DEFAULT_ACCOUNT, Backend, CallContext, NotOwned
from .services.bedrock import BedrockBackend
from .services.personalize import PersonalizeBackend
from .sleeping import SleepPatch
from .transitions import TransitionFeed

if TYPE_CHECKING:
    from .wire.messages import WireRequest, WireResponse
    from .wire.routing import Route

_CLEARED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN")
DEFAULT_REGION = "us-east-1"


class BatchJobsFake(ContextDecorator):
    """An in-memory Amazon Personalize and Amazon Bedrock batch-job service.

    Use it as the ``batchjobs_fake`` fixture in pytest, or outside pytest as a context
    manager or decorator (``with fake_batchjobs() as fake: ...``). While active, every
    botocore client's calls to the two services are answered here, inside botocore's
    own send path, so its serializer, signer, parser and retry handler all run.
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
    ) -> None:
        self.clock = Clock(start, clock_backend, horizon)
        self.clock.horizon_message = self._horizon_message
        self.clock.on_change(self._observe_time)
        self.account = account
        self.page_policy = PagePolicy(max_page_size=max_page_size)
        self.validate_outputs = validate_outputs
        self.patch_sleep = sleep
        self._sleep_patch = SleepPatch(self.clock)
        self._hook = hook
        self._feed = TransitionFeed(self._job_created, self._status_changed)
        codec = TokenCodec(self.page_policy)
        self.personalize = PersonalizeBackend(self.clock, codec, self._feed)
        self.bedrock = BedrockBackend(self.clock, codec, self._feed)
        self._backends: dict[str, Backend[Any]] = {
            "personalize": self.personalize,
            "bedrock": self.bedrock,
        }
        self._calls: list[Call] = []
        self._calls_lock = threading.Lock()
        self.internal_errors: list[str] = []
        self._saved_env: dict[str, str | None] = {}
        self._active = False

    # -- life -------------------------------------------------------------------------

    def start(self) -> BatchJobsFake:
        """Activate: freeze the clock, supply dummy credentials, intercept the services."""
        from .transports import botocore as botocore_transport

        if self._active:
            raise RuntimeError("this BatchJobsFake is already active")
        self._patch_env()
        self.clock.freeze()
        botocore_transport.install()
        active.push(self)
        botocore_transport.activate()
        if self.patch_sleep:
            self._sleep_patch.start()
        self._active = True
        return self

    def stop(self) -> None:
        """Deactivate and undo everything :meth:`start` changed."""
        from .transports import botocore as botocore_transport

        if not self._active:
            return
        self._observe_time()
        self._active = False
        self._sleep_patch.stop()
        active.pop(self)
        botocore_transport.deactivate()
        self.clock.unfreeze()
        self._restore_env()

    def __enter__(self) -> BatchJobsFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every job, lifecycle and call."""
        for backend in self._backends.values():
            backend.reset()
        with self._calls_lock:
            self._calls.clear()
        self.internal_errors.clear()

    def _patch_env(self) -> None:
        changes: dict[str, str | None] = {**DUMMY_CREDENTIALS}
        changes.update(dict.fromkeys(_CLEARED_ENV))
        if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
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
        with self._calls_lock:
            return list(self._calls)

    # -- the request path -------------------------------------------------------------

    def faked_operations(self, service: str) -> list[str]:
        """The operations of ``service`` the fake answers, in API casing."""
        return sorted(self._backends[service].handlers)

    def handle(
        self,
        request: WireRequest,
        *,
        transport: str,
        service: str | None = None,
        defer: Callable[[], bool] | None = None,
    ) -> WireResponse | None:
        """Answer ``request`` as the service would.

        ``service`` is given when the transport knows it (botocore does). ``defer()``
        says whether another fake (moto) is there to answer what this one does not
        own: operations it does not fake, and tags of resources that are not jobs.
        Then the answer is ``None``. Otherwise an unfaked operation raises
        :class:`UnfakedOperationError`, and it never reaches AWS.
        """
        from .wire import routing
        from .wire.errors import ServiceError
        from .wire.models import service_model
        from .wire.serialize import serialize_error

        parts = urlsplit(request.url)
        path = parts.path or "/"
        self.clock.touch()
        now = self.clock.now()
        self._feed.observe(now)
        region = _region_of(request, parts.hostname) or _default_region()
        try:
            found = routing.route(request, path, service)
        except ServiceError as error:
            name = service or _guess_service(request)
            response = serialize_error(service_model(name), error)
            self._record(name, "", {}, error.code, now, transport, region, response.status)
            return response
        name, operation = found.service, found.operation.name
        if operation not in self._backends[name].handlers:
            if defer is not None and defer():
                return None
            raise UnfakedOperationError(
                f"{name} {operation} is not faked by pytest-batchjobs, and the request was "
                f"not sent to AWS. Faked {name} operations: "
                f"{', '.join(self.faked_operations(name))}. To answer other operations, "
                "activate moto's mock_aws as well."
            )
        context = CallContext(self.account, region, now, transport)
        return self._answer(found, request, parts.query, context, defer)

    def _answer(
        self,
        found: Route,
        request: WireRequest,
        query: str,
        context: CallContext,
        defer: Callable[[], bool] | None,
    ) -> WireResponse | None:
        from .wire.constraints import summary, violations
        from .wire.errors import ServiceError
        from .wire.parse import parse_params
        from .wire.serialize import serialize_error, serialize_output

        operation = found.operation
        backend = self._backends[found.service]
        params: dict[str, Any] = {}
        try:
            params = parse_params(found, request, query)
            if operation.input_shape is not None:
                problems = violations(operation.input_shape, params)
                if problems:
                    raise backend.invalid(summary(problems))
            try:
                output = backend.call(operation.name, context, params)
            except NotOwned as not_owned:
                if defer is not None and defer():
                    return None
                raise ServiceError(
                    "ResourceNotFoundException", f"The resource {not_owned} was not found."
                ) from None
            if self.validate_outputs:
                self._check_output(operation, output)
            response = serialize_output(operation, output)
            error_code = None
        except ServiceError as error:
            response = serialize_error(operation.service_model, error)
            error_code = error.code
        except Exception:
            self.internal_errors.append(
                "pytest-batchjobs failed while answering a call (a bug in the fake; please "
                f"report it): {found.service} {operation.name}\n{traceback.format_exc()}"
            )
            failure = ServiceError(
                "InternalFailure", "pytest-batchjobs failed to answer this call", status=500
            )
            response = serialize_error(operation.service_model, failure)
            error_code = failure.code
        self._record(
            found.service,
            operation.name,
            params,
            error_code,
            context.now,
            context.transport,
            context.region,
            response.status,
        )
        return response

    def _check_output(self, operation: Any, output: dict[str, Any]) -> None:
        """Fail loudly if ``output`` is not something the real service could send."""
        from botocore.validate import ParamValidator

        from .wire.constraints import violations

        shape = operation.output_shape
        if shape is None:
            return
        cleaned = _without_none(output)
        report = ParamValidator().validate(cleaned, shape)
        problems = violations(shape, cleaned)
        if report.has_errors() or problems:
            raise FakeInternalError(
                f"the fake's {operation.name} output breaks its shape: "
                f"{report.generate_report()} {problems}"
            )

    def _record(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        error: str | None,
        now: _dt.datetime,
        transport: str,
        region: str,
        status: int,
    ) -> None:
        call = Call(service, operation, params, error, now, transport, region, status)
        with self._calls_lock:
            self._calls.append(call)

    # -- time and hooks ---------------------------------------------------------------

    def _observe_time(self) -> None:
        self._feed.observe(self.clock.now())

    def _job_created(self, service: str, job: dict[str, Any]) -> None:
        if self._hook is not None:
            self._hook.pytest_batchjobs_job_created(fake=self, service=service, job=job)

    def _status_changed(self, service: str, job: dict[str, Any], old: str, new: str) -> None:
        if self._hook is not None:
            self._hook.pytest_batchjobs_status_changed(
                fake=self, service=service, job=job, old=old, new=new
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

    def jobs(self) -> Iterator[Any]:
        """Every stored job of both services (internal records)."""
        yield from self.personalize.all_jobs()
        yield from self.bedrock.all_jobs()


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _region_of(request: WireRequest, host: str | None) -> str | None:
    """The region a request is for: from its SigV4 credential scope, else its host."""
    authorization = request.headers.get("authorization", "")
    marker = authorization.find("Credential=")
    if marker >= 0:
        scope = authorization[marker + 11 :].split(",", 1)[0].split("/")
        if len(scope) >= 5:
            return scope[2]
    if host:
        labels = host.split(".")
        if len(labels) >= 4 and labels[0] in ("bedrock", "personalize"):
            return labels[1]
    return None


def _default_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def _guess_service(request: WireRequest) -> str:
    return "personalize" if "x-amz-target" in request.headers else "bedrock"


def fake_batchjobs(
    *,
    start: _dt.datetime | None = None,
    clock: str = "auto",
    max_page_size: int | None = None,
) -> BatchJobsFake:
    """A fake to use outside pytest, as a context manager or a decorator::

    with fake_batchjobs() as fake:
        boto3.client("bedrock").list_model_invocation_jobs()
    """
    return BatchJobsFake(start=start, clock_backend=clock, max_page_size=max_page_size)
