"""Ending a connection: gently after a refusal, or broken as a network breaks it."""

from __future__ import annotations

import socket
import struct

from .waits import ReadableWait, real_monotonic

# After refusing a request, what the client still sends is read and dropped for this
# long (or this much): closing a socket with unread bytes sends a TCP reset, which can
# destroy the refusal in the client's buffers before it reads it.
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024


def drain(connection: socket.socket) -> None:
    """Stop writing, then read and drop what the client still sends, for a while."""
    try:
        connection.shutdown(socket.SHUT_WR)
        deadline = real_monotonic() + LINGER_SECONDS
        drained = 0
        with ReadableWait(connection) as readable:
            while drained < LINGER_BYTES:
                left = deadline - real_monotonic()
                if left <= 0 or not readable(left):
                    return
                data = connection.recv(65536)
                if not data:
                    return
                drained += len(data)
    except OSError:
        pass  # the client is gone already


def reset(connection: socket.socket) -> None:
    """Close ``connection`` with a TCP reset (linger 0), as a reset connection does."""
    try:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
    except OSError:
        pass
