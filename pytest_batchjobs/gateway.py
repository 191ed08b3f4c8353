"""The one request path every transport uses::

    route -> parse -> validate -> backend handler -> serialize

A request comes in as the HTTP bytes AWS would receive and goes out as the bytes AWS
would send: the operation's output, or one of the service's errors. Every call is
recorded in the journal, with the error code it was answered with.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import FakeInternalError, UnfakedOperationError
from .faults import BAD_GATEWAY_BODY, Faults, TransportFault
from .journal import Call, Journal
from .services.base import Backend, CallContext, NotOwned
from .wire.constraints import summary, violations
from .wire.endpoints import endpoint_of_host
from .wire.errors import ServiceError
from .wire.messages import WireResponse
from .wire.models import service_model
from .wire.parse import parse_params
from .wire.regions import is_region
from .wire.routing import Route, route
from .wire.serialize import serialize_error, serialize_output

if TYPE_CHECKING:
    import datetime as _dt

    from .time.clock import Clock
    from .time.transitions import TransitionFeed
    from .wire.messages import WireRequest

DEFAULT_REGION = "us-east-1"


class Gateway:
    """Answers requests for the fake's backends and keeps the journal of calls."""

    def __init__(
        self,
        backends: dict[str, Backend[Any]],
        clock: Clock,
        feed: TransitionFeed,
        journal: Journal,
        faults: Faults,
        account_of: Callable[[], str],
    ) -> None:
        self.faults = faults
        self.backends = backends
        self.account_of = account_of
        self.validate_outputs = False
        self.internal_errors: list[str] = []
        self._clock = clock
        self._feed = feed
        self._journal = journal

    def faked_operations(self, service: str) -> list[str]:
        """The operations of ``service`` the fake answers, in API casing."""
        return sorted(self.backends[service].handlers)

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
        clock = self._clock
        clock._sleepers.enter()
        try:
            return self._handle(request, transport, service, defer)
        finally:
            clock._sleepers.leave()

    def _handle(
        self,
        request: WireRequest,
        transport: str,
        service: str | None,
        defer: Callable[[], bool] | None,
    ) -> WireResponse | None:
        parts = urlsplit(request.url)
        path = parts.path or "/"
        now = self._clock.now()
        self._feed.observe(now)
        region = _region_of(request, parts.hostname) or default_region()
        if not is_region(region):
            name = service or _guess_service(request)
            error = ServiceError(
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region, not '{region}'.",
            )
            response = serialize_error(service_model(name), error)
            self._record(name, "", {}, error.code, now, transport, region, response.status)
            return response
        try:
            found = route(request, path, service)
        except ServiceError as error:
            name = service or _guess_service(request)
            response = serialize_error(service_model(name), error)
            self._record(name, "", {}, error.code, now, transport, region, response.status)
            return response
        name, operation = found.service, found.operation.name
        if operation not in self.backends[name].handlers:
            if defer is not None and defer():
                return None
            raise UnfakedOperationError(
                f"{name} {operation} is not faked by pytest-batchjobs, and the request was "
                f"not sent to AWS. Faked {name} operations: "
                f"{', '.join(self.faked_operations(name))}. To answer other operations, "
                "activate moto's mock_aws as well."
            )
        context = CallContext(self.account_of(), region, now, transport)
        return self._answer(found, request, parts.query, context, defer)

    def _answer(
        self,
        found: Route,
        request: WireRequest,
        query: str,
        context: CallContext,
        defer: Callable[[], bool] | None,
    ) -> WireResponse | None:
        operation = found.operation
        backend = self.backends[found.service]
        params: dict[str, Any] = {}
        fault_rule: str | None = None
        try:
            params = parse_params(found, request, query)
            injected = self.faults.check(found.service, operation.name, params, context.now)
            if injected is not None:
                fault, rule = injected
                fault_rule = rule.description
                if isinstance(fault, TransportFault):
                    return self._broken(found, params, context, fault, fault_rule)
                raise fault
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
                _check_output(operation, output)
            response = serialize_output(operation, output)
            error_code = None
        except ServiceError as error:
            response = serialize_error(operation.service_model, error)
            error_code = error.code
        except TransportFault:
            raise  # recorded already; the transport breaks the connection
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
            fault_rule,
        )
        return response

    def _broken(
        self,
        found: Route,
        params: dict[str, Any],
        context: CallContext,
        fault: TransportFault,
        rule: str,
    ) -> WireResponse:
        """A transport fault: a load balancer's 502 page, or a connection that breaks
        (raised for the transport to turn into its own exception)."""
        status = 502 if fault.kind == "bad_gateway" else 0
        self._record(
            found.service,
            found.operation.name,
            params,
            fault.kind,
            context.now,
            context.transport,
            context.region,
            status,
            rule,
        )
        if fault.kind != "bad_gateway":
            raise fault
        headers = {"Content-Type": "text/html", "Server": "awselb/2.0"}
        return WireResponse(502, headers, BAD_GATEWAY_BODY)

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
        fault: str | None = None,
    ) -> None:
        self._journal.record(
            Call(service, operation, params, error, now, transport, region, status, fault)
        )

    def reset(self) -> None:
        """Forget every internal error."""
        self.internal_errors.clear()


def _check_output(operation: Any, output: dict[str, Any]) -> None:
    """Fail loudly if ``output`` is not something the real service could send."""
    from botocore.validate import ParamValidator

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
    endpoint = endpoint_of_host(host) if host else None
    return endpoint.region if endpoint is not None else None


def default_region() -> str:
    """The region of calls that name none, as botocore picks it: AWS_DEFAULT_REGION."""
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION


def _guess_service(request: WireRequest) -> str:
    return "personalize" if "x-amz-target" in request.headers else "bedrock"
