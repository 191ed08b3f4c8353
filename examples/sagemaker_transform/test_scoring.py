"""Tests of the nightly scoring job against the fake, with moto's S3 for the data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from scoring import collect, start, wait, write_parts

from pytest_batchjobs import BatchJobsFake

ROWS = {f"c{index:03d}": [index % 7, index % 3, index / 10] for index in range(1, 26)}


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        for bucket in ("churn-input", "churn-output"):
            client.create_bucket(Bucket=bucket)
        write_parts(client, "s3://churn-input/2024-01-01/", ROWS, per_part=10)
        yield client


def test_every_customer_gets_the_models_score(s3: Any, batchjobs_fake: BatchJobsFake) -> None:
    # The model, as the test sees it: one score per CSV line.
    batchjobs_fake.sagemaker.responder(lambda line: round(sum(map(float, line.split(","))) / 10, 3))
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    name = start(
        sagemaker,
        night="2024-01-01",
        input_prefix="s3://churn-input/2024-01-01/",
        output_path="s3://churn-output/2024-01-01",
    )
    scores = collect(s3, wait(sagemaker, name))  # the waiter's sleeps pass fake time
    assert scores.status == "Completed"
    assert set(scores.scores) == set(ROWS)
    assert scores.scores["c010"] == round((10 % 7 + 10 % 3 + 1.0) / 10, 3)


def test_a_rerun_of_the_night_finds_the_job_it_started(
    s3: Any, batchjobs_fake: BatchJobsFake
) -> None:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    kwargs = {
        "night": "2024-01-01",
        "input_prefix": "s3://churn-input/2024-01-01/",
        "output_path": "s3://churn-output/2024-01-01",
    }
    assert start(sagemaker, **kwargs) == start(sagemaker, **kwargs)
    assert len(sagemaker.list_transform_jobs()["TransformJobSummaries"]) == 1
    batchjobs_fake.assert_called("CreateTransformJob", TransformJobName="churn-scores-2024-01-01")


def test_a_failed_job_reports_why_and_scores_nobody(s3: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.sagemaker.lifecycle("Failed", message="AlgorithmError: feature count mismatch")
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    name = start(
        sagemaker,
        night="2024-01-01",
        input_prefix="s3://churn-input/2024-01-01/",
        output_path="s3://churn-output/2024-01-01",
    )
    scores = collect(s3, wait(sagemaker, name))
    assert (scores.status, scores.failure) == ("Failed", "AlgorithmError: feature count mismatch")
    assert scores.scores == {}


def test_a_stopped_job_is_reported_as_stopped(s3: Any, batchjobs_fake: BatchJobsFake) -> None:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    name = start(
        sagemaker,
        night="2024-01-01",
        input_prefix="s3://churn-input/2024-01-01/",
        output_path="s3://churn-output/2024-01-01",
    )
    sagemaker.stop_transform_job(TransformJobName=name)  # an operator stops it
    assert collect(s3, wait(sagemaker, name)).status == "Stopped"
