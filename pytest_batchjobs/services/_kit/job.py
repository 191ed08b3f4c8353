"""What every stored job has: the request it was created with, and its timeline."""

from __future__ import annotations

import abc
import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...documented import Documented
from .kept import KeptShown

if TYPE_CHECKING:
    from collections.abc import Callable

    from ...policies.tokens import Key
    from ...time.lifecycles import Lifecycle, Timeline
    from .outputs import JobData


@dataclass(eq=False, kw_only=True, slots=True)
class StoredJob(Documented, abc.ABC):
    """One job as the fake stores it (what ``batchjobs_fake.jobs()`` and
    ``<kind>.all_jobs()`` yield): its ARN, the request it was created with, its tags
    and its timeline. ``timeline.status(batchjobs_fake.clock.now())`` is its status.

    For the fake, the rest of its record: its lifecycle, the transitions reported,
    and once its input was read, its data.
    """

    _documented = ("arn", "name", "request", "tags", "timeline")

    arn: str
    """Its ARN."""
    request: dict[str, Any]
    """The create request's members (API casing), as the service read them."""
    created: _dt.datetime
    timeline: Timeline
    """Its statuses and when it enters each (a ``Timeline``)."""
    lifecycle: Lifecycle
    sequence: int
    tags: dict[str, str] = field(default_factory=dict)
    """Its tags, by key."""
    reported: int = 0  # the index of the last transition reported (transitions.py)
    from_factory: bool = False
    failure: str | None = None  # why the input was refused, once it was read
    data: JobData | None = None  # the answered records, once the input was read

    # The listing key: the creation instant in microseconds (it never changes), then the
    # sequence. Set once, not computed on each read: sorting 100,000 jobs reads it often.
    key: Key = field(init=False)
    # The last rendering read shared (``shown(now, shared=True)``), after what it was
    # made of; only jobs read that way keep one.
    _kept: tuple[tuple[Any, ...], KeptShown] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.key = (int(self.created.timestamp() * 1_000_000), self.sequence)

    @property
    def ident(self) -> str:
        return self.arn

    @property
    def name(self) -> str:
        """Its name, as its create request gave it: what a lifecycle's ``match`` globs."""
        return str(self.request["jobName"])

    @abc.abstractmethod
    def shown(self, now: _dt.datetime, *, shared: bool = False) -> dict[str, Any]:
        """The job as the kind's get / describe call shows it at ``now``: a new dict,
        or with ``shared=True`` the job's kept rendering (:meth:`kept`)."""

    def kept(self, made_of: tuple[Any, ...], render: Callable[[], dict[str, Any]]) -> KeptShown:
        """The job's kept rendering if it was made of ``made_of`` (equal: tuples compare
        their items by identity first), else ``render()``, kept in its place.

        A :class:`KeptShown` the caller must not change: a job polled many times while
        it shows the same (its status, its counts) is rendered and serialized once.
        ``made_of`` is everything its rendering is made of that can change."""
        kept = self._kept
        if kept is None or kept[0] != made_of:
            kept = self._kept = (made_of, KeptShown(render()))
        return kept[1]
