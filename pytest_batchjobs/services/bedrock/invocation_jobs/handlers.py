"""Amazon Bedrock model invocation (batch inference) jobs: the API's handlers.

Choices where AWS documentation is silent (each is tested):

* Stopping a job that has already ended is a ``ValidationException`` whose message
  ends ``State was: <status>`` (the wording AWS is observed to use); stopping a job
  that is already ``Stopping`` succeeds again without changing it.
* A ``clientRequestToken`` reused with different parameters is a ``ConflictException``.
* Job names need not be unique (the job id is); ``nameContains`` is case-sensitive,
  ``submitTimeAfter`` / ``submitTimeBefore`` are exclusive bounds.
* A list page holds at most 1000 summaries when ``maxResults`` is omitted.
* A ``Failed`` job reports the records it processed before failing as error records.
* Error records leave a job ``Completed`` (a real job whose every record failed was
  ``Completed``: BerriAI/litellm#36156); ``PartiallyCompleted`` is its timeout's status
  (see :mod:`pytest_batchjobs.time.lifecycles`), or the outcome a lifecycle asks for.
* The model id, role and S3 locations are checked against the model's patterns only:
  the fake does not know which models exist in an account.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from ....time.lifecycles import to_millis
from ....wire.errors import ServiceError
from ..._kit.backend import KindBackend, handles
from ..._kit.store import created_window, next_sequence
from ..._kit.tagging import tags_of
from . import factory
from .job import DEFAULT_TIMEOUT_HOURS, ID_ALPHABET, BedrockJob
from .outputs import InvocationOutputs

if TYPE_CHECKING:
    from ..._kit.backend import Parts
    from ..._kit.context import CallContext
    from ..._kit.spec import JobKind, Service

STOPPABLE = frozenset({"Submitted", "Validating", "Scheduled", "InProgress"})
_PARTIAL_ERROR_SHARE = 0.1
DEFAULT_RECORDS = 100


class InvocationJobs(KindBackend[BedrockJob]):
    """CreateModelInvocationJob, GetModelInvocationJob, ListModelInvocationJobs,
    StopModelInvocationJob."""

    outputs_class = InvocationOutputs
    outputs: InvocationOutputs
    extra_overrides = ("submitTime", "message", "totalRecordCount", "errorRecordCount")
    quota_error = "ServiceQuotaExceededException"
    quota_message = (
        "You have reached the quota of {limit} batch inference jobs in progress ({active} "
        "are submitted or in progress). Wait for a job to finish, or request a quota increase."
    )
    default_page_size = 1000

    def __init__(self, kind: JobKind, service: Service, parts: Parts) -> None:
        super().__init__(kind, service, parts)
        # A running job's results appear in its output location while it is InProgress
        # (AWS: "You can start viewing the results in the output S3 location").
        parts.feed.watch(self.outputs.progress)

    # -- handlers ---------------------------------------------------------------------

    @handles("CreateModelInvocationJob")
    def create_model_invocation_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        arn = self.create_once(
            context,
            params,
            "The clientRequestToken {token} was already used for job {arn} "
            "with different parameters.",
            lambda: self.new_job(context, params, context.now),
        )
        return {"jobArn": arn}

    @handles("GetModelInvocationJob")
    def get_model_invocation_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self.find(context, params["jobIdentifier"]).shown(context.now, shared=True)

    @handles("ListModelInvocationJobs")
    def list_model_invocation_jobs(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        now = context.now
        after = params.get("submitTimeAfter")
        before = params.get("submitTimeBefore")
        status = params.get("statusEquals")
        name = params.get("nameContains")

        def accept(job: BedrockJob) -> bool:
            return (
                (after is None or job.submitted > after)
                and (before is None or job.submitted < before)
                and (name is None or name in job.name)
                and (status is None or job.timeline.status(now) == status)
            )

        filters = {
            "submitTimeAfter": after,
            "submitTimeBefore": before,
            "statusEquals": status,
            "nameContains": name,
            "sortBy": params.get("sortBy", "CreationTime"),
        }
        descending = params.get("sortOrder", "Descending") == "Descending"
        window = created_window(after, before)
        jobs, token = self.page(
            context, params, filters, accept, descending, window=window, status=status
        )
        return {"invocationJobSummaries": [job.shown(now) for job in jobs], "nextToken": token}

    @handles("StopModelInvocationJob")
    def stop_model_invocation_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        job = self.find(context, params["jobIdentifier"])
        now = context.now
        status = job.timeline.status(now)
        if status == self.kind.statuses.stopping:
            return {}
        if status not in STOPPABLE:
            # "State was: <status>" is the part of AWS's message clients match on (Airflow's
            # system test, run against AWS, ignores the error when it says "State was:
            # Completed"); the rest of the sentence is the fake's.
            raise ServiceError(
                "ValidationException",
                f"Job {job.arn} cannot be stopped because it has already ended; only jobs "
                f"in status {', '.join(sorted(STOPPABLE))} can be stopped. State was: {status}",
            )
        self.stop_job(job, now)
        return {}

    # -- jobs -------------------------------------------------------------------------

    def new_job(
        self, context: CallContext, params: dict[str, Any], submitted: _dt.datetime
    ) -> BedrockJob:
        """A job for ``params`` submitted at ``submitted`` (cut to the millisecond, as
        sent), following the lifecycle that applies to its name."""
        submitted = to_millis(submitted)
        lifecycle = self.lifecycle_for(params["jobName"])
        hours = params.get("timeoutDurationInHours", DEFAULT_TIMEOUT_HOURS)
        expiration = submitted + _dt.timedelta(hours=hours)
        partial = lifecycle.outcome == "PartiallyCompleted"
        job_id = "".join(self.random.choices(ID_ALPHABET, k=12))
        return BedrockJob(
            arn=self.job_arn(context, job_id),
            job_id=job_id,
            request=dict(params),
            created=submitted,
            timeline=lifecycle.timeline(submitted, expiration),
            lifecycle=lifecycle,
            total_records=DEFAULT_RECORDS,
            error_records=max(1, int(DEFAULT_RECORDS * _PARTIAL_ERROR_SHARE)) if partial else 0,
            sequence=next_sequence(),
            tags=tags_of(self.service, params),
            expiration=expiration,
        )

    made_jobs = factory.made_jobs  # drawn a column at a time, in factory.py

    def find(self, context: CallContext, identifier: str) -> BedrockJob:
        """The job named by a 12-character id or a full ARN, in the caller's region."""
        if identifier.startswith("arn:"):
            return self.find_arn(context, identifier)
        return self.find_arn(context, self.job_arn(context, identifier), shown=identifier)

    def find_arn(self, context: CallContext, arn: str, shown: str | None = None) -> BedrockJob:
        """The job with ``arn`` in the caller's (account, region); ``shown`` is how the
        caller named it (a job id), for the error."""
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError(
                "ResourceNotFoundException",
                f"The specified resource {shown or arn} was not found. "
                "Check the ARN and try your request again.",
            )
        return job
