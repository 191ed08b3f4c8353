"""``batchjobs_fake.<kind>``: the controls of one job kind, and nothing else.

Its public names are the documented controls (docs/reference/api.md lists them, and a
test holds the two together); the kind's state and handlers live on its backend, out
of sight.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ... import arguments
from ...wire.members import answered_member
from .overrides import checked_overrides, member

if TYPE_CHECKING:
    from ...time.lifecycles import Lifecycle
    from .backend import KindBackend
    from .job import StoredJob
    from .outputs import Responder
    from .spec import JobKind


class JobControls(arguments.Settings):
    """The controls of one job kind's jobs: the factory, lifecycles, the quota, the
    responder (``batchjobs_fake.bedrock``, ``batchjobs_fake.personalize``).

    Every argument is checked at the call, by the rules the control API applies too
    (:mod:`pytest_batchjobs.arguments`): a wrong type is a ``TypeError``, a wrong value
    a ``ValueError``, each saying what is taken, so nothing accepted breaks a later call.
    """

    def __init__(self, backend: KindBackend[Any]) -> None:
        self._backend = backend

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._backend.kind.name} jobs>"

    @property
    def kind(self) -> JobKind:
        """This job kind's entry in the registry: its service, ARN, statuses, create
        and list operations."""
        return self._backend.kind

    # -- the factory ------------------------------------------------------------------

    def add_job(self, **overrides: Any) -> dict[str, Any]:
        """Put one realistic job straight into the store; return it as get/describe shows it.

        Overrides are in API casing: any member of the create request (``jobName``,
        ``modelId``, ``solutionVersionArn``, ...) and ``status``, ``region`` and the
        service's submit time and failure message (see :meth:`override_names`).
        """
        return self.add_jobs(1, **overrides)[0]

    def add_jobs(self, count: int, **overrides: Any) -> list[dict[str, Any]]:
        """Put ``count`` realistic jobs straight into the store, the same for the same seed.

        ``status`` may be one status, a list to cycle through, or a dict of weights
        (``{"Completed": 8, "Failed": 2}``). Each job is in its status at the fake
        clock's ``now``, with a timeline consistent with it, and is returned exactly as
        a get / describe call then shows it (instants to the millisecond). Values the
        API could never return (a negative record count, more error records than
        records, ...) are a ``ValueError`` that says what is allowed. ``count`` is at
        most 1,000,000 (about 2.3 GB), as for the control API.
        """
        backend = self._backend
        # At most MAX_JOBS, as the control API: more would only exhaust the memory.
        arguments.integer(f"{backend.name}.add_jobs() count", count, maximum=arguments.MAX_JOBS)
        # Members the loaded model lacks, at any depth, are refused first, naming the
        # release that adds them (reading by shape would drop a nested one); names the
        # kind does not take pass through, for the backend to refuse by name.
        backend.refuse_newer(overrides)
        now = backend.parts.clock.now()
        read = checked_overrides(backend.kind, f"{backend.name}.add_jobs()", overrides, now)
        return backend.add_jobs(count, **read)

    def override_names(self) -> list[str]:
        """What :meth:`add_job` accepts: the create request's members and a few more."""
        return self._backend.override_names()

    def all_jobs(self) -> Iterator[StoredJob]:
        """Every job of this kind in every region, region by region, in listing order
        (the fake's own records: ``arn``, ``request``, ``timeline``, ``tags``)."""
        return self._backend.all_jobs()

    # -- lifecycles -------------------------------------------------------------------

    def lifecycle(
        self,
        outcome: str | None = None,
        *,
        message: str | None = None,
        durations: Mapping[str, float] | None = None,
        match: str | None = None,
    ) -> Lifecycle:
        """Set how jobs created from now on move through their statuses.

        ``outcome``: the end status (Bedrock ``Completed``, ``PartiallyCompleted``,
        ``Failed``, ``Expired``; Personalize ``ACTIVE``, ``CREATE FAILED``; SageMaker
        ``Completed``, ``Failed``). A Bedrock
        job still ``InProgress`` at its timeout ends ``PartiallyCompleted`` then, one
        not begun ``Expired``; ``Expired`` keeps jobs ``Scheduled`` until their timeout.
        ``message``: Bedrock's ``message`` / Personalize's ``failureReason`` /
        SageMaker's ``FailureReason``. ``durations``: seconds spent in each running
        status (and in the kind's stopping status, Bedrock's and SageMaker's
        ``Stopping``), e.g. ``{"InProgress": 20 * 3600}`` or
        ``{"CREATE IN_PROGRESS": 600}``. ``match``: a
        glob on job names; only matching jobs follow this lifecycle. The newest
        matching lifecycle wins.
        """
        backend = self._backend
        where = f"{backend.name}.lifecycle()"
        arguments.text(f"{where} outcome", outcome, nullable=True)
        if arguments.text(f"{where} message", message, nullable=True) is not None:
            # It shows in the job as the service answers it: within that member's shape.
            kind = backend.kind
            shape = answered_member(kind.service, kind.operations, kind.message_member)
            if shape is not None:
                member(shape, f"{where} message", message, backend.parts.clock.now())
        for status, seconds in (arguments.mapping(f"{where} durations", durations) or {}).items():
            arguments.seconds(f"{where} durations[{status!r}]", seconds)
        arguments.text(f"{where} match", match, nullable=True)
        return backend.lifecycle(outcome, message=message, durations=durations, match=match)

    @property
    def lifecycles(self) -> list[Lifecycle]:
        """The lifecycles set with :meth:`lifecycle`, oldest first (a copy)."""
        return list(self._backend.lifecycles)

    # -- the quota --------------------------------------------------------------------

    def quota(self, max_active_jobs: int | None) -> None:
        """Allow at most ``max_active_jobs`` unfinished jobs per (account, region);
        creating one more is the service's quota error. ``None`` lifts the quota."""
        arguments.integer(
            f"{self._backend.name}.quota() max_active_jobs", max_active_jobs, nullable=True
        )
        self._backend.quota(max_active_jobs)

    @property
    def max_active_jobs(self) -> int | None:
        """The quota :meth:`quota` set (``None``: no quota)."""
        return self._backend.max_active_jobs

    # -- the records ------------------------------------------------------------------

    def responder(self, function: Responder | None) -> None:
        """Answer every input record of jobs with ``function(record)``.

        Bedrock: ``record`` is the input line (``recordId``, ``modelInput``); return the
        ``modelOutput``. Personalize: ``record`` is the input line (``userId``, ...);
        return the recommended item ids (or a dict with ``recommendedItems`` and
        ``scores``). SageMaker: ``record`` is a line of an input object (with
        ``SplitType: Line``) or the whole object, as text; return the model's answer (a
        string, or anything JSON can write). Raise to make that record an error record
        (a SageMaker transform job fails on it). ``None`` restores the
        default, deterministic answers.
        """
        if function is not None and not callable(function):
            arguments.wrong_type(
                f"{self._backend.name}.responder() function", "a callable or None", function
            )
        self._backend.responder(function)
