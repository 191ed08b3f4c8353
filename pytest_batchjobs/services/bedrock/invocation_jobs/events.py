"""The ``detail`` of Bedrock's "Batch Inference Job State Change" event.

Member for member as the sample event of the Bedrock user guide ("How EventBridge for
Amazon Bedrock works") shows it::

    "detail": {
        "version": "0.0",
        "accountId": "123456789012",
        "batchJobName": "dummy-batch-job-name",
        "batchJobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/...",
        "batchModelId": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-...",
        "status": "Completed",
        "failureMessage": "",
        "creationTime": "Aug 28, 2024, 10:47:53 PM"
    }

The sample has no input or output configuration and no record counts, so neither has
the fake's event: a consumer reads those with GetModelInvocationJob.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from .model_arns import model_arn

if TYPE_CHECKING:
    from ..._kit.job import StoredJob

# The statuses whose job shows a ``message`` (job.py): the event's ``failureMessage``.
_WITH_MESSAGE = frozenset({"Failed", "PartiallyCompleted", "Expired"})


def batch_job_detail(job: StoredJob, status: str, at: _dt.datetime) -> dict[str, Any]:
    """The event's ``detail`` for ``job`` entering ``status`` at ``at``."""
    _, partition, _, region, account, _ = job.arn.split(":", 5)
    message = ""
    if status in _WITH_MESSAGE:
        message = str(job.shown(at).get("message", ""))
    return {
        "version": "0.0",
        "accountId": account,
        "batchJobName": job.name,
        "batchJobArn": job.arn,
        "batchModelId": model_arn(str(job.request["modelId"]), partition, region, account),
        "status": status,
        "failureMessage": message,
        "creationTime": creation_time(job.created),
    }


def creation_time(moment: _dt.datetime) -> str:
    """``Aug 28, 2024, 10:47:53 PM``: the sample's format (Java's medium date and time in
    US English: the day and the hour without a leading zero), in UTC. Written out by
    hand: ``strftime`` would follow the process's locale (and is slow under a frozen
    clock)."""
    utc = moment if moment.tzinfo is _dt.timezone.utc else moment.astimezone(_dt.timezone.utc)
    hour = utc.hour % 12 or 12
    half = "AM" if utc.hour < 12 else "PM"
    month = _MONTHS[utc.month - 1]
    return f"{month} {utc.day}, {utc.year}, {hour}:{utc.minute:02d}:{utc.second:02d} {half}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
