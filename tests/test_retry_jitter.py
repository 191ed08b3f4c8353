"""botocore's retry backoff draws its jitter from the fake's seed: a throttled call
moves fake time by the same amount every time the seed is given again."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.config import Config

from pytest_batchjobs import fake_batchjobs
from pytest_batchjobs.time import retry_jitter


def backoff(seed: int, mode: str) -> dt.timedelta:
    """How far a call throttled twice moves fake time, on a fake with ``seed``."""
    with fake_batchjobs(seed=seed) as fake:
        client = boto3.client(
            "bedrock", region_name="us-east-1", config=Config(retries={"mode": mode})
        )
        fake.faults.fail("ListModelInvocationJobs", error="ThrottlingException", times=2)
        before = fake.clock.now()
        client.list_model_invocation_jobs()
        return fake.clock.now() - before


@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_the_same_seed_waits_the_same_backoff(mode: str) -> None:
    first, again = backoff(7, mode), backoff(7, mode)
    assert first == again > dt.timedelta(0)
    assert backoff(8, mode) != first


def test_botocore_draws_through_the_fake_only_while_one_is_active() -> None:
    with fake_batchjobs():
        assert retry_jitter.patched()
    assert not retry_jitter.patched()


def test_a_reset_replays_the_same_backoff() -> None:
    with fake_batchjobs(seed=3) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        waits = []
        for _ in range(2):
            fake.reset()
            fake.faults.fail("ListModelInvocationJobs", error="ThrottlingException", times=2)
            before = fake.clock.now()
            client.list_model_invocation_jobs()
            waits.append(fake.clock.now() - before)
        assert waits[0] == waits[1]
