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
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from ..core.outcome import Broken
from ..wire.messages import WireRequest, WireResponse, body_bytes
from .answer import http_message
from .interceptor import ClientAdapter, Patch


class UrllibRequest(ClientAdapter):
    """``AbstractHTTPHandler.do_open``, where every opener's HTTP(S) handler connects."""

    transport = "urllib"

    def patches(self) -> Iterable[Patch]:
        return [Patch(urllib.request.AbstractHTTPHandler, "do_open", self._answering)]

    def _answering(self, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def do_open(handler: Any, http_class: Any, request: Any, **connection: Any) -> Any:
            routed = self.route(request)
            if routed is None:
                return original(handler, http_class, request, **connection)
            return self.answer(routed, request)

        return do_open

    def url(self, request: Any) -> str:
        return str(request.get_full_url())

    def wire(self, request: Any) -> WireRequest:
        return WireRequest.build(
            request.get_method(),
            self.url(request),
            request.header_items(),
            body_bytes(request.data),
        )

    def respond(self, response: WireResponse, request: Any) -> http.client.HTTPResponse:
        return _http_response(request, response)

    def broken(self, outcome: Broken, request: Any) -> BaseException:
        if outcome.timed_out:
            return TimeoutError("timed out")
        return ConnectionResetError(104, "Connection reset by peer")


class _Received:
    """The socket ``HTTPResponse`` reads from: the whole response, already received."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, *_: Any) -> io.BytesIO:
        return io.BytesIO(self._data)


def _http_response(request: Any, response: WireResponse) -> http.client.HTTPResponse:
    """``response`` as ``do_open`` returns one: an ``HTTPResponse`` with ``url`` and
    ``msg`` (the reason phrase, which urllib's error processor reads)."""
    received = _Received(http_message(response))
    method = request.get_method()
    parsed = http.client.HTTPResponse(received, method=method)  # type: ignore[arg-type]
    parsed.begin()
    parsed.url = request.get_full_url()
    parsed.msg = parsed.reason  # type: ignore[assignment]
    return parsed


INTERCEPTOR = UrllibRequest()
