"""Factory jobs: realistic Personalize batch inference jobs in bulk, a column at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._kit.store import next_sequence
from ..._kit.tagging import tags_of
from .job import PersonalizeJob

if TYPE_CHECKING:
    from ..._kit.backend import KindBackend
    from ..._kit.context import CallContext
    from ..._kit.factory import JobFactory

FAILURES = (
    "Input file is not valid JSON lines.",
    "Access denied to the S3 input path. Check the role's permissions.",
    "The solution version is not ACTIVE.",
    "The number of users in the input exceeds the limit for a batch inference job.",
)


def made_jobs(
    backend: KindBackend[PersonalizeJob],
    factory: JobFactory,
    context: CallContext,
    wanted: list[str],
    overrides: dict[str, Any],
) -> list[PersonalizeJob]:
    """Factory jobs, one in each status of ``wanted``; ``overrides`` (API casing) hold
    the same value for every job."""
    count = len(wanted)
    account, region = context.account, context.region
    names = factory.each(overrides.pop("jobName", None), count, lambda n: factory.names("recs", n))
    reason = overrides.pop("failureReason", None)
    failures = factory.picks(FAILURES, count)
    created = overrides.pop("creationDateTime", None)
    uses = factory.picks(("recs", "personalized-ranking", "similar-items"), count)
    stems = factory.picks(factory.stems, count)
    versions = factory.integers(0, 2**32 - 1, count)
    results = factory.picks((10, 25, 50, 100), count)
    inputs = factory.buckets("recs-input", count)
    outputs = factory.buckets("recs-output", count)
    keys = factory.kms_keys(region, account, 0.2, count)
    roles = factory.roles(account, count)
    tags = tags_of(backend.service, overrides)
    solutions = f"arn:{context.partition}:personalize:{region}:{account}:solution"
    jobs = []
    for index, status in enumerate(wanted):
        name = names[index]
        placed = factory.place(
            backend.lifecycle_for(name),
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
            "jobOutput": {"s3DataDestination": {"path": f"s3://{outputs[index]}/{day}/{name}/"}},
            "roleArn": roles[index],
            **overrides,
        }
        jobs.append(
            PersonalizeJob(
                arn=backend.job_arn(context, name),
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
