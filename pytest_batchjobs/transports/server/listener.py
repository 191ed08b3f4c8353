"""The listening socket and a thread per connection, which speaks HTTP/1.1 or, when
the client opens with HTTP/2's connection preface (prior knowledge), HTTP/2."""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
from typing import TYPE_CHECKING, Any

from .connections import BACKLOG
from .http1 import Http1, Receiver, RequestTimedOut

if TYPE_CHECKING:
    from .app import App
    from .connections import Connections

# What an HTTP/2 client with prior knowledge sends first (RFC 9113, section 3.4).
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class Listener(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # server_close() joins them: nothing touches the fake after
    block_on_close = True
    request_queue_size = BACKLOG
    app: App
    connections: Connections

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


class Handler(socketserver.BaseRequestHandler):
    """One connection: HTTP/2 if it opens with the preface, HTTP/1.1 otherwise."""

    server: Listener
    request: socket.socket

    def setup(self) -> None:
        self.request.settimeout(self.server.app.idle_timeout)  # each read and write
        # Headers and body may go out in two writes: with Nagle's algorithm on, the
        # second waits for the client's delayed ACK, 40 ms a call on a kept-alive
        # connection.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        app, connection = self.server.app, self.request
        peer = str(self.client_address[0])
        receiver = Receiver(connection, app)
        receiver.begin()
        received = b""
        try:
            while len(received) < len(PREFACE) and PREFACE.startswith(received):
                data = receiver.recv()
                if not data:
                    break
                received += data
        except RequestTimedOut:
            pass  # HTTP/1.1 answers it 408
        except OSError:
            return  # silent past the idle timeout, or gone
        if received.startswith(PREFACE):
            from .http2 import Http2  # h2 loads with the first HTTP/2 client

            Http2(app, connection, self.server.connections, peer).serve(received)
        else:
            Http1(app, connection, self.server.connections, receiver, peer).serve(received)
