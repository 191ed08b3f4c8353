"""The fake under load: the local server and the in-process fake with 16 threads.

Run from the repository root (about three minutes; ``--million`` adds one)::

    .venv/bin/python bench/bench_load.py                          # this tree only
    .venv/bin/python bench/bench_load.py --baseline ../main        # and against another
    .venv/bin/python bench/bench_load.py --baseline ../main --million

It measures whichever ``pytest_batchjobs`` is importable (``PYTHONPATH=<tree>`` picks
one). ``--baseline TREE`` also serves TREE's code (``batchjobs-fake serve`` with
``PYTHONPATH=TREE``) beside this tree's, and the two servers take the same load in
alternating rounds (ABBA): on a shared machine the drift falls on both alike, and the
ratio is the median of the rounds' ratios. So the script uses only the public API and
``CallContext``, not ``bench_core`` (which imports the botocore transport's internals
and breaks on trees where they differ).

Rows:

1. The server, 16 threads, each with its own boto3 client, starting together, 250
   GetModelInvocationJob calls each per round: req/s and latency percentiles. The
   first round's first calls connect: a stall in the listen backlog shows in ``max``.
2. A burst: 32 connections opened at once (non-blocking connects in a tight loop, as
   32 processes starting together would), one GetModelInvocationJob each, over raw
   sockets multiplexed in one thread (client threads would be spaced out by the GIL);
   latency from the connects to the end of each response.
3. Each server's resident memory after half its calls (16,000), after all (32,000;
   past the 10,000 its journal keeps), and, after the bursts, after
   ``POST /_batchjobs/reset`` (freed memory stays with the allocator: RSS does not
   shrink).
4. The same 16 threads in-process (the fake answering inside botocore, 500 calls
   each) with the time-machine clock and with freezegun: the anchor of row 1.
5. (``--million``) The factory storing 1,000,000 Bedrock jobs: seconds, resident
   memory added, and a page of 100 (the first page, and one reached with a
   ``nextToken`` half-way through the store).
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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore
import requests
from botocore.config import Config

import pytest_batchjobs
from pytest_batchjobs import BatchJobsFake

try:  # a tree with the services' kit, or one from before it
    from pytest_batchjobs.services._kit.context import CallContext
except ImportError:  # pragma: no cover - an older tree
    from pytest_batchjobs.services.base import CallContext  # type: ignore[no-redef]

THREADS = 16
ROUNDS = 8
ROUND_CALLS = 250  # per thread and round: 8 rounds make 32,000 calls a server
IN_PROCESS_CALLS = 500  # per thread
BURST = 32
BURST_ROUNDS = 4
MILLION = 1_000_000
MIX = {"Completed": 70, "InProgress": 10, "Failed": 10, "PartiallyCompleted": 5, "Stopped": 5}
ACCOUNT = "123456789012"
REGION = "us-east-1"
KEYS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "secret"}
THIS_TREE = Path(pytest_batchjobs.__file__).resolve().parents[1]


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
    """Per-call latencies (seconds) of one or more concurrent runs, and their wall time."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def add(self, other: Load) -> None:
        self.latencies += other.latencies
        self.seconds += other.seconds

    def cells(self) -> str:
        """req/s | p50 ms | p99 ms | max ms."""
        ordered = sorted(self.latencies)

        def ms(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

        return f"{self.rate:,.0f} | {ms(0.5):.1f} | {ms(0.99):.1f} | {ordered[-1] * 1000:.0f}"


def concurrently(clients: list[Any], call: Callable[[Any], object], calls: int) -> Load:
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
    return Load([latency for mine in latencies for latency in mine], seconds)


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid``, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for process {pid}")


# -- the server ---------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``batchjobs-fake serve`` of one tree, its clients, and its figures."""

    tree: Path
    url: str
    pid: int
    clients: list[Any]
    arn: str = ""
    load: Load = field(default_factory=Load)
    rounds: list[Load] = field(default_factory=list)
    burst: Load = field(default_factory=Load)
    bursts: list[Load] = field(default_factory=list)
    memory: list[tuple[str, float]] = field(default_factory=list)

    def get(self, client: Any) -> object:
        return client.get_model_invocation_job(jobIdentifier=self.arn)

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def run_round(self) -> None:
        self.rounds.append(concurrently(self.clients, self.get, ROUND_CALLS))
        self.load.add(self.rounds[-1])

    def run_burst(self) -> None:
        self.bursts.append(connection_burst(self.url, self.arn))
        self.burst.add(self.bursts[-1])


@contextmanager
def serving(tree: Path, session: Any) -> Iterator[Server]:
    """``batchjobs-fake serve`` with ``tree``'s code, warmed up, with its 16 clients."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, PYTHONPATH=str(tree))
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
            raise SystemExit(f"the server of {tree} did not start: {first!r}")
        url = first.rsplit(" ", 1)[1]

        def client() -> Any:
            return session.client(
                "bedrock", endpoint_url=url, region_name=REGION, config=Config(), **KEYS
            )

        server = Server(tree, url, process.pid, [client() for _ in range(THREADS)])
        warm = client()
        server.arn = warm.create_model_invocation_job(**job_params("bench-load"))["jobArn"]
        for _ in range(10):  # the server loads botocore's models on its first calls
            server.get(warm)
        server.memory.append(("after 11 calls", server.rss_mb()))
        yield server
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
        if "Traceback" in stderr:
            print(stderr, file=sys.stderr)


def connection_burst(url: str, arn: str) -> Load:
    """:data:`BURST` connections at once, one Get each (row 2)."""
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
        opening = socket.socket()
        opening.setblocking(False)
        opening.connect_ex((host, int(port)))
        selector.register(opening, selectors.EVENT_WRITE)
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
    return Load(latencies, _timer() - began)


def alternate(servers: list[Server], run: Callable[[Server], None], rounds: int) -> None:
    """``rounds`` rounds of ``run`` on each server, in ABBA order."""
    for index in range(rounds):
        for server in servers if index % 2 == 0 else servers[::-1]:
            run(server)


def bench_servers(trees: list[Path]) -> list[Server]:
    """Rows 1-3 for the server of each tree (this one first)."""
    session = boto3.session.Session()
    with ExitStack() as stack:
        servers = [stack.enter_context(serving(tree, session)) for tree in trees]
        alternate(servers, Server.run_round, ROUNDS // 2)
        for server in servers:
            server.memory.append(
                (f"after {THREADS * ROUND_CALLS * ROUNDS // 2:,} more", server.rss_mb())
            )
        alternate(servers, Server.run_round, ROUNDS - ROUNDS // 2)
        for server in servers:
            server.memory.append(
                (f"after {THREADS * ROUND_CALLS * ROUNDS:,} more", server.rss_mb())
            )
        alternate(servers, Server.run_burst, BURST_ROUNDS)
        for server in servers:
            requests.post(f"{server.url}/_batchjobs/reset", timeout=60).raise_for_status()
            server.memory.append(("after POST /_batchjobs/reset", server.rss_mb()))
    return servers


# -- in-process ---------------------------------------------------------------------------


def bench_in_process(clock: str) -> Load:
    """Row 4: the same 16 threads, answered by the fake inside botocore."""
    session = boto3.session.Session()
    with BatchJobsFake(clock=clock) as fake:
        clients = [session.client("bedrock", region_name=REGION) for _ in range(THREADS)]
        arn = clients[0].create_model_invocation_job(**job_params("bench-load"))["jobArn"]

        def get(client: Any) -> object:
            return client.get_model_invocation_job(jobIdentifier=arn)

        load = concurrently(clients, get, IN_PROCESS_CALLS)
        if fake.call_count("GetModelInvocationJob") != THREADS * IN_PROCESS_CALLS:
            raise SystemExit("the in-process calls did not all reach the fake")
    return load


# -- the 1M-job factory -------------------------------------------------------------------


def bench_million() -> str:
    """Row 5, as a line of the report."""
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
        kinds = getattr(getattr(fake, "_backends", None), "kinds", None)  # below the façade
        backend = kinds["bedrock"] if kinds is not None else fake.bedrock
        half = backend.list_model_invocation_jobs(context, {"maxResults": MILLION // 2})
        pages: dict[str | None, list[float]] = {None: [], half["nextToken"]: []}
        for _ in range(10):
            for token, times in pages.items():
                kwargs: dict[str, Any] = {"maxResults": 100}
                if token is not None:
                    kwargs["nextToken"] = token
                began = _timer()
                page = client.list_model_invocation_jobs(**kwargs)
                times.append(_timer() - began)
                if len(page["invocationJobSummaries"]) != 100:
                    raise SystemExit("a page of the million is not full")
    first, middle = (sorted(times) for times in pages.values())
    return (
        f"factory: {MILLION:,} Bedrock jobs in {seconds:.1f} s, {added:+,.0f} MB RSS; a page "
        f"of 100: first {first[0] * 1000:.1f}-{first[-1] * 1000:.1f} ms, via a mid-store "
        f"nextToken {middle[0] * 1000:.1f}-{middle[-1] * 1000:.1f} ms "
        f"(median {statistics.median(first + middle) * 1000:.1f} ms)"
    )


# -- report -------------------------------------------------------------------------------


def ratio_cell(candidate: list[Load], baseline: list[Load]) -> str:
    ratios = [c.rate / b.rate for c, b in zip(candidate, baseline, strict=True)]
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f} to {max(ratios):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The fake under load, in one table.")
    parser.add_argument("--baseline", type=Path, help="a tree whose server to measure beside")
    parser.add_argument("--million", action="store_true", help="also the 1M-job factory row")
    args = parser.parse_args(argv)
    started = _timer()
    trees = [THIS_TREE] + ([args.baseline.resolve()] if args.baseline else [])
    servers = bench_servers(trees)
    time_machine = bench_in_process("time-machine")
    freezegun = bench_in_process("freezegun")
    million = bench_million() if args.million else ""

    print(
        f"{dt.date.today().isoformat()}: python {sys.version.split()[0]}, botocore "
        f"{botocore.__version__}, boto3 {boto3.__version__}; this tree {THIS_TREE}"
        + (f", baseline {trees[1]}" if len(trees) > 1 else "")
    )
    print(
        f"machine: sum(range(10**7)) takes {machine_speed() * 1000:.0f} ms, "
        f"{os.cpu_count()} cores (absolute figures scale with it)\n"
    )
    print("| load | code | calls | req/s | p50 ms | p99 ms | max ms | req/s vs baseline |")
    print("|---|---|---|---|---|---|---|---|")
    rows = (
        (f"server, {THREADS} boto3 threads, {ROUNDS} rounds", "load", "rounds"),
        (f"server, {BURST} connections at once, {BURST_ROUNDS} rounds", "burst", "bursts"),
    )
    for label, total, rounds in rows:
        for server in servers:
            ratio = "-"
            if server is not servers[-1]:
                ratio = ratio_cell(getattr(server, rounds), getattr(servers[-1], rounds))
            load = getattr(server, total)
            name = "this tree" if server.tree == THIS_TREE else "baseline"
            print(f"| {label} | {name} | {len(load.latencies):,} | {load.cells()} | {ratio} |")
    for clock, load in (("time-machine", time_machine), ("freezegun", freezegun)):
        label = f"in-process, {THREADS} threads, {clock}"
        print(f"| {label} | this tree | {len(load.latencies):,} | {load.cells()} | - |")
    print(
        f"\nthe server's req/s / in-process time-machine's (same run): "
        f"{servers[0].load.rate / time_machine.rate:.2f}"
    )
    for server in servers:
        first = server.memory[0][1]
        shown = ", ".join(f"{label} {mb - first:+.1f} MB" for label, mb in server.memory[1:])
        print(f"server memory (RSS), {server.tree}: {first:.1f} MB {server.memory[0][0]}; {shown}")
    if million:
        print(million)
    print(f"\ntotal {_timer() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
