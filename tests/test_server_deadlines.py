"""The local server's waits: a request that trickles in is refused at its deadline, and
the server keeps working with more than 1,024 descriptors open.

Waits are real (an ``Event``), never ``time.sleep``, which the active fake turns into
fake time; bounds are generous, and each test says what the server did, not how fast.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from clients import aws_env
from jobs import bedrock_params, wall_seconds

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.cli import parser
from pytest_batchjobs.transports.server import DEFAULT_REQUEST_TIMEOUT, FakeServer

BODY = json.dumps(bedrock_params("trickle")).encode()
REQUEST = (
    b"POST /model-invocation-job HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
) + BODY
CLOCK = b"GET /_batchjobs/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
PATIENCE = 10.0  # real seconds a test waits for what should happen at once


def trickle(raw: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    """Send ``data`` a byte at a time, one each ``every`` seconds, until the server
    closes the connection or ``stop`` is set."""
    for index in range(len(data)):
        if stop.wait(every):
            return
        try:
            raw.sendall(data[index : index + 1])
        except OSError:
            return


def read_until_closed(raw: socket.socket) -> bytes:
    raw.settimeout(PATIENCE)
    received = b""
    try:
        while data := raw.recv(65536):
            received += data
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(f"the server kept the connection for {PATIENCE} s") from None
    return received


@pytest.mark.parametrize("where", ["head", "body"])
def test_a_trickling_request_is_answered_408_at_its_deadline_and_closed(
    batchjobs_fake: BatchJobsFake, where: str
) -> None:
    """A byte every 0.05 s is never silent for the idle timeout; the request deadline
    (0.5 s) ends it, with a 408 that names the setting, and nothing is executed."""
    head_length = REQUEST.index(b"\r\n\r\n") + 4
    sent_at_once = REQUEST[: head_length + 5] if where == "body" else REQUEST[:10]
    stop = threading.Event()
    with (
        FakeServer(batchjobs_fake, idle_timeout=5, request_timeout=0.5) as server,
        socket.create_connection(("127.0.0.1", server.port)) as raw,
    ):
        began = wall_seconds()
        raw.sendall(sent_at_once)
        sender = threading.Thread(
            target=trickle, args=(raw, REQUEST[len(sent_at_once) :], 0.05, stop)
        )
        sender.start()
        try:
            received = read_until_closed(raw)
        finally:
            stop.set()
            sender.join()
        took = wall_seconds() - began
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert b"Connection: close" in received
    assert b"request_timeout" in received
    assert b"--request-timeout" in received
    assert 0.4 < took < 5, took  # at the deadline, well before the idle timeout
    assert batchjobs_fake.call_count("CreateModelInvocationJob") == 0


def test_the_deadline_runs_per_request_on_a_kept_alive_connection(
    batchjobs_fake: BatchJobsFake,
) -> None:
    """Requests that each arrive at once are served however long the connection lives:
    the deadline starts with each request's first byte, not with the connection."""
    with (
        FakeServer(batchjobs_fake, idle_timeout=5, request_timeout=0.3) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE) as raw,
    ):
        reader = raw.makefile("rb")
        for _ in range(3):
            raw.sendall(CLOCK)
            status = reader.readline()
            assert status.startswith(b"HTTP/1.1 200 "), status
            length = 0
            while (line := reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            reader.read(length)
            threading.Event().wait(0.4)  # rests longer than the deadline between requests
        reader.close()


def test_the_request_timeout_is_checked_and_on_the_command_line(
    batchjobs_fake: BatchJobsFake, capsys: pytest.CaptureFixture[str]
) -> None:
    for seconds in (0, -1, float("inf"), float("nan"), True, "30"):
        with pytest.raises(ValueError, match="request_timeout must be a number of seconds > 0"):
            FakeServer(batchjobs_fake, request_timeout=seconds)  # type: ignore[arg-type]
    assert FakeServer(batchjobs_fake).request_timeout == DEFAULT_REQUEST_TIMEOUT == 30
    assert parser().parse_args(["serve", "--request-timeout", "2.5"]).request_timeout == 2.5
    for bad in ("0", "soon", "inf"):
        with pytest.raises(SystemExit):
            parser().parse_args(["serve", "--request-timeout", bad])
        assert "--request-timeout" in capsys.readouterr().err


MANY_DESCRIPTORS = textwrap.dedent(
    """\
    import json, os, resource, socket, sys, threading
    from pytest_batchjobs import fake_batchjobs
    from pytest_batchjobs.transports.server import FakeServer

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2048
    if hard != resource.RLIM_INFINITY and hard < wanted:
        print(json.dumps({"skip": f"RLIMIT_NOFILE's hard limit is {hard}, under {wanted}"}))
        sys.exit(0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    result = {"highest_held": max(held)}
    with fake_batchjobs() as fake, FakeServer(fake, stall_seconds=1.0) as server:
        # a refused request: the server drains what the client still sends, then closes
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            result["client_descriptor"] = raw.fileno()
            raw.sendall(b"GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: x\\r\\n\\r\\n")
            received = b""
            while data := raw.recv(65536):
                received += data
            result["refused"] = received.split(b"\\r\\n", 1)[0].decode()
        # a read-timeout fault: the server holds the response until the client gives up
        fake.faults.transport("ListModelInvocationJobs", kind="read_timeout")
        with socket.create_connection(("127.0.0.1", server.port), timeout=0.5) as raw:
            raw.sendall(b"GET /model-invocation-jobs HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n")
            try:
                result["stalled"] = repr(raw.recv(65536))
            except TimeoutError:
                result["stalled"] = "held until the client gave up"
        result["errors"] = server.errors
    print(json.dumps(result))
    """
)


def test_the_server_serves_connections_numbered_past_1024(tmp_path: Path) -> None:
    """``select()`` refuses a descriptor numbered 1,024 or more: with 1,100 files open,
    a refused request is still drained and answered, and a read-timeout fault still
    holds its connection until the client gives up instead of closing it at once."""
    run = subprocess.run(
        [sys.executable, "-c", MANY_DESCRIPTORS],
        env=aws_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    if "skip" in result:
        pytest.skip(result["skip"])
    assert result["highest_held"] > 1024, result
    assert result["client_descriptor"] > 1024, result
    assert result["refused"].startswith("HTTP/1.1 400 "), result
    assert result["stalled"] == "held until the client gave up", result
    assert result["errors"] == [], result
