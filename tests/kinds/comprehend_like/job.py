"""A dominant language detection job, its statuses, and how Describe and List show it."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from pytest_batchjobs.services._kit.job import StoredJob
from pytest_batchjobs.time.lifecycles import ServiceStatuses

# JobStatus in botocore's comprehend model: SUBMITTED | IN_PROGRESS | COMPLETED | FAILED
# | STOP_REQUESTED | STOPPED. No timeout.
COMPREHEND = ServiceStatuses(
    service="Comprehend",
    running=("SUBMITTED", "IN_PROGRESS"),
    outcomes=("COMPLETED", "FAILED"),
    default_durations={"SUBMITTED": 30.0, "IN_PROGRESS": 600.0, "STOP_REQUESTED": 45.0},
    working="IN_PROGRESS",
    failed=("FAILED",),
    stopping="STOP_REQUESTED",
    stopped="STOPPED",
)

ID_ALPHABET = "0123456789abcdef"  # of the 32-character job ids
DEFAULT_FAILURE = "Unable to read the input documents. Check the InputDataConfig."
_REQUEST_MEMBERS = (
    "JobName",
    "InputDataConfig",
    "OutputDataConfig",
    "DataAccessRoleArn",
    "VolumeKmsKeyId",
    "VpcConfig",
)


@dataclass(eq=False, kw_only=True, slots=True)
class LanguageJob(StoredJob):
    """One job: what was asked, and its timeline."""

    job_id: str

    @property
    def name(self) -> str:
        """``JobName`` is optional: a job without one is matched by its id."""
        return str(self.request.get("JobName", self.job_id))

    def shown(self, now: _dt.datetime) -> dict[str, Any]:
        """The job's ``DominantLanguageDetectionJobProperties`` at ``now``."""
        timeline = self.timeline
        status = timeline.status(now)
        shown: dict[str, Any] = {
            "JobId": self.job_id,
            "JobArn": self.arn,
            "JobStatus": status,
            "SubmitTime": self.created,
        }
        shown.update({key: self.request[key] for key in _REQUEST_MEMBERS if key in self.request})
        statuses = self.lifecycle.statuses
        if status in statuses.ends:
            shown["EndTime"] = timeline.changed_at(now)
        if status in statuses.failed:
            shown["Message"] = self.lifecycle.message or DEFAULT_FAILURE
        return shown
