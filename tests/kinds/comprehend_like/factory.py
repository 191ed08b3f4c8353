"""Factory jobs of the test kind: placed by the kit in the kind's own words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_batchjobs.services._kit.store import next_sequence

from .job import ID_ALPHABET, LanguageJob

if TYPE_CHECKING:
    from pytest_batchjobs.services._kit.backend import KindBackend
    from pytest_batchjobs.services._kit.context import CallContext
    from pytest_batchjobs.services._kit.factory import JobFactory

FAILURES = (
    "Unable to read the input documents. Check the InputDataConfig.",
    "The data access role cannot write to the output location.",
)


def made_jobs(
    backend: KindBackend[LanguageJob],
    factory: JobFactory,
    context: CallContext,
    wanted: list[str],
    overrides: dict[str, Any],
) -> list[LanguageJob]:
    """One job in each status of ``wanted``; ``overrides`` hold the same value for each."""
    count = len(wanted)
    message = overrides.pop("Message", None)
    submitted = overrides.pop("SubmitTime", None)
    names = factory.each(overrides.pop("JobName", None), count, lambda n: factory.names("lang", n))
    ids = factory.ids(ID_ALPHABET, 32, count)
    inputs = factory.buckets("documents", count)
    outputs = factory.buckets("language-out", count)
    roles = factory.roles(context.account, count)
    failures = factory.picks(FAILURES, count)
    jobs = []
    for index, status in enumerate(wanted):
        placed = factory.place(
            backend.lifecycle_for(names[index]),
            status,
            context.now,
            submitted=submitted,
            timeout=None,
            message=message,
            failure=failures[index],
        )
        params: dict[str, Any] = {
            "JobName": names[index],
            "InputDataConfig": {
                "S3Uri": f"s3://{inputs[index]}/docs/",
                "InputFormat": "ONE_DOC_PER_LINE",
            },
            "OutputDataConfig": {"S3Uri": f"s3://{outputs[index]}/languages/"},
            "DataAccessRoleArn": roles[index],
            **overrides,
        }
        jobs.append(
            LanguageJob(
                arn=backend.job_arn(context, ids[index]),
                job_id=ids[index],
                request=params,
                created=placed.submitted,
                timeline=placed.timeline,
                lifecycle=placed.lifecycle,
                sequence=next_sequence(),
                from_factory=True,
            )
        )
    return jobs
