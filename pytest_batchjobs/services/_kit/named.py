"""Job kinds whose caller names each job, the name ending its ARN (Personalize's
``jobName``, SageMaker's ``TransformJobName``): how such a job is made, by a call or
by the factory, and why two jobs of one name cannot share a region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ...time.lifecycles import to_millis
from .backend import J, KindBackend, RegionState
from .store import next_sequence
from .tagging import tags_of

if TYPE_CHECKING:
    import datetime as _dt

    from .factory import Placed


class NamedJobs(KindBackend[J]):
    """A :class:`KindBackend` whose jobs are ``job_class``, named by the create request's
    ``name_member``; ``taken_message`` (with ``{name!r}``) refuses factory jobs whose name
    a job of the region already has."""

    job_class: type[J]
    name_member: ClassVar[str]
    taken_message: ClassVar[str]

    def new_job(self, arn: str, params: dict[str, Any], created: _dt.datetime) -> J:
        """A job for ``params`` created at ``created`` (cut to the millisecond, as sent),
        with its lifecycle's timeline."""
        created = to_millis(created)
        lifecycle = self.lifecycle_for(params[self.name_member])
        return self.job_class(
            arn=arn,
            request=dict(params),
            created=created,
            timeline=lifecycle.timeline(created),
            lifecycle=lifecycle,
            sequence=next_sequence(),
            tags=tags_of(self.service, params),
        )

    def factory_job(
        self, arn: str, params: dict[str, Any], placed: Placed, tags: dict[str, str]
    ) -> J:
        """A factory job for ``params``, where ``placed`` puts it in time."""
        return self.job_class(
            arn=arn,
            request=params,
            created=placed.submitted,
            timeline=placed.timeline,
            lifecycle=placed.lifecycle,
            sequence=next_sequence(),
            tags=dict(tags),
            from_factory=True,
        )

    def admit(self, state: RegionState[J], jobs: list[J]) -> None:
        """Job names are unique per region (they are the end of the ARN)."""
        seen: set[str] = set()
        for job in jobs:
            if job.arn in seen or state.jobs.get(job.arn) is not None:
                raise ValueError(self.taken_message.format(name=job.name))
            seen.add(job.arn)
