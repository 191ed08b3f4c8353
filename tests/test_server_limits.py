"""The local server under abuse: malformed framing.

Malformed requests are written on raw sockets. Every bound is on behaviour (answered,
closed, not executed) with generous limits.
"""

from __future__ import annotations

import json
import socket

import pytest
from jobs import bedrock_params

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.transports.server import MAX_BODY, FakeServer

BODY = json.dumps(bedrock_params("framing")).encode()
HEAD = (
    b"POST /model-invocation-job HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
)
PATIENCE = 10.0  # real seconds a test waits for what should happen at once


def chunked(*parts: bytes) -> bytes:
    return HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(parts)


def with_length(length: bytes, body: bytes = BODY) -> bytes:
    return HEAD + b"Content-Length: " + length + b"\r\n\r\n" + body


def exchange(port: int, request: bytes, *, half_close: bool = False) -> bytes:
    """Send ``request`` on a new connection and read until the server closes it.

    The client keeps its end open unless ``half_close``: a server that reads to the
    end of the stream, or waits for bytes that never come, fails the test here.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as raw:
        raw.sendall(request)
        if half_close:
            raw.shutdown(socket.SHUT_WR)
        received = b""
        while True:
            try:
                data = raw.recv(65536)
            except TimeoutError:
                raise AssertionError(
                    f"the server neither answered nor closed in {PATIENCE} s; got {received!r}"
                ) from None
            except ConnectionResetError:
                return received
            if not data:
                return received
            received += data


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response
    return int(response.split(b" ", 2)[1])


def assert_nothing_executed(fake: BatchJobsFake) -> None:
    assert fake.calls == []
    assert list(fake.jobs()) == []


# -- 9. malformed framing: a 400 (413 over the cap), the connection closed, nothing run --


MALFORMED = {
    "negative chunk size": (chunked(b"-1\r\n", BODY), 400),
    "chunk size with 0x": (chunked(b"0x%x\r\n" % len(BODY), BODY, b"\r\n0\r\n\r\n"), 400),
    "chunk size with a sign": (chunked(b"+%x\r\n" % len(BODY), BODY, b"\r\n0\r\n\r\n"), 400),
    "chunk size with an underscore": (chunked(b"1_0\r\n", BODY[:16], b"\r\n0\r\n\r\n"), 400),
    "chunk size not hex": (chunked(b"zz\r\n", BODY, b"\r\n0\r\n\r\n"), 400),
    "chunk longer than its size": (chunked(b"5\r\n", BODY, b"\r\n0\r\n\r\n"), 400),
    "chunk over the cap": (chunked(b"%x\r\n" % (MAX_BODY + 1)), 413),
    "negative Content-Length": (with_length(b"-5"), 400),
    "Content-Length not a number": (with_length(b"12abc"), 400),
    "Content-Length in other digits": (with_length("²".encode("latin-1")), 400),
    "two Content-Lengths that differ": (
        HEAD + b"Content-Length: 5\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY,
        400,
    ),
    "Content-Length and Transfer-Encoding": (
        HEAD + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(BODY) + BODY,
        400,
    ),
    "unknown Transfer-Encoding": (HEAD + b"Transfer-Encoding: gzip\r\n\r\n" + BODY, 400),
    "Content-Length over the cap": (with_length(b"%d" % (MAX_BODY + 1), b""), 413),
    "huge Content-Length": (with_length(b"99999999999999999999", b""), 413),
}


@pytest.mark.parametrize(("request_bytes", "status"), MALFORMED.values(), ids=MALFORMED)
def test_malformed_framing_is_refused_without_reading_on_or_executing(
    batchjobs_server: FakeServer, request_bytes: bytes, status: int
) -> None:
    response = exchange(batchjobs_server.port, request_bytes)
    assert status_of(response) == status, response
    assert b"\r\nConnection: close\r\n" in response
    assert_nothing_executed(batchjobs_server.fake)


def test_chunks_adding_up_over_the_cap_are_refused(batchjobs_server: FakeServer) -> None:
    half = b"%x\r\n" % (MAX_BODY // 2) + b"x" * (MAX_BODY // 2) + b"\r\n"
    response = exchange(batchjobs_server.port, chunked(half, half, b"1\r\n"))
    assert status_of(response) == 413, response
    assert_nothing_executed(batchjobs_server.fake)


@pytest.mark.parametrize("hang_up", ["half-close", "close"])
def test_a_body_shorter_than_its_content_length_is_not_executed(
    batchjobs_fake: BatchJobsFake, hang_up: str
) -> None:
    """The client sends part of the body and stops writing (or goes away altogether)."""
    request = with_length(b"%d" % (len(BODY) + 50))
    with FakeServer(batchjobs_fake) as server:
        if hang_up == "half-close":
            response = exchange(server.port, request, half_close=True)
            assert status_of(response) == 400, response
        else:
            with socket.create_connection(("127.0.0.1", server.port)) as raw:
                raw.sendall(request)
    # stop() waits for every handler: whatever the server was going to do, it has done.
    assert_nothing_executed(batchjobs_fake)
    assert server.errors == []


@pytest.mark.parametrize(
    "host",
    [b"[", b"[::1", b"a]b", b"[not-an-ip]", b"[1.2.3.4]", b"bad host", b"h:port", b"h:1:2"],
)
def test_a_malformed_host_is_a_400_not_a_bug_in_the_fake(
    batchjobs_server: FakeServer, host: bytes
) -> None:
    response = exchange(
        batchjobs_server.port, b"GET /model-invocation-jobs HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    )
    assert status_of(response) == 400, response
    assert b"Host" in response
    assert batchjobs_server.errors == []
    assert_nothing_executed(batchjobs_server.fake)


def test_two_host_headers_are_a_400(batchjobs_server: FakeServer) -> None:
    request = b"GET /model-invocation-jobs HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
    assert status_of(exchange(batchjobs_server.port, request)) == 400
    assert_nothing_executed(batchjobs_server.fake)


@pytest.mark.parametrize("host", [b"127.0.0.1", b"localhost:8080", b"[::1]:80", b"[::1]"])
def test_well_formed_hosts_are_served(batchjobs_server: FakeServer, host: bytes) -> None:
    request = (
        b"GET /model-invocation-jobs HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
    )
    assert status_of(exchange(batchjobs_server.port, request)) == 200


def test_well_formed_chunked_bodies_and_pipelined_requests_are_served(
    batchjobs_server: FakeServer,
) -> None:
    body = json.dumps(bedrock_params("chunked")).encode()
    extensions_and_trailer = chunked(
        b"%X;name=value\r\n" % 10, body[:10], b"\r\n",
        b"%x \t;x\r\n" % (len(body) - 10), body[10:], b"\r\n",
        b"0\r\nX-Trailer: 1\r\n\r\n",
    )  # fmt: skip
    listing = b"GET /model-invocation-jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    response = exchange(batchjobs_server.port, extensions_and_trailer + listing)
    assert response.count(b"HTTP/1.1 200 OK") == 2, response
    assert batchjobs_server.fake.call_count("CreateModelInvocationJob") == 1
