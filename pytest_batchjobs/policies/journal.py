"""The record of every call the fake answered, in order, and assertions on it."""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import docs_link
from .operations import canonical

DOCS = docs_link("calls")


@dataclass(slots=True)
class Call:
    """One call as the fake saw it.

    ``operation`` is in API casing (``ListModelInvocationJobs``); ``error`` is the
    error code the call was answered with, or ``None``; ``time`` is fake time;
    ``transport`` says how the call arrived (``botocore``, ``responses``, ``server``);
    ``fault`` names the injected fault rule that answered it, if one did.
    """

    service: str
    operation: str
    params: dict[str, Any]
    error: str | None
    time: _dt.datetime
    transport: str
    region: str
    status: int
    fault: str | None = None

    def describe(self) -> str:
        """One line for failure messages."""
        params = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        outcome = f" -> {self.error}" if self.error else ""
        if self.fault:
            outcome += f" (injected: {self.fault})"
        return f"{self.time:%H:%M:%S} {self.service} {self.operation}({params}){outcome}"


class Journal:
    """Every call, in order; safe to append to from many threads."""

    def __init__(self, operations: Iterable[str]) -> None:
        self._operations = sorted(set(operations))
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def record(self, call: Call) -> None:
        """Append ``call``."""
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[Call]:
        """A copy of every call so far, in order."""
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()

    def matching(self, operation: str, service: str | None = None) -> list[Call]:
        """The calls of ``operation`` (API or boto3 casing), of ``service`` if given."""
        name = canonical(operation, self._operations)
        return [
            call
            for call in self.calls
            if call.operation == name and (service is None or call.service == service)
        ]

    def call_count(self, operation: str, service: str | None = None) -> int:
        """How many times ``operation`` was called."""
        return len(self.matching(operation, service))

    def assert_called(self, operation: str, service: str | None = None, **params: Any) -> Call:
        """Assert that ``operation`` was called with at least ``params``; return the call."""
        __tracebackhide__ = True
        calls = self.matching(operation, service)
        for call in calls:
            if all(call.params.get(key, _MISSING) == value for key, value in params.items()):
                return call
        name = canonical(operation, self._operations)
        if service is not None:
            name = f"{service} {name}"
        wanted = ", ".join(f"{key}={value!r}" for key, value in params.items())
        if calls:
            seen = "\n".join(f"  {call.describe()}" for call in calls)
            happened = f"It was called {len(calls)} time(s), never with those parameters:\n{seen}"
        elif service is not None and (elsewhere := self.matching(operation)):
            seen = "\n".join(f"  {call.describe()}" for call in elsewhere)
            happened = f"It was never called on {service}; it was called on other services:\n{seen}"
        else:
            happened = "It was never called." + self._all_calls()
        raise AssertionError(
            f"pytest-batchjobs: expected a call to {name}({wanted}).\n{happened}\nSee {DOCS}"
        )

    def assert_not_called(self, operation: str, service: str | None = None) -> None:
        """Assert that ``operation`` was never called."""
        __tracebackhide__ = True
        calls = self.matching(operation, service)
        if calls:
            name = canonical(operation, self._operations)
            if service is not None:
                name = f"{service} {name}"
            seen = "\n".join(f"  {call.describe()}" for call in calls)
            raise AssertionError(
                f"pytest-batchjobs: expected no call to {name}, but it was called "
                f"{len(calls)} time(s):\n{seen}\nSee {DOCS}"
            )

    def _all_calls(self) -> str:
        calls = self.calls
        if not calls:
            return " The fake answered no call at all."
        shown = "\n".join(f"  {call.describe()}" for call in calls[-10:])
        more = f" (last 10 of {len(calls)})" if len(calls) > 10 else ""
        return f"\nCalls the fake answered{more}:\n{shown}"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()
