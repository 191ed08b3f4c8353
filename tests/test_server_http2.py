"""The local server over HTTP/2 with prior knowledge, as httpx (``http2=True``) and the
JavaScript SDK's default handler speak it: streams at once on one connection, flow
control both ways, a fault that holds one stream, a fault that resets the connection.

Waits are real (socket timeouts, an ``Event``), never ``time.sleep``, which the active
fake turns into fake time.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from typing import Any

import httpx
import pytest
from clients import run
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.errors import ErrorCodes
from h2.events import (
    ConnectionTerminated,
    DataReceived,
    ResponseReceived,
    StreamEnded,
    StreamReset,
)
from jobs import bedrock_params, wall_seconds

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.transports.server import MAX_BODY, FakeServer

PATIENCE = 10.0  # real seconds a test waits for what should happen at once


def http2(server: FakeServer, **options: Any) -> httpx.Client:
    """An httpx client that speaks HTTP/2 from its first byte (no upgrade, no TLS)."""
    return httpx.Client(
        http1=False, http2=True, base_url=server.endpoint_url, timeout=PATIENCE, **options
    )


def local_port(response: httpx.Response) -> int:
    """The client's port of the connection ``response`` came on (while it is open)."""
    return int(response.extensions["network_stream"].get_extra_info("client_addr")[1])


def listed(client: httpx.Client) -> tuple[int, int]:
    """The status of a ListModelInvocationJobs call, and the port it went from."""
    response = client.get("/model-invocation-jobs")
    return response.status_code, local_port(response)


def test_httpx_over_http2_reaches_the_fake_and_the_control_api(
    batchjobs_server: FakeServer,
) -> None:
    fake = batchjobs_server.fake
    with http2(batchjobs_server) as client:
        created = client.post("/model-invocation-job", json=bedrock_params("over-h2"))
        assert (created.http_version, created.status_code) == ("HTTP/2", 200), created.text
        seeded = client.post("/_batchjobs/bedrock/jobs", json={"count": 400})
        assert seeded.status_code == 200
        # About 400 KB each way: more than the 64 KB windows HTTP/2 starts with.
        listed = client.get("/model-invocation-jobs", params={"maxResults": 1000})
        assert len(listed.content) > 65_535
        tags = [{"key": f"k{n}", "value": "v" * 200} for n in range(50)]
        arn = created.json()["jobArn"]
        tagged = client.post("/tagResource", json={"resourceARN": arn, "tags": tags})
        listed_tags = client.post("/listTagsForResource", json={"resourceARN": arn})
        missing = client.get("/model-invocation-job/abcdefghijkl")
    assert len(listed.json()["invocationJobSummaries"]) == 401
    assert tagged.status_code == 200, tagged.text
    assert (missing.status_code, missing.headers["x-amzn-errortype"]) == (
        404,
        "ResourceNotFoundException",
    )
    assert listed_tags.json()["tags"] == tags
    assert [call.transport for call in fake.calls] == ["server"] * 5


# httpx's async client, in a process without a fake (whose clock would move the client's
# timeouts): its sync client shared by threads can send a stream's HEADERS after a
# later stream's, which RFC 9113 (section 5.1.1) makes a connection error.
AT_ONCE = """
import asyncio, json, sys, httpx

async def main(url):
    async with httpx.AsyncClient(http1=False, http2=True, base_url=url, timeout=10) as client:
        answers = await asyncio.gather(*(client.get("/model-invocation-jobs") for _ in range(8)))
        ports = {a.extensions["network_stream"].get_extra_info("client_addr")[1] for a in answers}
        print(json.dumps({"answers": [[a.http_version, a.status_code] for a in answers],
                          "connections": len(ports)}))

asyncio.run(main(sys.argv[1]))
"""


def test_httpx_sends_requests_at_once_on_one_connection(batchjobs_server: FakeServer) -> None:
    batchjobs_server.fake.bedrock.add_jobs(3, status="Completed")
    command = [sys.executable, "-c", AT_ONCE, batchjobs_server.endpoint_url]
    result = json.loads(run(command, dict(os.environ)).stdout)
    assert result == {"answers": [["HTTP/2", 200]] * 8, "connections": 1}
    assert batchjobs_server.fake.call_count("ListModelInvocationJobs") == 8


def test_a_connection_reset_fault_resets_the_connection(batchjobs_server: FakeServer) -> None:
    """A TCP reset, as under HTTP/1.1 (no GOAWAY: the network sends none); the next call
    opens a new connection and is answered."""
    batchjobs_server.fake.faults.transport("ListModelInvocationJobs", kind="connection_reset")
    with http2(batchjobs_server) as client:
        port = local_port(client.get("/_batchjobs/clock"))
        with pytest.raises(httpx.ReadError, match="Connection reset by peer"):
            client.get("/model-invocation-jobs")
        again = listed(client)
    assert again[0] == 200
    assert again[1] != port
    assert [call.error for call in batchjobs_server.fake.calls] == ["connection_reset", None]


class RawHttp2:
    """An HTTP/2 client on a socket, frame by frame, to send what httpx would not."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=PATIENCE)
        self.h2 = H2Connection(H2Configuration(client_side=True, header_encoding="utf-8"))
        self.h2.initiate_connection()
        self.flush()

    def flush(self) -> None:
        self.socket.sendall(self.h2.data_to_send())

    def request(self, method: str, path: str, authority: str, body: bytes | None) -> int:
        stream = self.h2.get_next_available_stream_id()
        headers = [(":method", method), (":path", path), (":scheme", "http")]
        self.h2.send_headers(stream, [*headers, (":authority", authority)], end_stream=not body)
        if body:
            self.h2.send_data(stream, body, end_stream=True)
        self.flush()
        return stream

    def get(self, path: str) -> int:
        return self.request("GET", path, "127.0.0.1", None)

    def until(self, done: Any) -> list[Any]:
        """Read events until ``done(events)``, or the server closes the connection."""
        events: list[Any] = []
        while not done(events):
            data = self.socket.recv(65536)
            if not data:
                break
            events += self.h2.receive_data(data)
            self.flush()
        return events


def test_a_bad_authority_is_a_400_on_its_stream_and_the_connection_serves_on(
    batchjobs_server: FakeServer,
) -> None:
    raw = RawHttp2(batchjobs_server.port)
    try:
        bad = raw.request("GET", "/model-invocation-jobs", "bad host", None)
        good = raw.get("/model-invocation-jobs")
        events = raw.until(
            lambda seen: {e.stream_id for e in seen if isinstance(e, StreamEnded)} >= {bad, good}
        )
    finally:
        raw.socket.close()
    statuses = {
        event.stream_id: dict(event.headers)[":status"]
        for event in events
        if isinstance(event, ResponseReceived)
    }
    assert statuses == {bad: "400", good: "200"}
    refusal = b"".join(e.data for e in events if isinstance(e, DataReceived) and e.stream_id == bad)
    assert "is not a host[:port]" in json.loads(refusal)["error"]
    assert batchjobs_server.fake.call_count("ListModelInvocationJobs") == 1


def test_a_stream_not_whole_by_its_deadline_is_a_408(batchjobs_fake: BatchJobsFake) -> None:
    with FakeServer(batchjobs_fake, request_timeout=0.3) as server:
        raw = RawHttp2(server.port)
        try:
            stream = raw.h2.get_next_available_stream_id()
            head = [(":method", "POST"), (":path", "/model-invocation-job"), (":scheme", "http")]
            raw.h2.send_headers(stream, [*head, (":authority", "127.0.0.1")])
            raw.h2.send_data(stream, b'{"jobName":')  # and no more
            raw.flush()
            began = wall_seconds()
            events = raw.until(lambda seen: any(isinstance(e, StreamEnded) for e in seen))
            took = wall_seconds() - began
        finally:
            raw.socket.close()
    (response,) = [event for event in events if isinstance(event, ResponseReceived)]
    assert dict(response.headers)[":status"] == "408"
    assert 0.2 < took < PATIENCE
    assert batchjobs_fake.calls == []


def test_stopping_the_server_says_goaway(batchjobs_fake: BatchJobsFake) -> None:
    server = FakeServer(batchjobs_fake).start()
    raw = RawHttp2(server.port)
    try:
        raw.get("/_batchjobs/clock")
        raw.until(lambda seen: any(isinstance(e, StreamEnded) for e in seen))
        server.stop()
        events = raw.until(lambda seen: any(isinstance(e, ConnectionTerminated) for e in seen))
    finally:
        raw.socket.close()
    (goaway,) = [event for event in events if isinstance(event, ConnectionTerminated)]
    assert goaway.error_code == ErrorCodes.NO_ERROR


def test_h11_and_h2_load_when_a_server_starts_not_with_the_plugin() -> None:
    script = (
        "import sys, pytest_batchjobs.plugin, pytest_batchjobs.cli, "
        "pytest_batchjobs.transports.server as server\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('h11', 'h2')))\n"
        "from pytest_batchjobs import fake_batchjobs\n"
        "with fake_batchjobs() as fake, server.FakeServer(fake):\n"
        "    print(sorted({m.split('.')[0] for m in sys.modules} & {'h11', 'h2'}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert output.splitlines() == ["[]", "['h11']"]


def test_a_held_stream_holds_none_of_the_others(batchjobs_fake: BatchJobsFake) -> None:
    """A read_timeout fault holds one stream's response; the streams opened after it on
    the same connection are answered meanwhile. Past stall_seconds the server resets
    the held stream (CANCEL), and the connection serves on."""
    batchjobs_fake.faults.transport("GetModelInvocationJob", kind="read_timeout")
    with FakeServer(batchjobs_fake, stall_seconds=0.5) as server:
        raw = RawHttp2(server.port)
        try:
            began = wall_seconds()
            held = raw.get("/model-invocation-job/abcdefghijkl")
            others = {
                raw.request("GET", "/model-invocation-jobs", "127.0.0.1", None) for _ in "abcde"
            }
            answered = raw.until(
                lambda seen: {e.stream_id for e in seen if isinstance(e, StreamEnded)} >= others
            )
            took = wall_seconds() - began
            reset = raw.until(lambda seen: any(isinstance(e, StreamReset) for e in seen))
            last = raw.get("/_batchjobs/clock")
            after = raw.until(lambda seen: any(isinstance(e, StreamEnded) for e in seen))
        finally:
            raw.socket.close()
    assert took < 0.5
    assert {e.stream_id for e in answered if isinstance(e, ResponseReceived)} == others
    (cancelled,) = [event for event in reset if isinstance(event, StreamReset)]
    assert (cancelled.stream_id, cancelled.error_code) == (held, ErrorCodes.CANCEL)
    assert [e.stream_id for e in after if isinstance(e, StreamEnded)] == [last]
    assert batchjobs_fake.call_count("ListModelInvocationJobs") == 5
    assert server.errors == []


def test_a_body_over_the_cap_is_a_413_and_its_stream_is_reset(
    batchjobs_server: FakeServer,
) -> None:
    raw = RawHttp2(batchjobs_server.port)
    try:
        stream = raw.h2.get_next_available_stream_id()
        head = [(":method", "POST"), (":path", "/model-invocation-job"), (":scheme", "http")]
        length = ("content-length", str(MAX_BODY + 1))
        raw.h2.send_headers(stream, [*head, (":authority", "127.0.0.1"), length])
        raw.flush()
        events = raw.until(lambda seen: any(isinstance(e, StreamReset) for e in seen))
        served = raw.get("/_batchjobs/clock")  # the connection serves on
        after = raw.until(lambda seen: any(isinstance(e, StreamEnded) for e in seen))
    finally:
        raw.socket.close()
    (response,) = [event for event in events if isinstance(event, ResponseReceived)]
    assert dict(response.headers)[":status"] == "413"
    (reset,) = [event for event in events if isinstance(event, StreamReset)]
    assert (reset.stream_id, reset.error_code) == (stream, ErrorCodes.NO_ERROR)
    assert [e.stream_id for e in after if isinstance(e, StreamEnded)] == [served]
    assert batchjobs_server.fake.calls == []


def test_a_silent_connection_gets_goaway_after_the_idle_timeout(
    batchjobs_fake: BatchJobsFake,
) -> None:
    with FakeServer(batchjobs_fake, idle_timeout=0.3) as server:
        raw = RawHttp2(server.port)
        try:
            began = wall_seconds()
            events = raw.until(lambda seen: any(isinstance(e, ConnectionTerminated) for e in seen))
            took = wall_seconds() - began
        finally:
            raw.socket.close()
    (goaway,) = [event for event in events if isinstance(event, ConnectionTerminated)]
    assert goaway.error_code == ErrorCodes.NO_ERROR
    assert 0.2 < took < PATIENCE


def test_a_resting_http2_connection_makes_room_for_a_new_client(
    batchjobs_fake: BatchJobsFake,
) -> None:
    """With every slot taken, the connection resting longest is asked to go (GOAWAY),
    an HTTP/2 one as a kept-alive HTTP/1.1 one is closed; the newcomer is served."""
    with FakeServer(batchjobs_fake, max_connections=1, idle_timeout=60) as server:
        raw = RawHttp2(server.port)
        try:
            raw.get("/_batchjobs/clock")
            raw.until(lambda seen: any(isinstance(e, StreamEnded) for e in seen))
            with httpx.Client(base_url=server.endpoint_url, timeout=PATIENCE) as newcomer:
                assert newcomer.get("/_batchjobs/clock").status_code == 200
            events = raw.until(lambda seen: any(isinstance(e, ConnectionTerminated) for e in seen))
        finally:
            raw.socket.close()
    (goaway,) = [event for event in events if isinstance(event, ConnectionTerminated)]
    assert goaway.error_code == ErrorCodes.NO_ERROR
