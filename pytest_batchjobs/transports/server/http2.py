"""HTTP/2 with prior knowledge on one connection, framed by ``h2`` (RFC 9113).

The client opens with the connection preface (the JavaScript SDK v3's default
``NodeHttp2Handler`` does, over ``http://``); requests then arrive as streams,
several at once. One thread serves the connection: it reads frames, answers each
request when its stream ends, and sends each response as the flow-control windows
allow, the others' frames in between.

Per stream, what the HTTP/1.1 side does per connection: a ``Host`` (``:authority``)
that is not a host[:port] is a ``400``, a body over the cap a ``413``, a request not
whole within ``request_timeout`` a ``408``; each is answered on its stream, which is
then reset (``NO_ERROR``) if the client is still sending, and none reaches the fake.
A ``read_timeout`` fault holds its stream's response until the client resets the
stream or ``stall_seconds`` pass (then resets it, ``CANCEL``), while the other streams
are answered; ``connection_reset`` resets the TCP connection, every stream with it, as
under HTTP/1.1 (no ``GOAWAY``: the network sends none). A connection silent for
``idle_timeout`` seconds, or asked to make room for another, or open when the server
stops, gets a ``GOAWAY`` (``NO_ERROR``) and is closed.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.errors import ErrorCodes
from h2.events import (
    ConnectionTerminated,
    DataReceived,
    Event,
    RequestReceived,
    StreamEnded,
    StreamReset,
    WindowUpdated,
)
from h2.exceptions import ProtocolError, StreamClosedError

from ...policies.faults import TransportFault
from ...wire.messages import WireResponse
from .exchange import HOP_BY_HOP, MAX_BODY, BadRequest, over_the_cap, refusal, respond, url_of
from .sockets import reset
from .waits import ReadableWait, real_monotonic

if TYPE_CHECKING:
    from .app import App
    from .connections import Connections


@dataclass
class _Stream:
    """One request as it arrives, and its response as it leaves."""

    headers: list[tuple[str, str]]
    deadline: float  # real time by which the request must be whole
    body: bytearray = field(default_factory=bytearray)
    ended: bool = False  # the client has sent the whole request
    refused: bool = False  # answered without running: what else arrives is dropped
    stalled_until: float | None = None  # a read_timeout fault holds the response
    outbound: bytes = b""  # the response body not yet sent (flow control)


class Http2:
    """Serves one HTTP/2 connection until either side ends it."""

    def __init__(
        self, app: App, connection: socket.socket, connections: Connections, peer: str
    ) -> None:
        self._app = app
        self._connection = connection
        self._connections = connections
        self._peer = peer
        self._h2 = H2Connection(H2Configuration(client_side=False, header_encoding="utf-8"))
        self._streams: dict[int, _Stream] = {}
        self._open = True
        self._heard = real_monotonic()

    def serve(self, received: bytes) -> None:
        """Serve until the connection ends; ``received`` begins with the preface."""
        self._h2.initiate_connection()
        try:
            self._receive(received)
            if not self._open:  # a fault broke it, or the client erred, at once
                return
            with ReadableWait(self._connection) as readable:
                while self._open:
                    if readable(max(self._next_wake() - real_monotonic(), 0)):
                        data = self._connection.recv(65536)
                        if not data:  # the client left, the server stops or makes room
                            self._go_away()
                            return
                        self._heard = real_monotonic()
                        self._receive(data)
                    if self._open:
                        self._keep_time()
        except OSError:
            return  # the client is gone, or stopped reading

    # -- frames in --------------------------------------------------------------------

    def _receive(self, data: bytes) -> None:
        try:
            events = self._h2.receive_data(data)
        except ProtocolError:  # h2 has queued a GOAWAY saying why
            self._flush()
            self._open = False
            return
        for event in events:
            try:
                self._on(event)
            except StreamClosedError as closed:  # the client reset it in the same read
                self._forget(closed.stream_id)
            if not self._open:
                return
        self._flush()

    def _on(self, event: Event) -> None:
        if isinstance(event, RequestReceived) and event.stream_id is not None:
            self._begin(event.stream_id, event.headers or [], event.stream_ended is not None)
        elif isinstance(event, DataReceived) and event.stream_id is not None:
            self._h2.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
            self._more(event.stream_id, event.data or b"")
        elif isinstance(event, StreamEnded) and event.stream_id is not None:
            self._end(event.stream_id)
        elif isinstance(event, StreamReset) and event.stream_id is not None:
            self._forget(event.stream_id)  # the client gave up on it
        elif isinstance(event, WindowUpdated):
            for stream_id in [event.stream_id] if event.stream_id else list(self._streams):
                self._send_body(stream_id)
        elif isinstance(event, ConnectionTerminated):
            self._open = False

    def _begin(
        self, stream_id: int, raw: Iterable[tuple[str | bytes, str | bytes]], ended: bool
    ) -> None:
        headers = [(_text(name), _text(value)) for name, value in raw]
        if not self._streams and not self._connections.wake(self._connection):
            self._go_away()  # closed to make room for another client
            return
        deadline = real_monotonic() + self._app.request_timeout
        self._streams[stream_id] = stream = _Stream(headers, deadline, ended=ended)
        try:
            self._url(stream)
            for name, value in headers:
                if name == "content-length" and value.isdigit() and int(value) > MAX_BODY:
                    raise over_the_cap(int(value))
        except BadRequest as bad:
            self._refuse(stream_id, bad)

    def _more(self, stream_id: int, data: bytes) -> None:
        stream = self._streams.get(stream_id)
        if stream is None or stream.refused:
            return
        stream.body += data
        if len(stream.body) > MAX_BODY:
            self._refuse(stream_id, over_the_cap(len(stream.body)))

    def _end(self, stream_id: int) -> None:
        stream = self._streams.get(stream_id)
        if stream is None:  # refused, answered and forgotten
            return
        stream.ended = True
        if stream.refused:
            self._done_with(stream_id)
            return
        method, target = _pseudo(stream, ":method") or "", _pseudo(stream, ":path") or ""
        headers = [(name, value) for name, value in stream.headers if not name.startswith(":")]
        try:
            url = self._url(stream)
            response = respond(self._app, method, target, url, headers, bytes(stream.body))
        except TransportFault as fault:
            self._break(stream_id, stream, fault.kind)
            return
        self._app.note(f'{self._peer} "{method} {target} HTTP/2" {response.status} -')
        self._send(stream_id, response)

    # -- frames out -------------------------------------------------------------------

    def _send(self, stream_id: int, response: WireResponse) -> None:
        headers = [(":status", str(response.status))]
        headers += [
            (name.lower(), value)
            for name, value in response.headers.items()
            if name.lower() not in HOP_BY_HOP
        ]
        headers.append(("content-length", str(len(response.body))))
        self._h2.send_headers(stream_id, headers, end_stream=not response.body)
        self._streams[stream_id].outbound = response.body
        self._send_body(stream_id)

    def _send_body(self, stream_id: int) -> None:
        """As much of the response as the windows allow; the rest on a WINDOW_UPDATE."""
        stream = self._streams.get(stream_id)
        if stream is None or stream.stalled_until is not None:
            return
        while stream.outbound:
            room = min(
                self._h2.local_flow_control_window(stream_id), self._h2.max_outbound_frame_size
            )
            if room <= 0:
                return
            chunk, stream.outbound = stream.outbound[:room], stream.outbound[room:]
            self._h2.send_data(stream_id, chunk, end_stream=not stream.outbound)
        if stream.ended or stream.refused:
            self._done_with(stream_id)

    def _refuse(self, stream_id: int, bad: BadRequest) -> None:
        """Answer a request that cannot be run; stop the client sending the rest."""
        self._app.note(f"{self._peer} refused stream {stream_id}: {bad.status} {bad}")
        stream = self._streams[stream_id]
        stream.refused = True
        self._send(stream_id, refusal(bad))

    def _done_with(self, stream_id: int) -> None:
        """The response is sent: reset the stream if the client is still sending."""
        stream = self._streams.get(stream_id)
        if stream is None or stream.outbound:
            return
        if not stream.ended:
            self._h2.reset_stream(stream_id, ErrorCodes.NO_ERROR)
        self._forget(stream_id)

    def _forget(self, stream_id: int) -> None:
        if self._streams.pop(stream_id, None) is not None and not self._streams:
            if self._app.closing.is_set() or self._connections.crowded:
                self._go_away()
            else:
                self._connections.rest(self._connection)

    def _break(self, stream_id: int, stream: _Stream, kind: str) -> None:
        """A transport fault: hold the stream's response, or break the connection."""
        if kind == "read_timeout":
            stream.stalled_until = real_monotonic() + self._app.stall_seconds
            return
        # A TCP reset, as the network resets a connection, not a GOAWAY: that would be
        # the server ending it, and clients tell them apart (the JavaScript SDK retries
        # ECONNRESET, not a session closed with INTERNAL_ERROR). What was answered
        # before goes first.
        self._flush()
        reset(self._connection)
        self._open = False

    def _go_away(self) -> None:
        """End the connection politely (``GOAWAY``, ``NO_ERROR``), then close it."""
        if self._open:
            self._open = False
            self._h2.close_connection(error_code=ErrorCodes.NO_ERROR)
            self._flush()

    def _flush(self) -> None:
        data = self._h2.data_to_send()
        if data:
            self._connection.sendall(data)

    # -- time -------------------------------------------------------------------------

    def _next_wake(self) -> float:
        """When something is due: a stalled response, a request deadline, or idleness."""
        stalled = [s.stalled_until for s in self._streams.values() if s.stalled_until is not None]
        deadlines = [s.deadline for s in self._streams.values() if not s.ended and not s.refused]
        if stalled:
            return min(stalled + deadlines)
        return min([self._heard + self._app.idle_timeout, *deadlines])

    def _keep_time(self) -> None:
        now = real_monotonic()
        for stream_id, stream in list(self._streams.items()):
            if stream.stalled_until is not None and stream.stalled_until <= now:
                self._h2.reset_stream(stream_id, ErrorCodes.CANCEL)
                self._forget(stream_id)
            elif not stream.ended and not stream.refused and stream.deadline <= now:
                timeout = self._app.request_timeout
                message = (
                    f"the request did not arrive whole within {timeout:g} s of its first "
                    "frame (the server's request_timeout): send the head and body at once, "
                    "or start the server with a longer --request-timeout"
                )
                self._refuse(stream_id, BadRequest(408, message))
        stalled = any(stream.stalled_until is not None for stream in self._streams.values())
        if not stalled and now >= self._heard + self._app.idle_timeout:
            self._go_away()  # silent for the idle timeout
        elif self._open:
            self._flush()

    # -- the request ------------------------------------------------------------------

    def _url(self, stream: _Stream) -> str:
        authority = _pseudo(stream, ":authority") or _pseudo(stream, "host")
        return url_of(self._app, _pseudo(stream, ":path") or "", authority)


def _pseudo(stream: _Stream, name: str) -> str | None:
    """The first value of the header ``name`` (a pseudo-header such as ``:path``, too)."""
    return next((value for key, value in stream.headers if key == name), None)


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
