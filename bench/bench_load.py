"""The fake under load: the local server and the in-process fake with 16 threads.

Run from the repository root (about two minutes; ``--million`` adds about a minute)::

    .venv/bin/python bench/bench_load.py
    .venv/bin/python bench/bench_load.py --million   # also the 1M-job factory row

It measures whichever ``pytest_batchjobs`` is importable: ``PYTHONPATH=<tree>`` runs
the same script against another tree's code (its ``batchjobs-fake serve`` too, which
inherits the variable), for a before/after pair in identical conditions. So it uses
only the public API and ``CallContext``, not ``bench_core`` (which reaches into the
botocore transport's internals, and breaks on trees where they differ).

Rows:

1. ``batchjobs-fake serve`` in a subprocess, 16 threads, each with its own boto3
   client, starting together, 1,000 GetModelInvocationJob calls each: req/s and
   latency percentiles (the first call of each thread includes its connection: a
   stall in the listen backlog shows in ``max``). Anchor: the in-process row.
2. The same 16 threads in-process (the fake answering inside botocore, 500 calls
   each), with the time-machine clock and with freezegun.
3. A burst: 32 connections opened at once (non-blocking connects in a tight loop,
   as 32 processes starting together would), one GetModelInvocationJob each, over
   raw sockets multiplexed in one thread (client threads would be spaced out by the
   GIL); latency from the connect to the end of the response, the slowest is ``max``.
4. The server's resident memory after row 1's 16,000 calls and after as many again
   (past the 10,000 calls its journal keeps), and after ``POST /_batchjobs/reset``
   (freed memory stays with the allocator: RSS does not shrink).
5. (``--million``) The factory storing 1,000,000 Bedrock jobs: seconds, resident
   memory added, and a page of 100 (first page, and one reached with a ``nextToken``
   half-way through the store).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore
import requests
from botocore.config import Config

import pytest_batchjobs
from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.services.base import CallContext

THREADS = 16
CALLS = 500  # per thread, in-process
SERVER_CALLS = 1_000  # per thread and round: a round is past the server's journal limit
BURST = 32
MILLION = 1_000_000
MIX = {"Completed": 70, "InProgress": 10, "Failed": 10, "PartiallyCompleted": 5, "Stopped": 5}
KEYS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "secret"}
ACCOUNT = "123456789012"
REGION = "us-east-1"


def _timer() -> float:
    """Real seconds: freezegun patches time.perf_counter, in every module that holds it."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def machine_speed() -> float:
    """run.py's yardstick: seconds for ``sum(range(10**7))``, best of five."""
    timings = []
    for _ in range(5):
        began = _timer()
        sum(range(10**7))
        timings.append(_timer() - began)
    return min(timings)


def job_params(name: str) -> dict[str, Any]:
    """Realistic CreateModelInvocationJob parameters (as in tests/jobs.py)."""
    return {
        "jobName": name,
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/BatchRole",
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}},
    }


@dataclass
class Load:
    """Per-call latencies (seconds) of one concurrent run, and its wall time."""

    label: str
    latencies: list[float]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def row(self, anchor: Load | None) -> str:
        ratio = "-" if anchor is None else f"{self.rate / anchor.rate:.2f}"
        return (
            f"| {self.label} | {len(self.latencies):,} | {self.rate:,.0f} "
            f"| {self.percentile(0.5) * 1000:.1f} | {self.percentile(0.99) * 1000:.1f} "
            f"| {max(self.latencies) * 1000:.0f} | {ratio} |"
        )


def concurrently(label: str, clients: list[Any], call: Callable[[Any], object], calls: int) -> Load:
    """``calls`` calls on each client, one thread per client, all starting together."""
    start = threading.Barrier(len(clients) + 1)
    latencies: list[list[float]] = [[] for _ in clients]

    def work(index: int) -> None:
        client, mine = clients[index], latencies[index]
        start.wait()
        for _ in range(calls):
            began = _timer()
            call(client)
            mine.append(_timer() - began)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        done = [pool.submit(work, index) for index in range(len(clients))]
        start.wait()
        began = _timer()
        for future in done:
            future.result()
        seconds = _timer() - began
    return Load(label, [latency for mine in latencies for latency in mine], seconds)


# -- the server ---------------------------------------------------------------------------


@contextmanager
def server_process() -> Iterator[tuple[str, int]]:
    """``batchjobs-fake serve`` of the importable tree; yields (endpoint URL, pid)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull)
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_batchjobs", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        if not first.startswith("batchjobs-fake serving on "):
            raise SystemExit(f"the server did not start: {first!r}")
        yield first.rsplit(" ", 1)[1], process.pid
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
        if "Traceback" in stderr:
            print(stderr, file=sys.stderr)


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid``, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for process {pid}")


def connection_burst(url: str, arn: str) -> Load:
    """:data:`BURST` connections at once, one Get each; see row 3."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    request = (
        f"GET /model-invocation-job/{arn.rsplit('/', 1)[1]} HTTP/1.1\r\nHost: {host}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    selector = selectors.DefaultSelector()
    received: dict[socket.socket, bytes] = {}
    latencies: list[float] = []
    began = _timer()
    for _ in range(BURST):
        raw = socket.socket()
        raw.setblocking(False)
        raw.connect_ex((host, int(port)))
        selector.register(raw, selectors.EVENT_WRITE)
    while len(latencies) < BURST:
        for key, events in selector.select(timeout=60):
            raw = key.fileobj
            assert isinstance(raw, socket.socket)
            if events & selectors.EVENT_WRITE:
                raw.sendall(request)
                received[raw] = b""
                selector.modify(raw, selectors.EVENT_READ)
            elif data := raw.recv(65536):
                received[raw] += data
            else:  # the response is complete: the server closed the connection
                latencies.append(_timer() - began)
                if not received[raw].startswith(b"HTTP/1.1 200 "):
                    raise SystemExit(f"a burst call failed: {received[raw][:200]!r}")
                selector.unregister(raw)
                raw.close()
    return Load(f"server, {BURST} connections at once", latencies, _timer() - began)


def server_client(session: Any, url: str) -> Any:
    return session.client("bedrock", endpoint_url=url, region_name=REGION, config=Config(), **KEYS)


def bench_server() -> tuple[Load, Load, list[tuple[str, float]]]:
    """The 16-thread load, the 32-connection burst, and the server's memory."""
    session = boto3.session.Session()
    with server_process() as (url, pid):
        creator = server_client(session, url)
        arn = creator.create_model_invocation_job(**job_params("bench-load"))["jobArn"]

        def get(client: Any) -> object:
            return client.get_model_invocation_job(jobIdentifier=arn)

        for _ in range(10):  # the server loads botocore's models on its first calls
            get(creator)
        memory = [("after 11 calls", rss_mb(pid))]
        clients = [server_client(session, url) for _ in range(THREADS)]
        load = concurrently(f"server, {THREADS} boto3 threads", clients, get, SERVER_CALLS)
        calls = THREADS * SERVER_CALLS
        memory.append((f"after {calls:,} more", rss_mb(pid)))
        concurrently("second round", clients, get, SERVER_CALLS)
        memory.append((f"after {2 * calls:,} more", rss_mb(pid)))

        burst = connection_burst(url, arn)
        requests.post(f"{url}/_batchjobs/reset", timeout=30).raise_for_status()
        memory.append(("after POST /_batchjobs/reset", rss_mb(pid)))
    return load, burst, memory


# -- in-process ---------------------------------------------------------------------------


def bench_in_process(clock: str) -> Load:
    """The same 16 threads, answered by the fake inside botocore."""
    session = boto3.session.Session()
    with BatchJobsFake(clock_backend=clock) as fake:
        clients = [session.client("bedrock", region_name=REGION) for _ in range(THREADS)]
        arn = clients[0].create_model_invocation_job(**job_params("bench-load"))["jobArn"]

        def get(client: Any) -> object:
            return client.get_model_invocation_job(jobIdentifier=arn)

        load = concurrently(f"in-process, {THREADS} threads, {clock}", clients, get, CALLS)
        if fake.call_count("GetModelInvocationJob") != THREADS * CALLS:
            raise SystemExit("the in-process calls did not all reach the fake")
    return load


# -- the 1M-job factory -------------------------------------------------------------------


def bench_million() -> tuple[float, float, list[float], list[float]]:
    """Seconds to store 1M jobs, MB of memory added, and page times (first, middle)."""
    with BatchJobsFake(seed=1) as fake:
        before = rss_mb(os.getpid())
        began = _timer()
        fake.bedrock.add_jobs(MILLION, status=MIX)
        seconds = _timer() - began
        added = rss_mb(os.getpid()) - before
        client = boto3.session.Session().client("bedrock", region_name=REGION)
        # The token after half the store, issued by the backend (no wire), for the same
        # query as the timed pages: no filters, the default order.
        context = CallContext(ACCOUNT, REGION, fake.clock.now())
        half = fake.bedrock.call("ListModelInvocationJobs", context, {"maxResults": MILLION // 2})
        token = half["nextToken"]
        pages: dict[str | None, list[float]] = {None: [], token: []}
        for _ in range(10):
            for key, times in pages.items():
                kwargs: dict[str, Any] = {"maxResults": 100}
                if key is not None:
                    kwargs["nextToken"] = key
                began = _timer()
                page = client.list_model_invocation_jobs(**kwargs)
                times.append(_timer() - began)
                if len(page["invocationJobSummaries"]) != 100:
                    raise SystemExit("a page of the million is not full")
    return seconds, added, pages[None], pages[token]


# -- report -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The fake under load, in one table.")
    parser.add_argument("--million", action="store_true", help="also the 1M-job factory row")
    args = parser.parse_args(argv)
    started = _timer()
    server, burst, memory = bench_server()
    time_machine = bench_in_process("time-machine")
    freezegun = bench_in_process("freezegun")
    million = bench_million() if args.million else None

    tree = Path(pytest_batchjobs.__file__).resolve().parents[1]
    print(
        f"{dt.date.today().isoformat()}: python {sys.version.split()[0]}, botocore "
        f"{botocore.__version__}, boto3 {boto3.__version__}; code from {tree}"
    )
    print(
        f"machine: sum(range(10**7)) takes {machine_speed() * 1000:.0f} ms, "
        f"{os.cpu_count()} cores (absolute figures scale with it)\n"
    )
    print("| load | calls | req/s | p50 ms | p99 ms | max ms | req/s vs in-process time-machine |")
    print("|---|---|---|---|---|---|---|")
    for load in (server, burst, time_machine, freezegun):
        print(load.row(time_machine if load in (server, freezegun) else None))
    print()
    first = memory[0][1]
    shown = ", ".join(f"{label} {mb - first:+.1f} MB" for label, mb in memory[1:])
    print(f"server memory (RSS): {first:.1f} MB {memory[0][0]}; {shown}")
    if million is not None:
        seconds, added, first_pages, middle_pages = million
        print(
            f"factory: {MILLION:,} Bedrock jobs in {seconds:.1f} s, {added:+,.0f} MB RSS; "
            f"a page of 100: first {min(first_pages) * 1000:.1f}-"
            f"{max(first_pages) * 1000:.1f} ms, via a mid-store nextToken "
            f"{min(middle_pages) * 1000:.1f}-{max(middle_pages) * 1000:.1f} ms "
            f"(median {statistics.median(first_pages + middle_pages) * 1000:.1f} ms)"
        )
    print(f"\ntotal {_timer() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
