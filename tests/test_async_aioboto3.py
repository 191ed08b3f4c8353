"""aioboto3's session API against the fake: its clients are aiobotocore's, answered in
process. aioboto3 pins an older botocore (15.5: 1.40.61); run these with that venv."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

aioboto3 = pytest.importorskip("aioboto3")

from botocore.exceptions import ClientError  # noqa: E402
from jobs import bedrock_params, personalize_params  # noqa: E402

from pytest_batchjobs import BatchJobsFake  # noqa: E402


def test_aioboto3_bedrock_and_personalize(batchjobs_fake: BatchJobsFake) -> None:
    async def main() -> tuple[Any, Any]:
        session = aioboto3.Session()
        async with session.client("bedrock", region_name="us-east-1") as bedrock:
            arn = (await bedrock.create_model_invocation_job(**bedrock_params()))["jobArn"]
            await bedrock.stop_model_invocation_job(jobIdentifier=arn)
            job = await bedrock.get_model_invocation_job(jobIdentifier=arn)
        async with session.client("personalize", region_name="us-east-1") as personalize:
            made = await personalize.create_batch_inference_job(**personalize_params())
            described = await personalize.describe_batch_inference_job(
                batchInferenceJobArn=made["batchInferenceJobArn"]
            )
        return job, described["batchInferenceJob"]

    job, described = asyncio.run(main())
    assert job["status"] == "Stopping"
    assert job["submitTime"] == batchjobs_fake.clock.now()
    assert described["status"] == "CREATE PENDING"
    assert {call.transport for call in batchjobs_fake.calls} == {"aiobotocore"}


# Its backoff is a real asyncio.sleep, which never ends under freezegun's frozen
# monotonic clock until the event loop runs on fake time: pinned to time-machine.
@pytest.mark.batchjobs(clock="time-machine")
def test_aioboto3_paginator_and_retries(batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.personalize.add_jobs(12, status="ACTIVE")
    batchjobs_fake.pagination.max_page_size = 5
    batchjobs_fake.faults.fail("ListBatchInferenceJobs", error="ThrottlingException", times=1)

    async def main() -> list[int]:
        async with aioboto3.Session().client("personalize", region_name="us-east-1") as client:
            pages = client.get_paginator("list_batch_inference_jobs").paginate()
            return [
                page["ResponseMetadata"]["RetryAttempts"] * 100 + len(page["batchInferenceJobs"])
                async for page in pages
            ]

    assert asyncio.run(main()) == [105, 5, 2]
    batchjobs_fake.pagination.assert_exhausted("ListBatchInferenceJobs")


def test_aioboto3_sees_the_services_errors(batchjobs_fake: BatchJobsFake) -> None:
    async def main() -> None:
        async with aioboto3.Session().client("bedrock", region_name="us-east-1") as bedrock:
            await bedrock.get_model_invocation_job(jobIdentifier="abcdefghijkl")

    with pytest.raises(ClientError) as excinfo:
        asyncio.run(main())
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
