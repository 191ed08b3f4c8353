"""A nightly Bedrock batch runner, as a team would write it.

It writes the night's records to S3 as JSONL, submits one model invocation job for
them, polls it until it reaches an end status, then reads the outputs back from S3 and
joins every output record to its input by ``recordId``. Nothing here knows about tests.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
END_STATUSES = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}
WITH_OUTPUTS = {"Completed", "PartiallyCompleted"}


@dataclass
class BatchResult:
    job_arn: str
    status: str
    message: str | None
    records: int
    errors: int
    polls: int


@dataclass
class Results:
    """A finished job's output records, joined to the inputs by ``recordId``."""

    answers: dict[str, str] = field(default_factory=dict)  # recordId -> the model's text
    errors: dict[str, str] = field(default_factory=dict)  # recordId -> error message
    missing: list[str] = field(default_factory=list)  # inputs with no output record
    unknown: list[str] = field(default_factory=list)  # outputs matching no input
    manifest: dict[str, Any] = field(default_factory=dict)


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` -> (``bucket``, ``a/b``)."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def write_input(s3: Any, input_uri: str, prompts: dict[str, str]) -> None:
    """Write one JSONL record per prompt, keyed by our own id (used to join later)."""
    lines = [
        json.dumps(
            {
                "recordId": record_id,
                "modelInput": {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 512,
                    "messages": [{"role": "user", "content": prompt}],
                },
            }
        )
        for record_id, prompt in prompts.items()
    ]
    bucket, key = split_s3(input_uri)
    s3.put_object(Bucket=bucket, Key=key, Body="\n".join(lines).encode())


def submit(client: Any, *, run_id: str, input_uri: str, output_uri: str, role: str) -> str:
    """Submit tonight's job; the run id makes a retried submission idempotent."""
    response = client.create_model_invocation_job(
        jobName=f"nightly-{run_id}",
        roleArn=role,
        modelId=MODEL_ID,
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


def read_results(s3: Any, *, job_arn: str, output_uri: str, input_ids: set[str]) -> Results:
    """Read a finished job's outputs: ``<output_uri>/<job id>/*.out`` and the manifest.

    Bedrock does not keep the input order, so records are joined by ``recordId``.
    """
    bucket, prefix = split_s3(output_uri if output_uri.endswith("/") else output_uri + "/")
    folder = f"{prefix}{job_arn.rsplit('/', 1)[1]}/"
    results = Results()
    seen: set[str] = set()
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=folder):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
            if item["Key"].endswith("/manifest.json.out"):
                results.manifest = json.loads(body)
                continue
            for line in body.splitlines():
                record = json.loads(line)
                record_id = record["recordId"]
                seen.add(record_id)
                if record_id not in input_ids:
                    results.unknown.append(record_id)
                elif "error" in record:
                    results.errors[record_id] = record["error"]["errorMessage"]
                else:
                    content = record["modelOutput"]["content"]
                    results.answers[record_id] = "".join(part["text"] for part in content)
    results.missing = sorted(input_ids - seen)
    return results


def run_nightly(
    bedrock: Any,
    s3: Any,
    *,
    run_id: str,
    prompts: dict[str, str],
    input_uri: str,
    output_uri: str,
    role: str,
) -> tuple[BatchResult, Results | None]:
    """The whole night: write the input, submit, wait, and read what came back."""
    write_input(s3, input_uri, prompts)
    arn = submit(bedrock, run_id=run_id, input_uri=input_uri, output_uri=output_uri, role=role)
    outcome = wait(bedrock, arn)
    if outcome.status not in WITH_OUTPUTS:
        return outcome, None
    return outcome, read_results(s3, job_arn=arn, output_uri=output_uri, input_ids=set(prompts))
