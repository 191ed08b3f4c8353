"""Threads released at the same instant: nothing in the fake is built or changed twice.

Each race holds its threads at a ``threading.Barrier`` and lets them go together, on
a fresh fake whose job factory is made on first use. The interpreter switches threads
every microsecond (not every 5 ms) and every race is run on several fresh fakes, so a
window a few bytecodes wide is hit on every run of the suite, not once in a while.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import requests
from jobs import bedrock_job, personalize_job

from pytest_batchjobs import BatchJobsFake, FakeServer

THREADS = 4
EACH = 5
ROUNDS = 5

Work = Callable[[], list[str]]


@pytest.fixture(autouse=True)
def switch_often() -> Iterator[None]:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _together(work: list[Work]) -> list[list[str]]:
    """Run every ``work`` in its own thread, released together; what each returned."""
    barrier = threading.Barrier(len(work))

    def run(job: Work) -> list[str]:
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return list(pool.map(run, work))


def _listed(service: str) -> list[str]:
    """Every job's ARN, as a boto3 client lists them (all pages)."""
    client = boto3.client(service, region_name="us-east-1")
    if service == "bedrock":
        pages = client.get_paginator("list_model_invocation_jobs").paginate()
        return [s["jobArn"] for page in pages for s in page["invocationJobSummaries"]]
    pages = client.get_paginator("list_batch_inference_jobs").paginate()
    return [s["batchInferenceJobArn"] for page in pages for s in page["batchInferenceJobs"]]


def _arn(job: dict[str, Any]) -> str:
    return str(job.get("jobArn") or job["batchInferenceJobArn"])


def _factory_jobs(fake: BatchJobsFake, service: str) -> Work:
    backend = fake.bedrock if service == "bedrock" else fake.personalize
    return lambda: [_arn(job) for job in backend.add_jobs(EACH)]


def _sdk_jobs(service: str, worker: int) -> Work:
    client = boto3.client(service, region_name="us-east-1")  # made before the race
    make = bedrock_job if service == "bedrock" else personalize_job
    return lambda: [make(client, name=f"sdk-{worker}-{n}") for n in range(EACH)]


def _check(fake: BatchJobsFake, service: str, work: list[Work], jobs: int) -> None:
    """Run ``work`` together on a fresh ``fake``; check that it made ``jobs`` distinct
    jobs and that a boto3 list shows each of them exactly once."""
    assert _listed(service) == []  # a fresh fake; its service model is loaded
    made = [arn for arns in _together(work) for arn in arns]
    assert len(set(made)) == len(made) == jobs
    assert sorted(_listed(service)) == sorted(made)
    assert fake.internal_errors == []


SERVICES = pytest.mark.parametrize("service", ["bedrock", "personalize"])


@SERVICES
def test_threads_adding_jobs_at_once_to_a_fresh_fake_make_distinct_jobs(service: str) -> None:
    for _ in range(ROUNDS):
        with BatchJobsFake() as fake:
            work = [_factory_jobs(fake, service) for _ in range(THREADS)]
            _check(fake, service, work, THREADS * EACH)


@SERVICES
def test_sdk_creates_and_factory_jobs_at_once_are_each_listed_once(service: str) -> None:
    for _ in range(ROUNDS):
        with BatchJobsFake() as fake:
            work = [_factory_jobs(fake, service) for _ in range(THREADS)]
            work += [_sdk_jobs(service, worker) for worker in range(THREADS)]
            _check(fake, service, work, 2 * THREADS * EACH)


def _names(fake: BatchJobsFake) -> list[str]:
    return [job["jobName"] for job in fake.bedrock.add_jobs(EACH, status="Completed")]


def test_fakes_made_at_once_make_the_same_jobs_as_one_made_alone() -> None:
    # Factories made in parallel threads draw the same names as one made alone.
    alone = _names(BatchJobsFake(seed=7))
    for _ in range(ROUNDS):
        fakes = [BatchJobsFake(seed=7) for _ in range(THREADS)]
        work: list[Work] = [functools.partial(_names, fake) for fake in fakes]
        assert _together(work) == [alone] * THREADS


def _control_jobs(server: FakeServer) -> Work:
    control = server.endpoint_url.rstrip("/") + "/_batchjobs/bedrock/jobs"

    def add() -> list[str]:
        with requests.Session() as http:
            answer = http.post(control, json={"count": EACH})
            assert answer.status_code == 200, answer.text
            return [_arn(job) for job in answer.json()["jobs"]]

    return add


def test_the_control_api_adds_jobs_at_once_while_sdk_traffic_runs() -> None:
    for _ in range(ROUNDS):
        with BatchJobsFake() as fake, FakeServer(fake) as server:
            work = [_control_jobs(server) for _ in range(THREADS)]
            work += [_sdk_jobs("bedrock", worker) for worker in range(THREADS)]
            _check(fake, "bedrock", work, 2 * THREADS * EACH)
            assert server.errors == server.control.errors == []
