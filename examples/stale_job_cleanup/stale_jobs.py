"""A cleanup job for Amazon Bedrock batch inference, as an ops team would write it.

Run from cron every hour: it lists every model invocation job of the account (all
pages), and stops those still ``Submitted``, ``Scheduled`` or ``InProgress`` more than
``max_age_hours`` after they were submitted, so a stuck job does not hold a slot of the
account's quota of concurrent jobs for days. Nothing here knows about tests.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

STALE_STATUSES = ("Submitted", "Scheduled", "InProgress")

log = logging.getLogger(__name__)


@dataclass
class CleanupReport:
    """What one run saw and did."""

    seen: int = 0
    stopped: list[str] = field(default_factory=list)  # job ARNs
    would_stop: list[str] = field(default_factory=list)  # job ARNs, in a dry run
    failed: dict[str, str] = field(default_factory=dict)  # job ARN -> error code


def stale_jobs(
    client: Any, *, max_age_hours: float, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Unfinished jobs submitted more than ``max_age_hours`` ago, oldest first."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = now - dt.timedelta(hours=max_age_hours)
    paginator = client.get_paginator("list_model_invocation_jobs")
    found = []
    # submitTimeBefore narrows the listing on the server; the status is checked here,
    # since statusEquals takes a single status.
    for page in paginator.paginate(submitTimeBefore=cutoff, sortOrder="Ascending"):
        for job in page["invocationJobSummaries"]:
            if job["status"] in STALE_STATUSES and job["submitTime"] < cutoff:
                found.append(job)
    return found


def stop_stale_jobs(
    client: Any,
    *,
    max_age_hours: float = 24,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> CleanupReport:
    """Stop every stale job (or only report them, with ``dry_run``)."""
    report = CleanupReport()
    jobs = stale_jobs(client, max_age_hours=max_age_hours, now=now)
    report.seen = len(jobs)
    for job in jobs:
        arn = job["jobArn"]
        if dry_run:
            report.would_stop.append(arn)
            continue
        try:
            client.stop_model_invocation_job(jobIdentifier=arn)
        except client.exceptions.ClientError as error:
            # The job may have ended between the listing and the stop: log, go on.
            code = error.response["Error"]["Code"]
            log.warning("could not stop %s (%s): %s", arn, job["status"], code)
            report.failed[arn] = code
        else:
            log.info("stopped %s (%s since %s)", arn, job["status"], job["submitTime"])
            report.stopped.append(arn)
    return report
