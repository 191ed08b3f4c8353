"""The core's outcome as an HTTP transport sends it back: a response, or a broken
connection; an operation the fake does not fake is ``501 Not Implemented``.

The botocore transport can raise :class:`~pytest_batchjobs.UnfakedOperationError` in
the caller's own thread. A transport that speaks HTTP to its client (``responses``,
``urllib.request``, the local server) cannot: it answers ``501 Not Implemented`` in the
service's error format, naming the operation, so the client fails loudly and nothing
is sent to AWS.
"""

from __future__ import annotations

import http
from typing import TYPE_CHECKING

from ..core.contract import core_of
from ..core.outcome import Answered, Broken
from ..policies.faults import TransportFault
from ..wire.errors import ServiceError
from ..wire.protocols import protocol_of

if TYPE_CHECKING:
    from ..core.contract import HasCore
    from ..core.outcome import NotMine
    from ..wire.messages import WireRequest, WireResponse

NOT_IMPLEMENTED = "NotImplemented"


def answer(fake: HasCore, request: WireRequest, *, transport: str) -> WireResponse:
    """``fake``'s response to ``request`` (whether or not it is the active fake), for a
    transport with nothing below it; raises
    :class:`~pytest_batchjobs.policies.faults.TransportFault` for a broken connection,
    which the transport breaks its own way."""
    outcome = core_of(fake).answer(request, transport=transport)
    if isinstance(outcome, Broken):
        raise TransportFault(outcome.kind)
    if isinstance(outcome, Answered):
        return outcome.response
    return not_implemented(outcome)


def not_implemented(outcome: NotMine, *, moto_hint: bool = False) -> WireResponse:
    """``501 Not Implemented`` in the service's error format, naming the operation; with
    the hint to activate moto where the transport can reach it (``moto_hint``)."""
    error = ServiceError(NOT_IMPLEMENTED, outcome.explained(moto_hint=moto_hint), status=501)
    return protocol_of(outcome.service).serialize_error(error)


def reason_phrase(status: int) -> str:
    """The reason phrase of ``status`` (``Not Found``), or ``""`` for a code with none."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def http_message(response: WireResponse) -> bytes:
    """``response`` as the bytes of an HTTP/1.1 response, for a client that parses it."""
    headers = {"Content-Length": str(len(response.body)), **response.headers}
    head = f"HTTP/1.1 {response.status} {reason_phrase(response.status)}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode("latin-1") + b"\r\n" + response.body
