"""``batchjobs_fake.bedrock``: the controls of Bedrock model invocation jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .... import arguments
from ..._kit.controls import JobControls
from .outputs import RECORD_ORDERS, RecordLimits, RecordOrder

if TYPE_CHECKING:
    from .handlers import InvocationJobs


class InvocationJobControls(JobControls):
    """The controls of Bedrock model invocation jobs: those of every job kind, the
    records a job may hold, and the order its outputs hold them in."""

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

    def record_order(self, order: RecordOrder) -> None:
        """The order of the records in the output files of jobs whose input is read
        from now on (until the fake is reset).

        ``"shuffled"`` (the default): not input order, as AWS warns ("The order of
        records in the output JSONL file is not guaranteed"), drawn from each job's id,
        so the same for the same test seed; a reader that zips outputs with inputs
        fails, one that joins them on ``recordId`` passes. ``"input"``: each output
        file in the order of its input file.
        """
        if order not in RECORD_ORDERS:
            raise ValueError(
                f"record_order takes one of {', '.join(map(repr, RECORD_ORDERS))}, got {order!r}"
            )
        self._backend.outputs.order = order
