"""Benchmark the fake's core request path against baselines measured in the same run.

Run from the repository root::

    .venv/bin/python bench/bench_core.py            # the table
    .venv/bin/python bench/bench_core.py --profile  # the table, then a cProfile of Get

Every figure is a ratio of two measurements taken in interleaved rounds (the order
alternates from round to round), so a noisy machine slows both sides alike:

1. ``GetModelInvocationJob`` through the fake, against the same boto3 call answered by a
   bare ``before-send`` handler that returns the fake's own response bytes (captured
   once). Both clients run inside the active fake, under the same frozen clock; the
   baseline client has the fake's two botocore handlers unregistered.
2. One 100-item page of ``ListModelInvocationJobs`` (the first page, and a page in the
   middle of the store reached with a ``nextToken``) with 100,000 stored jobs, against
   the same page with 1,000 stored jobs. Both stores live in one fake, in two regions.

Then, in microseconds, the fake's own share of one Get, measured directly: the core on
a prepared wire request (no botocore at all), and the botocore adapter on a prepared
botocore request (its ``before-send`` handler: the adapter and the core). The script
runs on an older tree too (one whose fake still had ``handle()``), so that two trees can
be measured in the same session.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import botocore
from botocore.awsrequest import AWSResponse

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.transports.botocore import before_send
from pytest_batchjobs.wire.messages import WireRequest

try:  # the tree measured may be one from before the core seam (see the docstring)
    from pytest_batchjobs.core.contract import core_of
    from pytest_batchjobs.services._kit.context import CallContext
except ImportError:  # pragma: no cover - an older tree
    from pytest_batchjobs.services.base import CallContext  # type: ignore[no-redef]

    core_of = None  # type: ignore[assignment]

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/BatchRole"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
LARGE_REGION = "us-east-1"
SMALL_REGION = "us-west-2"
SMALL_JOBS = 1_000
LARGE_JOBS = 100_000
PAGE = 100

GET_TARGET = 1.15
LIST_TARGET = 2.0

# perf_counter is read through this name; time-machine and freezegun do not freeze it
# (checked at start-up by _check_timer), so it measures real time inside the fake.
_timer = time.perf_counter


def job_params(name: str) -> dict[str, Any]:
    """Realistic CreateModelInvocationJob parameters (as in tests/jobs.py)."""
    return {
        "jobName": name,
        "roleArn": ROLE,
        "modelId": MODEL,
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}},
    }


def bedrock_client(region: str) -> Any:
    """A real boto3 Bedrock client on its own session (its own event emitter)."""
    return boto3.session.Session(region_name=region).client("bedrock")


# -- timing -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Per-call seconds of a candidate and its baseline, one pair per round."""

    label: str
    candidate_label: str
    baseline_label: str
    target: float
    candidate: list[float]
    baseline: list[float]

    @property
    def ratios(self) -> list[float]:
        return [c / b for c, b in zip(self.candidate, self.baseline, strict=True)]

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def min_ratio(self) -> float:
        return min(self.candidate) / min(self.baseline)


def per_call(call: Callable[[], object], repeat: int) -> float:
    """Seconds per call of ``repeat`` back-to-back calls."""
    start = _timer()
    for _ in range(repeat):
        call()
    return (_timer() - start) / repeat


def interleaved(
    candidate: Callable[[], object],
    baseline: Callable[[], object],
    *,
    rounds: int,
    repeat: int,
) -> tuple[list[float], list[float]]:
    """Alternate candidate/baseline blocks (ABBA...), one pair of timings per round."""
    for _ in range(max(3, repeat // 10)):  # warm both paths
        candidate()
        baseline()
    return alternate(
        lambda: per_call(candidate, repeat), lambda: per_call(baseline, repeat), rounds
    )


def alternate(
    candidate: Callable[[], float], baseline: Callable[[], float], rounds: int
) -> tuple[list[float], list[float]]:
    """Run two timed rounds in ABBA order, ``rounds`` of each: the machine's drift
    during the run falls on both alike."""
    cand: list[float] = []
    base: list[float] = []
    for index in range(rounds):
        if index % 2 == 0:
            cand.append(candidate())
            base.append(baseline())
        else:
            base.append(baseline())
            cand.append(candidate())
    return cand, base


def _check_timer() -> None:
    """Fail if the fake's frozen clock also froze the benchmark's timer."""
    start = _timer()
    deadline = time.process_time() + 0.01
    while time.process_time() < deadline:
        pass
    if _timer() - start <= 0:
        raise SystemExit("perf_counter is frozen by the fake's clock: cannot measure")


# -- 1. GetModelInvocationJob: the fake vs a canned before-send answer ------------------


class _CannedRaw:
    """The ``raw`` botocore reads an ``AWSResponse`` body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class Captured:
    status: int
    headers: dict[str, str]
    body: bytes


def capture_response(
    client: Any,
    call: Callable[[], object],
    event: str = "response-received.bedrock.GetModelInvocationJob",
) -> Captured:
    """The HTTP response the fake sends for ``call``, as botocore received it."""
    seen: list[Captured] = []

    def on_received(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
        if response_dict is not None:
            seen.append(
                Captured(
                    response_dict["status_code"],
                    dict(response_dict["headers"]),
                    bytes(response_dict["body"]),
                )
            )

    client.meta.events.register(event, on_received)
    try:
        call()
    finally:
        client.meta.events.unregister(event, on_received)
    if len(seen) != 1:
        raise SystemExit(f"expected to capture one response, got {len(seen)}")
    return seen[0]


def canned_client(region: str, canned: Captured, service: str = "bedrock") -> Any:
    """A client whose calls are answered by a bare handler with ``canned``, with the
    fake's own botocore handlers unregistered."""
    client = boto3.session.Session(region_name=region).client(service)

    def handler(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, canned.status, canned.headers, _CannedRaw(canned.body))

    # The fake's before_send does not run for this client: the canned answer replaces
    # it. The fake's signer wrapper (dummy signing credentials, a few µs) is patched on
    # botocore's RequestSigner while a fake is active, so both arms pay it.
    client.meta.events.unregister("before-send", before_send)
    client.meta.events.register_first(f"before-send.{service}", handler)
    return client


def bench_get(fake: BatchJobsFake, rounds: int, repeat: int) -> Comparison:
    faked = bedrock_client(LARGE_REGION)
    arn = faked.create_model_invocation_job(**job_params("bench-get"))["jobArn"]

    def get_faked() -> dict[str, Any]:
        return dict(faked.get_model_invocation_job(jobIdentifier=arn))

    canned = capture_response(faked, get_faked)
    bare = canned_client(LARGE_REGION, canned)

    def get_bare() -> dict[str, Any]:
        return dict(bare.get_model_invocation_job(jobIdentifier=arn))

    # The baseline must really be answered by the canned handler, not by the fake.
    journal = len(fake.calls)
    expected = get_faked()
    journal += 1
    got = get_bare()
    if len(fake.calls) != journal:
        raise SystemExit("the baseline client's call reached the fake")
    if _without_metadata(got) != _without_metadata(expected):
        raise SystemExit("the baseline client did not get the fake's response")
    if got["ResponseMetadata"]["HTTPHeaders"] != {k.lower(): v for k, v in canned.headers.items()}:
        raise SystemExit("the baseline client did not get the canned headers")

    gc.collect()
    gc.freeze()
    cand, base = interleaved(get_faked, get_bare, rounds=rounds, repeat=repeat)
    for _ in range(3):
        get_bare()
    if len(fake.calls) != journal + (rounds * repeat) + max(3, repeat // 10):
        raise SystemExit("the fake's journal grew by an unexpected number of calls")
    return Comparison(
        "GetModelInvocationJob per call",
        "fake",
        "bare client, canned before-send",
        GET_TARGET,
        cand,
        base,
    )


def _without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def profile_get(fake: BatchJobsFake, calls: int) -> str:
    """cProfile of ``calls`` GetModelInvocationJob calls through the fake."""
    client = bedrock_client(LARGE_REGION)
    arn = client.create_model_invocation_job(**job_params("bench-profile"))["jobArn"]
    for _ in range(20):
        client.get_model_invocation_job(jobIdentifier=arn)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        client.get_model_invocation_job(jobIdentifier=arn)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"\n### cProfile: {calls} GetModelInvocationJob calls through the fake\n\n")
    out.write("Cumulative, pytest_batchjobs functions only:\n")
    stats.sort_stats("cumulative").print_stats("pytest_batchjobs", 25)
    out.write("Own time, all functions:\n")
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


# -- 2. ListModelInvocationJobs: 100,000 stored jobs vs 1,000 --------------------------


def bedrock_backend(fake: BatchJobsFake) -> Any:
    """The Bedrock job kind's own backend, below the façade (the benchmark stores jobs
    there directly, faster than the factory can)."""
    backends = getattr(fake, "_backends", None)
    kinds = getattr(backends, "kinds", None)
    return kinds["bedrock"] if kinds is not None else fake.bedrock


def fill(fake: BatchJobsFake, region: str, count: int, now: dt.datetime) -> None:
    """Store ``count`` jobs directly, one a minute back from ``now`` (newest at ``now``)."""
    context = CallContext(ACCOUNT, region, now)
    backend = bedrock_backend(fake)
    jobs = [
        backend.new_job(context, job_params(f"bench-{i:06d}"), now - dt.timedelta(minutes=i))
        for i in range(count)
    ]
    backend.state(ACCOUNT, region).jobs.add_many(jobs)


def middle_token(fake: BatchJobsFake, region: str, count: int) -> str:
    """A ``nextToken`` whose next page starts half-way through ``count`` stored jobs.

    Issued by the backend itself (one page of ``count // 2`` summaries, no wire), for
    the same query as the benchmarked calls: no filters, default sort.
    """
    context = CallContext(ACCOUNT, region, fake.clock.now())
    backend = bedrock_backend(fake)
    output = backend.list_model_invocation_jobs(context, {"maxResults": count // 2})
    token = output.get("nextToken")
    if not isinstance(token, str):
        raise SystemExit("the backend issued no nextToken for the middle of the store")
    return token


def list_call(client: Any, token: str | None, first_job: str) -> Callable[[], object]:
    """One ``maxResults=100`` page call, checked once to be full and to start at ``first_job``."""
    kwargs: dict[str, Any] = {"maxResults": PAGE}
    if token is not None:
        kwargs["nextToken"] = token

    def call() -> object:
        return client.list_model_invocation_jobs(**kwargs)

    page = call()
    assert isinstance(page, dict)
    summaries = page["invocationJobSummaries"]
    if len(summaries) != PAGE or not page.get("nextToken"):
        raise SystemExit("a benchmarked page is not a full page with a nextToken")
    if summaries[0]["jobName"] != first_job:
        raise SystemExit(f"page starts at {summaries[0]['jobName']}, expected {first_job}")
    return call


def bench_list(fake: BatchJobsFake, rounds: int, repeat: int) -> tuple[list[Comparison], float]:
    """The two list rows, and the seconds spent storing the jobs and issuing tokens."""
    now = fake.clock.now()
    started = _timer()
    fill(fake, SMALL_REGION, SMALL_JOBS, now)
    fill(fake, LARGE_REGION, LARGE_JOBS, now)
    small = bedrock_client(SMALL_REGION)
    large = bedrock_client(LARGE_REGION)
    small_mid = middle_token(fake, SMALL_REGION, SMALL_JOBS)
    large_mid = middle_token(fake, LARGE_REGION, LARGE_JOBS)
    setup = _timer() - started
    gc.collect()
    gc.freeze()  # keep 100,000 stored jobs out of the collector's full passes
    results = []
    cases = (
        ("first page", None, None, 0, 0),
        ("mid-store page via nextToken", small_mid, large_mid, SMALL_JOBS // 2, LARGE_JOBS // 2),
    )
    for label, small_token, large_token, small_first, large_first in cases:
        cand, base = interleaved(
            list_call(large, large_token, f"bench-{large_first:06d}"),
            list_call(small, small_token, f"bench-{small_first:06d}"),
            rounds=rounds,
            repeat=repeat,
        )
        results.append(
            Comparison(
                f"ListModelInvocationJobs {PAGE}-item {label}",
                f"{LARGE_JOBS:,} jobs",
                f"{SMALL_JOBS:,} jobs",
                LIST_TARGET,
                cand,
                base,
            )
        )
    return results, setup


# -- 3. The fake's own share of one Get, measured directly --------------------------------


@dataclass
class Share:
    """Per-call seconds of one part of the fake, one figure per round."""

    label: str
    seconds: list[float]


def prepared_get(fake: BatchJobsFake) -> Any:
    """The botocore request a client sends for one GetModelInvocationJob (as it reaches
    ``before-send``: serialized and signed)."""
    client = bedrock_client(LARGE_REGION)
    arn = client.create_model_invocation_job(**job_params("bench-share"))["jobArn"]
    seen: list[Any] = []

    def grab(request: Any, **_: Any) -> None:
        seen.append(request)

    event = "before-send.bedrock.GetModelInvocationJob"
    client.meta.events.register_first(event, grab)
    client.get_model_invocation_job(jobIdentifier=arn)
    client.meta.events.unregister(event, grab)
    return seen[0]


def bench_share(fake: BatchJobsFake, rounds: int, repeat: int) -> list[Share]:
    """The core on a prepared wire request; the botocore adapter on a prepared request."""
    request = prepared_get(fake)
    wire = WireRequest.build(
        request.method, request.url, request.headers, request.body, case_insensitive_headers=True
    )
    if core_of is not None:
        core = core_of(fake)

        def answer() -> object:
            return core.answer(wire, transport="bench", service="bedrock")

    else:  # an older tree: the fake's own request path

        def answer() -> object:
            return fake.handle(wire, transport="bench", service="bedrock")  # type: ignore[attr-defined]

    event = "before-send.bedrock.GetModelInvocationJob"

    def send() -> object:
        return before_send(request, event_name=event)

    for _ in range(repeat):  # warm both
        answer()
        send()
    cores, adapters = alternate(
        lambda: per_call(answer, repeat), lambda: per_call(send, repeat), rounds
    )
    return [
        Share("the core, on a prepared wire request (no botocore)", cores),
        Share("botocore's before-send handler: the adapter and the core", adapters),
    ]


# -- 4. SageMaker transform jobs: the same two measures for a JSON 1.1 kind ---------------


def transform_params(name: str) -> dict[str, Any]:
    """Realistic CreateTransformJob parameters (as in tests/test_sagemaker.py)."""
    return {
        "TransformJobName": name,
        "ModelName": "churn-xgboost-v7",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}},
            "SplitType": "Line",
        },
        "TransformOutput": {"S3OutputPath": "s3://out/", "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
    }


def sagemaker_client(region: str) -> Any:
    return boto3.session.Session(region_name=region).client("sagemaker")


def bench_describe_transform(fake: BatchJobsFake, rounds: int, repeat: int) -> Comparison:
    """DescribeTransformJob through the fake, against a canned before-send answer."""
    faked = sagemaker_client(LARGE_REGION)
    faked.create_transform_job(**transform_params("bench-describe"))

    def describe_faked() -> dict[str, Any]:
        return dict(faked.describe_transform_job(TransformJobName="bench-describe"))

    event = "response-received.sagemaker.DescribeTransformJob"
    canned = capture_response(faked, describe_faked, event)
    bare = canned_client(LARGE_REGION, canned, "sagemaker")

    def describe_bare() -> dict[str, Any]:
        return dict(bare.describe_transform_job(TransformJobName="bench-describe"))

    journal = len(fake.calls)
    expected = describe_faked()
    if _without_metadata(describe_bare()) != _without_metadata(expected):
        raise SystemExit("the baseline client did not get the fake's response")
    if len(fake.calls) != journal + 1:
        raise SystemExit("the baseline client's call reached the fake")
    gc.collect()
    gc.freeze()
    cand, base = interleaved(describe_faked, describe_bare, rounds=rounds, repeat=repeat)
    return Comparison(
        "DescribeTransformJob per call",
        "fake",
        "bare client, canned before-send",
        GET_TARGET,
        cand,
        base,
    )


def fill_transform(fake: BatchJobsFake, region: str, count: int, now: dt.datetime) -> None:
    """Store ``count`` transform jobs directly, one a minute back from ``now``."""
    context = CallContext(ACCOUNT, region, now)
    backend = fake._backends.kinds["sagemaker"]  # below the façade
    jobs = []
    for i in range(count):
        name = f"bench-{i:06d}"
        arn = backend.job_arn(context, name)
        jobs.append(backend.new_job(arn, transform_params(name), now - dt.timedelta(minutes=i)))
    backend.state(ACCOUNT, region).jobs.add_many(jobs)


def transform_page(client: Any, first_job: str, **extra: Any) -> Callable[[], object]:
    """One ``MaxResults=100`` ListTransformJobs page, checked once to start at ``first_job``."""

    def call() -> object:
        return client.list_transform_jobs(MaxResults=PAGE, **extra)

    page = call()
    assert isinstance(page, dict)
    summaries = page["TransformJobSummaries"]
    if len(summaries) != PAGE or not page.get("NextToken"):
        raise SystemExit("a benchmarked page is not a full page with a NextToken")
    if summaries[0]["TransformJobName"] != first_job:
        raise SystemExit(f"page starts at {summaries[0]['TransformJobName']}, not {first_job}")
    return call


def bench_list_transform(fake: BatchJobsFake, rounds: int, repeat: int) -> list[Comparison]:
    """ListTransformJobs pages, 100,000 stored jobs against 1,000: newest first (the
    default), and by name."""
    now = fake.clock.now()
    fill_transform(fake, SMALL_REGION, SMALL_JOBS, now)
    fill_transform(fake, LARGE_REGION, LARGE_JOBS, now)
    small, large = sagemaker_client(SMALL_REGION), sagemaker_client(LARGE_REGION)
    gc.collect()
    gc.freeze()
    rows = []
    # By name, the store keeps the jobs in order from the first such page on.
    cases = (
        ("first page", {}),
        ("first page, SortBy=Name", {"SortBy": "Name", "SortOrder": "Ascending"}),
    )
    for label, extra in cases:
        cand, base = interleaved(
            transform_page(large, "bench-000000", **extra),
            transform_page(small, "bench-000000", **extra),
            rounds=rounds,
            repeat=repeat,
        )
        rows.append(
            Comparison(
                f"ListTransformJobs {PAGE}-item {label}",
                f"{LARGE_JOBS:,} jobs",
                f"{SMALL_JOBS:,} jobs",
                LIST_TARGET,
                cand,
                base,
            )
        )
    return rows


# -- report -------------------------------------------------------------------------------


def table(rows: list[Comparison]) -> str:
    lines = [
        "| measure | candidate | baseline | ratio (median of rounds) | ratio (min/min) "
        "| target | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ok = "yes" if row.median_ratio <= row.target else "**NO**"
        # A row without a target is reported, not judged (a sort that grows with n).
        target = f"≤ {row.target:g}" if row.target != float("inf") else "none (reported)"
        lines.append(
            f"| {row.label} "
            f"| {row.candidate_label}: {min(row.candidate) * 1e6:,.0f} µs "
            f"| {row.baseline_label}: {min(row.baseline) * 1e6:,.0f} µs "
            f"| {row.median_ratio:.2f} (rounds {min(row.ratios):.2f} to {max(row.ratios):.2f}) "
            f"| {row.min_ratio:.2f} | {target} | {ok} |"
        )
    return "\n".join(lines)


def share_table(shares: list[Share]) -> str:
    lines = [
        "| the fake's own share of one GetModelInvocationJob | best round | median |",
        "|---|---|---|",
    ]
    for share in shares:
        lines.append(
            f"| {share.label} | {min(share.seconds) * 1e6:,.1f} µs "
            f"| {statistics.median(share.seconds) * 1e6:,.1f} µs |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the fake against same-run baselines.")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per row")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile GetModelInvocationJob calls"
    )
    args = parser.parse_args(argv)
    started = _timer()
    rows: list[Comparison] = []
    with fake_batchjobs() as fake:
        _check_timer()
        kind = fake.clock.kind
        rows.append(bench_get(fake, rounds=args.rounds, repeat=150))
        shares = bench_share(fake, rounds=args.rounds, repeat=2000)
        gc.unfreeze()
        profile = profile_get(fake, 500) if args.profile else ""
    with fake_batchjobs() as fake:
        list_rows, setup = bench_list(fake, rounds=args.rounds, repeat=5)
        rows.extend(list_rows)
        gc.unfreeze()
    with fake_batchjobs() as fake:
        rows.append(bench_describe_transform(fake, rounds=args.rounds, repeat=150))
        gc.unfreeze()
    with fake_batchjobs() as fake:
        rows.extend(bench_list_transform(fake, rounds=args.rounds, repeat=5))
        gc.unfreeze()
    print(
        f"python {sys.version.split()[0]}, botocore {botocore.__version__}, "
        f"boto3 {boto3.__version__}, fake clock: {kind}"
    )
    print()
    print(table(rows))
    print()
    print(share_table(shares))
    print()
    print(
        f"{args.rounds} interleaved rounds per row; µs columns are the best round's per-call "
        f"time; storing {SMALL_JOBS + LARGE_JOBS:,} jobs and issuing the mid-store tokens "
        f"took {setup:.1f} s; total {_timer() - started:.1f} s"
    )
    if profile:
        print(profile)
    return 0 if all(row.median_ratio <= row.target for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
