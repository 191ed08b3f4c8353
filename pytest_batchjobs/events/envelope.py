"""The EventBridge envelope around a job kind's ``detail``."""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..services._kit.job import StoredJob
    from ..services._kit.spec import StateEvents


def event_time(moment: _dt.datetime) -> str:
    """An instant as EventBridge writes an event's ``time``: ``2024-08-28T22:58:30Z``
    (written out by hand: ``strftime`` is slow under a frozen clock)."""
    utc = moment if moment.tzinfo is _dt.timezone.utc else moment.astimezone(_dt.timezone.utc)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"
    )


def envelope(
    spec: StateEvents, job: StoredJob, status: str, at: _dt.datetime, bits: int
) -> dict[str, Any]:
    """The event the service sends for ``job`` entering ``status`` at ``at``: the
    envelope every AWS service event has, with the job's ARN as its one resource and
    its account and Region (read off the ARN) as the event's; its id, a UUID, from
    ``bits`` (128 random bits)."""
    _, _, _, region, account, _ = job.arn.split(":", 5)
    return {
        "version": "0",
        "id": str(uuid.UUID(int=bits, version=4)),
        "detail-type": spec.detail_type,
        "source": spec.source,
        "account": account,
        "time": event_time(at),
        "region": region,
        "resources": [job.arn],
        "detail": spec.detail(job, status, at),
    }
