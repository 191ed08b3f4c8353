"""The botocore transport: every client is answered inside botocore's send path."""

from __future__ import annotations

import os
from typing import Any

import boto3
import botocore.endpoint
import botocore.session
import pytest
from jobs import bedrock_job

from pytest_batchjobs import BatchJobsFake, UnfakedOperationError, fake_batchjobs
from pytest_batchjobs.active import active_fake
from pytest_batchjobs.transports.botocore import before_send


def test_unfaked_operation_fails_at_once_naming_it(bedrock: Any) -> None:
    with pytest.raises(UnfakedOperationError) as excinfo:
        bedrock.list_foundation_models()
    message = str(excinfo.value)
    assert "bedrock ListFoundationModels is not faked" in message
    assert "not sent to AWS" in message
    assert "CreateModelInvocationJob" in message


def test_unfaked_personalize_operation(personalize: Any) -> None:
    with pytest.raises(UnfakedOperationError, match="personalize ListSolutions is not faked"):
        personalize.list_solutions()


def test_client_created_before_the_fake_is_answered(batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.stop()
    client = boto3.client("bedrock", region_name="us-east-1")
    batchjobs_fake.start()
    assert bedrock_job(client)


def test_emitter_without_the_handler_is_still_answered_not_sent(
    batchjobs_fake: BatchJobsFake,
) -> None:
    client = boto3.client("bedrock", region_name="us-east-1")
    client.meta.events.unregister("before-send", before_send)
    arn = bedrock_job(client)
    assert client.get_model_invocation_job(jobIdentifier=arn)["jobArn"] == arn
    assert [call.operation for call in batchjobs_fake.calls] == [
        "CreateModelInvocationJob",
        "GetModelInvocationJob",
    ]


def test_retry_handler_runs_for_errors(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException) as excinfo:
        bedrock.get_model_invocation_job(jobIdentifier="abcdefghijkl")
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(batchjobs_fake.calls) == 1


def test_dummy_credentials_and_region_are_supplied_and_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with fake_batchjobs():
        assert os.environ["AWS_ACCESS_KEY_ID"] != "AKIAREALKEY"
        assert "AWS_PROFILE" not in os.environ
        client = boto3.client("bedrock")
        assert client.meta.region_name == "us-east-1"
        assert client.list_model_invocation_jobs()["invocationJobSummaries"] == []
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY"
    assert os.environ["AWS_PROFILE"] == "production"
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_a_client_built_without_credentials_is_signed_with_dummy_ones() -> None:
    session = botocore.session.Session()
    client = session.create_client("bedrock", region_name="eu-central-1", aws_access_key_id=None)
    client._request_signer._credentials = None
    seen: list[str] = []
    client.meta.events.register(
        "before-send",
        lambda request, **_: seen.append(request.headers["Authorization"].decode()),
    )
    with fake_batchjobs():
        client.list_model_invocation_jobs()
    assert "Credential=FAKEBATCHJOBSKEY0000/" in seen[0]


def test_fake_outside_pytest_restores_everything() -> None:
    original_send = botocore.endpoint.Endpoint._send
    with fake_batchjobs() as fake:
        assert active_fake() is fake
        assert botocore.endpoint.Endpoint._send is not original_send
        bedrock_job(boto3.client("bedrock", region_name="us-east-1"))
    assert active_fake() is None
    assert botocore.endpoint.Endpoint._send is original_send
    assert len(fake.calls) == 1


def test_fake_as_a_decorator() -> None:
    fake = fake_batchjobs()

    @fake
    def create() -> str:
        return bedrock_job(boto3.client("bedrock", region_name="us-east-1"))

    assert create().startswith("arn:aws:bedrock:us-east-1:")
    assert active_fake() is None
