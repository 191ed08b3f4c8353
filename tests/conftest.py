"""Shared fixtures: real boto3 clients against the active fake.

pyproject.toml sets ``batchjobs_validate_outputs = true``: every response the fake
sends in this suite is checked against botocore's output shape (types, required
members) and the model's constraints (patterns, enums, ranges); a violation fails the
test that caused it.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_batchjobs import BatchJobsFake


@pytest.fixture
def bedrock(batchjobs_fake: BatchJobsFake) -> Any:
    return boto3.client("bedrock", region_name="us-east-1")


@pytest.fixture
def personalize(batchjobs_fake: BatchJobsFake) -> Any:
    return boto3.client("personalize", region_name="us-east-1")
