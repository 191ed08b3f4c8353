"""The EventBridge envelope around a job kind's ``detail``."""

from __future__ import annotations

import datetime as _dt
import random
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..services._kit.job import StoredJob
    from ..services._kit.spec import StateEvents


def event_time(moment: _dt.datetime) -> str:
    """An instant as EventBridge writes an event's ``time``: ``2024-08-28T22:58:30Z``."""
    return f"{moment.astimezone(_dt.timezone.utc):%Y-%m-%dT%H:%M:%SZ}"


def envelope(
    spec: StateEvents, job: StoredJob, status: str, at: _dt.datetime, ids: random.Random
) -> dict[str, Any]:
    """The event the service sends for ``job`` entering ``status`` at ``at``: the
    envelope every AWS service event has, with the job's ARN as its one resource and
    its account and Region (read off the ARN) as the event's."""
    _, _, _, region, account, _ = job.arn.split(":", 5)
    return {
        "version": "0",
        "id": str(uuid.UUID(int=ids.getrandbits(128), version=4)),
        "detail-type": spec.detail_type,
        "source": spec.source,
        "account": account,
        "time": event_time(at),
        "region": region,
        "resources": [job.arn],
        "detail": spec.detail(job, status, at),
    }
