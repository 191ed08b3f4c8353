"""A report of a solution version's batch inference jobs, for a dashboard."""

from __future__ import annotations

from collections import Counter
from typing import Any


def jobs_for(client: Any, solution_version_arn: str) -> list[dict[str, Any]]:
    """Every batch inference job of a solution version, following every page."""
    paginator = client.get_paginator("list_batch_inference_jobs")
    jobs: list[dict[str, Any]] = []
    for page in paginator.paginate(solutionVersionArn=solution_version_arn):
        jobs.extend(page["batchInferenceJobs"])
    return jobs


def status_counts(client: Any, solution_version_arn: str) -> dict[str, int]:
    """How many jobs are in each status."""
    return dict(Counter(job["status"] for job in jobs_for(client, solution_version_arn)))


def failures(client: Any, solution_version_arn: str) -> list[tuple[str, str]]:
    """(job name, failure reason) of every failed job, newest first."""
    return [
        (job["jobName"], job.get("failureReason", ""))
        for job in jobs_for(client, solution_version_arn)
        if job["status"] == "CREATE FAILED"
    ]
