"""Amazon Personalize batch segment jobs: the API's handlers.

A batch segment job is a resource of its own, beside the batch inference jobs: its
ARN is ``…:batch-segment-job/<jobName>``, its list shows only segment jobs, and its
describe call finds no batch inference job (nor theirs a segment job). Choices where
AWS documentation is silent (each is tested), as for batch inference jobs:

* Jobs are listed newest first; a page holds at most 100 jobs when ``maxResults`` is
  omitted (the model's maximum).
* ``numResults`` is reported as 25 when the request omits it.
* ``solutionVersionArn``, ``filterArn`` and the role are checked against the model's
  patterns only: the fake holds no solutions, filters or roles.
* A job name is unique per (account, region) among segment jobs, since it is the last
  part of the ARN: a repeated name is ``ResourceAlreadyExistsException``. A batch
  inference job of the same name is another resource, and does not clash.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from ....time.lifecycles import to_millis
from ....wire.errors import ServiceError
from ..._kit.backend import KindBackend, RegionState, handles
from ..._kit.store import next_sequence
from ..._kit.tagging import tags_of
from .factory import made_jobs
from .job import SegmentJob
from .outputs import BatchSegmentOutputs

if TYPE_CHECKING:
    from ..._kit.context import CallContext
    from ..._kit.factory import JobFactory


class BatchSegmentJobs(KindBackend[SegmentJob]):
    """CreateBatchSegmentJob, DescribeBatchSegmentJob, ListBatchSegmentJobs."""

    outputs_class = BatchSegmentOutputs
    extra_overrides = ("creationDateTime", "failureReason")
    quota_error = "LimitExceededException"
    quota_message = (
        "The limit of {limit} batch segment jobs that are pending or in progress has been "
        "reached ({active} active)."
    )
    default_page_size = 100

    @handles("CreateBatchSegmentJob")
    def create_batch_segment_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        state = self.state(context.account, context.region)
        arn = self.job_arn(context, params["jobName"])
        if state.jobs.get(arn) is not None:
            raise ServiceError(
                "ResourceAlreadyExistsException",
                f"Another resource with Arn {arn} already exists.",
            )
        self.check_quota(context)
        job = self.new_job(arn, params, context.now)
        self.created(state, job, context.now)
        return {"batchSegmentJobArn": arn}

    @handles("DescribeBatchSegmentJob")
    def describe_batch_segment_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        job = self.find_arn(context, params["batchSegmentJobArn"])
        return {"batchSegmentJob": job.shown(context.now)}

    @handles("ListBatchSegmentJobs")
    def list_batch_segment_jobs(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        solution = params.get("solutionVersionArn")

        def accept(job: SegmentJob) -> bool:
            return solution is None or job.request["solutionVersionArn"] == solution

        jobs, token = self.page(context, params, {"solutionVersionArn": solution}, accept)
        now = context.now
        return {"batchSegmentJobs": [job.summary(now) for job in jobs], "nextToken": token}

    # -- jobs -------------------------------------------------------------------------

    def new_job(self, arn: str, params: dict[str, Any], created: _dt.datetime) -> SegmentJob:
        """A job for ``params`` created at ``created`` (cut to the millisecond, as sent),
        with its lifecycle's timeline."""
        created = to_millis(created)
        lifecycle = self.lifecycle_for(params["jobName"])
        return SegmentJob(
            arn=arn,
            request=dict(params),
            created=created,
            timeline=lifecycle.timeline(created),
            lifecycle=lifecycle,
            sequence=next_sequence(),
            tags=tags_of(self.service, params),
        )

    def made_jobs(
        self,
        factory: JobFactory,
        context: CallContext,
        wanted: list[str],
        overrides: dict[str, Any],
    ) -> list[SegmentJob]:
        return made_jobs(self, factory, context, wanted, overrides)

    def admit(self, state: RegionState[SegmentJob], jobs: list[SegmentJob]) -> None:
        """Job names are unique per region (they are the end of the ARN)."""
        seen: set[str] = set()
        for job in jobs:
            if job.arn in seen or state.jobs.get(job.arn) is not None:
                raise ValueError(
                    f"a Personalize batch segment job named {job.name!r} already exists in "
                    "this region; job names are unique (they end the ARN): leave jobName "
                    "out, or vary it"
                )
            seen.add(job.arn)

    def find_arn(self, context: CallContext, arn: str) -> SegmentJob:
        """The segment job with ``arn`` in the caller's (account, region)."""
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError(
                "ResourceNotFoundException", f"Could not find resource with arn {arn}."
            )
        return job
