"""An event-driven Bedrock batch pipeline, as a team would write it: nothing polls.

``submit`` writes the night's records to S3 and submits a model invocation job, then
returns. ``route_job_ends`` is the infrastructure (here as code): an EventBridge rule on
the default bus that sends the end of every ``nightly-`` job to an SQS queue.
``handle`` is the consumer (a Lambda function's handler, or a worker's loop body via
``drain``): for a job that produced outputs it reads the manifest the job wrote. Nothing
here knows about tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
PREFIX = "nightly-"
ENDS = ["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]
WITH_OUTPUTS = {"Completed", "PartiallyCompleted"}


@dataclass
class Outcome:
    job_name: str
    status: str
    message: str
    succeeded: int
    failed: int


def submit(bedrock: Any, s3: Any, *, run_id: str, prompts: dict[str, str], role: str) -> str:
    """Write the records and submit the job; its end arrives as an event."""
    lines = [
        json.dumps(
            {
                "recordId": record_id,
                "modelInput": {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 256,
                    "messages": [{"role": "user", "content": prompt}],
                },
            }
        )
        for record_id, prompt in prompts.items()
    ]
    key = f"runs/{run_id}.jsonl"
    s3.put_object(Bucket="pipeline-input", Key=key, Body="\n".join(lines).encode())
    response = bedrock.create_model_invocation_job(
        jobName=f"{PREFIX}{run_id}",
        roleArn=role,
        modelId=MODEL_ID,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": f"s3://pipeline-input/{key}"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://pipeline-output/runs/"}},
    )
    return str(response["jobArn"])


def route_job_ends(events: Any, sqs: Any, *, queue: str = "batch-job-ends") -> str:
    """The rule: the end of every ``nightly-`` batch job, onto a queue. Its URL."""
    url = str(sqs.create_queue(QueueName=queue)["QueueUrl"])
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    pattern = {
        "source": ["aws.bedrock"],
        "detail-type": ["Batch Inference Job State Change"],
        "detail": {"status": ENDS, "batchJobName": [{"prefix": PREFIX}]},
    }
    events.put_rule(Name="nightly-job-ends", EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule="nightly-job-ends",
        Targets=[{"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}],
    )
    return url


def handle(event: dict[str, Any], s3: Any) -> Outcome:
    """One "Batch Inference Job State Change" event: what became of the job."""
    detail = event["detail"]
    succeeded = failed = 0
    if detail["status"] in WITH_OUTPUTS:
        job_id = detail["batchJobArn"].rsplit("/", 1)[1]
        key = f"runs/{job_id}/manifest.json.out"
        manifest = json.loads(s3.get_object(Bucket="pipeline-output", Key=key)["Body"].read())
        succeeded, failed = manifest["successRecordCount"], manifest["errorRecordCount"]
    return Outcome(
        job_name=detail["batchJobName"],
        status=detail["status"],
        message=detail["failureMessage"],
        succeeded=succeeded,
        failed=failed,
    )


def drain(sqs: Any, s3: Any, queue_url: str) -> list[Outcome]:
    """The worker: handle every event waiting on the queue, deleting each one handled."""
    outcomes = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = got.get("Messages", [])
        if not messages:
            return outcomes
        for message in messages:
            outcomes.append(handle(json.loads(message["Body"]), s3))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
