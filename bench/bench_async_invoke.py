"""Benchmark Bedrock async invocations (bedrock-runtime) against same-run baselines.

Run from the repository root::

    .venv/bin/python bench/bench_async_invoke.py

The same method as ``bench_core.py`` (whose timing helpers this uses), for the
``bedrock_async`` job kind:

1. ``GetAsyncInvoke`` through the fake, against the same boto3 call answered by a bare
   ``before-send`` handler returning the fake's own response bytes (captured once).
2. One 100-item page of ``ListAsyncInvokes`` (the first, and one half-way through the
   store reached with a ``nextToken``) with 100,000 stored invocations, against the
   same page with 1,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
from collections.abc import Callable
from typing import Any

import boto3
import botocore
from bench_core import (
    ACCOUNT,
    GET_TARGET,
    LARGE_JOBS,
    LARGE_REGION,
    LIST_TARGET,
    PAGE,
    SMALL_JOBS,
    SMALL_REGION,
    Captured,
    Comparison,
    _CannedRaw,
    _timer,
    interleaved,
    table,
)
from botocore.awsrequest import AWSResponse

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.services._kit.context import CallContext
from pytest_batchjobs.transports.botocore import before_send

PARAMS = {
    "modelId": "amazon.nova-reel-v1:1",
    "modelInput": {"taskType": "TEXT_VIDEO", "textToVideoParams": {"text": "a lighthouse"}},
    "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://videos-out/bench"}},
}


def runtime_client(region: str) -> Any:
    """A real boto3 bedrock-runtime client on its own session (its own event emitter)."""
    return boto3.session.Session(region_name=region).client("bedrock-runtime")


def bench_get(fake: BatchJobsFake, rounds: int, repeat: int) -> Comparison:
    faked = runtime_client(LARGE_REGION)
    arn = faked.start_async_invoke(**PARAMS)["invocationArn"]
    seen: list[Captured] = []

    def on_received(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
        if response_dict is not None:
            body = bytes(response_dict["body"])
            seen.append(
                Captured(response_dict["status_code"], dict(response_dict["headers"]), body)
            )

    event = "response-received.bedrock-runtime.GetAsyncInvoke"
    faked.meta.events.register(event, on_received)
    faked.get_async_invoke(invocationArn=arn)
    faked.meta.events.unregister(event, on_received)
    canned = seen[0]
    bare = runtime_client(LARGE_REGION)

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, canned.status, canned.headers, _CannedRaw(canned.body))

    bare.meta.events.unregister("before-send", before_send)
    bare.meta.events.register_first("before-send.bedrock-runtime", answer)
    journal = len(fake.calls)
    if (
        bare.get_async_invoke(invocationArn=arn)["status"] != "InProgress"
        or len(fake.calls) != journal
    ):
        raise SystemExit("the baseline client's call reached the fake")
    gc.collect()
    gc.freeze()
    cand, base = interleaved(
        lambda: faked.get_async_invoke(invocationArn=arn),
        lambda: bare.get_async_invoke(invocationArn=arn),
        rounds=rounds,
        repeat=repeat,
    )
    return Comparison(
        "GetAsyncInvoke per call", "fake", "bare client, canned before-send", GET_TARGET, cand, base
    )


def fill(fake: BatchJobsFake, region: str, count: int, now: dt.datetime) -> Any:
    """Store ``count`` invocations directly, one a minute back from ``now``; the backend."""
    backend = fake._backends.kinds["bedrock_async"]
    context = CallContext(ACCOUNT, region, now)
    jobs = [
        backend.new_job(context, dict(PARAMS), now - dt.timedelta(minutes=i)) for i in range(count)
    ]
    backend.state(ACCOUNT, region).jobs.add_many(jobs)
    return backend


def list_call(client: Any, token: str | None) -> Callable[[], object]:
    kwargs: dict[str, Any] = {"maxResults": PAGE}
    if token is not None:
        kwargs["nextToken"] = token

    def call() -> object:
        return client.list_async_invokes(**kwargs)

    page = call()
    assert isinstance(page, dict)
    if len(page["asyncInvokeSummaries"]) != PAGE or not page.get("nextToken"):
        raise SystemExit("a benchmarked page is not a full page with a nextToken")
    return call


def bench_list(fake: BatchJobsFake, rounds: int, repeat: int) -> list[Comparison]:
    now = fake.clock.now()
    rows = []
    tokens = {}
    for region, count in ((SMALL_REGION, SMALL_JOBS), (LARGE_REGION, LARGE_JOBS)):
        backend = fill(fake, region, count, now)
        context = CallContext(ACCOUNT, region, now)
        tokens[region] = backend.list_async_invokes(context, {"maxResults": count // 2})[
            "nextToken"
        ]
    small, large = runtime_client(SMALL_REGION), runtime_client(LARGE_REGION)
    gc.collect()
    gc.freeze()
    for label, use_token in (("first page", False), ("mid-store page via nextToken", True)):
        cand, base = interleaved(
            list_call(large, tokens[LARGE_REGION] if use_token else None),
            list_call(small, tokens[SMALL_REGION] if use_token else None),
            rounds=rounds,
            repeat=repeat,
        )
        rows.append(
            Comparison(
                f"ListAsyncInvokes {PAGE}-item {label}",
                f"{LARGE_JOBS:,} invocations",
                f"{SMALL_JOBS:,} invocations",
                LIST_TARGET,
                cand,
                base,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per row")
    args = parser.parse_args(argv)
    started = _timer()
    with fake_batchjobs() as fake:
        rows = [bench_get(fake, rounds=args.rounds, repeat=150)]
        gc.unfreeze()
    with fake_batchjobs() as fake:
        rows.extend(bench_list(fake, rounds=args.rounds, repeat=5))
        gc.unfreeze()
    print(f"python {sys.version.split()[0]}, botocore {botocore.__version__}")
    print()
    print(table(rows))
    print()
    print(f"{args.rounds} interleaved rounds per row; total {_timer() - started:.1f} s")
    return 0 if all(row.median_ratio <= row.target for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
