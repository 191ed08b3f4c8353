"""A nightly Bedrock batch runner, as a team would write it.

It submits one model invocation job for the night's records, polls it until it
reaches an end status, and reports what happened. Nothing here knows about tests.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

END_STATUSES = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}


@dataclass
class BatchResult:
    job_arn: str
    status: str
    message: str | None
    records: int
    errors: int
    polls: int


def submit(client: Any, *, run_id: str, input_uri: str, output_uri: str, role: str) -> str:
    """Submit tonight's job; the run id makes a retried submission idempotent."""
    response = client.create_model_invocation_job(
        jobName=f"nightly-{run_id}",
        roleArn=role,
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        clientRequestToken=str(uuid.uuid5(uuid.NAMESPACE_URL, run_id)).replace("-", ""),
        inputDataConfig={"s3InputDataConfig": {"s3Uri": input_uri}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": output_uri}},
        timeoutDurationInHours=24,
    )
    return str(response["jobArn"])


def wait(client: Any, job_arn: str, *, interval: float = 60.0) -> BatchResult:
    """Poll every ``interval`` seconds until the job reaches an end status."""
    polls = 0
    while True:
        job = client.get_model_invocation_job(jobIdentifier=job_arn)
        polls += 1
        if job["status"] in END_STATUSES:
            return BatchResult(
                job_arn=job_arn,
                status=job["status"],
                message=job.get("message"),
                records=job.get("totalRecordCount", 0),
                errors=job.get("errorRecordCount", 0),
                polls=polls,
            )
        time.sleep(interval)
