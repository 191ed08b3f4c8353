"""The record of every call the fake answered, in order, and assertions on it."""

from __future__ import annotations

import datetime as _dt
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import arguments
from ..arguments import did_you_mean
from ..errors import docs_link
from .operations import canonical

DOCS = docs_link("calls")


@dataclass(slots=True)
class Call:
    """One call as the fake saw it (what ``batchjobs_fake.calls`` lists and
    ``assert_called`` returns)."""

    service: str
    """The service called, as botocore names it (``bedrock``, ``personalize``)."""
    operation: str
    """The operation, in API casing (``ListModelInvocationJobs``)."""
    params: dict[str, Any]
    """The request's members as the service read them (API casing, timestamps as
    datetimes)."""
    error: str | None
    """The error code the call was answered with (``ThrottlingException``), the
    transport fault (``connection_reset``), or ``None``."""
    time: _dt.datetime
    """When it was answered, in fake time."""
    transport: str
    """How the call arrived: ``botocore``, ``aiobotocore``, ``responses``, ``httpx``,
    ``server``, ..."""
    region: str
    """The region it was for."""
    status: int
    """The HTTP status sent."""
    fault: str | None = None
    """The description of the injected fault rule that answered it, if one did."""

    def _line(self) -> str:
        """One line for failure messages."""
        params = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        outcome = f" -> {self.error}" if self.error else ""
        if self.fault:
            outcome += f" (injected: {self.fault})"
        return f"{self.time:%H:%M:%S} {self.service} {self.operation}({params}){outcome}"


class Journal:
    """Every call, in order (or the newest ``limit``); safe to append to from many threads.

    ``limit`` is ``None`` by default: the journal keeps every call, because
    ``assert_called``, ``call_count`` and ``calls`` read it, and a test must never
    pass or fail on calls silently forgotten. A process that answers calls for days
    sets one: ``batchjobs-fake serve`` keeps the newest 10,000 (``--journal-limit``),
    a few megabytes. Beyond the limit the oldest call goes as a new one comes;
    ``dropped`` counts them, and the assertions' messages say so. Lowering the limit
    drops the oldest calls at once.
    """

    def __init__(self, endpoints: Iterable[tuple[str, str]], limit: int | None = None) -> None:
        """``endpoints``: the (service, operation) pairs the fake answers."""
        pairs = list(endpoints)
        self._operations = sorted({operation for _, operation in pairs})
        self._services = sorted({service for service, _ in pairs})
        self._lock = threading.Lock()
        self._calls: deque[Call] = deque()
        self._dropped = 0
        self.limit = limit

    @property
    def limit(self) -> int | None:
        """The most calls kept (the newest); ``None`` keeps every call."""
        return self._calls.maxlen

    @limit.setter
    def limit(self, limit: int | None) -> None:
        if limit is not None and not (
            arguments.is_integer(limit) and 1 <= limit <= arguments.INT64
        ):
            raise ValueError(
                f"journal.limit must be an integer >= 1, or None to keep every call; got {limit!r}"
            )
        with self._lock:
            kept = deque(self._calls, maxlen=limit)  # the newest ``limit`` of them
            self._dropped += len(self._calls) - len(kept)
            self._calls = kept

    @property
    def dropped(self) -> int:
        """How many calls were let go to stay within ``limit`` (since the last reset)."""
        return self._dropped

    def record(self, call: Call) -> None:
        """Append ``call`` (and let the oldest go, if at the limit)."""
        with self._lock:
            if len(self._calls) == self._calls.maxlen:
                self._dropped += 1
            self._calls.append(call)

    @property
    def calls(self) -> list[Call]:
        """A copy of every call kept, in order."""
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        """Forget every call (and the count of dropped ones); the limit stays."""
        with self._lock:
            self._calls.clear()
            self._dropped = 0

    def matching(self, operation: str, service: str | None = None) -> list[Call]:
        """The calls of ``operation`` (API or boto3 casing), of ``service`` if given."""
        name = canonical(operation, self._operations)
        arguments.text("service", service, nullable=True)
        if service is not None and service not in self._services:
            raise ValueError(
                did_you_mean(
                    f"service={service!r} is not a service pytest-batchjobs fakes",
                    service,
                    self._services,
                    f"the services are {', '.join(self._services)}",
                )
            )
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
            seen = "\n".join(f"  {call._line()}" for call in calls)
            happened = f"It was called {len(calls)} time(s), never with those parameters:\n{seen}"
        elif service is not None and (elsewhere := self.matching(operation)):
            seen = "\n".join(f"  {call._line()}" for call in elsewhere)
            happened = f"It was never called on {service}; it was called on other services:\n{seen}"
        else:
            happened = "It was never called." + self._all_calls()
        raise AssertionError(
            f"pytest-batchjobs: expected a call to {name}({wanted}).\n{happened}"
            f"{self._dropped_note()}\nSee {DOCS}"
        )

    def assert_not_called(self, operation: str, service: str | None = None) -> None:
        """Assert that ``operation`` was never called (among the calls kept)."""
        __tracebackhide__ = True
        calls = self.matching(operation, service)
        if calls:
            name = canonical(operation, self._operations)
            if service is not None:
                name = f"{service} {name}"
            seen = "\n".join(f"  {call._line()}" for call in calls)
            raise AssertionError(
                f"pytest-batchjobs: expected no call to {name}, but it was called "
                f"{len(calls)} time(s):\n{seen}{self._dropped_note()}\nSee {DOCS}"
            )

    def _dropped_note(self) -> str:
        if not self._dropped:
            return ""
        kept = "" if self.limit is None else f" (it keeps the newest {self.limit})"
        return (
            f"\nThe journal dropped {self._dropped} older calls{kept}: "
            "journal.limit = None keeps every call."
        )

    def _all_calls(self) -> str:
        calls = self.calls
        if not calls:
            return " The fake answered no call at all."
        shown = "\n".join(f"  {call._line()}" for call in calls[-10:])
        more = f" (last 10 of {len(calls)})" if len(calls) > 10 else ""
        return f"\nCalls the fake answered{more}:\n{shown}"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


class JournalControls(arguments.Settings):
    """``batchjobs_fake.journal``: how many calls the journal keeps (the calls themselves
    are the fake's ``calls``, and its ``assert_called`` & co. read them)."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal

    @property
    def limit(self) -> int | None:
        """The most calls kept (the newest); ``None`` (the default) keeps every call."""
        return self._journal.limit

    @limit.setter
    def limit(self, limit: int | None) -> None:
        self._journal.limit = limit

    @property
    def dropped(self) -> int:
        """How many calls were let go to stay within ``limit`` (since the last reset)."""
        return self._journal.dropped
