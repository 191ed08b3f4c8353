"""A Personalize batch segment job, and how Describe and List show it."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from ..._kit.job import StoredJob

# Reported when the request leaves numResults out (AWS does not document its default;
# the batch inference jobs' is 25, and the fake uses the same).
DEFAULT_NUM_RESULTS = 25
DEFAULT_FAILURE = "The batch segment job failed. Check the input data and the role's access."


@dataclass(eq=False, kw_only=True, slots=True)
class SegmentJob(StoredJob):
    """One batch segment job: what was asked, and its timeline."""

    def summary(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as ListBatchSegmentJobs summarises it at ``now``."""
        status = self.timeline.status(now)
        summary: dict[str, Any] = {
            "batchSegmentJobArn": self.arn,
            "jobName": self.name,
            "status": status,
            "creationDateTime": self.created,
            "lastUpdatedDateTime": self.timeline.changed_at(now),
            "solutionVersionArn": self.request["solutionVersionArn"],
        }
        if status == "CREATE FAILED":
            summary["failureReason"] = self.failure or self.lifecycle.message or DEFAULT_FAILURE
        return summary

    def shown(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as DescribeBatchSegmentJob shows it at ``now``, without empty members."""
        request = self.request
        described = {
            **self.summary(now),
            "filterArn": request.get("filterArn"),
            "numResults": request.get("numResults", DEFAULT_NUM_RESULTS),
            "jobInput": request["jobInput"],
            "jobOutput": request["jobOutput"],
            "roleArn": request["roleArn"],
        }
        return {key: value for key, value in described.items() if value is not None}
