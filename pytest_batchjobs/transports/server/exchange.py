"""One request, however it was framed: its URL checked, answered by the fake or the
control API. HTTP/1.1 (:mod:`.http1`) and HTTP/2 (:mod:`.http2`) call this."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...policies.faults import TransportFault
from ...wire.messages import WireRequest, WireResponse
from ..answer import answer
from .control import ControlAPI

if TYPE_CHECKING:
    from .app import App

TRANSPORT = "server"
MAX_BODY = 16 * 1024 * 1024
# RFC 3986's host (an IP literal in brackets, or a reg-name / IPv4 address) and port.
_HOST = re.compile(r"(?:\[(?P<literal>[^\]]*)\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?")
# What HTTP/1.1 says about the connection, not the message: neither the fake nor an
# HTTP/2 response carries it (RFC 9113, section 8.2.2).
HOP_BY_HOP = frozenset(
    {"connection", "content-length", "keep-alive", "transfer-encoding", "upgrade"}
)


class BadRequest(Exception):
    """A request that cannot be read: refused with ``status``, unexecuted."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def over_the_cap(size: int) -> BadRequest:
    return BadRequest(413, f"a body of {size} bytes or more is over the {MAX_BODY} served")


def url_of(app: App, target: str, host: str | None) -> str:
    """The URL asked for: its host (``Host``, or HTTP/2's ``:authority``; this server's
    if none) and the request target, which must be a path."""
    if not target.startswith("/"):
        raise BadRequest(400, f"the request target must be a path, got {target!r}")
    host = app.endpoint_url[len("http://") :] if host is None else host.strip()
    found = _HOST.fullmatch(host)
    if found is None or not _ipv6_or_none(found.group("literal")):
        raise BadRequest(400, f"the Host header {host!r} is not a host[:port]")
    return f"http://{host}{target}"


def respond(
    app: App, method: str, target: str, url: str, headers: Iterable[tuple[str, str]],
    body: bytes,
) -> WireResponse:  # fmt: skip
    """The response to one whole request; raises :class:`TransportFault` for a call
    whose connection a fault breaks."""
    if ControlAPI.owns(target):
        status, document = app.control.handle(method, target, body)
        return json_response(status, document)
    wire = WireRequest.build(method, url, list(headers), body)
    try:
        return answer(app.fake, wire, transport=TRANSPORT)
    except TransportFault:
        raise
    except Exception:
        app.internal_error(f"answering {method} {target}")
        return json_response(500, {"message": "pytest-batchjobs failed to answer this call"})


def json_response(status: int, document: Any) -> WireResponse:
    return WireResponse(status, {"Content-Type": "application/json"}, json.dumps(document).encode())


def refusal(bad: BadRequest) -> WireResponse:
    return json_response(bad.status, {"error": str(bad)})


def _ipv6_or_none(literal: str | None) -> bool:
    """Whether a Host's bracketed IP literal is an IPv6 address (or there is none)."""
    if literal is None:
        return True
    try:
        ipaddress.IPv6Address(literal)
    except ValueError:
        return False
    return True
