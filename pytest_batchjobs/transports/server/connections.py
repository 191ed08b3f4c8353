"""The bound on connections served at once, and how the server makes room."""

from __future__ import annotations

import contextlib
import socket
import threading

# Connections beyond max_connections wait here, handshake done, until a slot frees. The
# kernel caps it at net.core.somaxconn; with socketserver's 5, a burst of 32 clients had
# its SYNs dropped and retried after 1 s and 3 s.
BACKLOG = socket.SOMAXCONN


class Connections:
    """The connections being served, at most ``limit``; a newcomer waits for a slot.

    While one waits (``crowded``), the server makes room without making any client
    fail: it closes the kept-alive connection that has rested longest between requests
    (its client reconnects for its next call), and every response it sends says
    ``Connection: close`` (under HTTP/2, a connection whose last stream ends says
    ``GOAWAY``). Only connections in the middle of a request make a newcomer wait. A
    connection never rests before its first request: it is about to send it. An HTTP/2
    connection rests while it has no stream open.
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
