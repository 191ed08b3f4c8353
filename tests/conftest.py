"""Shared fixtures: real boto3 clients against the active fake.

pyproject.toml sets ``batchjobs_validate_outputs = true``: every response the fake
sends in this suite is checked against botocore's output shape (types, required
members) and the model's constraints (patterns, enums, ranges); a violation fails the
test that caused it.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from pytest_batchjobs import BatchJobsFake


@pytest.fixture
def bedrock(batchjobs_fake: BatchJobsFake) -> Any:
    return boto3.client("bedrock", region_name="us-east-1")


@pytest.fixture
def personalize(batchjobs_fake: BatchJobsFake) -> Any:
    return boto3.client("personalize", region_name="us-east-1")


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_site() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering ``hello``: a URL that must not be
    intercepted."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name looked up (loopback aside), refused so that nothing leaves the machine."""
    looked_up: list[str] = []
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("localhost", "127.0.0.1", "::1"):
            looked_up.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, f"test: no lookups ({host})")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.fixture
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every connection attempt, and refuse all but loopback ones."""
    attempts: list[Any] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        attempts.append(address)
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"socket guard: a connection to {address!r} was attempted")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse_lookup(socket.getaddrinfo, attempts))
    return attempts


def _refuse_lookup(original: Any, attempts: list[Any]) -> Any:
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(host)
            raise OSError(f"socket guard: a name lookup of {host!r} was attempted")
        return original(host, *args, **kwargs)

    return getaddrinfo


@pytest.fixture(autouse=True)
def _inner_runs_configure_pytest_asyncio(request: pytest.FixtureRequest) -> None:
    """pytester's runs use no ini of this project: give them pytest-asyncio's loop scope,
    which it otherwise warns is unset (in every inner run, whatever it tests)."""
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester")  # first: it clears PYTEST_ADDOPTS
        monkeypatch = request.getfixturevalue("monkeypatch")
        addopts = os.environ.get("PYTEST_ADDOPTS", "")
        monkeypatch.setenv(
            "PYTEST_ADDOPTS", f"{addopts} -o asyncio_default_fixture_loop_scope=function".strip()
        )
