"""Amazon SageMaker transform jobs: the API's handlers.

Choices where AWS documentation is silent (each is tested):

* A job's ARN ends in its name as written (recorded: see :mod:`.names`); names are
  unique per (account, region) whatever their case (a repeated name is
  ``ResourceInUse``), and Describe and Stop find a job by its name in any case. The tag
  operations find a job by its ARN exactly as it was answered.
* A job that does not exist is a ``ValidationException`` "Could not find requested
  job with name <name>" (SageMaker models ``ResourceNotFound`` but does not send it:
  the fidelity page has the evidence); a tag operation on an ARN of no job is a
  ``ValidationException`` "Resource does not exist".
* Stopping a job that has ended is a ``ValidationException``; stopping a ``Stopping``
  job succeeds again without changing it.
* ``NameContains`` is case-insensitive; the time filters are exclusive bounds; a page
  holds at most 10 summaries when ``MaxResults`` is omitted (the API's default) and
  lists newest first (``SortBy`` ``CreationTime``, ``SortOrder`` ``Descending``).
* The model, the instance type and the S3 locations are checked against the model's
  patterns and enums only: the fake holds no models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ....wire.errors import ServiceError
from ..._kit.backend import handles
from ..._kit.named import NamedJobs
from ..._kit.store import created_window
from . import factory
from .job import TransformJob
from .names import JobNames
from .outputs import TransformOutputs

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..._kit.backend import Parts, RegionState
    from ..._kit.context import CallContext
    from ..._kit.spec import JobKind, Service


class TransformJobs(NamedJobs[TransformJob]):
    """CreateTransformJob, DescribeTransformJob, ListTransformJobs, StopTransformJob."""

    job_class = TransformJob
    name_member = "TransformJobName"
    # Job names are unique per region, whatever their case (they end the ARN).
    taken_message = (
        "a SageMaker transform job named {name!r} already exists in this region; job "
        "names are unique whatever their case (they end the ARN): leave TransformJobName "
        "out, or vary it"
    )

    outputs_class = TransformOutputs
    outputs: TransformOutputs
    extra_overrides = ("CreationTime", "FailureReason")
    quota_error = "ResourceLimitExceeded"
    quota_message = (
        "The account-level service limit 'Number of concurrent transform jobs' is {limit} "
        "Jobs, with current utilization of {active} Jobs and a request delta of 1 Jobs. "
        "Please use AWS Service Quotas to request an increase for this quota."
    )
    default_page_size = 10

    def __init__(self, kind: JobKind, service: Service, parts: Parts) -> None:
        super().__init__(kind, service, parts)
        self.names = JobNames()

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.names.clear()

    @handles("CreateTransformJob")
    def create_transform_job(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        region = (context.account, context.region)
        state = self.state(*region)
        name = params["TransformJobName"]
        taken = self.names.find(region, state.jobs, name)
        if taken is not None:
            raise ServiceError(
                "ResourceInUse",
                "Transform job names must be unique within an AWS account and region, and a "
                f"transform job with this name already exists ({taken.arn})",
            )
        arn = self.job_arn(context, name)
        self.check_quota(context)
        job = self.new_job(arn, params, context.now)
        failure = self.outputs.prepare(job, context.region)
        if failure is not None:
            job.failure = failure
            job.timeline = job.timeline.ending(len(job.timeline) - 1, "Failed")
        self.created(state, job, context.now)
        self.names.add(region, job)
        return {"TransformJobArn": arn}

    @handles("DescribeTransformJob")
    def describe_transform_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self.find(context, params["TransformJobName"]).shown(context.now, shared=True)

    @handles("ListTransformJobs")
    def list_transform_jobs(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        now = context.now
        created_after = params.get("CreationTimeAfter")
        created_before = params.get("CreationTimeBefore")
        changed_after = params.get("LastModifiedTimeAfter")
        changed_before = params.get("LastModifiedTimeBefore")
        status = params.get("StatusEquals")
        name = params.get("NameContains")
        needle = None if name is None else name.lower()

        def accept(job: TransformJob) -> bool:
            if created_after is not None and not job.created > created_after:
                return False
            if created_before is not None and not job.created < created_before:
                return False
            if needle is not None and needle not in job.name.lower():
                return False
            if status is not None and job.timeline.status(now) != status:
                return False
            if changed_after is not None or changed_before is not None:
                changed = job.timeline.changed_at(now)
                if changed_after is not None and not changed > changed_after:
                    return False
                if changed_before is not None and not changed < changed_before:
                    return False
            return True

        sort_by = params.get("SortBy", "CreationTime")
        filters = {
            "CreationTimeAfter": created_after,
            "CreationTimeBefore": created_before,
            "LastModifiedTimeAfter": changed_after,
            "LastModifiedTimeBefore": changed_before,
            "StatusEquals": status,
            "NameContains": name,
            "SortBy": sort_by,
        }
        descending = params.get("SortOrder", "Descending") == "Descending"
        order: Callable[[TransformJob], str] | None = None
        if sort_by == "Name":
            order = _by_name
        elif sort_by == "Status":

            def order(job: TransformJob) -> str:
                return job.timeline.status(now)

        paging = {"nextToken": params.get("NextToken"), "maxResults": params.get("MaxResults")}
        window = created_window(created_after, created_before)
        jobs, token = self.page(
            context,
            paging,
            filters,
            accept,
            descending,
            order,
            window,
            status,
            fixed_order=order is _by_name,  # a name is for life: the store keeps the order
        )
        return {"TransformJobSummaries": [job.summary(now) for job in jobs], "NextToken": token}

    @handles("StopTransformJob")
    def stop_transform_job(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.find(context, params["TransformJobName"])
        now = context.now
        status = job.timeline.status(now)
        if status == self.kind.statuses.stopping:
            return {}
        if status != "InProgress":
            raise ServiceError(
                "ValidationException",
                f"The request was rejected because the transform job is in status {status}.",
            )
        self.stop_job(job, now)
        return {}

    # -- jobs -------------------------------------------------------------------------

    made_jobs = factory.made_jobs  # drawn a column at a time, in factory.py

    def find(self, context: CallContext, name: str) -> TransformJob:
        """The job called ``name`` (in any case) in the caller's (account, region)."""
        region = (context.account, context.region)
        job = self.names.find(region, self.state(*region).jobs, name)
        if job is None:
            raise ServiceError(
                "ValidationException", f"Could not find requested job with name {name}"
            )
        return job

    def find_arn(self, context: CallContext, arn: str) -> TransformJob:
        """The job with ``arn`` in the caller's (account, region), for the tag operations."""
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError("ValidationException", "Resource does not exist")
        return job

    def admit(self, state: RegionState[TransformJob], jobs: list[TransformJob]) -> None:
        """Factory jobs' names are unique in the region whatever their case."""
        taken = {stored.name.lower() for stored in state.jobs}
        for job in jobs:
            name = job.name.lower()
            if name in taken:
                raise ValueError(self.taken_message.format(name=job.name))
            taken.add(name)


def _by_name(job: TransformJob) -> str:
    return job.name.lower()
