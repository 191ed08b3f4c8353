"""A local HTTP server answering both APIs from one fake, for clients in any language.

Point an SDK's endpoint at :attr:`FakeServer.endpoint_url` (the AWS CLI's
``--endpoint-url``, the JavaScript SDK's ``endpoint``, boto3's ``endpoint_url``).
Requests with ``X-Amz-Target: AmazonPersonalize.*`` are Personalize calls; the others
are routed as Bedrock's REST paths. The region is read from the SigV4
``Authorization`` header (the signature itself is not checked). Paths under
``/_batchjobs/`` are the control API (:mod:`pytest_batchjobs.control`).

Transport faults break the connection as a network would: ``connection_reset``
closes it with a TCP reset and no response; ``read_timeout`` sends nothing until the
client gives up (closes its end) or ``stall_seconds`` pass, then closes it.

The server binds a loopback address unless told otherwise: it has no authentication,
and whoever reaches it can read and change the fake's state.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import select
import socket
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, TextIO

from ..control import ControlAPI
from ..policies.faults import TransportFault
from ..wire.messages import WireRequest, WireResponse
from .answer import answer

if TYPE_CHECKING:
    from ..fake import BatchJobsFake

TRANSPORT = "server"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_STALL_SECONDS = 10.0
MAX_BODY = 16 * 1024 * 1024
_POLL = 0.02  # real seconds: how soon stop() and a stalled call notice


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
    """

    def __init__(
        self,
        fake: BatchJobsFake,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        allow_remote: bool = False,
        stall_seconds: float = DEFAULT_STALL_SECONDS,
        log: TextIO | None = None,
    ) -> None:
        check_host(host, allow_remote)
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port!r}")
        self.fake = fake
        self.control = ControlAPI(fake)
        self.host = host
        self.port = port
        self.stall_seconds = stall_seconds
        self.log = log
        self.errors: list[str] = []
        self.closing = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

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
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
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

    def track(self, connection: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def note(self, line: str) -> None:
        if self.log is not None:
            print(line, file=self.log, flush=True)

    def internal_error(self, what: str) -> None:
        self.errors.append(
            f"pytest-batchjobs' server failed while {what} (a bug in the fake; please "
            f"report it):\n{traceback.format_exc()}"
        )
        self.note(self.errors[-1])


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins them: nothing touches the fake after
    block_on_close = True
    app: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is no error; anything else is recorded, quietly."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self.app.closing.is_set():
            return
        self.app.internal_error(f"serving {client_address}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body
    # waits for the client's delayed ACK, 40 ms a call on a kept-alive connection.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.app.track(self.connection, True)

    def finish(self) -> None:
        self.server.app.track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        self.server.app.note(f"{self.address_string()} {format % args}")

    # -- one request ------------------------------------------------------------------

    def _dispatch(self) -> None:
        app = self.server.app
        try:
            body = self._read_body()
        except ValueError as error:
            self._write_json(400, {"error": str(error)}, close=True)
            return
        if ControlAPI.owns(self.path):
            status, document = app.control.handle(self.command, self.path, body)
            self._write_json(status, document)
            return
        host = self.headers.get("Host") or f"{app.host}:{app.port}"
        wire = WireRequest.build(
            self.command, f"http://{host}{self.path}", self.headers.items(), body
        )
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

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunks()
        length_text = self.headers.get("Content-Length") or "0"
        if not length_text.isdigit() or int(length_text) > MAX_BODY:
            raise ValueError(
                f"Content-Length must be an integer <= {MAX_BODY}, got {length_text!r}"
            )
        return self.rfile.read(int(length_text))

    def _read_chunks(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ValueError(f"bad chunk size {size_line!r} in a chunked body") from None
            total += size
            if total > MAX_BODY:
                raise ValueError(f"chunked body longer than {MAX_BODY} bytes")
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers, up to the blank line
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after the chunk

    def _write(self, response: WireResponse) -> None:
        self.log_request(response.status)
        self.send_response_only(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.server.app.closing.is_set():
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)

    def _write_json(self, status: int, document: Any, close: bool = False) -> None:
        headers = {"Content-Type": "application/json"}
        if close:
            self.close_connection = True
            headers["Connection"] = "close"
        self._write(WireResponse(status, headers, json.dumps(document).encode()))

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
        while not app.closing.is_set() and _real_monotonic() < deadline:
            readable, _, _ = select.select([connection], [], [], _POLL)
            if readable:
                try:
                    if not connection.recv(1, socket.MSG_PEEK):
                        return  # the client timed out and hung up
                except OSError:
                    return
                app.closing.wait(_POLL)  # more bytes (a next request): keep stalling
