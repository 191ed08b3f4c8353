"""Factory jobs: realistic SageMaker transform jobs in bulk, a column at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._kit.tagging import tags_of
from .job import TransformJob

if TYPE_CHECKING:
    from ..._kit.context import CallContext
    from ..._kit.factory import JobFactory
    from ..._kit.named import NamedJobs

# FailureReason values SageMaker reports for transform jobs.
FAILURES = (
    "ClientError: See job logs for more information",
    "AlgorithmError: See job logs for more information",
    "CapacityError: Unable to provision requested ML compute capacity. Please retry using "
    "a different ML instance type.",
    "InternalServerError: We encountered an internal error. Please try again.",
)
INSTANCE_TYPES = ("ml.m5.large", "ml.m5.xlarge", "ml.c5.2xlarge", "ml.g4dn.xlarge")
CONTENT = (("text/csv", "text/csv"), ("application/jsonlines", "application/jsonlines"))


def made_jobs(
    backend: NamedJobs[TransformJob],
    factory: JobFactory,
    context: CallContext,
    wanted: list[str],
    overrides: dict[str, Any],
) -> list[TransformJob]:
    """Factory jobs, one in each status of ``wanted``; ``overrides`` (API casing) hold
    the same value for every job."""
    count = len(wanted)
    names = factory.each(
        overrides.pop("TransformJobName", None), count, lambda n: factory.names("transform", n)
    )
    reason = overrides.pop("FailureReason", None)
    created = overrides.pop("CreationTime", None)
    failures = factory.picks(FAILURES, count)
    stems = factory.picks(factory.stems, count)
    versions = factory.integers(1, 40, count)
    instances = factory.picks(INSTANCE_TYPES, count)
    instance_counts = factory.picks((1, 1, 1, 2, 4), count)
    contents = factory.picks(CONTENT, count)
    inputs = factory.buckets("batch-input", count)
    outputs = factory.buckets("batch-output", count)
    tags = tags_of(backend.service, overrides)
    jobs = []
    for index, status in enumerate(wanted):
        name = names[index]
        placed = factory.place(
            backend.lifecycle_for(name, explored=False),
            status,
            context.now,
            submitted=created,
            timeout=None,
            message=reason,
            failure=failures[index],
        )
        day = factory.day(placed.submitted)
        content, accept = contents[index]
        params: dict[str, Any] = {
            "TransformJobName": name,
            "ModelName": f"{stems[index]}-model-v{versions[index]}",
            "BatchStrategy": "MultiRecord",
            "MaxPayloadInMB": 6,
            "TransformInput": {
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": f"s3://{inputs[index]}/{day}/",
                    }
                },
                "ContentType": content,
                "SplitType": "Line",
            },
            "TransformOutput": {
                "S3OutputPath": f"s3://{outputs[index]}/{day}/{name}/",
                "Accept": accept,
                "AssembleWith": "Line",
            },
            "TransformResources": {
                "InstanceType": instances[index],
                "InstanceCount": instance_counts[index],
            },
            **overrides,
        }
        jobs.append(backend.factory_job(backend.job_arn(context, name), params, placed, tags))
    return jobs
