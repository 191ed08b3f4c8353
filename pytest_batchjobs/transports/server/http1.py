"""HTTP/1.1 on one connection, framed by ``h11``: keep-alive, pipelining, chunked and
``Content-Length`` bodies, ``Expect: 100-continue``.

``h11`` refuses what it cannot frame (a bad chunk size or chunk end, a
``Content-Length`` that is not digits or repeated with another value, a transfer coding
other than ``chunked``, a missing or repeated ``Host``); this module adds the server's
own bounds: a ``Host`` that is not a host[:port], a body over
:data:`~.exchange.MAX_BODY`, both ``Content-Length`` and ``Transfer-Encoding`` (which
RFC 9112 allows a server to refuse, and which is how requests are smuggled), and the
request deadline. Each is answered ``400`` (``413`` over the cap, ``408`` past the
deadline) with ``Connection: close`` and never reaches the fake.
"""

from __future__ import annotations

import socket
from http import HTTPStatus
from typing import TYPE_CHECKING

import h11

from ...policies.faults import TransportFault
from ...wire.messages import WireResponse
from .exchange import HOP_BY_HOP, MAX_BODY, BadRequest, over_the_cap, refusal, respond, url_of
from .sockets import drain, reset
from .waits import POLL, ReadableWait, real_monotonic

if TYPE_CHECKING:
    from .app import App
    from .connections import Connections

# The longest request line and headers h11 buffers (its default is 16 KiB; the standard
# library's server took lines of 64 KiB and 100 headers).
MAX_HEAD = 64 * 1024


class RequestTimedOut(Exception):
    """A request's head and body did not arrive within the server's ``request_timeout``."""


class Receiver:
    """Reads the connection with a deadline for each request.

    Each read waits at most ``idle_timeout`` (then ``TimeoutError``: the connection is
    closed unanswered), and, once a request has begun (its first byte is read), no
    later than that request's deadline (then :class:`RequestTimedOut`).
    """

    def __init__(self, connection: socket.socket, app: App) -> None:
        self._connection = connection
        self._idle_timeout = app.idle_timeout
        self._request_timeout = app.request_timeout
        self._deadline: float | None = None
        self._reading = False  # a request is being read: its first byte starts the deadline

    def recv(self) -> bytes:
        """The next bytes from the client; ``b""`` once it has closed its end."""
        deadline = self._deadline
        wait = self._idle_timeout
        if deadline is not None:
            wait = min(wait, deadline - real_monotonic())
            if wait <= 0:
                raise RequestTimedOut
        shortened = wait < self._idle_timeout
        if shortened:
            self._connection.settimeout(wait)
        try:
            received = self._connection.recv(65536)
        except TimeoutError:
            if shortened:
                raise RequestTimedOut from None
            raise
        finally:
            if shortened:
                self._connection.settimeout(self._idle_timeout)  # for the writes, too
        if received and self._reading and self._deadline is None:
            self._deadline = real_monotonic() + self._request_timeout
        return received

    def begin(self) -> None:
        """A next request is to be read: its deadline starts with its first byte."""
        self._reading, self._deadline = True, None

    def done(self) -> None:
        """The request is read whole: no deadline until the next one begins."""
        self._reading, self._deadline = False, None


class Http1:
    """Serves requests on one connection, one after the other, while the client keeps
    it; the first request's bytes may have been read already (``received``)."""

    def __init__(
        self,
        app: App,
        connection: socket.socket,
        connections: Connections,
        receiver: Receiver,
        peer: str,
    ) -> None:
        self._app = app
        self._connection = connection
        self._connections = connections
        self._receiver = receiver
        self._peer = peer
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)

    def serve(self, received: bytes) -> None:
        """Serve until either side closes; ``received`` begins the first request."""
        self._h11.receive_data(received)
        while self._serve_one():
            self._h11.start_next_cycle()
            self._connections.rest(self._connection)
            self._receiver.begin()

    def _serve_one(self) -> bool:
        """Read, answer and send one request; whether the connection stays open."""
        try:
            request = self._next_request()
            if request is None or not self._connections.wake(self._connection):
                return False  # closed by the client, or to make room for another
            url = self._url(request)
            body = self._body(request)
        except RequestTimedOut:
            timeout = self._app.request_timeout
            self._refuse(
                BadRequest(
                    408,
                    f"the request did not arrive whole within {timeout:g} s of its first "
                    "byte (the server's request_timeout): send the head and body at once, "
                    "or start the server with a longer --request-timeout",
                )
            )
            return False
        except h11.RemoteProtocolError as error:
            self._refuse(BadRequest(400, f"the request is not HTTP/1.1 as framed: {error}"))
            return False
        except BadRequest as bad:
            self._refuse(bad)
            return False
        except OSError:  # silent past the idle timeout, or gone
            return False
        self._receiver.done()
        method, target = request.method.decode("ascii"), request.target.decode("latin-1")
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers
        ]
        try:
            response = respond(self._app, method, target, url, headers, body)
        except TransportFault as fault:
            self._break(fault.kind)
            return False
        self._note(request, response.status)
        closing = self._app.closing.is_set() or self._connections.crowded
        try:
            self._send(response, close=closing)
        except OSError:
            return False
        return self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE

    def _next_request(self) -> h11.Request | None:
        """The next request's head; ``None`` if the client closed between requests."""
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                self._h11.receive_data(self._receiver.recv())
            elif isinstance(event, h11.Request):
                return event
            else:  # ConnectionClosed: h11 raises for a close in the middle of a head
                return None

    def _url(self, request: h11.Request) -> str:
        hosts = [value for name, value in request.headers if name == b"host"]
        host = hosts[0].decode("latin-1") if hosts else None  # HTTP/1.0 may have none
        url = url_of(self._app, request.target.decode("latin-1"), host)
        names = {name for name, _ in request.headers}
        if b"transfer-encoding" in names and b"content-length" in names:
            raise BadRequest(400, "Content-Length and Transfer-Encoding: one or the other")
        for name, value in request.headers:
            # h11 checked it is digits; more digits than the cap has is over it.
            if name == b"content-length" and (
                len(value.lstrip(b"0")) > len(str(MAX_BODY)) or int(value) > MAX_BODY
            ):
                size = value.decode()
                raise BadRequest(413, f"a body of {size} bytes is over the {MAX_BODY} served")
        return url

    def _body(self, request: h11.Request) -> bytes:
        if self._h11.they_are_waiting_for_100_continue:
            self._connection.sendall(
                self._h11.send(
                    h11.InformationalResponse(status_code=100, headers=[], reason=b"Continue")
                )
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                self._h11.receive_data(self._receiver.recv())
            elif isinstance(event, h11.Data):
                total += len(event.data)
                if total > MAX_BODY:
                    raise over_the_cap(total)
                chunks.append(bytes(event.data))
            else:  # EndOfMessage (trailers, if any, are dropped)
                return b"".join(chunks)

    def _send(self, response: WireResponse, close: bool) -> None:
        headers: list[tuple[bytes, bytes]] = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in response.headers.items()
            if name.lower() not in HOP_BY_HOP
        ]
        headers.append((b"Content-Length", b"%d" % len(response.body)))
        if close:
            headers.append((b"Connection", b"close"))
        try:
            reason = HTTPStatus(response.status).phrase.encode()
        except ValueError:
            reason = b""
        head = h11.Response(status_code=response.status, headers=headers, reason=reason)
        data = self._h11.send(head)
        if response.body:
            data += self._h11.send(h11.Data(data=response.body))
        self._connection.sendall(data + self._h11.send(h11.EndOfMessage()))

    def _refuse(self, bad: BadRequest) -> None:
        """Answer a request that cannot be read, and close the connection gently."""
        if self._h11.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            self._app.note(f"{self._peer} refused: {bad.status} {bad}")
            try:
                self._send(refusal(bad), close=True)
            except OSError:
                return
        drain(self._connection)

    def _break(self, kind: str) -> None:
        """Break the connection: at once (reset), or after the client gives up."""
        if kind == "read_timeout":
            self._stall()
        reset(self._connection)

    def _stall(self) -> None:
        """Send nothing until the client closes its end, the server stops, or
        ``stall_seconds`` of real time pass (the fake clock is frozen meanwhile)."""
        app = self._app
        deadline = real_monotonic() + app.stall_seconds
        connection = self._connection
        with ReadableWait(connection) as readable:
            while not app.closing.is_set() and real_monotonic() < deadline:
                if readable(POLL):
                    try:
                        if not connection.recv(1, socket.MSG_PEEK):
                            return  # the client timed out and hung up
                    except OSError:
                        return
                    app.closing.wait(POLL)  # more bytes (a next request): keep stalling

    def _note(self, request: h11.Request, status: int) -> None:
        line = b"%s %s HTTP/%s" % (request.method, request.target, request.http_version)
        self._app.note(f'{self._peer} "{line.decode("latin-1")}" {status} -')
