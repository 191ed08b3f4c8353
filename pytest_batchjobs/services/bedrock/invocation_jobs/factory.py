"""Factory jobs: realistic Bedrock model invocation jobs in bulk, one column at a time."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from ..._kit.store import next_sequence
from ..._kit.tagging import tags_of
from .job import ID_ALPHABET, MAX_RECORDS, BedrockJob

if TYPE_CHECKING:
    from ..._kit.backend import KindBackend
    from ..._kit.context import CallContext
    from ..._kit.factory import JobFactory

# Models that support batch inference (Bedrock user guide, "Supported Regions and
# models for batch inference").
MODELS = (
    "anthropic.claude-3-haiku-20240307-v1:0",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "anthropic.claude-3-opus-20240229-v1:0",
    "meta.llama3-1-8b-instruct-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "mistral.mistral-large-2407-v1:0",
    "mistral.mistral-small-2402-v1:0",
    "amazon.nova-lite-v1:0",
    "amazon.nova-pro-v1:0",
    "amazon.titan-embed-text-v2:0",
)
FAILURES = (
    "Amazon Bedrock does not have permission to access the S3 bucket. Check the "
    "service role's permissions.",
    "The input file contains a record that is not valid JSON.",
    "The number of records in the input files is below the minimum required for this model.",
    "The model ID is not supported for batch inference in this Region.",
    "Internal error while processing the job. Retry the job.",
)


def made_jobs(
    backend: KindBackend[BedrockJob],
    factory: JobFactory,
    context: CallContext,
    wanted: list[str],
    overrides: dict[str, Any],
) -> list[BedrockJob]:
    """Factory jobs, one in each status of ``wanted``; ``overrides`` (API casing) hold
    the same value for every job."""
    count = len(wanted)
    account, region = context.account, context.region
    names = factory.each(overrides.pop("jobName", None), count, lambda n: factory.names("batch", n))
    message = overrides.pop("message", None)
    failures = factory.picks(FAILURES, count)
    given_total = overrides.pop("totalRecordCount", None)
    given_errors = overrides.pop("errorRecordCount", None)
    if given_total is not None or given_errors is not None:
        _refuse_counts(set(wanted), given_total, given_errors)
    fewest = max(100, given_errors or 0)  # a drawn total holds the given error records
    totals = factory.each(given_total, count, lambda n: factory.integers(fewest, MAX_RECORDS, n))
    shares = factory.fractions(0.01, 0.2, count)
    hours = factory.each(
        overrides.get("timeoutDurationInHours"),
        count,
        lambda n: factory.picks((24, 48, 72, 168), n),
    )
    timeouts = {each: _dt.timedelta(hours=each) for each in set(hours)}
    submitted = overrides.pop("submitTime", None)
    roles = factory.roles(account, count)
    models = factory.picks(MODELS, count)
    inputs = factory.buckets("batch-input", count)
    outputs = factory.buckets("batch-output", count)
    keys = factory.kms_keys(region, account, 0.3, count)
    tokens = factory.tokens(count)
    ids = factory.ids(ID_ALPHABET, 12, count)
    tags = tags_of(backend.service, overrides)
    jobs = []
    for index, status in enumerate(wanted):
        name, total = names[index], totals[index]
        errors = given_errors
        if errors is None:
            partial = status == "PartiallyCompleted"
            errors = max(1, int(total * shares[index])) if partial else 0
        placed = factory.place(
            backend.lifecycle_for(name, explored=False),
            status,
            context.now,
            submitted=submitted,
            timeout=timeouts[hours[index]],
            message=message,
            failure=failures[index],
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
                arn=backend.job_arn(context, ids[index]),
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
    most = MAX_RECORDS if total is None else total
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
