"""An async batch bridge, as a team would write it with aiobotocore.

It submits one Bedrock model invocation job per shard of a night's input, then polls
every job concurrently (one task each, ``await asyncio.sleep`` between polls) until
each reaches an end status, under an overall deadline. Nothing here knows about tests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
# Every status a job can end in: a bridge that forgets one polls it for ever.
END_STATUSES = frozenset({"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"})


@dataclass(frozen=True)
class ShardResult:
    shard: str
    job_arn: str
    status: str
    message: str | None
    polls: int

    @property
    def usable(self) -> bool:
        """Whether the shard has outputs to read (all of them, or some)."""
        return self.status in {"Completed", "PartiallyCompleted"}


async def submit(client: Any, shard: str, *, run_id: str, bucket: str, role: str) -> str:
    response = await client.create_model_invocation_job(
        jobName=f"{run_id}-{shard}",
        roleArn=role,
        modelId=MODEL_ID,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": f"s3://{bucket}/in/{shard}.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": f"s3://{bucket}/out/{run_id}/"}},
        timeoutDurationInHours=24,
    )
    return str(response["jobArn"])


async def follow(client: Any, shard: str, job_arn: str, *, interval: float) -> ShardResult:
    """Poll one job every ``interval`` seconds until it ends."""
    polls = 0
    while True:
        job = await client.get_model_invocation_job(jobIdentifier=job_arn)
        polls += 1
        if job["status"] in END_STATUSES:
            return ShardResult(shard, job_arn, job["status"], job.get("message"), polls)
        await asyncio.sleep(interval)


async def run_night(
    session: Any,
    shards: list[str],
    *,
    run_id: str,
    bucket: str,
    role: str,
    interval: float = 60.0,
    deadline_hours: float = 30.0,
    region: str = "us-east-1",
) -> list[ShardResult]:
    """Submit every shard, then follow them all at once; raise ``TimeoutError`` if
    they have not all ended within ``deadline_hours``.

    ``session`` is an aiobotocore session (``aiobotocore.session.get_session()``); with
    aioboto3, the same code takes ``aioboto3.Session()`` and its ``client(...)``.
    """
    async with session.create_client("bedrock", region_name=region) as client:
        arns = await asyncio.gather(
            *(submit(client, shard, run_id=run_id, bucket=bucket, role=role) for shard in shards)
        )
        followed = asyncio.gather(
            *(
                follow(client, shard, arn, interval=interval)
                for shard, arn in zip(shards, arns, strict=True)
            )
        )
        return list(await asyncio.wait_for(followed, timeout=deadline_hours * 3600))
