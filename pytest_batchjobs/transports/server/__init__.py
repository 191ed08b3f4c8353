"""A local HTTP server answering every faked API from one fake, for clients in any language.

Point an SDK's endpoint at :attr:`FakeServer.endpoint_url` (the AWS CLI's
``--endpoint-url``, the JavaScript SDK's ``endpoint``, boto3's ``endpoint_url``).
Requests are routed as the fake's other transports route them (``X-Amz-Target`` for the
JSON 1.1 APIs, method and path for the REST-JSON ones). The region is read from the
SigV4 ``Authorization`` header (the signature itself is not checked). Paths under
``/_batchjobs/`` are the control API (:mod:`pytest_batchjobs.transports.server.control`).

It speaks HTTP/1.1 (framed by ``h11``, :mod:`.http1`) and, on the same port, HTTP/2
with prior knowledge (``h2``, :mod:`.http2`): a connection that opens with HTTP/2's
preface, as the JavaScript SDK v3's default ``NodeHttp2Handler`` opens it, is served
HTTP/2, with concurrent streams. Both load when a server starts serving, never when
pytest loads the plugin.

Transport faults break the connection as a network would: ``connection_reset``
closes it with a TCP reset and no response (under HTTP/2 too, every stream with it);
``read_timeout`` sends nothing until the client gives up (closes
its end, or resets the HTTP/2 stream) or ``stall_seconds`` pass, then closes it (under
HTTP/2 resets the stream with ``CANCEL``).

What the server refuses, and how long it waits (:class:`FakeServer` has the settings):

- A request it cannot frame is answered ``400`` (``413`` for a body over
  :data:`MAX_BODY`) with ``Connection: close`` (under HTTP/2, on its stream, which is
  then reset), and never reaches the fake: :mod:`.http1` lists the cases.
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
import ipaddress
import math
import socket
import threading
import traceback
from typing import TYPE_CHECKING, TextIO

from ...documented import Documented
from .connections import BACKLOG, Connections
from .control import ControlAPI
from .control.limits import DEFAULT_JOB_LIMIT
from .exchange import MAX_BODY, TRANSPORT
from .waits import POLL

if TYPE_CHECKING:
    import socketserver

    from ...fake import BatchJobsFake

__all__ = [
    "BACKLOG",
    "DEFAULT_HOST",
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_STALL_SECONDS",
    "MAX_BODY",
    "TRANSPORT",
    "FakeServer",
    "check_host",
]

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


class FakeServer(Documented):
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

    _documented = ("endpoint_url", "fake", "host", "port", "start", "stop")

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
        # The listener (listener.py), typed by its base: the listener's module loads h11.
        self._httpd: socketserver.ThreadingTCPServer | None = None
        self._connections: Connections | None = None
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------

    def start(self) -> FakeServer:
        """Bind and serve in a background thread."""
        if self._httpd is not None:
            raise RuntimeError("this FakeServer is already started")
        # h11 (and h2, with the first HTTP/2 client) load here, not with the plugin.
        from .listener import Handler, Listener

        self.closing.clear()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = type("_BoundListener", (Listener,), {"address_family": family})
        httpd = listener((self.host.strip("[]"), self.port), Handler)
        httpd.app = self
        httpd.connections = self._connections = Connections(self.max_connections)
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": POLL},
            name=f"batchjobs-fake-server:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, let calls in progress finish, close every connection."""
        httpd, served = self._httpd, self._connections
        if httpd is None or served is None:
            return
        self.closing.set()
        connections = served.stop()  # and wakes a connection waiting for a slot
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
