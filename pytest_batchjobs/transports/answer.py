"""The answer an HTTP transport sends back: the fake's, or a 501 for an unfaked operation.

The botocore transport can raise :class:`UnfakedOperationError` in the caller's own
thread. A transport that speaks HTTP to its client (``responses``, the local server)
cannot: it answers ``501 Not Implemented`` in the service's error format, naming the
operation, so the client fails loudly and nothing is sent to AWS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UnfakedOperationError
from ..wire.errors import ServiceError
from ..wire.facts import RequestFacts
from ..wire.messages import WireResponse
from ..wire.protocols import protocol_of

if TYPE_CHECKING:
    from ..fake import BatchJobsFake
    from ..wire.messages import WireRequest

NOT_IMPLEMENTED = "NotImplemented"
_MOTO_HINT = " To answer other operations"


def answer(
    fake: BatchJobsFake, request: WireRequest, *, transport: str, service: str | None = None
) -> WireResponse:
    """The fake's response to ``request``; raises :class:`TransportFault` for a broken
    connection, which each transport breaks its own way."""
    try:
        response = fake.handle(request, transport=transport, service=service)
    except UnfakedOperationError as error:
        return not_implemented(service or service_of(request), str(error))
    if response is None:  # only when a ``defer`` says another fake answers; none here
        return not_implemented(service or service_of(request), "no fake answered this call")
    return response


def not_implemented(service: str, message: str, *, moto_hint: bool = False) -> WireResponse:
    """``501 Not Implemented`` in ``service``'s error format.

    The gateway's message ends with a hint to activate moto, which can answer over
    ``requests`` (``moto_hint``) but not over the local server.
    """
    if not moto_hint:
        message = message.split(_MOTO_HINT, 1)[0]
    error = ServiceError(NOT_IMPLEMENTED, message, status=501)
    return protocol_of(service).serialize_error(error)


def service_of(request: WireRequest) -> str:
    """Which service a request is most likely for."""
    return RequestFacts(request).likely_service
