"""Real time and real waits for the server's threads, which no fake clock touches."""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Callable

# poll() where the platform has it: one system call a wait, and no descriptor of its own
# (a DefaultSelector's epoll would open one per wait).
Selector: type[selectors.BaseSelector] = getattr(
    selectors, "PollSelector", selectors.DefaultSelector
)
POLL = 0.02  # real seconds: how soon stop() and a stalled call notice


def real_monotonic() -> float:
    """Real time, which no fake clock patches (freezegun patches ``time.monotonic``)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class ReadableWait:
    """Waits for one connection to have something to read (bytes, or its close).

    With the ``selectors`` module, not ``select.select()``: ``select()`` refuses a
    descriptor numbered 1,024 or more, which a process with many files or sockets open
    hands out. ``poll`` (or ``epoll``, ``kqueue``) has no such limit.
    """

    def __init__(self, connection: socket.socket) -> None:
        self._selector = Selector()
        self._selector.register(connection, selectors.EVENT_READ)

    def __enter__(self) -> Callable[[float], bool]:
        return self.readable

    def __exit__(self, *exc: object) -> None:
        self._selector.close()

    def readable(self, timeout: float) -> bool:
        """Whether the connection has something to read within ``timeout`` seconds."""
        return bool(self._selector.select(timeout))
