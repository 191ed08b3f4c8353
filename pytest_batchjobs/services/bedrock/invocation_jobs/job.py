"""A Bedrock model invocation job, and how GetModelInvocationJob shows it."""

from __future__ import annotations

import datetime as _dt
import functools
import string
from dataclasses import dataclass
from typing import Any

from ....time.lifecycles import ServiceStatuses, Timeline, Timeout
from ....wire.members import has_member
from ..._kit.job import StoredJob
from .model_arns import model_arn

# JobStatus in botocore's model; Stopping and Stopped only after StopModelInvocationJob.
# The timeout (jobExpirationTime = submitTime + timeoutDurationInHours) ends a job not
# yet InProgress Expired, one still InProgress PartiallyCompleted (time/lifecycles.py).
BEDROCK = ServiceStatuses(
    service="Bedrock",
    running=("Submitted", "Validating", "Scheduled", "InProgress"),
    outcomes=("Completed", "PartiallyCompleted", "Failed", "Expired"),
    default_durations={
        "Submitted": 30.0,
        "Validating": 120.0,
        "Scheduled": 300.0,
        "InProgress": 3600.0,
        "Stopping": 60.0,
    },
    working="InProgress",
    failed=("Failed",),
    stopping="Stopping",
    stopped="Stopped",
    timeout=Timeout(
        not_begun="Expired",
        unfinished="PartiallyCompleted",
        submitted="submitTime",
        setting="timeoutDurationInHours",
        shortest=24 * 3600.0,  # timeoutDurationInHours' minimum in botocore's model
    ),
)

DEFAULT_TIMEOUT_HOURS = 168
MAX_RECORDS = 50_000  # records per job (Bedrock's documented maximum)
ID_ALPHABET = string.ascii_lowercase + string.digits  # of the 12-character job ids
# Where Scheduled and InProgress sit on a timeline that reached them: a timeline keeps
# the order of BEDROCK.running up to where it was cut (stopped, failed, expired).
_SCHEDULED = BEDROCK.running.index("Scheduled")
_IN_PROGRESS = BEDROCK.running.index("InProgress")
# Members of a job that only some requests have.
_OPTIONAL_MEMBERS = ("clientRequestToken", "vpcConfig", "modelInvocationType")
# The record counts a job may show: each is sent when the loaded model has it
# (botocore 1.42.81 adds the first four; a later model may add the token counts).
_COUNTS = (
    "totalRecordCount",
    "processedRecordCount",
    "successRecordCount",
    "errorRecordCount",
    "inputTokenCount",
    "outputTokenCount",
)
_SHAPES = ("GetModelInvocationJobResponse", "ModelInvocationJobSummary")
# Where each data config keeps its S3 location, and the model shape of that location.
_S3_CONFIGS = {
    "inputDataConfig": ("s3InputDataConfig", "ModelInvocationJobS3InputDataConfig"),
    "outputDataConfig": ("s3OutputDataConfig", "ModelInvocationJobS3OutputDataConfig"),
}


@dataclass(eq=False, kw_only=True, slots=True)
class BedrockJob(StoredJob):
    """One model invocation job: what was asked, its timeline and record counts."""

    job_id: str
    total_records: int
    error_records: int
    expiration: _dt.datetime  # submitTime + timeoutDurationInHours (jobExpirationTime)

    @property
    def submitted(self) -> _dt.datetime:
        """Bedrock's name for the creation instant (``submitTime``)."""
        return self.created

    @property
    def timeout_hours(self) -> int:
        return int(self.request.get("timeoutDurationInHours", DEFAULT_TIMEOUT_HOURS))

    def shown(self, now: _dt.datetime, *, shared: bool = False) -> dict[str, Any]:
        """The job as GetModelInvocationJob (and each summary of ListModelInvocationJobs)
        shows it at ``now``, without empty members: a new dict.

        ``shared=True`` answers the job's kept rendering instead (:meth:`kept`), made
        again when its status, its record counts, its data or its failure change.
        """
        timeline = self.timeline
        index = timeline.index(now)
        processed = self._processed(index, now) if shown_counts() else 0
        if not shared:
            return self._render(timeline, index, processed)
        made_of = (
            timeline,
            index,
            processed,
            self.data,
            self.failure,
            self.total_records,
            self.error_records,
        )
        return self.kept(made_of, lambda: self._render(timeline, index, processed))

    def _render(self, timeline: Timeline, index: int, processed: int) -> dict[str, Any]:
        """:meth:`shown`, given the position of the transition in force and the records
        processed by then."""
        status, changed = timeline.statuses[index], timeline.at(index)
        request = self.request
        _, partition, _, region, account, _ = self.arn.split(":", 5)
        job: dict[str, Any] = {
            "jobArn": self.arn,
            "jobName": request["jobName"],
            "modelId": model_arn(request["modelId"], partition, region, account),
            "roleArn": request["roleArn"],
            "status": status,
            "submitTime": self.created,
            "lastModifiedTime": changed,
            "inputDataConfig": _owned(request, "inputDataConfig", account),
            "outputDataConfig": _owned(request, "outputDataConfig", account),
            "timeoutDurationInHours": self.timeout_hours,
            "jobExpirationTime": self.expiration,
        }
        for member in _OPTIONAL_MEMBERS:
            value = request.get(member)
            if value is not None:
                job[member] = value
        if status in BEDROCK.ends:
            job["endTime"] = changed
        if status in ("Failed", "PartiallyCompleted") or (
            status == "Expired" and self.lifecycle.message
        ):
            job["message"] = (
                self.failure
                or self.lifecycle.message
                or _default_message(status, timeline.timed_out)
            )
        shown = shown_counts()
        if shown:
            validated = index >= _SCHEDULED and timeline.statuses[_SCHEDULED] == "Scheduled"
            counts = self._counts(status, processed, validated)
            job.update((name, counts[name]) for name in shown)
        return job

    def processed(self, now: _dt.datetime) -> int:
        """How many records the job has processed by ``now``: the share of its planned
        run (its lifecycle's time ``InProgress``) it has spent ``InProgress``, counted
        until it ends, expires or is stopped."""
        return self._processed(self.timeline.index(now), now)

    def _processed(self, index: int, now: _dt.datetime) -> int:
        """:meth:`processed`, given the position of the transition in force at ``now``."""
        timeline = self.timeline
        if index < _IN_PROGRESS or timeline.statuses[_IN_PROGRESS] != "InProgress":
            return 0  # it has not begun (or it ended before it did)
        if index == _IN_PROGRESS:
            ran = now - timeline.at(_IN_PROGRESS)
        else:  # it left InProgress: it ended, expired or was stopped
            ran = timeline.offsets[_IN_PROGRESS + 1] - timeline.offsets[_IN_PROGRESS]
        run, total = self.lifecycle.run, self.total_records
        return total if ran >= run else total * ran // run

    def _counts(self, status: str, processed: int, validated: bool) -> dict[str, int]:
        """Every record count, 0 until known: while ``Submitted`` and ``Validating``
        (AWS reported ``totalRecordCount: 0`` while a job was ``Validating``: litellm
        PR #38744), and for a job that never got through validation. From ``Scheduled``
        on, and however the job ends: processed = success + error <= total."""
        if not validated:
            return dict.fromkeys(_COUNTS, 0)
        total = self.total_records
        data = self.data
        # A Failed job produced nothing usable: what it processed counts as errors.
        if status == "Failed":
            errors = processed
        elif data is not None:  # the records it answered, in the order processed
            errors = data.errors_in(processed)
        else:
            errors = self.error_records * processed // total if total else 0
        used = data.tokens_in(processed) if data is not None and status != "Failed" else (0, 0)
        return {
            "totalRecordCount": total,
            "processedRecordCount": processed,
            "successRecordCount": processed - errors,
            "errorRecordCount": errors,
            "inputTokenCount": used[0],
            "outputTokenCount": used[1],
        }


@functools.cache
def shown_counts() -> tuple[str, ...]:
    """The record counts the loaded model's GetModelInvocationJob and
    ListModelInvocationJobs have: the job keeps its counts either way, for its outputs
    and their manifest."""
    return tuple(
        name for name in _COUNTS if all(has_member("bedrock", shape, name) for shape in _SHAPES)
    )


def _owned(request: dict[str, Any], config: str, account: str) -> dict[str, Any]:
    """The request's data config ``config`` as Bedrock answers it: its S3 location names
    the bucket's owner, the job's own account unless the request named another
    (``s3BucketOwner`` was in every data config of the jobs ListModelInvocationJobs
    listed in aws-samples/amazon-bedrock-samples' batch-inference-launch-and-compare-jobs,
    created without it). A model without the member (botocore before 1.35.20) is never
    sent it."""
    given: dict[str, Any] = request[config]
    location, shape = _S3_CONFIGS[config]
    s3 = given.get(location)
    if s3 is None or "s3BucketOwner" in s3 or not has_member("bedrock", shape, "s3BucketOwner"):
        return given
    return {**given, location: {**s3, "s3BucketOwner": account}}


def _default_message(status: str, timed_out: bool) -> str:
    if status == "PartiallyCompleted" and timed_out:
        return (
            "The job reached its timeout (timeoutDurationInHours) before all of its records "
            "could be processed. See the output files for the processed records."
        )
    if status == "PartiallyCompleted":
        return "Some records could not be processed. See the output files for details."
    if status == "Expired":
        return "The job was scheduled but did not begin before its timeout."
    return "The job failed. Check the input data and the role's permissions."
