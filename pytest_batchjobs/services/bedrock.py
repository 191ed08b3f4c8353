"""Amazon Bedrock model invocation (batch inference) jobs.

Choices where AWS documentation is silent (each is tested):

* Stopping a job that has already ended is a ``ValidationException`` whose message
  ends ``State was: <status>`` (the wording AWS is observed to use); stopping a job
  that is already ``Stopping`` succeeds again without changing it.
* A ``clientRequestToken`` reused with different parameters is a ``ConflictException``.
* Job names need not be unique (the job id is); ``nameContains`` is case-sensitive,
  ``submitTimeAfter`` / ``submitTimeBefore`` are exclusive bounds.
* A list page holds at most 1000 summaries when ``maxResults`` is omitted.
* A ``Failed`` job reports the records it processed before failing as error records.
* A job with error records ends ``PartiallyCompleted`` at the end of its run (AWS
  defines that status by its timeout only: see :mod:`pytest_batchjobs.time.lifecycles`).
* The model id, role and S3 locations are checked against the model's patterns only:
  the fake does not know which models exist in an account.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import string
from dataclasses import dataclass
from typing import Any

from ..batch.runner import RecordLimits
from ..factory import BEDROCK_FAILURES, BEDROCK_MODELS, JobFactory
from ..time.lifecycles import BEDROCK, to_millis
from ..wire.errors import ServiceError
from .base import Backend, CallContext, NotOwned, StoredJob, handles
from .store import next_sequence

_ID_ALPHABET = string.ascii_lowercase + string.digits
STOPPABLE = frozenset({"Submitted", "Validating", "Scheduled", "InProgress"})
_PARTIAL_ERROR_SHARE = 0.1
_MAX_RECORDS = 50_000  # records per job (Bedrock's documented maximum)
# Where Scheduled and InProgress sit on a timeline that reached them: a timeline keeps
# the order of BEDROCK.running up to where it was cut (stopped, failed, expired).
_SCHEDULED = BEDROCK.running.index("Scheduled")
_IN_PROGRESS = BEDROCK.running.index("InProgress")
# Members of a job that only some requests have.
_OPTIONAL_MEMBERS = ("clientRequestToken", "vpcConfig", "modelInvocationType")


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
        return int(self.request.get("timeoutDurationInHours", BedrockBackend.default_timeout_hours))

    def shown(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as GetModelInvocationJob shows it at ``now``."""
        return self.view(now)

    def view(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as GetModelInvocationJob returns it at ``now``, without empty members."""
        timeline = self.timeline
        index = timeline.index(now)
        status, changed = timeline.statuses[index], timeline.at(index)
        request = self.request
        hours = self.timeout_hours
        job: dict[str, Any] = {
            "jobArn": self.arn,
            "jobName": request["jobName"],
            "modelId": request["modelId"],
            "roleArn": request["roleArn"],
            "status": status,
            "submitTime": self.created,
            "lastModifiedTime": changed,
            "inputDataConfig": request["inputDataConfig"],
            "outputDataConfig": request["outputDataConfig"],
            "timeoutDurationInHours": hours,
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
        if index >= _SCHEDULED and timeline.statuses[_SCHEDULED] == "Scheduled":
            self._add_counts(job, status, self._processed(index, now))
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

    def _add_counts(self, job: dict[str, Any], status: str, processed: int) -> None:
        """Record counts, from validation on (``Scheduled``), kept however the job ends:
        processed = success + error, never more than the total."""
        total = self.total_records
        # A Failed job produced nothing usable: what it processed counts as errors.
        if status == "Failed":
            errors = processed
        elif self.data is not None:  # the records it answered, in the order processed
            errors = self.data.errors_in(processed)
        else:
            errors = self.error_records * processed // total if total else 0
        job["totalRecordCount"] = total
        job["processedRecordCount"] = processed
        job["successRecordCount"] = processed - errors
        job["errorRecordCount"] = errors


def _refuse_counts(statuses: set[str], total: Any, errors: Any) -> None:
    """A ``ValueError`` for factory record counts GetModelInvocationJob could never
    return, given the statuses the jobs are made in."""
    for name, value in (("totalRecordCount", total), ("errorRecordCount", errors)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise ValueError(
                f"{name} must be a whole number of records >= 0, got {value!r}: the counts "
                "of a job are never negative"
            )
    if total == 0 and "PartiallyCompleted" in statuses:
        raise ValueError(
            "a PartiallyCompleted job has records it could not process, so it needs "
            "totalRecordCount >= 1, got 0"
        )
    if errors is None:
        return
    most = _MAX_RECORDS if total is None else total
    if errors > most:
        raise ValueError(
            f"errorRecordCount {errors} is more than the job's records ({most}, its "
            f"{'totalRecordCount' if total is not None else 'maximum per job'}): error "
            f"records are among them; give errorRecordCount <= {most}"
        )
    if errors and "Expired" in statuses:
        raise ValueError(
            f"errorRecordCount {errors} for an Expired job: an Expired job never began "
            "(it timed out while queued), so it processed no record and has no error "
            "records; leave errorRecordCount out (or 0), or make the job PartiallyCompleted"
        )
    if errors == 0 and "PartiallyCompleted" in statuses:
        raise ValueError(
            "errorRecordCount 0 for a PartiallyCompleted job: a PartiallyCompleted factory "
            "job processed its records and some failed, so it needs errorRecordCount >= 1 "
            "(leave it out for 1% to 20% of the records)"
        )
    if "Failed" in statuses and errors != total:
        raise ValueError(
            f"errorRecordCount {errors} for a Failed job: a Failed job reports every record "
            "it processed as an error record (a factory Failed job processed all of them, "
            "so errorRecordCount == totalRecordCount); leave errorRecordCount out"
        )


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


class BedrockBackend(Backend[BedrockJob]):
    """The Bedrock batch inference API: create, get, list, stop, and tags."""

    name = "bedrock"
    statuses = BEDROCK
    validation_error = "ValidationException"
    token_error = "ValidationException"
    token_message = "Invalid pagination token"
    create_operation = "CreateModelInvocationJob"
    extra_overrides = ("submitTime", "message", "totalRecordCount", "errorRecordCount")
    quota_error = "ServiceQuotaExceededException"
    quota_message = (
        "You have reached the quota of {limit} batch inference jobs in progress ({active} "
        "are submitted or in progress). Wait for a job to finish, or request a quota increase."
    )
    default_page_size = 1000
    default_timeout_hours = 168
    default_records = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.random = random.Random()
        self.feed.watch(self._write_progress)

    def _write_progress(self, now: _dt.datetime) -> None:
        """A running job's results appear in its output location while it is InProgress
        (AWS: "You can start viewing the results in the output S3 location")."""
        self.batch.progress(now)

    def record_limits(self, minimum: int = 100, maximum: int = 50_000) -> None:
        """Bedrock's records per job: fewer or more fail the job at validation. AWS
        documents a minimum of 100 (it was 1,000; it varies by model) and a maximum
        of 50,000."""
        if not 0 <= minimum <= maximum:
            raise ValueError(
                f"record_limits needs 0 <= minimum <= maximum, got {minimum!r}, {maximum!r}"
            )
        self.batch.limits = RecordLimits(minimum, maximum)

    # -- handlers ---------------------------------------------------------------------

    @handles("CreateModelInvocationJob")
    def create_model_invocation_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        state = self.state(context.account, context.region)
        token = params.get("clientRequestToken")
        fingerprint = json.dumps(
            {k: v for k, v in params.items() if k != "clientRequestToken"},
            sort_keys=True,
            default=str,
        )
        if token is not None and token in state.idempotency:
            previous, arn = state.idempotency[token]
            if previous != fingerprint:
                raise ServiceError(
                    "ConflictException",
                    f"The clientRequestToken {token} was already used for job {arn} "
                    "with different parameters.",
                )
            return {"jobArn": arn}
        self.check_quota(context)
        job = self.new_job(context, params, context.now)
        state.jobs.add(job)
        self.feed.created(self.name, job, context.now)
        if token is not None:
            state.idempotency[token] = (fingerprint, job.arn)
        return {"jobArn": job.arn}

    @handles("GetModelInvocationJob")
    def get_model_invocation_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self.find(context, params["jobIdentifier"]).view(context.now)

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
        jobs, token = self.page(
            context, "ListModelInvocationJobs", params, filters, accept, descending
        )
        return {"invocationJobSummaries": [job.view(now) for job in jobs], "nextToken": token}

    @handles("StopModelInvocationJob")
    def stop_model_invocation_job(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        job = self.find(context, params["jobIdentifier"])
        now = context.now
        status = job.timeline.status(now)
        if status == "Stopping":
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
        stopping = job.lifecycle.duration("Stopping")
        job.timeline = job.timeline.interrupted(now, [(0.0, "Stopping"), (stopping, "Stopped")])
        self.feed.rescheduled(self.name, job)
        return {}

    def tagged_job(self, context: CallContext, arn: str) -> BedrockJob:
        """The job a tag operation names; other Bedrock resources are not this fake's."""
        if ":model-invocation-job/" not in arn:
            raise NotOwned(arn)
        return self.find_arn(context, arn)

    @handles("TagResource")
    def tag_resource(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.tagged_job(context, params["resourceARN"])
        merged = {**job.tags, **{tag["key"]: tag["value"] for tag in params["tags"]}}
        if len(merged) > 200:
            raise ServiceError(
                "TooManyTagsException",
                f"Resource {job.arn} would have {len(merged)} tags; the limit is 200.",
                resourceName=job.arn,
            )
        job.tags = merged
        return {}

    @handles("UntagResource")
    def untag_resource(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.tagged_job(context, params["resourceARN"])
        for key in params["tagKeys"]:
            job.tags.pop(key, None)
        return {}

    @handles("ListTagsForResource")
    def list_tags_for_resource(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        job = self.tagged_job(context, params["resourceARN"])
        return {"tags": [{"key": k, "value": v} for k, v in job.tags.items()]}

    # -- jobs -------------------------------------------------------------------------

    def new_job(
        self, context: CallContext, params: dict[str, Any], submitted: _dt.datetime
    ) -> BedrockJob:
        """A job for ``params`` submitted at ``submitted`` (cut to the millisecond, as
        sent), following the lifecycle that applies to its name."""
        submitted = to_millis(submitted)
        lifecycle = self.lifecycle_for(params["jobName"])
        hours = params.get("timeoutDurationInHours", self.default_timeout_hours)
        expiration = submitted + _dt.timedelta(hours=hours)
        partial = lifecycle.outcome == "PartiallyCompleted"
        job_id = "".join(self.random.choices(_ID_ALPHABET, k=12))
        return BedrockJob(
            arn=self.job_arn(context, job_id),
            job_id=job_id,
            request=dict(params),
            created=submitted,
            timeline=lifecycle.timeline(submitted, expiration),
            lifecycle=lifecycle,
            total_records=self.default_records,
            error_records=max(1, int(self.default_records * _PARTIAL_ERROR_SHARE))
            if partial
            else 0,
            sequence=next_sequence(),
            tags={tag["key"]: tag["value"] for tag in params.get("tags", [])},
            expiration=expiration,
        )

    def job_arn(self, context: CallContext, job_id: str) -> str:
        """The ARN of the job ``job_id`` in the caller's (account, region)."""
        return (
            f"arn:{context.partition}:bedrock:{context.region}:{context.account}:"
            f"model-invocation-job/{job_id}"
        )

    def made_jobs(
        self,
        factory: JobFactory,
        context: CallContext,
        wanted: list[str],
        overrides: dict[str, Any],
    ) -> list[BedrockJob]:
        count = len(wanted)
        account, region = context.account, context.region
        names = factory.each(
            overrides.pop("jobName", None), count, lambda n: factory.names("batch", n)
        )
        message = overrides.pop("message", None)
        failures = factory.picks(BEDROCK_FAILURES, count)
        given_total = overrides.pop("totalRecordCount", None)
        given_errors = overrides.pop("errorRecordCount", None)
        if given_total is not None or given_errors is not None:
            _refuse_counts(set(wanted), given_total, given_errors)
        fewest = max(100, given_errors or 0)  # a drawn total holds the given error records
        totals = factory.each(
            given_total, count, lambda n: factory.integers(fewest, _MAX_RECORDS, n)
        )
        shares = factory.fractions(0.01, 0.2, count)
        hours = factory.each(
            overrides.get("timeoutDurationInHours"),
            count,
            lambda n: factory.picks((24, 48, 72, 168), n),
        )
        timeouts = {each: _dt.timedelta(hours=each) for each in set(hours)}
        submitted = overrides.pop("submitTime", None)
        roles = factory.roles(account, count)
        models = factory.picks(BEDROCK_MODELS, count)
        inputs = factory.buckets("batch-input", count)
        outputs = factory.buckets("batch-output", count)
        keys = factory.kms_keys(region, account, 0.3, count)
        tokens = factory.tokens(count)
        ids = factory.ids(_ID_ALPHABET, 12, count)
        tags = {tag["key"]: tag["value"] for tag in overrides.get("tags", [])}
        jobs = []
        for index, status in enumerate(wanted):
            name, total = names[index], totals[index]
            errors = given_errors
            if errors is None:
                partial = status == "PartiallyCompleted"
                errors = max(1, int(total * shares[index])) if partial else 0
            placed = factory.place(
                self.lifecycle_for(name),
                status,
                context.now,
                submitted=submitted,
                timeout=timeouts[hours[index]],
                message=message,
                failure=failures[index] if status == "Failed" else None,
            )
            expires = placed.expires
            assert expires is not None  # placed with a timeout
            prefix = f"{factory.day(placed.submitted)}/{name}"
            output: dict[str, Any] = {"s3Uri": f"s3://{outputs[index]}/{prefix}/"}
            if keys[index] is not None:
                output["s3EncryptionKeyId"] = keys[index]
            params: dict[str, Any] = {
                "jobName": name,
                "roleArn": roles[index],
                "modelId": models[index],
                "clientRequestToken": tokens[index],
                "inputDataConfig": {
                    "s3InputDataConfig": {
                        "s3InputFormat": "JSONL",
                        "s3Uri": f"s3://{inputs[index]}/{prefix}/records.jsonl",
                    }
                },
                "outputDataConfig": {"s3OutputDataConfig": output},
                "timeoutDurationInHours": hours[index],
                **overrides,
            }
            jobs.append(
                BedrockJob(
                    arn=self.job_arn(context, ids[index]),
                    job_id=ids[index],
                    request=params,
                    created=placed.submitted,
                    timeline=placed.timeline,
                    lifecycle=placed.lifecycle,
                    total_records=total,
                    error_records=errors,
                    sequence=next_sequence(),
                    tags=dict(tags),
                    from_factory=True,
                    expiration=expires,
                )
            )
        return jobs

    def find(self, context: CallContext, identifier: str) -> BedrockJob:
        """The job named by a 12-character id or a full ARN, in the caller's region."""
        if identifier.startswith("arn:"):
            return self.find_arn(context, identifier)
        return self.find_arn(context, self.job_arn(context, identifier), shown=identifier)

    def find_arn(self, context: CallContext, arn: str, shown: str | None = None) -> BedrockJob:
        """The job with ``arn`` in the caller's (account, region)."""
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError(
                "ResourceNotFoundException",
                f"The specified resource {shown or arn} was not found. "
                "Check the ARN and try your request again.",
            )
        return job
