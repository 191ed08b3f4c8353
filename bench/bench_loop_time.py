"""Benchmark asyncio on fake time against baselines measured in the same run.

Run from the repository root::

    .venv/bin/python bench/bench_loop_time.py

Rows (candidate / baseline, median of interleaved rounds, as in bench_core.py):

1. A 20-hour Bedrock job polled every 60 s by an async client (a sync boto3 call in
   the coroutine, ``await asyncio.sleep(60)`` between polls: about 1,200 polls), vs
   the same Gets and the same moves of the fake clock made without a loop (poll,
   ``clock.advance(60)``, poll ...): the jobs move through the same transitions and
   write the same outputs on both sides, so the ratio is what the loop adds.
   Target <= 1.2.
2. 100 concurrent async pollers (``asyncio.gather``), each polling its own job (about
   18 minutes long) every 60 s, vs the same rounds without a loop (each round polls
   every job not yet ended, then advances the clock 60 s). Target <= 1.2.
3. Activation (start, stop, reset of a fake) with asyncio fake time on
   (``loop_time=True``) vs off. Target <= 1.2.

Then the wall times the issue asks for, in seconds: the whole 20-hour poll (< 1 s),
the 100 pollers (< 5 s), and 20 hours of ``asyncio.sleep(60)`` alone (the loop's
share, without the client's calls). The calls dominate the first two: botocore's own
cost per call (serialize, sign, parse) is most of it, and is the baseline of rows 1
and 2. The script exits 1 if a ratio misses its target; the wall times are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
import botocore
from bench_core import Comparison, alternate, job_params, per_call, table

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

TARGET = 1.2
ENDS = ("Completed", "Failed", "Stopped", "PartiallyCompleted", "Expired")


def _wall() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)  # no fake clock freezes this


def _client() -> Any:
    return boto3.client("bedrock", region_name="us-east-1")


async def _poll(client: Any, arn: str) -> int:
    polls = 0
    while True:
        polls += 1
        if client.get_model_invocation_job(jobIdentifier=arn)["status"] in ENDS:
            return polls
        await asyncio.sleep(60)


def _jobs(fake: BatchJobsFake, client: Any, count: int, in_progress: float) -> list[str]:
    fake.bedrock.lifecycle(durations={"InProgress": in_progress})
    return [
        client.create_model_invocation_job(**job_params(f"job-{n}"))["jobArn"] for n in range(count)
    ]


def _pollers(count: int, in_progress: float) -> tuple[Callable[[], float], Callable[[], float]]:
    """Timed rounds of ``count`` async pollers, and of their calls and clock moves made
    without a loop."""
    polls = 0

    def candidate() -> float:
        nonlocal polls
        with fake_batchjobs() as fake:
            client = _client()
            arns = _jobs(fake, client, count, in_progress)

            async def main() -> list[int]:
                return await asyncio.gather(*(_poll(client, arn) for arn in arns))

            start = _wall()
            polls = sum(asyncio.run(main()))
            return _wall() - start

    def baseline() -> float:
        # The same jobs, the same Gets in the same order and the same moves of the fake
        # clock (so the same transitions and outputs), without a loop: each round polls
        # every job not yet ended, then advances the clock 60 s.
        with fake_batchjobs() as fake:
            client = _client()
            active = _jobs(fake, client, count, in_progress)
            calls = 0
            start = _wall()
            while active:
                calls += len(active)
                active = [
                    arn
                    for arn in active
                    if client.get_model_invocation_job(jobIdentifier=arn)["status"] not in ENDS
                ]
                if active:
                    fake.clock.advance(60)
            took = _wall() - start
        if calls != polls:
            raise SystemExit(f"the baseline made {calls} Gets, the pollers {polls}")
        return took

    candidate()  # warm, and count the polls
    return candidate, baseline


def bench_pollers(
    label: str, count: int, in_progress: float, rounds: int
) -> tuple[Comparison, list[float]]:
    candidate, baseline = _pollers(count, in_progress)
    cand, base = alternate(candidate, baseline, rounds)
    return Comparison(
        label, "async pollers", "the same Gets and clock moves, no loop", TARGET, cand, base
    ), cand


def bench_sleeps_alone(rounds: int) -> list[float]:
    """20 hours of asyncio.sleep(60) on fake time, no calls."""

    async def main() -> None:
        for _ in range(20 * 60):
            await asyncio.sleep(60)

    walls = []
    for _ in range(rounds):
        with fake_batchjobs():
            start = _wall()
            asyncio.run(main())
            walls.append(_wall() - start)
    return walls


def bench_activation(rounds: int, repeat: int) -> Comparison:
    on = fake_batchjobs(loop_time=True)
    off = fake_batchjobs(loop_time=False)

    def cycle(fake: BatchJobsFake) -> Callable[[], None]:
        def once() -> None:
            fake.start()
            fake.stop()
            fake.reset()

        return once

    for _ in range(20):
        cycle(on)()
        cycle(off)()
    cand, base = alternate(
        lambda: per_call(cycle(on), repeat), lambda: per_call(cycle(off), repeat), rounds
    )
    return Comparison(
        "activate + stop + reset", "loop_time on", "loop_time off", TARGET, cand, base
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark asyncio on fake time.")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per row")
    args = parser.parse_args(argv)
    rows: list[Comparison] = []
    long_row, long_walls = bench_pollers(
        "a 20-hour job polled every 60 s", 1, 20 * 3600, args.rounds
    )
    many_row, many_walls = bench_pollers(
        "100 concurrent pollers, every 60 s", 100, 600, max(3, args.rounds // 2)
    )
    rows += [long_row, many_row, bench_activation(args.rounds, repeat=200)]
    sleeps = bench_sleeps_alone(args.rounds)
    with fake_batchjobs() as fake:
        kind = fake.clock.kind
    print(
        f"python {sys.version.split()[0]}, botocore {botocore.__version__}, "
        f"boto3 {boto3.__version__}, fake clock: {kind}"
    )
    print()
    print(table(rows))
    print()
    print("| wall time | best round | median | target |")
    print("|---|---|---|---|")
    for label, walls, target in (
        ("a 20-hour job polled every 60 s (about 1,200 polls)", long_walls, "< 1 s"),
        ("100 concurrent pollers", many_walls, "< 5 s"),
        ("20 hours of asyncio.sleep(60), no calls", sleeps, "(the loop's share)"),
    ):
        print(f"| {label} | {min(walls):.3f} s | {statistics.median(walls):.3f} s | {target} |")
    return 0 if all(row.median_ratio <= row.target for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
