"""Start, Describe, List and Stop dominant language detection jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_batchjobs.services._kit.backend import KindBackend, handles
from pytest_batchjobs.services._kit.store import next_sequence
from pytest_batchjobs.time.lifecycles import to_millis
from pytest_batchjobs.wire.errors import ServiceError

from . import factory
from .job import ID_ALPHABET, LanguageJob

if TYPE_CHECKING:
    from pytest_batchjobs.services._kit.context import CallContext


class LanguageJobs(KindBackend[LanguageJob]):
    """The kind's four operations; its statuses are read from its declaration."""

    extra_overrides = ("SubmitTime", "Message")
    quota_error = "TooManyRequestsException"
    quota_message = "Concurrent job limit of {limit} reached ({active} running)."
    default_page_size = 100

    @handles("StartDominantLanguageDetectionJob")
    def start(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        self.check_quota(context)
        job = self.new_job(context, params)
        self.created(self.state(context.account, context.region), job, context.now)
        return {
            "JobId": job.job_id,
            "JobArn": job.arn,
            "JobStatus": job.timeline.status(context.now),
        }

    @handles("DescribeDominantLanguageDetectionJob")
    def describe(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.find_arn(context, self.job_arn(context, params["JobId"]))
        return {"DominantLanguageDetectionJobProperties": job.shown(context.now)}

    @handles("ListDominantLanguageDetectionJobs")
    def list_jobs(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        now = context.now
        given = params.get("Filter", {})
        name, status = given.get("JobName"), given.get("JobStatus")
        after, before = given.get("SubmitTimeAfter"), given.get("SubmitTimeBefore")

        def accept(job: LanguageJob) -> bool:
            return (
                (name is None or job.request.get("JobName") == name)
                and (status is None or job.timeline.status(now) == status)
                and (after is None or job.created > after)
                and (before is None or job.created < before)
            )

        paging = {"nextToken": params.get("NextToken"), "maxResults": params.get("MaxResults")}
        jobs, token = self.page(context, paging, dict(given), accept)
        return {
            "DominantLanguageDetectionJobPropertiesList": [job.shown(now) for job in jobs],
            "NextToken": token,
        }

    @handles("StopDominantLanguageDetectionJob")
    def stop(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.find_arn(context, self.job_arn(context, params["JobId"]))
        now = context.now
        statuses = self.kind.statuses
        status = job.timeline.status(now)
        if status in statuses.ends:
            raise ServiceError(
                "InvalidRequestException",
                f"Job {job.job_id} is {status} and can no longer be stopped.",
            )
        if status != statuses.stopping:
            self.stop_job(job, now)
        return {"JobId": job.job_id, "JobStatus": job.timeline.status(now)}

    def new_job(self, context: CallContext, params: dict[str, Any]) -> LanguageJob:
        submitted = to_millis(context.now)
        job_id = "".join(self.random.choices(ID_ALPHABET, k=32))
        lifecycle = self.lifecycle_for(str(params.get("JobName", job_id)))
        return LanguageJob(
            arn=self.job_arn(context, job_id),
            job_id=job_id,
            request=dict(params),
            created=submitted,
            timeline=lifecycle.timeline(submitted),
            lifecycle=lifecycle,
            sequence=next_sequence(),
        )

    made_jobs = factory.made_jobs

    def find_arn(self, context: CallContext, arn: str) -> LanguageJob:
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError("JobNotFoundException", f"Job {arn.rsplit('/', 1)[-1]} not found.")
        return job
