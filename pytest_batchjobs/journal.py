"""The record of every call the fake answered, in order."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Call:
    """One call as the fake saw it.

    ``operation`` is in API casing (``ListModelInvocationJobs``); ``error`` is the
    error code the call was answered with, or ``None``; ``time`` is fake time;
    ``transport`` says how the call arrived (``botocore``, ``responses``, ``server``).
    """

    service: str
    operation: str
    params: dict[str, Any]
    error: str | None
    time: _dt.datetime
    transport: str
    region: str
    status: int
