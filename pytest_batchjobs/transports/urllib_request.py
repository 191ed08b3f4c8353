"""Answer ``urllib.request`` calls to the two services.

Every opener's HTTP and HTTPS handlers open their connection in
``AbstractHTTPHandler.do_open``. While a fake is active, it answers a request for an
endpoint of the two services (any that :mod:`.hosts` recognises) with the
active fake's response, read by ``http.client.HTTPResponse`` from the bytes AWS would
send, as urllib returns a real one: the opener's processors run on it as usual (a 4xx
or 5xx becomes ``urllib.error.HTTPError``). Nothing is resolved or connected, even
through a proxy. Every other request is opened as before.

An operation the fake does not implement is answered ``501 Not Implemented`` naming
it, as over the local server (moto, when active, mocks botocore and ``requests``, not
urllib); a broken connection raises what ``http.client`` raises for one.
"""

from __future__ import annotations

import functools
import http
import http.client
import io
import threading
import urllib.request
from collections.abc import Callable
from typing import Any

from ..active import active_core
from ..core.outcome import Answered, Broken
from ..wire.messages import WireRequest, WireResponse, body_bytes
from .answer import not_implemented
from .hosts import endpoint_of_url

TRANSPORT = "urllib"
_HANDLER: Any = urllib.request.AbstractHTTPHandler  # patched below
_lock = threading.Lock()
_original_do_open: Any = None


def activate() -> None:
    """Answer the services' requests in ``do_open`` (once, while any fake is active)."""
    global _original_do_open
    with _lock:
        if _original_do_open is None:
            _original_do_open = _HANDLER.do_open
            _HANDLER.do_open = _answering(_original_do_open)


def deactivate() -> None:
    """Undo :func:`activate` once no fake is active."""
    global _original_do_open
    with _lock:
        if _original_do_open is not None and active_core() is None:
            _HANDLER.do_open = _original_do_open
            _original_do_open = None


def _answering(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def do_open(handler: Any, http_class: Any, request: Any, **connection: Any) -> Any:
        core = active_core()
        url = request.get_full_url()
        found = endpoint_of_url(url) if core is not None else None
        if core is None or found is None:
            return original(handler, http_class, request, **connection)
        wire = WireRequest.build(
            request.get_method(), url, request.header_items(), body_bytes(request.data)
        )
        outcome = core.answer(wire, transport=TRANSPORT, service=found.service)
        if isinstance(outcome, Broken):
            if outcome.timed_out:
                raise TimeoutError("timed out")
            raise ConnectionResetError(104, "Connection reset by peer")
        if isinstance(outcome, Answered):
            return _http_response(request, outcome.response)
        return _http_response(request, not_implemented(outcome))

    return do_open


class _Received:
    """The socket ``HTTPResponse`` reads from: the whole response, already received."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, *_: Any) -> io.BytesIO:
        return io.BytesIO(self._data)


def _http_response(request: Any, response: WireResponse) -> http.client.HTTPResponse:
    """``response`` as ``do_open`` returns one: an ``HTTPResponse`` with ``url`` and
    ``msg`` (the reason phrase, which urllib's error processor reads)."""
    try:
        reason = http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    headers = {"Content-Length": str(len(response.body)), **response.headers}
    head = f"HTTP/1.1 {response.status} {reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    received = _Received(head.encode("latin-1") + b"\r\n" + response.body)
    method = request.get_method()
    parsed = http.client.HTTPResponse(received, method=method)  # type: ignore[arg-type]
    parsed.begin()
    parsed.url = request.get_full_url()
    parsed.msg = parsed.reason  # type: ignore[assignment]
    return parsed
