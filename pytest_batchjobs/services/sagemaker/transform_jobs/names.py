"""Transform jobs by name in any case.

A job's ARN ends in its name as written (``transform-job/SM-offline-batch-transform15``
for that name: recorded in DescribeTransformJob's answer), so the store, keyed by ARN,
cannot find ``sm-offline-batch-transform15`` under it; SageMaker still treats names
case-insensitively (a repeated name in another case is ``ResourceInUse``, and Describe
and Stop find a job by its name in any case). :class:`JobNames` keeps, per (account,
region), each stored job under its lower-cased name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..._kit.store import JobStore
    from .job import TransformJob


class JobNames:
    """The jobs of each (account, region) by lower-cased name.

    Jobs are only ever added to a region's store (by a create, or the factory in
    bulk) or forgotten all at once (:meth:`clear`, on the fake's reset): an index
    holding fewer jobs than the store missed a bulk add, and is rebuilt from it.
    """

    def __init__(self) -> None:
        self._regions: dict[tuple[str, str], dict[str, TransformJob]] = {}

    def find(
        self, region: tuple[str, str], jobs: JobStore[TransformJob], name: str
    ) -> TransformJob | None:
        """The job of ``jobs`` (the store of ``region``, an (account, region) pair)
        named ``name`` in any case."""
        names = self._regions.get(region)
        if names is None or len(names) != len(jobs):
            names = self._regions[region] = {job.name.lower(): job for job in jobs}
        return names.get(name.lower())

    def add(self, region: tuple[str, str], job: TransformJob) -> None:
        """Index ``job``, just stored in ``region``'s store."""
        self._regions.setdefault(region, {})[job.name.lower()] = job

    def clear(self) -> None:
        """Forget every job (the stores were emptied)."""
        self._regions.clear()
