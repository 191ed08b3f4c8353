"""``batchjobs_fake.bedrock``: the controls of Bedrock model invocation jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .... import arguments
from ..._kit.controls import JobControls
from .outputs import RecordLimits

if TYPE_CHECKING:
    from .handlers import InvocationJobs


class InvocationJobControls(JobControls):
    """The controls of Bedrock model invocation jobs: those of every job kind, and the
    records a job may hold."""

    _backend: InvocationJobs

    def record_limits(self, minimum: int = 100, maximum: int = 50_000) -> None:
        """Bedrock's records per job: fewer or more fail the job at validation. AWS
        documents a minimum of 100 (it was 1,000; it varies by model) and a maximum
        of 50,000."""
        arguments.integer("bedrock.record_limits() minimum", minimum)
        arguments.integer("bedrock.record_limits() maximum", maximum)
        if not minimum <= maximum:
            raise ValueError(
                f"record_limits needs 0 <= minimum <= maximum, got {minimum!r}, {maximum!r}"
            )
        self._backend.outputs.limits = RecordLimits(minimum, maximum)

    @property
    def limits(self) -> RecordLimits:
        """The records per job :meth:`record_limits` set."""
        return self._backend.outputs.limits
