"""A SageMaker transform job, its statuses, and how Describe and List show it."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from ....time.lifecycles import ServiceStatuses
from ..._kit.job import StoredJob

# A transform job is InProgress from its creation until it ends; StopTransformJob moves
# it to Stopping, then Stopped. Ten minutes InProgress by default (instances start,
# the model loads, a small input is transformed): well inside the hour botocore's
# waiter transform_job_completed_or_stopped polls (60 attempts, 60 s apart).
SAGEMAKER = ServiceStatuses(
    service="SageMaker",
    running=("InProgress",),
    outcomes=("Completed", "Failed"),
    default_durations={"InProgress": 600.0, "Stopping": 60.0},
    working="InProgress",
    failed=("Failed",),
    stopping="Stopping",
    stopped="Stopped",
)

DEFAULT_FAILURE = "ClientError: See job logs for more information"
# What DescribeTransformJob answers for members the request left out, each the API
# reference's default. Recorded: aws/amazon-sagemaker-examples,
# sm-batch_transform_pytorch.ipynb (jobs the SageMaker Python SDK created without
# CompressionType, SplitType, AssembleWith, KmsKeyId or DataProcessing: the SDK sends
# none of them unless given); the SageMaker developer guide's describe-transform-job
# answer and ml-commons' recorded one show the same.
_INPUT_DEFAULTS = {"CompressionType": "None", "SplitType": "None"}
_OUTPUT_DEFAULTS = {"AssembleWith": "None", "KmsKeyId": ""}
_DATA_PROCESSING_DEFAULTS = {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "None"}
# Members of a job that only some requests have, shown as they were sent.
_OPTIONAL_MEMBERS = (
    "MaxConcurrentTransforms",
    "ModelClientConfig",
    "MaxPayloadInMB",
    "BatchStrategy",
    "Environment",
    "DataCaptureConfig",
    "ExperimentConfig",
)


@dataclass(eq=False, kw_only=True, slots=True)
class TransformJob(StoredJob):
    """One transform job: what was asked, its timeline and, once answered, its output
    objects' (input name, content)."""

    results: list[tuple[str, str]] | None = None

    @property
    def name(self) -> str:
        return str(self.request["TransformJobName"])

    def _times(self, now: _dt.datetime) -> tuple[str, dict[str, Any]]:
        """The status at ``now``, and the members every rendering of the job shares."""
        timeline = self.timeline
        index = timeline.index(now)
        status, changed = timeline.statuses[index], timeline.at(index)
        shown: dict[str, Any] = {
            "TransformJobName": self.name,
            "TransformJobArn": self.arn,
            "TransformJobStatus": status,
            "CreationTime": self.created,
        }
        if status in SAGEMAKER.ends:
            shown["TransformEndTime"] = changed
        if status == "Failed":
            shown["FailureReason"] = self.failure or self.lifecycle.message or DEFAULT_FAILURE
        return status, shown

    def summary(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as ListTransformJobs summarises it at ``now``."""
        _, shown = self._times(now)
        shown["LastModifiedTime"] = self.timeline.changed_at(now)
        return shown

    def shown(self, now: _dt.datetime, *, shared: bool = False) -> dict[str, Any]:
        """The job as DescribeTransformJob shows it at ``now``: the request's members,
        with SageMaker's defaults for those of its input, output and data processing
        that the request left out. ``shared=True``: the job's kept rendering
        (:meth:`kept`), made again when its status or failure changes."""
        if shared:
            made_of = (self.timeline, self.timeline.index(now), self.failure)
            return self.kept(made_of, lambda: self.shown(now))
        request = self.request
        _, described = self._times(now)
        # The job starts transforming as soon as it is InProgress: from its creation.
        described["TransformStartTime"] = self.created
        described["ModelName"] = request["ModelName"]
        described["TransformInput"] = {**_INPUT_DEFAULTS, **request["TransformInput"]}
        described["TransformOutput"] = {**_OUTPUT_DEFAULTS, **request["TransformOutput"]}
        described["TransformResources"] = request["TransformResources"]
        for member in _OPTIONAL_MEMBERS:
            value = request.get(member)
            if value is not None:
                described[member] = value
        described["DataProcessing"] = {
            **_DATA_PROCESSING_DEFAULTS,
            **request.get("DataProcessing", {}),
        }
        return described
