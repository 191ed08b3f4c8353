"""A local HTTP server answering both APIs from one fake, for clients in any language.

Point an SDK's endpoint at :attr:`FakeServer.endpoint_url` (the AWS CLI's
``--endpoint-url``, the JavaScript SDK's ``endpoint``, boto3's ``endpoint_url``).
Requests with ``X-Amz-Target: AmazonPersonalize.*`` are Personalize calls; the others
are routed as Bedrock's REST paths. The region is read from the SigV4
``Authorization`` header (the signature itself is not checked). Paths under
``/_batchjobs/`` are the control API (:mod:`pytest_batchjobs.transports.server.control`).

Transport faults break the connection as a network would: ``connection_reset``
closes it with a TCP reset and no response; ``read_timeout`` sends nothing until the
client gives up (closes its end) or ``stall_seconds`` pass, then closes it.

What the server refuses, and how long it waits (:class:`FakeServer` has the settings):

- A request it cannot frame is answered ``400`` (``413`` for a body over
  :data:`MAX_BODY`) with ``Connection: close``, and never reaches the fake: a bad or
  repeated ``Host``, a body shorter than its ``Content-Length``, a malformed chunk, a
  ``Content-Length`` that is not plain digits, both ``Content-Length`` and
  ``Transfer-Encoding``, a transfer coding other than ``chunked``.
- A connection silent for ``idle_timeout`` seconds, between requests or in the middle
  of one, is closed (a request cut short this way is not answered).
- A request not read whole (head and body) within ``request_timeout`` seconds of its
  first byte is answered ``408`` with ``Connection: close``: a client trickling a byte
  at a time is never silent for long, and would hold its slot for as long as it liked.
- At most ``max_connections`` connections are served at once, each by its own thread;
  further ones wait in the listen backlog (:data:`BACKLOG`), and room is made for them
  by closing kept-alive connections that rest between requests.

The server binds a loopback address unless told otherwise: it has no authentication,
and whoever reaches it can read and change the fake's state.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import math
import re
import selectors
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, TextIO

from ...policies.faults import TransportFault
from ...wire.messages import WireRequest, WireResponse
from ..answer import answer
from .control import ControlAPI
from .control.limits import DEFAULT_JOB_LIMIT

if TYPE_CHECKING:
    from ...fake import BatchJobsFake

TRANSPORT = "server"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_STALL_SECONDS = 10.0
# Longer than any pause between a client's own requests in a test run, short enough
# that a client which went quiet gives its thread back soon. Closing an idle kept-alive
# connection costs a client only a reconnect: urllib3, Node's agent and Go's transport
# notice the close and open a new connection for the next call.
DEFAULT_IDLE_TIMEOUT = 15.0
DEFAULT_MAX_CONNECTIONS = 128
# Twice the idle timeout: a client on loopback sends its largest request (MAX_BODY) in
# well under a second; one still sending after 30 s is trickling, not slow.
DEFAULT_REQUEST_TIMEOUT = 30.0
# Connections beyond max_connections wait here, handshake done, until a slot frees. The
# kernel caps it at net.core.somaxconn; with socketserver's 5, a burst of 32 clients had
# its SYNs dropped and retried after 1 s and 3 s.
BACKLOG = socket.SOMAXCONN
MAX_BODY = 16 * 1024 * 1024
# poll() where the platform has it: one system call a wait, and no descriptor of its own
# (a DefaultSelector's epoll would open one per wait).
_Selector: type[selectors.BaseSelector] = getattr(
    selectors, "PollSelector", selectors.DefaultSelector
)
_POLL = 0.02  # real seconds: how soon stop() and a stalled call notice
_LINE = 4096  # the longest chunk-size or trailer line read
# After refusing a request, what the client still sends is read and dropped for this
# long (or this much): closing a socket with unread bytes sends a TCP reset, which can
# destroy the refusal in the client's buffers before it reads it.
_LINGER_SECONDS = 1.0
_LINGER_BYTES = 1024 * 1024
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
# RFC 3986's host (an IP literal in brackets, or a reg-name / IPv4 address) and port.
_HOST = re.compile(r"(?:\[(?P<literal>[^\]]*)\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?")


def _real_monotonic() -> float:
    """Real time, which no fake clock patches (freezegun patches ``time.monotonic``)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse a host that is not a loopback address, unless ``allow_remote``."""
    if allow_remote or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"refusing to serve on {host!r}: the fake has no authentication, and anyone "
            "who reaches it can read and change its jobs. Use a loopback address "
            "(127.0.0.1, ::1, localhost), or allow remote clients explicitly "
            "(--allow-remote, or FakeServer(..., allow_remote=True))."
        )


class FakeServer:
    """A threaded HTTP server in front of ``fake``; ``start()`` it, ``stop()`` it.

    Usable as a context manager. ``endpoint_url`` is known once started (port 0 picks
    a free port). The fake must be active (started) while the server answers calls.

    ``idle_timeout`` (seconds, default 15) is how long a connection may stay silent,
    waiting for a next request or in the middle of one, before the server closes it.
    ``request_timeout`` (seconds, default 30) is how long a request may take to arrive
    whole, head and body, from its first byte: past it the server answers ``408`` and
    closes the connection.
    ``max_connections`` (default 128) bounds the connections served at once, and so
    the server's threads. A connection beyond it waits, connected, until one closes;
    meanwhile the server closes the kept-alive connection resting longest between
    requests, and says ``Connection: close`` on the responses it sends. Waiting, not a
    ``503``: a client SDK sees only a slower call, where a 503 would spend one of its
    few retries (botocore's standard mode allows three attempts) and fail the test under
    load. Clients reconnect by themselves when a kept-alive connection is closed.

    ``job_limit`` (default 1,000,000, ``None`` for no bound) is the most jobs the fake
    may store, every kind and region together, after a factory request of the control
    API (``POST /_batchjobs/{kind}/jobs``): one that would store more is refused with a
    ``400`` that says how many are stored. Each job holds about 2.3 KB.

    The fake's journal keeps every call unless ``fake.journal.limit`` says otherwise,
    and its pagination records every sequence unless ``fake.pagination.limit`` does
    (``batchjobs-fake serve`` keeps the newest 10,000 of each).
    """

    def __init__(
        self,
        fake: BatchJobsFake,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        allow_remote: bool = False,
        stall_seconds: float = DEFAULT_STALL_SECONDS,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        job_limit: int | None = DEFAULT_JOB_LIMIT,
        log: TextIO | None = None,
    ) -> None:
        check_host(host, allow_remote)
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port!r}")
        for name, seconds in (("idle_timeout", idle_timeout), ("request_timeout", request_timeout)):
            if isinstance(seconds, bool) or not (
                isinstance(seconds, (int, float)) and 0 < seconds < math.inf
            ):
                raise ValueError(f"{name} must be a number of seconds > 0, got {seconds!r}")
        if isinstance(max_connections, bool) or not (
            isinstance(max_connections, int) and max_connections >= 1
        ):
            raise ValueError(f"max_connections must be an integer >= 1, got {max_connections!r}")
        self.fake = fake
        self.control = ControlAPI(fake, job_limit)
        self.host = host
        self.port = port
        self.stall_seconds = stall_seconds
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        self.log = log
        self.errors: list[str] = []
        self.closing = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------

    def start(self) -> FakeServer:
        """Bind and serve in a background thread."""
        if self._httpd is not None:
            raise RuntimeError("this FakeServer is already started")
        self.closing.clear()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_class = type("_BoundServer", (_HTTPServer,), {"address_family": family})
        httpd = server_class((self.host.strip("[]"), self.port), _Handler)
        httpd.app = self
        httpd.connections = _Connections(self.max_connections)
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": _POLL},
            name=f"batchjobs-fake-server:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, let calls in progress finish, close every connection."""
        httpd = self._httpd
        if httpd is None:
            return
        self.closing.set()
        connections = httpd.connections.stop()  # and wakes a connection waiting for a slot
        httpd.shutdown()
        for connection in connections:
            # Wakes handlers waiting for a next request on a kept-alive connection;
            # a handler writing a response can still finish it.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RD)
        httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        """``http://HOST:PORT``, the URL to give an SDK as its endpoint."""
        if self._httpd is None:
            raise RuntimeError("the server is not started: call start() first")
        host = self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    # -- bookkeeping for the handlers -------------------------------------------------

    def note(self, line: str) -> None:
        if self.log is not None:
            print(line, file=self.log, flush=True)

    def internal_error(self, what: str) -> None:
        self.errors.append(
            f"pytest-batchjobs' server failed while {what} (a bug in the fake; please "
            f"report it):\n{traceback.format_exc()}"
        )
        self.note(self.errors[-1])


class _Connections:
    """The connections being served, at most ``limit``; a newcomer waits for a slot.

    While one waits (``crowded``), the server makes room without making any client
    fail: it closes the kept-alive connection that has rested longest between requests
    (its client reconnects for its next call), and every response it sends says
    ``Connection: close``. Only connections in the middle of a request make a newcomer
    wait. A connection never rests before its first request: it is about to send it.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.crowded = False
        self._changed = threading.Condition()
        self._open: set[socket.socket] = set()
        self._resting: dict[socket.socket, None] = {}  # in the order they began to rest
        self._closing: set[socket.socket] = set()  # closed to make room, not yet gone

    def admit(self, connection: socket.socket, stopping: threading.Event) -> bool:
        """Wait for a slot for ``connection``; ``False`` if the server stops first."""
        with self._changed:
            while len(self._open) >= self.limit and not stopping.is_set():
                self.crowded = True
                if self._resting and not self._closing:
                    oldest = next(iter(self._resting))
                    del self._resting[oldest]
                    self._closing.add(oldest)
                    with contextlib.suppress(OSError):
                        oldest.shutdown(socket.SHUT_RD)  # its handler wakes and closes it
                self._changed.wait()
            self.crowded = False
            if stopping.is_set():
                return False
            self._open.add(connection)
            return True

    def rest(self, connection: socket.socket) -> None:
        """``connection`` waits for its next request: it may be closed to make room."""
        with self._changed:
            self._resting[connection] = None
            if self.crowded:
                self._changed.notify_all()

    def wake(self, connection: socket.socket) -> bool:
        """A request arrived on ``connection``; ``False`` if it was closed to make room
        meanwhile (the request then goes unanswered, as at an idle timeout)."""
        with self._changed:
            self._resting.pop(connection, None)
            return connection not in self._closing

    def release(self, connection: socket.socket) -> None:
        """``connection`` is closed: its slot is free."""
        with self._changed:
            self._open.discard(connection)
            self._resting.pop(connection, None)
            self._closing.discard(connection)
            self._changed.notify_all()

    def stop(self) -> list[socket.socket]:
        """Wake a newcomer waiting for a slot (it is refused); the open connections."""
        with self._changed:
            self._changed.notify_all()
            return list(self._open)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins them: nothing touches the fake after
    block_on_close = True
    request_queue_size = BACKLOG
    app: FakeServer
    connections: _Connections

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in its own thread, once a slot is free."""
        if not self.connections.admit(request, self.app.closing):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.connections.release(request)  # no thread started: nothing else will
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        threading.current_thread().name = f"batchjobs-fake-connection:{self.app.port}"
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is no error; anything else is recorded, quietly."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self.app.closing.is_set():
            return
        self.app.internal_error(f"serving {client_address}")


class _BadRequest(Exception):
    """A request that cannot be read as HTTP/1.1: refused with ``status``, unexecuted."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _RequestTimedOut(Exception):
    """A request's head and body did not arrive within the server's ``request_timeout``."""


class _RequestReader(io.RawIOBase):
    """The connection as the handler reads it, with a deadline for each request.

    Each read waits at most ``idle_timeout`` (then ``TimeoutError``: the connection is
    closed unanswered), and, once a request has begun (its first byte is read), no
    later than that request's deadline (then :class:`_RequestTimedOut`).
    """

    def __init__(self, connection: socket.socket, app: FakeServer) -> None:
        super().__init__()
        self._connection = connection
        self._idle_timeout = app.idle_timeout
        self._request_timeout = app.request_timeout
        self.deadline: float | None = None
        self.reading = False  # a request is being read: its first byte starts the deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        deadline = self.deadline
        wait = self._idle_timeout
        if deadline is not None:
            wait = min(wait, deadline - _real_monotonic())
            if wait <= 0:
                raise _RequestTimedOut
        shortened = wait < self._idle_timeout
        if shortened:
            self._connection.settimeout(wait)
        try:
            received = self._connection.recv_into(buffer)
        except TimeoutError:
            if shortened:
                raise _RequestTimedOut from None
            raise
        finally:
            if shortened:
                self._connection.settimeout(self._idle_timeout)  # for the writes, too
        if received and self.reading and self.deadline is None:
            self.deadline = _real_monotonic() + self._request_timeout
        return received

    def begin(self) -> None:
        """A next request is to be read: its deadline starts with its first byte."""
        self.reading, self.deadline = True, None

    def done(self) -> None:
        """The request is read whole: no deadline until the next one begins."""
        self.reading, self.deadline = False, None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body
    # waits for the client's delayed ACK, 40 ms a call on a kept-alive connection.
    disable_nagle_algorithm = True
    server: _HTTPServer
    reader: _RequestReader

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.app.idle_timeout)  # each read and write
        self.rfile.close()  # the socket's own file, replaced by one that keeps deadlines
        self.reader = _RequestReader(self.connection, self.server.app)
        self.rfile = io.BufferedReader(self.reader)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        """Requests, one after the other, while the client keeps the connection."""
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.server.connections.rest(self.connection)
            self.handle_one_request()

    def handle_one_request(self) -> None:
        """One request, answered ``408`` if it does not arrive whole in time."""
        self.reader.begin()
        try:
            super().handle_one_request()
        except _RequestTimedOut:
            self.requestline = getattr(self, "requestline", "")
            self.request_version = self.protocol_version
            self.command = getattr(self, "command", None) or ""
            timeout = self.server.app.request_timeout
            self._refuse(
                _BadRequest(
                    408,
                    f"the request did not arrive whole within {timeout:g} s of its first "
                    "byte (the server's request_timeout): send the head and body at once, "
                    "or start the server with a longer --request-timeout",
                )
            )

    def parse_request(self) -> bool:
        if not self.server.connections.wake(self.connection):
            self.close_connection = True
            return False
        return super().parse_request()

    def handle_expect_100(self) -> bool:
        """Refuse a body that could not be read before the client sends it."""
        try:
            self._framing()
        except _BadRequest as bad:
            self._refuse(bad)
            return False
        return super().handle_expect_100()

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        self.server.app.note(f"{self.address_string()} {format % args}")

    # -- one request ------------------------------------------------------------------

    def _dispatch(self) -> None:
        app = self.server.app
        try:
            url = self._url()
            body = self._read_body()
        except _BadRequest as bad:
            self._refuse(bad)
            return
        self.reader.done()
        if ControlAPI.owns(self.path):
            status, document = app.control.handle(self.command, self.path, body)
            self._write_json(status, document)
            return
        wire = WireRequest.build(self.command, url, self.headers.items(), body)
        try:
            response = answer(app.fake, wire, transport=TRANSPORT)
        except TransportFault as fault:
            self._break(fault.kind)
            return
        except Exception:
            app.internal_error(f"answering {self.command} {self.path}")
            self._write_json(500, {"message": "pytest-batchjobs failed to answer this call"})
            return
        self._write(response)

    def _url(self) -> str:
        """The URL asked for: the ``Host`` header (this server's if none) and the path."""
        if not self.path.startswith("/"):
            raise _BadRequest(400, f"the request target must be a path, got {self.path!r}")
        hosts = self.headers.get_all("Host") or [self.server.app.endpoint_url[len("http://") :]]
        if len(hosts) > 1:
            raise _BadRequest(400, f"a request has one Host header, this one has {len(hosts)}")
        host = hosts[0].strip()
        found = _HOST.fullmatch(host)
        if found is None or not _ipv6_or_none(found.group("literal")):
            raise _BadRequest(400, f"the Host header {host!r} is not a host[:port]")
        return f"http://{host}{self.path}"

    def _framing(self) -> int | None:
        """The body's length by its headers, or ``None`` for a chunked body."""
        codings = self.headers.get_all("Transfer-Encoding") or []
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if codings:
            if lengths:
                raise _BadRequest(400, "Content-Length and Transfer-Encoding: one or the other")
            coding = ",".join(codings).strip().lower()
            if coding != "chunked":
                raise _BadRequest(400, f"Transfer-Encoding must be chunked, got {coding!r}")
            return None
        if len(lengths) > 1:
            raise _BadRequest(400, f"Content-Length headers that differ: {sorted(lengths)}")
        text = lengths.pop() if lengths else "0"
        if _DIGITS.fullmatch(text) is None:
            raise _BadRequest(400, f"Content-Length must be a number of bytes, got {text!r}")
        # More digits than the cap has is over it, and int() refuses over 4,300 digits.
        if len(text.lstrip("0")) > len(str(MAX_BODY)) or int(text) > MAX_BODY:
            raise _BadRequest(413, f"a body of {text} bytes is over the {MAX_BODY} served")
        return int(text)

    def _read_body(self) -> bytes:
        length = self._framing()
        return self._read_chunks() if length is None else self._read_exactly(length, "the body")

    def _read_exactly(self, size: int, what: str) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise _BadRequest(400, f"{what} ended after {len(data)} of its {size} bytes")
        return data

    def _read_chunks(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while size := self._chunk_size():
            total += size
            if total > MAX_BODY:
                raise _BadRequest(413, f"a chunked body over the {MAX_BODY} bytes served")
            chunks.append(self._read_exactly(size, "a chunk"))
            if self._line("the end of a chunk"):
                raise _BadRequest(400, "a chunk is longer than its size says")
        while trailer := self._line("a trailer"):  # up to the blank line; dropped
            total += len(trailer)
            if total > MAX_BODY:
                raise _BadRequest(413, f"a chunked body over the {MAX_BODY} bytes served")
        return b"".join(chunks)

    def _chunk_size(self) -> int:
        text = self._line("a chunk size").split(b";", 1)[0].rstrip(b" \t")  # no extensions
        if _HEX.fullmatch(text) is None:  # int(text, 16) alone takes "-1", "0x1f", "1_0"
            raise _BadRequest(400, f"bad chunk size {text!r} in a chunked body")
        return int(text, 16)

    def _line(self, what: str) -> bytes:
        """One CRLF-ended line of a chunked body, without its end."""
        line = self.rfile.readline(_LINE + 1)
        if not line.endswith(b"\n"):
            problem = f"longer than {_LINE} bytes" if len(line) > _LINE else "cut short"
            raise _BadRequest(400, f"{what} line is {problem}")
        return line.rstrip(b"\r\n")

    def _refuse(self, bad: _BadRequest) -> None:
        """Answer a request that cannot be read, and close the connection gently."""
        self._write_json(bad.status, {"error": str(bad)}, close=True)
        connection = self.connection
        try:
            connection.shutdown(socket.SHUT_WR)
            deadline = _real_monotonic() + _LINGER_SECONDS
            drained = 0
            with _ReadableWait(connection) as readable:
                while drained < _LINGER_BYTES:
                    left = deadline - _real_monotonic()
                    if left <= 0 or not readable(left):
                        return
                    data = connection.recv(65536)
                    if not data:
                        return
                    drained += len(data)
        except OSError:
            pass  # the client is gone already

    def _write(self, response: WireResponse, close: bool = False) -> None:
        self.log_request(response.status)
        self.send_response_only(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if close or self.server.app.closing.is_set() or self.server.connections.crowded:
            self.send_header("Connection", "close")  # send_header sets close_connection
        self.end_headers()
        self.wfile.write(response.body)

    def _write_json(self, status: int, document: Any, close: bool = False) -> None:
        headers = {"Content-Type": "application/json"}
        self._write(WireResponse(status, headers, json.dumps(document).encode()), close)

    def _break(self, kind: str) -> None:
        """Break the connection: at once (reset), or after the client gives up."""
        if kind == "read_timeout":
            self._stall()
        connection = self.connection
        self.close_connection = True
        try:
            # Linger 0: close() sends a TCP RST, as a reset connection does.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
        except OSError:
            pass

    def _stall(self) -> None:
        """Send nothing until the client closes its end, the server stops, or
        ``stall_seconds`` of real time pass (the fake clock is frozen meanwhile)."""
        app = self.server.app
        deadline = _real_monotonic() + app.stall_seconds
        connection = self.connection
        with _ReadableWait(connection) as readable:
            while not app.closing.is_set() and _real_monotonic() < deadline:
                if readable(_POLL):
                    try:
                        if not connection.recv(1, socket.MSG_PEEK):
                            return  # the client timed out and hung up
                    except OSError:
                        return
                    app.closing.wait(_POLL)  # more bytes (a next request): keep stalling


class _ReadableWait:
    """Waits for one connection to have something to read (bytes, or its close).

    With the ``selectors`` module, not ``select.select()``: ``select()`` refuses a
    descriptor numbered 1,024 or more, which a process with many files or sockets open
    hands out. ``poll`` (or ``epoll``, ``kqueue``) has no such limit.
    """

    def __init__(self, connection: socket.socket) -> None:
        self._selector = _Selector()
        self._selector.register(connection, selectors.EVENT_READ)

    def __enter__(self) -> Callable[[float], bool]:
        return self.readable

    def __exit__(self, *exc: object) -> None:
        self._selector.close()

    def readable(self, timeout: float) -> bool:
        """Whether the connection has something to read within ``timeout`` seconds."""
        return bool(self._selector.select(timeout))


def _ipv6_or_none(literal: str | None) -> bool:
    """Whether a Host's bracketed IP literal is an IPv6 address (or there is none)."""
    if literal is None:
        return True
    try:
        ipaddress.IPv6Address(literal)
    except ValueError:
        return False
    return True
