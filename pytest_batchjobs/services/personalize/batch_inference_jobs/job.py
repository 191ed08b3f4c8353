"""A Personalize batch inference job, and how Describe and List show it."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from ..._kit.job import StoredJob

DEFAULT_NUM_RESULTS = 25


@dataclass(eq=False, kw_only=True, slots=True)
class PersonalizeJob(StoredJob):
    """One batch inference job: what was asked, and its timeline."""

    def summary(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as ListBatchInferenceJobs summarises it at ``now``."""
        status = self.timeline.status(now)
        summary: dict[str, Any] = {
            "batchInferenceJobArn": self.arn,
            "jobName": self.name,
            "status": status,
            "creationDateTime": self.created,
            "lastUpdatedDateTime": self.timeline.changed_at(now),
            "solutionVersionArn": self.request["solutionVersionArn"],
            "batchInferenceJobMode": self.request.get("batchInferenceJobMode", "BATCH_INFERENCE"),
        }
        if status == "CREATE FAILED":
            summary["failureReason"] = (
                self.failure
                or self.lifecycle.message
                or ("The batch inference job failed. Check the input data and the role's access.")
            )
        return summary

    def shown(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as DescribeBatchInferenceJob shows it at ``now``, without empty members."""
        request = self.request
        described = {
            **self.summary(now),
            "filterArn": request.get("filterArn"),
            "numResults": request.get("numResults", DEFAULT_NUM_RESULTS),
            "jobInput": request["jobInput"],
            "jobOutput": request["jobOutput"],
            "batchInferenceJobConfig": request.get("batchInferenceJobConfig"),
            "roleArn": request["roleArn"],
            "themeGenerationConfig": request.get("themeGenerationConfig"),
        }
        return {key: value for key, value in described.items() if value is not None}
