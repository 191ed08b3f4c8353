"""The whole nightly run against the fake and moto's S3: inputs in, outputs joined back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from batch_runner import run_nightly
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake

ROLE = "arn:aws:iam::123456789012:role/NightlyBatch"


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Iterator[Any]:
    """moto's S3, inside the fake: the fake reads inputs from it and writes outputs to it."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="nightly-input")
        client.create_bucket(Bucket="nightly-output")
        yield client


@pytest.fixture
def bedrock(s3: Any) -> Any:
    return boto3.client("bedrock", region_name="us-east-1")


def tickets(count: int) -> dict[str, str]:
    return {f"TICKET{n:05d}": f"Summarise support ticket {n} in one line." for n in range(count)}


def night(bedrock: Any, s3: Any, prompts: dict[str, str]) -> Any:
    return run_nightly(
        bedrock,
        s3,
        run_id="2024-01-01",
        prompts=prompts,
        input_uri="s3://nightly-input/2024-01-01/records.jsonl",
        output_uri="s3://nightly-output/2024-01-01/",
        role=ROLE,
    )


def test_every_record_comes_back_joined_to_its_input(bedrock: Any, s3: Any) -> None:
    prompts = tickets(120)  # Bedrock needs at least 100 records a job
    outcome, results = night(bedrock, s3, prompts)
    assert outcome.status == "Completed"
    assert results is not None
    assert set(results.answers) == set(prompts)
    assert results.errors == {}
    assert results.missing == []
    assert results.unknown == []
    assert all(answer for answer in results.answers.values())
    manifest = results.manifest
    assert manifest["totalRecordCount"] == outcome.records == 120
    assert manifest["successRecordCount"] == 120


def test_error_records_are_counted_and_named(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    def model(record: dict[str, Any]) -> dict[str, Any]:
        """Stands in for the model: tickets ending in 3 are refused."""
        if record["recordId"].endswith("3"):
            raise ValueError("The input is too long for the model's context window.")
        text = record["modelInput"]["messages"][0]["content"]
        return {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": f"Summary: {text}"}],
            "usage": {"input_tokens": 12, "output_tokens": 4},
        }

    batchjobs_fake.bedrock.responder(model)
    prompts = tickets(150)
    outcome, results = night(bedrock, s3, prompts)

    assert outcome.status == "Completed"  # error records do not change how a job ends
    assert results is not None
    refused = {record_id for record_id in prompts if record_id.endswith("3")}
    assert set(results.errors) == refused
    assert len(results.errors) == outcome.errors == results.manifest["errorRecordCount"] == 15
    assert len(results.answers) == results.manifest["successRecordCount"] == 135
    assert results.answers["TICKET00001"] == "Summary: " + prompts["TICKET00001"]
    assert results.manifest["inputTokenCount"] == 12 * 135


def test_too_few_records_fail_the_job_and_nothing_is_read(bedrock: Any, s3: Any) -> None:
    outcome, results = night(bedrock, s3, tickets(40))
    assert outcome.status == "Failed"
    assert outcome.message is not None
    assert "fewer than the minimum of 100" in outcome.message
    assert results is None
    assert s3.list_objects_v2(Bucket="nightly-output")["KeyCount"] == 0
