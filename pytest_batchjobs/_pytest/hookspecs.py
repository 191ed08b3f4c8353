"""Hooks of pytest-batchjobs, for a ``conftest.py`` or a plugin to implement.

They are registered with ``pytest_addhooks``; implement them by name::

    # conftest.py
    def pytest_batchjobs_configure(fake):
        fake.pagination.max_page_size = 10
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ..fake import BatchJobsFake

hookspec = pluggy.HookspecMarker("pytest")


@hookspec
def pytest_batchjobs_configure(fake: BatchJobsFake) -> None:
    """Called for every ``batchjobs_fake`` once it is active, before the test runs.

    Set defaults for every test here: lifecycles, page sizes, faults. The marker's
    and ini options have been applied already; what the hook sets wins over them.
    The result is ignored.
    """


@hookspec
def pytest_batchjobs_job_created(
    fake: BatchJobsFake, service: str, kind: str, job: dict[str, Any]
) -> None:
    """Called once for every job created, through the API or the factory.

    ``service`` is botocore's name of its service, ``"bedrock"`` or ``"personalize"``;
    ``kind`` its job kind, the fake's attribute for it: ``"bedrock"``, ``"personalize"``
    (batch inference jobs) or ``"personalize_segments"`` (batch segment jobs). An
    implementation may leave ``kind`` out of its parameters. ``job`` is the job as the
    get / describe call shows it at its creation. The result is ignored.
    """


@hookspec
def pytest_batchjobs_status_changed(
    fake: BatchJobsFake, service: str, kind: str, job: dict[str, Any], old: str, new: str
) -> None:
    """Called once for every status transition of every job, in time order.

    ``service`` and ``kind`` are as for :func:`pytest_batchjobs_job_created`.

    Transitions happen as fake time passes; they are reported as soon as the fake
    sees time has moved (``clock.advance()``, a sleep, the next call after the
    test's own ``freeze_time`` ticked) and at the end of the test. ``job`` is the job
    as the get / describe call shows it at the instant of the transition. The result
    is ignored.
    """
