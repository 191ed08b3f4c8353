"""``batchjobs_fake.statuses_seen(kind)``: what responses carried to real clients."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_batchjobs import BatchJobsFake, FakeServer
from pytest_batchjobs.core.registry import KINDS
from tests.jobs import bedrock_job, personalize_job


def test_a_get_shows_the_status_and_the_clock_alone_shows_nothing(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    arn = bedrock_job(bedrock)
    assert batchjobs_fake.statuses_seen("bedrock") == []  # Create's response has no status
    bedrock.get_model_invocation_job(jobIdentifier=arn)
    batchjobs_fake.clock.advance(minutes=3)  # past Validating: no response showed it
    bedrock.get_model_invocation_job(jobIdentifier=arn)
    batchjobs_fake.advance_until(arn)
    assert batchjobs_fake.statuses_seen("bedrock") == ["Submitted", "Scheduled"]
    bedrock.get_model_invocation_job(jobIdentifier=arn)
    bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert batchjobs_fake.statuses_seen("bedrock") == ["Submitted", "Scheduled", "Completed"]
    assert batchjobs_fake.statuses_seen("personalize") == []


def test_list_pages_show_every_summary_status_in_the_order_first_seen(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    batchjobs_fake.bedrock.add_jobs(6, status=["Failed", "InProgress", "Stopped"])
    assert batchjobs_fake.statuses_seen("bedrock") == []  # stored, not yet shown
    pages = bedrock.get_paginator("list_model_invocation_jobs").paginate(
        sortBy="CreationTime", sortOrder="Ascending", PaginationConfig={"PageSize": 1}
    )
    shown = [job["status"] for page in pages for job in page["invocationJobSummaries"]]
    assert batchjobs_fake.statuses_seen("bedrock") == list(dict.fromkeys(shown))
    assert sorted(batchjobs_fake.statuses_seen("bedrock")) == ["Failed", "InProgress", "Stopped"]


def test_personalize_describe_and_list_carry_the_job_nested(
    batchjobs_fake: BatchJobsFake, personalize: Any
) -> None:
    batchjobs_fake.personalize.lifecycle(outcome="CREATE FAILED", message="no data")
    arn = personalize_job(personalize)
    personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
    batchjobs_fake.advance_until(arn)
    personalize.list_batch_inference_jobs()
    assert batchjobs_fake.statuses_seen("personalize") == ["CREATE PENDING", "CREATE FAILED"]
    assert batchjobs_fake.statuses_seen("bedrock") == []


def test_errors_and_injected_faults_carry_no_status(
    batchjobs_fake: BatchJobsFake,
) -> None:
    bedrock = boto3.client(
        "bedrock", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )
    arn = bedrock_job(bedrock)
    batchjobs_fake.faults.fail("GetModelInvocationJob", error="ThrottlingException", times=1)
    with pytest.raises(ClientError):
        bedrock.get_model_invocation_job(jobIdentifier=arn)
    with pytest.raises(ClientError):
        bedrock.get_model_invocation_job(jobIdentifier=arn + "x")
    bedrock.stop_model_invocation_job(jobIdentifier=arn)  # its response is empty
    assert batchjobs_fake.statuses_seen("bedrock") == []
    bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert batchjobs_fake.statuses_seen("bedrock") == ["Stopping"]


def test_reset_forgets_them_and_an_unknown_kind_is_refused(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    bedrock.get_model_invocation_job(jobIdentifier=bedrock_job(bedrock))
    batchjobs_fake.reset()
    assert batchjobs_fake.statuses_seen("bedrock") == []
    kinds = ", ".join(kind.name for kind in KINDS)
    expected = (
        f"statuses_seen(): 'Bedrock' is not a job kind (did you mean 'bedrock'?); "
        f"the kinds are {kinds}"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        batchjobs_fake.statuses_seen("Bedrock")


def test_the_server_and_requests_clients_count_too(
    batchjobs_fake: BatchJobsFake, batchjobs_server: FakeServer
) -> None:
    bedrock = boto3.client(
        "bedrock", region_name="us-east-1", endpoint_url=batchjobs_server.endpoint_url
    )
    arn = bedrock_job(bedrock, "over-the-server")
    batchjobs_fake.clock.advance(dt.timedelta(hours=2))
    bedrock.list_model_invocation_jobs()
    assert batchjobs_fake.statuses_seen("bedrock") == ["Completed"]
    url = f"https://bedrock.us-east-1.amazonaws.com/model-invocation-job/{quote(arn, safe='')}"
    job = requests.get(url, timeout=5).json()
    assert job["status"] == "Completed"
    assert batchjobs_fake.statuses_seen("bedrock") == ["Completed"]
