"""Realistic job parameters for the tests, as a team's client code would send them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/BatchRole"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
SOLUTION = "arn:aws:personalize:us-east-1:123456789012:solution/movies/0123abcd"


def bedrock_params(name: str = "nightly-batch") -> dict[str, Any]:
    """Realistic CreateModelInvocationJob parameters (API casing, as on the wire)."""
    return {
        "jobName": name,
        "roleArn": ROLE,
        "modelId": MODEL,
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}},
    }


def personalize_params(name: str = "movies-batch") -> dict[str, Any]:
    """Realistic CreateBatchInferenceJob parameters (API casing, as on the wire)."""
    return {
        "jobName": name,
        "solutionVersionArn": SOLUTION,
        "jobInput": {"s3DataSource": {"path": "s3://recs-in/users.json"}},
        "jobOutput": {"s3DataDestination": {"path": "s3://recs-out/"}},
        "roleArn": ROLE,
    }


def bedrock_job(client: Any, name: str = "nightly-batch", **overrides: Any) -> str:
    """Create a Bedrock job with realistic parameters; returns its ARN."""
    params = {**bedrock_params(name), **overrides}
    return str(client.create_model_invocation_job(**params)["jobArn"])


def personalize_job(client: Any, name: str = "movies-batch", **overrides: Any) -> str:
    """Create a Personalize job with realistic parameters; returns its ARN."""
    params = {**personalize_params(name), **overrides}
    return str(client.create_batch_inference_job(**params)["batchInferenceJobArn"])


def transform_job(client: Any, name: str = "scores", **extra: Any) -> str:
    """Create a SageMaker transform job with realistic parameters; returns its ARN."""
    return str(
        client.create_transform_job(
            TransformJobName=name,
            ModelName="churn-xgboost-v7",
            TransformInput={
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://batch-in/"}
                }
            },
            TransformOutput={"S3OutputPath": "s3://batch-out/scores"},
            TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
            **extra,
        )["TransformJobArn"]
    )


def wall_seconds() -> float:
    """Real elapsed time, which no fake clock patches (freezegun patches perf_counter)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    """(error code, HTTP status, message) of a ClientError, as botocore parsed them."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )
