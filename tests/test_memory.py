"""What a job keeps once it ended: its counts and its outputs' text, not its records.

Memory is measured with ``tracemalloc`` (bytes still allocated after a collection)
with generous bounds: the bench (``bench/bench_memory.py``) holds the figures. The
behaviour around it is asserted exactly: the outputs read back whole, the counts
unchanged, the records dropped.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from typing import Any

import boto3
import pytest
from jobs import bedrock_params, personalize_params, transform_job

from pytest_batchjobs import BatchJobsFake

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _stored(fake: BatchJobsFake, arn: str) -> Any:
    """The job as the fake stores it."""
    return next(job for job in fake.jobs() if job.arn == arn)


def _held(fake: BatchJobsFake, jobs: int) -> tuple[int, int]:
    """Bytes allocated by ``jobs`` Bedrock jobs created and completed through boto3,
    and the bytes of their outputs."""
    client = boto3.client("bedrock", region_name="us-east-1")
    warm = client.create_model_invocation_job(**bedrock_params("warm"))["jobArn"]
    fake.advance_until(warm)
    fake.reset()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        arns = [
            client.create_model_invocation_job(**bedrock_params(f"memory-{index}"))["jobArn"]
            for index in range(jobs)
        ]
        fake.clock.advance(days=3)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    outputs = sum(len(text) for arn in arns for text in fake.outputs(arn).values())
    return after - before, outputs


def test_a_completed_job_holds_less_than_twice_its_outputs() -> None:
    with BatchJobsFake(seed=3) as fake:
        held, outputs = _held(fake, 40)
    assert outputs > 40 * 10_000  # each job wrote its 100 records
    # Measured: about 0.3 (it was 6 when the records were kept): the bound is loose.
    assert held < 2 * outputs, (held, outputs)


def test_a_completed_job_keeps_its_counts_and_outputs_but_not_its_records() -> None:
    with BatchJobsFake(seed=5) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        fake.bedrock.lifecycle(outcome="PartiallyCompleted")
        arn = client.create_model_invocation_job(**bedrock_params("counted"))["jobArn"]
        fake.clock.advance(minutes=30)
        running = client.get_model_invocation_job(jobIdentifier=arn)
        assert running["status"] == "InProgress"
        stored = _stored(fake, arn)
        assert stored.data.files  # the records are there while it runs
        ended = fake.advance_until(arn)
        assert ended["status"] == "PartiallyCompleted"
        assert stored.data.files == []  # and dropped once it ended
        outputs = fake.outputs(arn)
        manifest = json.loads(
            next(t for u, t in outputs.items() if u.endswith("manifest.json.out"))
        )
        got = client.get_model_invocation_job(jobIdentifier=arn)
        for name in ("totalRecordCount", "errorRecordCount", "successRecordCount"):
            if name in got:
                assert got[name] == manifest[name]
        assert manifest["errorRecordCount"] == 10  # every tenth of 100 records
        assert manifest["inputTokenCount"] > 0
        (records,) = (t for u, t in outputs.items() if u.endswith(".jsonl.out"))
        lines = [json.loads(line) for line in records.splitlines()]
        assert len(lines) == 100
        assert sum("error" in line for line in lines) == 10
        # Read twice, the same text: the kept copy is read back whole each time.
        assert fake.outputs(arn) == outputs


def test_the_counts_of_a_finished_job_read_the_same_at_any_instant() -> None:
    """Counts are kept as running sums: the manifest's token totals match a sum over
    its records, however many were processed."""
    with BatchJobsFake(seed=9) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        arn = client.create_model_invocation_job(**bedrock_params("sums"))["jobArn"]
        fake.advance_until(arn)
        data = _stored(fake, arn).data
        assert data.tokens_in(0) == (0, 0)
        assert data.tokens_in(data.total + 5) == data.tokens_in(data.total)
        assert data.errors_in(data.total) == data.errors


def _personalize(fake: BatchJobsFake) -> str:
    client = boto3.client("personalize", region_name="us-east-1")
    return str(client.create_batch_inference_job(**personalize_params())["batchInferenceJobArn"])


def _transform(fake: BatchJobsFake) -> str:
    return transform_job(boto3.client("sagemaker", region_name="us-east-1"))


def _async_invoke(fake: BatchJobsFake) -> str:
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    return str(
        client.start_async_invoke(
            modelId="amazon.nova-reel-v1:1",
            modelInput={
                "taskType": "TEXT_VIDEO",
                "textToVideoParams": {"text": "A lighthouse in a storm"},
                "videoGenerationConfig": {"durationSeconds": 6, "fps": 24, "dimension": "1280x720"},
            },
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://videos-out/reels"}},
        )["invocationArn"]
    )


@pytest.mark.parametrize(
    ("create", "held"),
    [(_personalize, "data"), (_transform, "results"), (_async_invoke, "files")],
    ids=["personalize", "sagemaker", "async-invoke"],
)
def test_other_kinds_drop_what_they_wrote_once_they_ended(create: Any, held: str) -> None:
    with BatchJobsFake(seed=2) as fake:
        arn = create(fake)
        stored = _stored(fake, arn)
        fake.clock.advance(minutes=1)
        assert getattr(stored, held) is not None  # answered, not yet written
        fake.advance_until(arn)
        outputs = fake.outputs(arn)
        assert outputs
        assert all(outputs.values())  # written, and read back whole
        assert getattr(stored, held) is None
