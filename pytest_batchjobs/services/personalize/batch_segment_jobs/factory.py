"""Factory jobs: realistic Personalize batch segment jobs in bulk, a column at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._kit.store import next_sequence
from ..._kit.tagging import tags_of
from .job import SegmentJob

if TYPE_CHECKING:
    from ..._kit.backend import KindBackend
    from ..._kit.context import CallContext
    from ..._kit.factory import JobFactory

FAILURES = (
    "Input file is not valid JSON lines.",
    "Access denied to the S3 input path. Check the role's permissions.",
    "The solution version is not ACTIVE.",
    "The solution version was not trained with a USER_SEGMENTATION recipe.",
)
# The USER_SEGMENTATION recipes, and the input each reads (a file of item ids, or of
# item attribute expressions).
RECIPES = (("item-affinity", "items.json"), ("item-attribute-affinity", "item-attributes.json"))


def made_jobs(
    backend: KindBackend[SegmentJob],
    factory: JobFactory,
    context: CallContext,
    wanted: list[str],
    overrides: dict[str, Any],
) -> list[SegmentJob]:
    """Factory jobs, one in each status of ``wanted``; ``overrides`` (API casing) hold
    the same value for every job."""
    count = len(wanted)
    account, region = context.account, context.region
    names = factory.each(
        overrides.pop("jobName", None), count, lambda n: factory.names("segments", n)
    )
    reason = overrides.pop("failureReason", None)
    failures = factory.picks(FAILURES, count)
    created = overrides.pop("creationDateTime", None)
    recipes = factory.picks(RECIPES, count)
    stems = factory.picks(factory.stems, count)
    versions = factory.integers(0, 2**32 - 1, count)
    results = factory.picks((100, 500, 1000, 5000), count)
    inputs = factory.buckets("segments-input", count)
    outputs = factory.buckets("segments-output", count)
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
        recipe, input_file = recipes[index]
        source: dict[str, Any] = {"path": f"s3://{inputs[index]}/{day}/{input_file}"}
        if keys[index] is not None:
            source["kmsKeyArn"] = keys[index]
        params: dict[str, Any] = {
            "jobName": name,
            "solutionVersionArn": f"{solutions}/{stems[index]}-{recipe}/{versions[index]:08x}",
            "numResults": results[index],
            "jobInput": {"s3DataSource": source},
            "jobOutput": {"s3DataDestination": {"path": f"s3://{outputs[index]}/{day}/{name}/"}},
            "roleArn": roles[index],
            **overrides,
        }
        jobs.append(
            SegmentJob(
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
