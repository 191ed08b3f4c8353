"""Amazon Personalize batch inference jobs.

Choices where AWS documentation is silent (each is tested):

* Jobs are listed newest first; a page holds at most 100 jobs when ``maxResults`` is
  omitted (the model's maximum).
* ``numResults`` is reported as 25 when the request omits it.
* ``solutionVersionArn``, ``filterArn`` and the role are checked against the model's
  patterns only: the fake holds no solutions, filters or roles.
* A job name is unique per (account, region), since it is the last part of the ARN:
  a repeated name is ``ResourceAlreadyExistsException``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from ..factory import PERSONALIZE_FAILURES, JobFactory
from ..time.lifecycles import PERSONALIZE, to_millis
from ..wire.errors import ServiceError
from .base import Backend, CallContext, NotOwned, RegionState, StoredJob, handles
from .store import next_sequence

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
        return {key: value for key, value in self.describe(now).items() if value is not None}

    def describe(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as DescribeBatchInferenceJob returns it at ``now``."""
        request = self.request
        return {
            **self.summary(now),
            "filterArn": request.get("filterArn"),
            "numResults": request.get("numResults", DEFAULT_NUM_RESULTS),
            "jobInput": request["jobInput"],
            "jobOutput": request["jobOutput"],
            "batchInferenceJobConfig": request.get("batchInferenceJobConfig"),
            "roleArn": request["roleArn"],
            "themeGenerationConfig": request.get("themeGenerationConfig"),
        }


class PersonalizeBackend(Backend[PersonalizeJob]):
    """The Personalize batch inference API: create, describe, list, and tags."""

    name = "personalize"
    statuses = PERSONALIZE
    validation_error = "InvalidInputException"
    token_error = "InvalidNextTokenException"
    token_message = "The token is not valid"
    create_operation = "CreateBatchInferenceJob"
    extra_overrides = ("creationDateTime", "failureReason")
    quota_error = "LimitExceededException"
    quota_message = (
        "The limit of {limit} batch inference jobs that are pending or in progress has been "
        "reached ({active} active)."
    )
    default_page_size = 100

    @handles("CreateBatchInferenceJob")
    def create_batch_inference_job(
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
        state.jobs.add(job)
        self.feed.created(self.name, job, context.now)
        return {"batchInferenceJobArn": arn}

    @handles("DescribeBatchInferenceJob")
    def describe_batch_inference_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        job = self.find(context, params["batchInferenceJobArn"])
        return {"batchInferenceJob": job.describe(context.now)}

    @handles("ListBatchInferenceJobs")
    def list_batch_inference_jobs(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        solution = params.get("solutionVersionArn")

        def accept(job: PersonalizeJob) -> bool:
            return solution is None or job.request["solutionVersionArn"] == solution

        jobs, token = self.page(
            context, "ListBatchInferenceJobs", params, {"solutionVersionArn": solution}, accept
        )
        now = context.now
        return {"batchInferenceJobs": [job.summary(now) for job in jobs], "nextToken": token}

    def tagged_job(self, context: CallContext, arn: str) -> PersonalizeJob:
        """The job a tag operation names; other Personalize resources are not this fake's."""
        if ":batch-inference-job/" not in arn:
            raise NotOwned(arn)
        return self.find(context, arn)

    @handles("TagResource")
    def tag_resource(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.tagged_job(context, params["resourceArn"])
        merged = {**job.tags, **{t["tagKey"]: t["tagValue"] for t in params["tags"]}}
        if len(merged) > 200:
            raise ServiceError(
                "TooManyTagsException",
                f"Resource {job.arn} would have {len(merged)} tags; the limit is 200.",
            )
        job.tags = merged
        return {}

    @handles("UntagResource")
    def untag_resource(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.tagged_job(context, params["resourceArn"])
        for key in params["tagKeys"]:
            job.tags.pop(key, None)
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        job = self.tagged_job(context, params["resourceArn"])
        return {"tags": [{"tagKey": k, "tagValue": v} for k, v in job.tags.items()]}

    # -- jobs -------------------------------------------------------------------------

    def job_arn(self, context: CallContext, name: str) -> str:
        """The ARN a job called ``name`` has in the caller's (account, region)."""
        return (
            f"arn:{context.partition}:personalize:{context.region}:{context.account}:"
            f"batch-inference-job/{name}"
        )

    def new_job(self, arn: str, params: dict[str, Any], created: _dt.datetime) -> PersonalizeJob:
        """A job for ``params`` created at ``created`` (cut to the millisecond, as sent),
        with its lifecycle's timeline."""
        created = to_millis(created)
        lifecycle = self.lifecycle_for(params["jobName"])
        return PersonalizeJob(
            arn=arn,
            request=dict(params),
            created=created,
            timeline=lifecycle.timeline(created),
            lifecycle=lifecycle,
            sequence=next_sequence(),
            tags={t["tagKey"]: t["tagValue"] for t in params.get("tags", [])},
        )

    def made_jobs(
        self,
        factory: JobFactory,
        context: CallContext,
        wanted: list[str],
        overrides: dict[str, Any],
    ) -> list[PersonalizeJob]:
        count = len(wanted)
        account, region = context.account, context.region
        names = factory.each(
            overrides.pop("jobName", None), count, lambda n: factory.names("recs", n)
        )
        reason = overrides.pop("failureReason", None)
        failures = factory.picks(PERSONALIZE_FAILURES, count)
        created = overrides.pop("creationDateTime", None)
        uses = factory.picks(("recs", "personalized-ranking", "similar-items"), count)
        stems = factory.picks(factory.stems, count)
        versions = factory.integers(0, 2**32 - 1, count)
        results = factory.picks((10, 25, 50, 100), count)
        inputs = factory.buckets("recs-input", count)
        outputs = factory.buckets("recs-output", count)
        keys = factory.kms_keys(region, account, 0.2, count)
        roles = factory.roles(account, count)
        tags = {t["tagKey"]: t["tagValue"] for t in overrides.get("tags", [])}
        solutions = f"arn:{context.partition}:personalize:{region}:{account}:solution"
        jobs = []
        for index, status in enumerate(wanted):
            name = names[index]
            placed = factory.place(
                self.lifecycle_for(name),
                status,
                context.now,
                submitted=created,
                timeout=None,
                message=reason,
                failure=failures[index] if status == "CREATE FAILED" else None,
            )
            day = factory.day(placed.submitted)
            source: dict[str, Any] = {"path": f"s3://{inputs[index]}/{day}/users.json"}
            if keys[index] is not None:
                source["kmsKeyArn"] = keys[index]
            params: dict[str, Any] = {
                "jobName": name,
                "solutionVersionArn": (
                    f"{solutions}/{stems[index]}-{uses[index]}/{versions[index]:08x}"
                ),
                "numResults": results[index],
                "jobInput": {"s3DataSource": source},
                "jobOutput": {
                    "s3DataDestination": {"path": f"s3://{outputs[index]}/{day}/{name}/"}
                },
                "roleArn": roles[index],
                **overrides,
            }
            jobs.append(
                PersonalizeJob(
                    arn=self.job_arn(context, name),
                    request=params,
                    created=placed.submitted,
                    timeline=placed.timeline,
                    lifecycle=placed.lifecycle,
                    sequence=next_sequence(),
                    tags=dict(tags),
                    from_factory=True,
                )
            )
        return jobs

    def admit(self, state: RegionState[PersonalizeJob], jobs: list[PersonalizeJob]) -> None:
        """Job names are unique per region (they are the end of the ARN)."""
        seen: set[str] = set()
        for job in jobs:
            if job.arn in seen or state.jobs.get(job.arn) is not None:
                raise ValueError(
                    f"a Personalize job named {job.name!r} already exists in this region; "
                    "job names are unique (they end the ARN): leave jobName out, or vary it"
                )
            seen.add(job.arn)

    def find(self, context: CallContext, arn: str) -> PersonalizeJob:
        """The job with ``arn`` in the caller's (account, region)."""
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError(
                "ResourceNotFoundException", f"Could not find resource with arn {arn}."
            )
        return job
