"""pytest-batchjobs: fake AWS batch inference jobs (Bedrock, Personalize, SageMaker) for tests.

The names below load on first use (PEP 562), so that pytest, which imports this
package in every run, pays nothing for the fake until a test asks for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import BatchJobsError, FakeInternalError, UnfakedOperationError
    from .fake import BatchJobsFake, fake_batchjobs
    from .policies.faults import FaultRule, Faults
    from .policies.journal import Call, JournalControls
    from .policies.pagination import Page, PagePolicy, PageSequence, Pagination
    from .services._kit.controls import JobControls
    from .services._kit.job import StoredJob
    from .services._kit.spec import JobKind, StateEvents
    from .services.bedrock.invocation_jobs.controls import InvocationJobControls
    from .services.bedrock.invocation_jobs.outputs import RecordLimits
    from .time.clock import Clock, PollingHorizonExceeded
    from .time.lifecycles import Lifecycle, ServiceStatuses, Timeline, Timeout
    from .time.real_sleep import BatchJobsRealSleepWarning
    from .time.schedule import ScheduledAction
    from .transports.server import FakeServer

__all__ = [
    "BatchJobsError",
    "BatchJobsFake",
    "BatchJobsRealSleepWarning",
    "Call",
    "Clock",
    "FakeInternalError",
    "FakeServer",
    "FaultRule",
    "Faults",
    "InvocationJobControls",
    "JobControls",
    "JobKind",
    "JournalControls",
    "Lifecycle",
    "Page",
    "PagePolicy",
    "PageSequence",
    "Pagination",
    "PollingHorizonExceeded",
    "RecordLimits",
    "ScheduledAction",
    "ServiceStatuses",
    "StateEvents",
    "StoredJob",
    "Timeline",
    "Timeout",
    "UnfakedOperationError",
    "fake_batchjobs",
]

# Where each name lives: the types of what the fake's attributes and methods hand out,
# for annotations (``def poll(fake: BatchJobsFake, job: StoredJob)``).
_HOMES = {
    "FakeServer": "transports.server",
    "Clock": "time.clock",
    "PollingHorizonExceeded": "time.clock",
    "ScheduledAction": "time.schedule",
    "Lifecycle": "time.lifecycles",
    "Timeline": "time.lifecycles",
    "ServiceStatuses": "time.lifecycles",
    "Timeout": "time.lifecycles",
    "BatchJobsRealSleepWarning": "time.real_sleep",
    "BatchJobsError": "errors",
    "FakeInternalError": "errors",
    "UnfakedOperationError": "errors",
    "BatchJobsFake": "fake",
    "fake_batchjobs": "fake",
    "Call": "policies.journal",
    "JournalControls": "policies.journal",
    "FaultRule": "policies.faults",
    "Faults": "policies.faults",
    "Page": "policies.pagination",
    "PagePolicy": "policies.pagination",
    "PageSequence": "policies.pagination",
    "Pagination": "policies.pagination",
    "JobControls": "services._kit.controls",
    "StoredJob": "services._kit.job",
    "JobKind": "services._kit.spec",
    "StateEvents": "services._kit.spec",
    "InvocationJobControls": "services.bedrock.invocation_jobs.controls",
    "RecordLimits": "services.bedrock.invocation_jobs.outputs",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pytest_batchjobs' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
