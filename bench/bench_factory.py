"""How fast the factory fills the store, against creating the same jobs through boto3.

Run from the repository root::

    .venv/bin/python bench/bench_factory.py

The anchor, measured in the same run: jobs created one by one with a real boto3 client
(``CreateModelInvocationJob`` through the fake). The factory must insert 100,000 jobs in
a few seconds.
"""

from __future__ import annotations

import sys
import time

import boto3
import botocore
from bench_core import job_params

from pytest_batchjobs import BatchJobsFake

COUNT = 100_000
API_COUNT = 1_000
MIX = {"Completed": 70, "InProgress": 10, "Failed": 10, "PartiallyCompleted": 5, "Stopped": 5}


def api_rate() -> float:
    with BatchJobsFake(seed=1) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        started = time.perf_counter_ns()
        for index in range(API_COUNT):
            client.create_model_invocation_job(**job_params(f"bench-{index}"))
        seconds = (time.perf_counter_ns() - started) / 1e9
        assert len(list(fake.jobs())) == API_COUNT
    return API_COUNT / seconds


def factory_seconds() -> float:
    with BatchJobsFake(seed=1) as fake:
        started = time.perf_counter_ns()
        jobs = fake.bedrock.add_jobs(COUNT, status=MIX)
        seconds = (time.perf_counter_ns() - started) / 1e9
        assert len(jobs) == COUNT
    return seconds


def main() -> int:
    api = api_rate()
    seconds = factory_seconds()
    rate = COUNT / seconds
    print(f"python {sys.version.split()[0]}, botocore {botocore.__version__}\n")
    print("| measure | value | anchor (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    print(
        f"| factory: {COUNT:,} Bedrock jobs | {seconds:.1f} s ({rate:,.0f} jobs/s) | "
        f"boto3 CreateModelInvocationJob: {api:,.0f} jobs/s | {rate / api:.0f}x | "
        "a few seconds |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
