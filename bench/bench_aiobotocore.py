"""Benchmark the fake's aiobotocore transport against a baseline measured in the same run.

Run from the repository root::

    .venv/bin/python bench/bench_aiobotocore.py

``GetModelInvocationJob`` through an aiobotocore client answered by the fake, against
the same call from a second aiobotocore client answered by a bare ``before-send``
handler that returns the fake's own response bytes (captured once), with the fake's
handler unregistered from it. Both clients live in one event loop inside the active
fake (both pay the fake's signer patch, a few µs), and run in interleaved rounds (the
order alternates from round to round, ABBA), so a noisy machine slows both alike. The
table gives the median of the per-round ratios, and min/min.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.session import get_session

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.transports.aiobotocore import before_send

ROLE = "arn:aws:iam::123456789012:role/BatchRole"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
TARGET = 1.15
_timer = time.perf_counter  # neither clock backend freezes it


class _CannedRaw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *_: Any, **__: Any) -> bytes:
        return self._body


async def per_call(call: Callable[[], Awaitable[object]], repeat: int) -> float:
    """Seconds per call of ``repeat`` back-to-back awaited calls."""
    start = _timer()
    for _ in range(repeat):
        await call()
    return (_timer() - start) / repeat


async def bench_get(fake: BatchJobsFake, rounds: int, repeat: int) -> tuple[list[float], ...]:
    session = get_session()
    async with (
        session.create_client("bedrock", region_name="us-east-1") as faked,
        session.create_client("bedrock", region_name="us-east-1") as bare,
    ):
        params = {
            "jobName": "bench-get",
            "roleArn": ROLE,
            "modelId": MODEL,
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}},
        }
        arn = (await faked.create_model_invocation_job(**params))["jobArn"]
        captured: list[tuple[int, dict[str, str], bytes]] = []

        def on_received(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
            if response_dict is not None:
                body = response_dict["body"]
                captured.append(
                    (response_dict["status_code"], dict(response_dict["headers"]), body)
                )

        event = "response-received.bedrock.GetModelInvocationJob"
        faked.meta.events.register(event, on_received)
        expected = await faked.get_model_invocation_job(jobIdentifier=arn)
        faked.meta.events.unregister(event, on_received)
        [(status, headers, body)] = captured

        def canned(request: Any, **_: Any) -> AioAWSResponse:
            return AioAWSResponse(request.url, status, headers, _CannedRaw(body))

        bare.meta.events.unregister("before-send", before_send)
        bare.meta.events.register_first("before-send.bedrock", canned)

        journal = len(fake.calls)
        got = await bare.get_model_invocation_job(jobIdentifier=arn)
        if len(fake.calls) != journal:
            raise SystemExit("the baseline client's call reached the fake")
        if {k: v for k, v in got.items() if k != "ResponseMetadata"} != {
            k: v for k, v in expected.items() if k != "ResponseMetadata"
        }:
            raise SystemExit("the baseline client did not get the fake's response")

        async def get_faked() -> object:
            return await faked.get_model_invocation_job(jobIdentifier=arn)

        async def get_bare() -> object:
            return await bare.get_model_invocation_job(jobIdentifier=arn)

        for _ in range(max(3, repeat // 10)):  # warm both paths
            await get_faked()
            await get_bare()
        gc.collect()
        gc.freeze()
        cand: list[float] = []
        base: list[float] = []
        for index in range(rounds):
            if index % 2 == 0:
                cand.append(await per_call(get_faked, repeat))
                base.append(await per_call(get_bare, repeat))
            else:
                base.append(await per_call(get_bare, repeat))
                cand.append(await per_call(get_faked, repeat))
        gc.unfreeze()
        return cand, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with fake_batchjobs() as fake:
        cand, base = asyncio.run(bench_get(fake, args.rounds, args.repeat))
    ratios = [c / b for c, b in zip(cand, base, strict=True)]
    median = statistics.median(ratios)
    print("| row | fake (ms/call) | bare handler (ms/call) | ratio (median) | min/min | target |")
    print("|---|---|---|---|---|---|")
    print(
        f"| aiobotocore GetModelInvocationJob | {statistics.median(cand) * 1e3:.3f} "
        f"| {statistics.median(base) * 1e3:.3f} | {median:.2f} "
        f"| {min(cand) / min(base):.2f} | ≤ {TARGET} |"
    )
    if median > TARGET:
        print(f"\nover target: {median:.2f} > {TARGET}")


if __name__ == "__main__":
    main()
