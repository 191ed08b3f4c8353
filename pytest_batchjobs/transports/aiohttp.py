"""Answer aiohttp requests to the faked services, over a connection in memory.

While a fake is active, a ``ClientSession`` request to an endpoint of a faked service
(any spelling :mod:`.hosts` recognises), signed (botocore's ``SigV4Auth``) or not, is
answered by the active fake: aiohttp used directly, and httpx over aiohttp (LiteLLM's
default async transport). ``TCPConnector._create_connection`` is the one place every
aiohttp connection opens, directly or through a proxy, whatever resolves its names
(aiodns's c-ares, uvloop's libuv, a ``ThreadedResolver``): for such a request it hands
aiohttp a connection in memory instead of a socket, so nothing is resolved or connected.
aiohttp writes the request into it as it would to AWS, and reads the fake's answer from
it with its own parser: the response is aiohttp's own ``ClientResponse``, built from the
bytes AWS would send (``raise_for_status``, ``json()``, ``read()``, ``text()``,
``content.read()``, redirects and middlewares behave as with AWS). Every other
connection opens as before. Beside a user's aioresponses mock (which patches
``ClientSession._request``, above all this), a service request the mock has no response
for is answered by the fake (:class:`BesideAioresponses`, the registry's line for
aioresponses, over :mod:`..neighbours.aioresponses`).

An operation the fake does not fake is answered ``501 Not Implemented`` naming it (moto
mocks no aiohttp). An injected broken connection breaks this connection, and aiohttp
raises what it raises for a real one (measured against a socket with aiohttp 3.14): a
reset after the request was sent is ``ClientOSError(104, 'Connection reset by peer')``,
which aiohttp retries once by itself for an idempotent method (GET, PUT, DELETE, …), as
with AWS; a read timeout is ``SocketTimeoutError('Timeout on reading data from socket')``
(a ``ServerTimeoutError`` and an ``asyncio.TimeoutError``), raised at once, as when the
session's ``sock_read`` timeout runs out.

The connection is closed once answered, as a server closes one: a session never keeps
one in its pool past the fake.

This module imports aiohttp: the registry imports it once aiohttp is loaded.
"""

from __future__ import annotations

import asyncio
import errno
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.connector import TCPConnector

from ..wire.messages import WireRequest
from .answer import http_message
from .interceptor import ClientAdapter, Interceptor, Patch, route_url

if TYPE_CHECKING:
    from aiohttp.client_reqrep import ClientRequest
    from multidict import CIMultiDictProxy

    from ..core.outcome import Broken
    from ..wire.messages import WireResponse
    from .interceptor import Routed

_CONNECT: Any = TCPConnector  # patched below
_RESET = "Connection reset by peer"
_READ_TIMEOUT = "Timeout on reading data from socket"
# aiohttp < 3.10 has no SocketTimeoutError: its read timeout is a ServerTimeoutError.
_SocketTimeoutError: type[aiohttp.ServerTimeoutError] = getattr(
    aiohttp, "SocketTimeoutError", aiohttp.ServerTimeoutError
)


class _Sent(NamedTuple):
    """A request as aiohttp wrote it: what :meth:`AiohttpInterceptor.answer` reads."""

    method: str
    url: str
    headers: CIMultiDictProxy[str] | Any
    body: bytes


class AiohttpInterceptor(ClientAdapter):
    """aiohttp's adapter: a connection in memory for the faked services' requests."""

    transport = "aiohttp"

    def patches(self) -> list[Patch]:
        return [Patch(_CONNECT, "_create_connection", self._connecting)]

    def _connecting(self, original: Callable[..., Any]) -> Callable[..., Any]:
        interceptor = self

        async def _create_connection(
            connector: Any, req: ClientRequest, *args: Any, **kwargs: Any
        ) -> Any:
            routed = interceptor.route(req)
            if routed is None:
                return await original(connector, req, *args, **kwargs)
            return _InMemory(interceptor, routed, req, asyncio.get_running_loop()).protocol

        return _create_connection

    def url(self, request: ClientRequest) -> str:
        return str(request.url)

    def wire(self, request: _Sent) -> WireRequest:
        return WireRequest.build(request.method, request.url, request.headers.items(), request.body)

    def respond(self, response: WireResponse, request: _Sent) -> bytes:
        return http_message(response)

    def broken(self, outcome: Broken, request: _Sent) -> BaseException:
        if outcome.timed_out:
            return _SocketTimeoutError(_READ_TIMEOUT)
        return ConnectionResetError(errno.ECONNRESET, _RESET)


class _InMemory(asyncio.Transport):
    """The connection aiohttp writes one request into and reads the fake's answer from,
    with aiohttp's own protocol (and so its own response parser) on top."""

    def __init__(
        self, interceptor: AiohttpInterceptor, routed: Routed, req: ClientRequest, loop: Any
    ) -> None:
        super().__init__()
        self._interceptor = interceptor
        self._routed = routed
        self._req = req
        self._loop = loop
        self._received = bytearray()
        self._sent = False  # the whole request has been received
        self._closing = False
        self.protocol = ResponseHandler(loop)
        self.protocol.connection_made(self)

    # -- what aiohttp calls ------------------------------------------------------------

    def write(self, data: Any) -> None:
        if self._closing or self._sent or not data:
            return
        first = not self._received
        self._received += data
        body = _body_if_complete(self._received, self._req.headers)
        if body is not None:
            self._sent = True
            self._loop.call_soon(self._answer, body)  # as a network answer: later
        elif first and self._req.headers.get("Expect", "").lower() == "100-continue":
            self._loop.call_soon(self.protocol.data_received, b"HTTP/1.1 100 Continue\r\n\r\n")

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self.protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def get_write_buffer_size(self) -> int:
        return 0  # everything written is received at once

    def pause_reading(self) -> None:
        """Nothing to pause: the whole answer is handed over at once."""

    def resume_reading(self) -> None:
        """Nothing to resume."""

    # -- the answer --------------------------------------------------------------------

    def _answer(self, body: bytes) -> None:
        req = self._req
        sent = _Sent(req.method, str(req.url), req.headers, body)
        try:
            answer: bytes = self._interceptor.answer(self._routed, sent)
        except ConnectionResetError as reset:
            self._closing = True
            self.protocol.connection_lost(reset)
            return
        except Exception as error:  # a read timeout (or a bug): raised where aiohttp reads
            self.protocol.set_exception(error)
            return
        self.protocol.data_received(answer)
        self.close()


class BesideAioresponses(Interceptor):
    """aioresponses' ``match``, while a fake is active: a faked service's request that a
    user's mock has no response for goes on to aiohttp, where the fake answers it
    (:mod:`..neighbours.aioresponses`)."""

    def patches(self) -> list[Patch]:
        from ..neighbours import aioresponses as beside

        if not beside.GUARD.check():
            return []
        answers = beside.passing_unmatched(lambda url: route_url(url) is not None)
        return [Patch(sys.modules["aioresponses"].aioresponses, "match", answers)]


def _body_if_complete(received: bytearray, headers: Any) -> bytes | None:
    """The request's body once ``received`` holds the whole request (aiohttp frames it
    by the ``Content-Length`` or ``Transfer-Encoding: chunked`` it sent), else ``None``."""
    _, end_of_head, body = bytes(received).partition(b"\r\n\r\n")
    if not end_of_head:
        return None
    if "chunked" in headers.get("Transfer-Encoding", "").lower():
        return _dechunked(body)
    length = int(headers.get("Content-Length", 0))
    return body[:length] if len(body) >= length else None


def _dechunked(body: bytes) -> bytes | None:
    """A chunked body's content, or ``None`` until its last chunk has arrived."""
    chunks: list[bytes] = []
    at = 0
    while (end_of_size := body.find(b"\r\n", at)) >= 0:
        size = int(body[at:end_of_size].split(b";")[0], 16)
        start = end_of_size + 2
        if len(body) < start + size + 2:
            return None
        if size == 0:
            return b"".join(chunks)
        chunks.append(body[start : start + size])
        at = start + size + 2
    return None


INTERCEPTOR = AiohttpInterceptor()
BESIDE_AIORESPONSES = BesideAioresponses()
