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
    from .policies.journal import Call
    from .time.clock import Clock, PollingHorizonExceeded
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
    "PollingHorizonExceeded",
    "ScheduledAction",
    "UnfakedOperationError",
    "fake_batchjobs",
]

_HOMES = {
    "FakeServer": "transports.server",
    "Clock": "time.clock",
    "PollingHorizonExceeded": "time.clock",
    "ScheduledAction": "time.schedule",
    "BatchJobsRealSleepWarning": "time.real_sleep",
    "BatchJobsError": "errors",
    "FakeInternalError": "errors",
    "UnfakedOperationError": "errors",
    "BatchJobsFake": "fake",
    "fake_batchjobs": "fake",
    "Call": "policies.journal",
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
