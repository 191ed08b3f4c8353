"""The local server under abuse: malformed framing, bursts, slow clients, a long life.

Malformed requests are written on raw sockets; normal traffic comes from real boto3
clients against a ``batchjobs-fake serve`` process (in this process boto3 would be
answered in botocore's send path, never reaching the server). Waits are real (an
``Event``), never ``time.sleep``, which the active fake turns into fake time; every
bound is on behaviour (answered, closed, not executed) with generous limits.
"""

from __future__ import annotations

import errno
import functools
import gc
import http.client
import json
import select
import socket
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from clients import aws_env
from jobs import bedrock_params, wall_seconds
from seam import handle

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.cli import parser
from pytest_batchjobs.transports.server import MAX_BODY, FakeServer
from pytest_batchjobs.wire.messages import WireRequest

BODY = json.dumps(bedrock_params("framing")).encode()
HEAD = (
    b"POST /model-invocation-job HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
)
CLOCK = b"GET /_batchjobs/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
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


def next_response(raw: socket.socket) -> tuple[int, str | None]:
    """The status and ``Connection`` header of the next response on ``raw``, read whole."""
    answer = http.client.HTTPResponse(raw)
    answer.begin()
    answer.read()  # and closes its file on the socket
    return answer.status, answer.getheader("Connection")


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response
    return int(response.split(b" ", 2)[1])


def handler_threads() -> int:
    return sum(
        1 for thread in threading.enumerate() if thread.name.startswith("batchjobs-fake-connection")
    )


def real_wait(seconds: float) -> None:
    threading.Event().wait(seconds)


def assert_closed_soon(raw: socket.socket) -> None:
    """The server closes ``raw`` (EOF or reset) within :data:`PATIENCE`."""
    raw.settimeout(PATIENCE)
    try:
        while raw.recv(65536):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"the server kept the connection open for {PATIENCE} s") from None


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
    # RFC 9112 allows whitespace before ";" (BWS), which senders must not send; h11 and
    # fasthttp refuse it: parsers that disagree on a chunk line let requests be smuggled
    # (valyala/fasthttp#2193).
    "whitespace before a chunk extension": (
        chunked(b"%x \t;x\r\n" % len(BODY), BODY, b"\r\n0\r\n\r\n"),
        400,
    ),
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
    response = exchange(batchjobs_server.port, chunked(half, half, b"1\r\nx"))
    assert status_of(response) == 413, response
    assert_nothing_executed(batchjobs_server.fake)


def test_a_chunk_over_the_cap_is_refused_once_its_bytes_pass_it(
    batchjobs_server: FakeServer,
) -> None:
    """h11 does not tell a chunk's announced size: the bytes past the cap refuse it."""
    over = MAX_BODY + 1
    response = exchange(batchjobs_server.port, chunked(b"%x\r\n" % over, b"x" * over))
    assert status_of(response) == 413, response
    assert b"\r\nConnection: close\r\n" in response
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
        b"%x \t\r\n" % (len(body) - 10), body[10:], b"\r\n",
        b"0\r\nX-Trailer: 1\r\n\r\n",
    )  # fmt: skip
    listing = b"GET /model-invocation-jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    response = exchange(batchjobs_server.port, extensions_and_trailer + listing)
    assert response.count(b"HTTP/1.1 200 OK") == 2, response
    assert batchjobs_server.fake.call_count("CreateModelInvocationJob") == 1


# -- 10. a burst of connections waits in the listen backlog ------------------------------


def test_a_burst_of_connections_waits_in_the_backlog_not_in_syn_retries(
    batchjobs_fake: BatchJobsFake,
) -> None:
    """32 clients connect while the server is busy: every handshake completes at once.

    One silent connection holds the only slot, so the server accepts no more: the
    burst queues in the kernel's listen backlog. A backlog of 5 completes 6 handshakes
    and drops the other SYNs (the clients retry after 1 s, 3 s, 7 s, ...).
    """
    with FakeServer(batchjobs_fake, max_connections=1) as server:
        holder = socket.create_connection(("127.0.0.1", server.port))
        burst = [socket.socket() for _ in range(32)]
        try:
            for raw in burst:
                raw.setblocking(False)
                assert raw.connect_ex(("127.0.0.1", server.port)) in (0, errno.EINPROGRESS)
            pending, deadline = set(burst), wall_seconds() + PATIENCE
            while pending and wall_seconds() < deadline:
                _, writable, _ = select.select([], list(pending), [], 0.1)
                pending -= set(writable)
            assert not pending, f"{len(pending)} of 32 connections still waiting for a handshake"
            assert all(raw.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0 for raw in burst)
            for raw in burst:
                raw.setblocking(True)
                raw.sendall(CLOCK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            holder.close()  # the slot frees: the burst is served, one at a time
            for raw in burst:
                raw.settimeout(PATIENCE * 3)
                assert next_response(raw)[0] == 200
        finally:
            holder.close()
            for raw in burst:
                raw.close()


# -- 11. idle and slow connections time out; connections beyond the bound wait ----------


@pytest.mark.parametrize(
    "sent",
    [b"", CLOCK, with_length(b"%d" % len(BODY), BODY[:20])],
    ids=["nothing", "one request, then nothing", "half a body"],
)
def test_a_silent_connection_is_closed_after_the_idle_timeout(
    batchjobs_fake: BatchJobsFake, sent: bytes
) -> None:
    with (
        FakeServer(batchjobs_fake, idle_timeout=0.5) as server,
        socket.create_connection(("127.0.0.1", server.port)) as raw,
    ):
        raw.sendall(sent)
        if sent == CLOCK:
            assert next_response(raw)[0] == 200
        assert_closed_soon(raw)
    assert batchjobs_fake.call_count("CreateModelInvocationJob") == 0


def test_connections_beyond_the_bound_wait_for_a_slot(batchjobs_fake: BatchJobsFake) -> None:
    """20 silent clients hold 2 threads, not 20; a 21st client waits, then is served."""
    with FakeServer(batchjobs_fake, max_connections=2, idle_timeout=60) as server:
        silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                waiting = pool.submit(
                    requests.get, f"{server.endpoint_url}/_batchjobs/clock", timeout=PATIENCE * 3
                )
                real_wait(0.5)
                assert not waiting.done(), "answered although every slot was taken"
                assert handler_threads() <= 2
                for raw in silent:
                    raw.close()
                assert waiting.result().status_code == 200
        finally:
            for raw in silent:
                raw.close()


def test_responses_say_connection_close_while_a_client_waits_for_a_slot(
    batchjobs_fake: BatchJobsFake,
) -> None:
    """A kept-alive client in the middle of a request, when another waits: its response
    closes the connection, so it never reuses one the server is about to close."""
    with (
        FakeServer(batchjobs_fake, max_connections=1) as server,
        socket.create_connection(("127.0.0.1", server.port)) as busy,
        socket.create_connection(("127.0.0.1", server.port)) as waiting,
    ):
        busy.sendall(with_length(b"%d" % len(BODY), BODY[:10]))
        # Nothing outside the server shows that a client waits: read its own flag.
        connections = server._httpd.connections  # type: ignore[union-attr]
        deadline = wall_seconds() + PATIENCE
        while not connections.crowded and wall_seconds() < deadline:
            real_wait(0.01)
        busy.sendall(BODY[10:])
        assert next_response(busy) == (200, "close")
        assert_closed_soon(busy)
        waiting.sendall(CLOCK)
        assert next_response(waiting)[0] == 200


def test_the_limits_are_checked_when_the_server_is_made(batchjobs_fake: BatchJobsFake) -> None:
    for seconds in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="idle_timeout must be a number of seconds > 0"):
            FakeServer(batchjobs_fake, idle_timeout=seconds)
    with pytest.raises(ValueError, match="max_connections must be an integer >= 1"):
        FakeServer(batchjobs_fake, max_connections=0)


@pytest.mark.parametrize(
    "flags",
    [
        ["--idle-timeout", "0"],
        ["--idle-timeout", "soon"],
        ["--idle-timeout", "inf"],
        ["--max-connections", "0"],
        ["--journal-limit", "-3"],
        ["--journal-limit", "many"],
        ["--pagination-limit", "0"],
        ["--pagination-limit", "lots"],
    ],
)
def test_the_command_line_refuses_bad_limits(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["serve", *flags])
    assert exited.value.code == 2
    assert flags[0] in capsys.readouterr().err


def test_the_limits_are_in_the_command_line_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--help"])
    text = capsys.readouterr().out
    for flag in ("--idle-timeout", "--max-connections", "--journal-limit", "--pagination-limit"):
        assert flag in text


def test_the_server_bounds_its_records_by_default_and_none_lifts_the_bounds() -> None:
    default = parser().parse_args(["serve"])
    assert (default.journal_limit, default.pagination_limit) == (10_000, 10_000)
    lifted = parser().parse_args(["serve", "--journal-limit", "none", "--pagination-limit", "None"])
    assert (lifted.journal_limit, lifted.pagination_limit) == (None, None)


@contextmanager
def serving(tmp_path: Path, *flags: str) -> Iterator[str]:
    """``batchjobs-fake serve FLAGS`` in a subprocess; yields its endpoint URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_batchjobs", "serve", "--port", "0", *flags],
        env=aws_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("batchjobs-fake serving on http://127.0.0.1:"), first
        yield first.rsplit(" ", 1)[1]
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
        assert "Traceback" not in stderr, stderr


@functools.cache
def boto3_session() -> Any:
    return boto3.session.Session()  # one for all: each client has its own connection pool


def boto3_bedrock(url: str, **config: Any) -> Any:
    """A boto3 Bedrock client of the server at ``url``."""
    return boto3_session().client(
        "bedrock",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(**config),
    )


def test_idle_kept_alive_connections_make_way_for_new_clients(tmp_path: Path) -> None:
    """Four boto3 clients, two slots, idle connections kept alive for two minutes.

    A newcomer would wait for an idle connection's timeout; the server closes the
    longest-idle kept-alive connection instead, and its client reconnects on its next
    call. No retries and a 20 s read timeout: any wait for a timeout fails the test.
    Then eight threads share the two slots, with botocore's default retries: a
    connection closed just as its client reuses it is retried, as with any idle
    timeout, and the journal shows each call answered once, without error.
    """
    with serving(tmp_path, "--max-connections", "2", "--idle-timeout", "120") as url:
        config = {"read_timeout": 20, "connect_timeout": 20, "retries": {"total_max_attempts": 1}}
        clients = [boto3_bedrock(url, **config) for _ in range(4)]
        arns = [
            client.create_model_invocation_job(**bedrock_params(f"client{n}"))["jobArn"]
            for n, client in enumerate(clients)
        ]
        for _ in range(3):
            for client, arn in zip(clients, arns, strict=True):
                assert client.get_model_invocation_job(jobIdentifier=arn)["jobArn"] == arn

        def work(client: Any) -> int:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(maxResults=1)
            return sum(len(page["invocationJobSummaries"]) for page in pages)

        retrying = [boto3_bedrock(url, read_timeout=20) for _ in range(4)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(work, retrying * 2, timeout=120)) == [4] * 8
        calls = requests.get(f"{url}/_batchjobs/calls", timeout=PATIENCE).json()["calls"]
        assert len(calls) == 4 + 12 + 8 * 4
        assert all(call["error"] is None for call in calls)


def test_a_burst_of_boto3_clients_is_served(tmp_path: Path) -> None:
    """32 threads, each with its own boto3 client, call at the same moment."""
    with serving(tmp_path) as url:
        clients = [boto3_bedrock(url, retries={"total_max_attempts": 1}) for _ in range(32)]
        start = threading.Barrier(32)

        def call(client: Any) -> int:
            start.wait()
            return len(client.list_model_invocation_jobs()["invocationJobSummaries"])

        with ThreadPoolExecutor(max_workers=32) as pool:
            assert list(pool.map(call, clients, timeout=120)) == [0] * 32


def test_the_server_process_bounds_its_records_and_idle_connections(tmp_path: Path) -> None:
    flags = ("--journal-limit", "5", "--pagination-limit", "3", "--idle-timeout", "0.5")
    with serving(tmp_path, *flags) as url:
        client = boto3_bedrock(url)
        for size in range(1, 13):
            client.list_model_invocation_jobs(maxResults=size)
        journal = requests.get(f"{url}/_batchjobs/calls", timeout=PATIENCE).json()
        assert [call["params"]["maxResults"] for call in journal["calls"]] == [8, 9, 10, 11, 12]
        assert journal["dropped"] == 7  # a client in any language can tell calls went
        answer = requests.get(f"{url}/_batchjobs/pagination/sequences", timeout=PATIENCE)
        records = answer.json()
        assert [s["pages"][0]["max_results"] for s in records["sequences"]] == [10, 11, 12]
        assert records["dropped"] == 9
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as raw:
            assert_closed_soon(raw)


# -- 12. the journal: bounded when asked, released on reset ------------------------------


def test_the_journal_keeps_every_call_in_a_test(batchjobs_fake: BatchJobsFake) -> None:
    assert batchjobs_fake.journal.limit is None


def test_a_limited_journal_keeps_the_newest_calls_and_says_so(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    batchjobs_fake.journal.limit = 3
    for size in range(1, 6):
        bedrock.list_model_invocation_jobs(maxResults=size)
    assert [call.params["maxResults"] for call in batchjobs_fake.calls] == [3, 4, 5]
    assert batchjobs_fake.journal.dropped == 2
    with pytest.raises(AssertionError) as failure:
        batchjobs_fake.assert_called("ListModelInvocationJobs", maxResults=1)
    assert "The journal dropped 2 older calls (it keeps the newest 3)" in str(failure.value)

    batchjobs_fake.journal.limit = 1  # lowering the limit drops the oldest at once
    assert [call.params["maxResults"] for call in batchjobs_fake.calls] == [5]
    assert batchjobs_fake.journal.dropped == 4
    batchjobs_fake.journal.limit = None
    bedrock.list_model_invocation_jobs(maxResults=6)
    assert len(batchjobs_fake.calls) == 2
    with pytest.raises(AssertionError, match=r"dropped 4 older calls: journal.limit = None"):
        batchjobs_fake.assert_not_called("ListModelInvocationJobs")
    batchjobs_fake.reset()
    assert (batchjobs_fake.calls, batchjobs_fake.journal.dropped) == ([], 0)


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "10"])
def test_the_journal_limit_is_a_positive_integer_or_none(
    batchjobs_fake: BatchJobsFake, limit: Any
) -> None:
    with pytest.raises(ValueError, match=r"journal.limit must be an integer >= 1, or None"):
        batchjobs_fake.journal.limit = limit


def traced(during: Any) -> tuple[int, int]:
    """Bytes allocated by ``during(reset)`` before it calls ``reset``, and after."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        marks: list[int] = []
        during(lambda: marks.append(tracemalloc.get_traced_memory()[0] - before))
        gc.collect()  # botocore leaves cycles behind
        return marks[0], tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


BEDROCK = "https://bedrock.us-east-1.amazonaws.com"


def call(fake: BatchJobsFake, method: str, path: str, body: Any = None) -> Any:
    """One call through the fake's request path, as a transport makes it."""
    data = b"" if body is None else json.dumps(body).encode()
    response = handle(fake, WireRequest.build(method, BEDROCK + path, {}, data))
    assert response.status == 200, response.body
    return json.loads(response.body)


def test_reset_releases_the_memory_of_the_calls(batchjobs_fake: BatchJobsFake) -> None:
    """What 2,000 list calls add (the journal, the page records) goes with reset()."""

    def lists(mark: Any) -> None:
        for _ in range(2000):
            call(batchjobs_fake, "GET", "/model-invocation-jobs?maxResults=10")
        mark()
        batchjobs_fake.reset()

    lists(lambda: None)  # fill what stays filled: bounded caches, the free lists
    grown, left = traced(lists)
    assert grown > 1_000_000  # about 0.5 KB a call
    assert left < grown / 8  # what stays, some 60 KB, is the same after 500 calls or 8,000


def test_reset_releases_the_jobs_it_forgets(batchjobs_fake: BatchJobsFake) -> None:
    def creates(mark: Any) -> None:
        for index in range(300):
            call(batchjobs_fake, "POST", "/model-invocation-job", bedrock_params(f"job{index}"))
        mark()
        batchjobs_fake.reset()

    creates(lambda: None)  # fill what stays filled: bounded caches, the free lists
    grown, left = traced(creates)
    assert grown > 500_000  # about 3 KB a job
    assert left < grown / 8


# -- 13. the pagination records: bounded when asked, tokens of dropped sequences work ---

LIST = "ListModelInvocationJobs"
DROPPED_NOTE = "The pagination records dropped {} older sequences{}: pagination.limit = None"


def first_pages(bedrock: Any, *sizes: int) -> list[str | None]:
    """A first ListModelInvocationJobs call per size (a sequence each); their tokens."""
    return [bedrock.list_model_invocation_jobs(maxResults=n).get("nextToken") for n in sizes]


def sizes_kept(fake: BatchJobsFake) -> list[int | None]:
    return [sequence.pages[0].max_results for sequence in fake.pagination.sequences]


def test_the_pagination_records_keep_every_sequence_in_a_test(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    assert batchjobs_fake.pagination.limit is None
    first_pages(bedrock, *range(1, 31))
    assert sizes_kept(batchjobs_fake) == list(range(1, 31))
    assert batchjobs_fake.pagination.dropped == 0


def test_limited_pagination_records_keep_the_newest_sequences_and_say_so(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    batchjobs_fake.bedrock.add_jobs(3, status="Completed")
    batchjobs_fake.pagination.limit = 3
    first_pages(bedrock, 1, 2, 3, 4, 5)
    assert sizes_kept(batchjobs_fake) == [3, 4, 5]
    assert batchjobs_fake.pagination.dropped == 2
    with pytest.raises(AssertionError) as failure:
        batchjobs_fake.pagination.assert_max_results(LIST, at_most=3)
    message = str(failure.value)
    # Numbers count every sequence since the reset: the kept ones are 3 to 5.
    assert "sequence 4, page 1: maxResults=4\n  sequence 5, page 1: maxResults=5" in message
    assert DROPPED_NOTE.format(2, " (they keep the newest 3)") + " keeps every sequence." in message
    # Sequences 1 and 2 stopped with a nextToken, but they are forgotten: only the kept
    # ones are judged, which is why a test keeps every sequence by default.
    batchjobs_fake.pagination.assert_exhausted(LIST)

    batchjobs_fake.pagination.limit = 1  # lowering the limit drops the oldest at once
    assert sizes_kept(batchjobs_fake) == [5]
    assert batchjobs_fake.pagination.dropped == 4
    batchjobs_fake.pagination.limit = None
    bedrock.list_model_invocation_jobs(maxResults=1, statusEquals="Completed")  # not followed
    assert sizes_kept(batchjobs_fake) == [5, 1]
    with pytest.raises(AssertionError) as failure:
        batchjobs_fake.pagination.assert_exhausted(LIST)
    assert "Sequence 6 of ListModelInvocationJobs" in str(failure.value)
    assert DROPPED_NOTE.format(4, "") in str(failure.value)
    with pytest.raises(AssertionError) as failure:
        batchjobs_fake.pagination.assert_exhausted("ListBatchInferenceJobs")
    assert "to be paginated, but none of the sequences kept is of it." in str(failure.value)


def test_reset_forgets_the_sequences_and_the_count_and_keeps_the_limit(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    batchjobs_fake.pagination.limit = 2
    batchjobs_fake.pagination.max_page_size = 1
    first_pages(bedrock, 1, 2, 3)
    assert batchjobs_fake.pagination.dropped == 1
    batchjobs_fake.pagination.reset()
    assert (batchjobs_fake.pagination.sequences, batchjobs_fake.pagination.dropped) == ([], 0)
    # The page controls go back as they were at start; the limit bounds memory, and stays.
    assert (batchjobs_fake.pagination.max_page_size, batchjobs_fake.pagination.limit) == (None, 2)
    first_pages(bedrock, 1, 2, 3)
    batchjobs_fake.reset()
    assert (batchjobs_fake.pagination.dropped, batchjobs_fake.pagination.limit) == (0, 2)
    with pytest.raises(AssertionError) as failure:
        batchjobs_fake.pagination.assert_exhausted(LIST)
    assert "it was never called." in str(failure.value)
    assert "dropped" not in str(failure.value)


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "10"])
def test_the_pagination_limit_is_a_positive_integer_or_none(
    batchjobs_fake: BatchJobsFake, limit: Any
) -> None:
    with pytest.raises(
        ValueError, match=r"pagination.limit must be an integer >= 1, or None to keep every "
    ):
        batchjobs_fake.pagination.limit = limit
    assert batchjobs_fake.pagination.limit is None


def test_a_dropped_sequence_s_token_still_works_and_starts_a_new_sequence(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    batchjobs_fake.bedrock.add_jobs(5, status="Completed")
    every = [
        job["jobArn"] for job in bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
    ]
    batchjobs_fake.pagination.limit = 1
    first = bedrock.list_model_invocation_jobs(maxResults=2)
    first_pages(bedrock, 1)  # begins a second sequence: the first is let go
    assert batchjobs_fake.pagination.dropped == 2

    second = bedrock.list_model_invocation_jobs(maxResults=2, nextToken=first["nextToken"])
    assert [job["jobArn"] for job in second["invocationJobSummaries"]] == every[2:4]
    (continued,) = batchjobs_fake.pagination.sequences
    assert (continued.pages[0].token_in, continued.pages[0].number) == (first["nextToken"], 1)
    with pytest.raises(AssertionError) as failure:
        batchjobs_fake.pagination.assert_exhausted(LIST)
    message = str(failure.value)
    assert "Sequence 4 of ListModelInvocationJobs" in message
    assert "page 2: nextToken " in message  # its first page recorded is the walk's second
    assert "(it began with a nextToken of a sequence no longer recorded: one dropped" in message
    assert DROPPED_NOTE.format(3, " (they keep the newest 1)") in message

    # Sent again, the token of the dropped sequence is a reuse within the new one.
    bedrock.list_model_invocation_jobs(maxResults=2, nextToken=first["nextToken"])
    with pytest.raises(AssertionError) as failure:
        batchjobs_fake.pagination.assert_no_token_reuse()
    shown = first["nextToken"][:8]
    assert f"ListModelInvocationJobs token '{shown}" in str(failure.value)
    assert "was sent 2 times (sequence 4, us-east-1)" in str(failure.value)
    assert DROPPED_NOTE.format(3, " (they keep the newest 1)") in str(failure.value)

    last = bedrock.list_model_invocation_jobs(maxResults=2, nextToken=second["nextToken"])
    assert [job["jobArn"] for job in last["invocationJobSummaries"]] == every[4:]
    assert "nextToken" not in last
    batchjobs_fake.pagination.assert_exhausted(LIST)  # the continued walk reached the end


@pytest.mark.batchjobs(validate_outputs=False)  # as served: its pattern cache fills to 8,192
def test_a_bounded_fake_stays_flat_however_many_list_calls(batchjobs_fake: BatchJobsFake) -> None:
    """With the journal and the pagination records bounded (as in ``batchjobs-fake
    serve``), 1,500 more list calls keep no more memory than the first few hundred; each
    of them begins a sequence with a token of its own (which goes with the sequence)."""
    batchjobs_fake.bedrock.add_jobs(2, status="Completed")
    batchjobs_fake.journal.limit = 50
    batchjobs_fake.pagination.limit = 50

    def grows(calls: int) -> int:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(calls):
            call(batchjobs_fake, "GET", "/model-invocation-jobs?maxResults=1")
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before

    tracemalloc.start()
    try:
        grows(200)  # fill what stays filled: bounded caches, the free lists, the 50 kept
        flat = grows(1500)
        batchjobs_fake.journal.limit = batchjobs_fake.pagination.limit = None
        unbounded = grows(1500)
    finally:
        tracemalloc.stop()
    assert batchjobs_fake.pagination.dropped == 1650
    assert unbounded > 1_500_000  # about 1.5 KB a call: the call and its sequence
    assert flat < unbounded / 30
