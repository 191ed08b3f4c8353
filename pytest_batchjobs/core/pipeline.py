"""The one request path every transport hands its requests to::

    facts -> protocol (route, parse) -> faults -> job kind (validate, handle)
          -> protocol (serialize) -> outcome

A request comes in as the HTTP bytes AWS would receive and goes out as an
:mod:`~.outcome`: the bytes AWS would send (the operation's output, or one of the
service's errors), "not mine", or a broken connection. Nothing is raised for the
transport to catch. Every call answered is recorded in the journal, once, with the
error code it was answered with and the fault rule that answered it, if one did.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import FakeInternalError
from ..policies.faults import BAD_GATEWAY_BODY, TransportFault
from ..policies.journal import Call
from ..services._kit.context import CallContext, NotOwned
from ..services._kit.kept import KeptShown
from ..wire.constraints import summary, violations
from ..wire.errors import ServiceError
from ..wire.facts import RequestFacts, default_region
from ..wire.messages import WireResponse
from ..wire.protocols import protocol_of
from ..wire.regions import is_region
from ..wire.routing import route
from ..wire.serialize import base_headers
from .outcome import Answered, Broken, NotMine, Outcome
from .registry import ENDPOINT_PREFIXES, SERVICE_NAMES

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from ..policies.faults import FaultRules
    from ..policies.journal import Journal
    from ..policies.statuses import StatusesSeen
    from ..time.clock import Clock
    from ..time.transitions import TransitionFeed
    from ..wire.messages import WireRequest
    from ..wire.protocols.base import WireProtocol
    from ..wire.routing import Route
    from .backends import Endpoint

_BAD_GATEWAY_HEADERS = {"Content-Type": "text/html", "Server": "awselb/2.0"}


class Pipeline:
    """A fake's request path (the :class:`~.contract.Core` every transport sees)."""

    def __init__(
        self,
        *,
        clock: Clock,
        feed: TransitionFeed[Any],
        endpoints: Mapping[tuple[str, str], Endpoint],
        faults: FaultRules,
        journal: Journal,
        account_of: Callable[[], str],
        statuses: StatusesSeen | None = None,
        validate_outputs: bool = False,
    ) -> None:
        self.services = frozenset(SERVICE_NAMES)
        self.endpoint_prefixes = ENDPOINT_PREFIXES
        self.internal_errors: list[str] = []
        self._clock = clock
        self._feed = feed
        self._endpoints = endpoints
        self._faults = faults
        self._journal = journal
        self._account_of = account_of
        self._statuses = statuses
        self._validate_outputs = validate_outputs

    def answer(
        self,
        request: WireRequest,
        *,
        transport: str,
        service: str | None = None,
        below: bool = False,
    ) -> Outcome:
        """The outcome of ``request`` (see :meth:`.contract.Core.answer`)."""
        clock = self._clock
        clock._sleepers.enter()
        try:
            now = clock.now()
            self._feed.observe(now)
            facts = RequestFacts(request, service)
            region = facts.region or default_region()
            call = Call(facts.likely_service, "", {}, None, now, transport, region, 0)
            outcome = self._outcome(facts, call, below)
            if not isinstance(outcome, NotMine):
                self._journal.record(call)
            return outcome
        finally:
            clock._sleepers.leave()

    def _outcome(self, facts: RequestFacts, call: Call, below: bool) -> Outcome:
        if not is_region(call.region):
            error = ServiceError(
                "InvalidSignatureException",
                f"Credential should be scoped to a valid region, not '{call.region}'.",
            )
            return self._refused(call, error)
        try:
            found = route(facts)
        except ServiceError as error:
            return self._refused(call, error)
        service, operation = found.service, found.operation.name
        endpoint = self._endpoints.get((service, operation))
        if endpoint is None:
            faked = ", ".join(sorted(op for name, op in self._endpoints if name == service))
            message = (
                f"{service} {operation} is not faked by pytest-batchjobs, and the request was "
                f"not sent to AWS. Faked {service} operations: {faked}."
            )
            return NotMine(service, operation, message, below)
        call.service, call.operation = service, operation
        context = CallContext(self._account_of(), call.region, call.time, call.transport)
        return self._call(found, endpoint, facts, context, call, below)

    def _refused(self, call: Call, error: ServiceError) -> Answered:
        """A request refused before it reached an operation, in its service's format."""
        response = protocol_of(call.service).serialize_error(error)
        call.error, call.status = error.code, response.status
        return Answered(response)

    def _call(
        self,
        found: Route,
        endpoint: Endpoint,
        facts: RequestFacts,
        context: CallContext,
        call: Call,
        below: bool,
    ) -> Outcome:
        protocol, operation = found.protocol, found.operation
        try:
            call.params = params = protocol.parse(found, facts.request, facts.query)
            fired = self._faults.check(call.service, call.operation, params, context.now)
            if fired is not None:
                fault, rule = fired
                call.fault = rule.description
                if isinstance(fault, TransportFault):
                    return self._broken(call, fault.kind)
                error = fault
            else:
                shape = operation.input_shape
                problems = violations(shape, params) if shape is not None else []
                if problems:
                    raise ServiceError(endpoint.service.validation_error, summary(problems))
                try:
                    output = endpoint.handler(context, params)
                except NotOwned as not_owned:
                    if below:
                        message = f"{not_owned} is not a job of the fake's."
                        return NotMine(call.service, call.operation, message, below)
                    raise ServiceError(
                        "ResourceNotFoundException", f"The resource {not_owned} was not found."
                    ) from None
                if self._validate_outputs:
                    check_output(operation, output)
                response = _written(protocol, operation, output)
                call.status = response.status
                if self._statuses is not None and endpoint.kind is not None:
                    self._statuses.note(endpoint.kind, call.service, operation, output)
                return Answered(response)
        except ServiceError as refused:
            error = refused
        except Exception:
            self.internal_errors.append(
                "pytest-batchjobs failed while answering a call (a bug in the fake; please "
                f"report it): {call.service} {call.operation}\n{traceback.format_exc()}"
            )
            error = ServiceError(
                "InternalFailure", "pytest-batchjobs failed to answer this call", status=500
            )
        response = protocol.serialize_error(error)
        call.error, call.status = error.code, response.status
        return Answered(response)

    def _broken(self, call: Call, kind: str) -> Outcome:
        """A transport fault: a load balancer's 502 page, or a connection that breaks."""
        call.error = kind
        if kind != "bad_gateway":
            return Broken(kind)
        call.status = 502
        return Answered(WireResponse(502, dict(_BAD_GATEWAY_HEADERS), BAD_GATEWAY_BODY))


def _written(
    protocol: WireProtocol, operation: OperationModel, output: dict[str, Any]
) -> WireResponse:
    """The response for ``output``: written by the protocol, or, for a job's kept
    rendering already written for this operation, the same status and body with fresh
    headers (a new request id and date)."""
    if type(output) is not KeptShown:
        return protocol.serialize_output(operation, output)
    written = output.written
    if written is not None and written[0] is operation:
        first = written[1]
        headers = {**first.headers, **base_headers(protocol.content_type)}
        return WireResponse(first.status, headers, first.body)
    response = protocol.serialize_output(operation, output)
    # Its own copy of the headers: a transport may add to the response's.
    output.written = (
        operation,
        WireResponse(response.status, dict(response.headers), response.body),
    )
    return response


def check_output(operation: Any, output: dict[str, Any]) -> None:
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
