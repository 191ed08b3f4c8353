"""The events one fake has emitted, the handlers they go to, and the assertion on them.

Events are emitted as the transition feed reports transitions, so in fake-time order,
once each; every one is kept (``batchjobs_fake.events``) at once. Delivery is
asynchronous, as EventBridge's: an event is put on moto's default bus (while moto's
``mock_aws`` is active) and handed to each handler whose filter it matches
(``batchjobs_fake.on_event``) by :meth:`EventLog.deliver`, which the fake calls at
each instant the clock stops at while it moves, never inside the API call that emitted
the event. What goes wrong on the way (a handler that raises, a target events cannot
reach) is reported through ``report`` (the fake's errors: the test fails with them at
its end), never into the call being answered.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import random
import threading
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..arguments import did_you_mean
from ..errors import docs_link
from ..neighbours.moto import moto_active
from .envelope import envelope

if TYPE_CHECKING:
    from ..services._kit.job import StoredJob
    from ..services._kit.spec import JobKind, StateEvents

Handler = Callable[..., Any]
DOCS = docs_link("event-driven-pipelines")


@dataclass(frozen=True)
class EventFilter:
    """Which events a handler or an assertion wants: a status, a job, detail members."""

    status: str | None
    job: str | None  # the job's ARN: the event's resource
    detail: dict[str, Any]
    kinds: dict[str, JobKind]  # by detail-type: where each kind's status lives

    def matches(self, event: dict[str, Any]) -> bool:
        detail = event["detail"]
        if self.status is not None:
            kind = self.kinds.get(event["detail-type"])
            member = kind.events.status_member if kind and kind.events else "status"
            if detail.get(member) != self.status:
                return False
        if self.job is not None and self.job not in event["resources"]:
            return False
        return all(detail.get(name, _ABSENT) == value for name, value in self.detail.items())

    def described(self) -> str:
        parts = [f"status={self.status!r}"] if self.status is not None else []
        if self.job is not None:
            parts.append(f"job={self.job!r}")
        parts.extend(f"{name}={value!r}" for name, value in self.detail.items())
        return ", ".join(parts) or "any event"


_ABSENT = object()


@dataclass(frozen=True)
class _Delivery:
    """An event waiting to be delivered: to moto's bus or not, and to which handlers."""

    event: dict[str, Any]
    to_moto: bool
    calls: list[tuple[Handler, bool]]


class EventLog:
    """One fake's emitted events and its event handlers."""

    def __init__(self, kinds: list[JobKind], report: Callable[[str], None]) -> None:
        self._kinds = {kind.events.detail_type: kind for kind in kinds if kind.events}
        self._report = report
        # Every event emitted, as what builds it; built into dicts when they are read, or
        # at once when one is delivered (moto, handlers): 20,000 factory jobs moving on
        # cost no envelopes unless someone looks. A job's past does not change, so an
        # event built late is the one built at once. ``_built`` is a prefix of ``_raw``.
        # Ids are drawn as events are built, which is in the order they were emitted.
        self._raw: list[tuple[StateEvents, StoredJob, str, _dt.datetime]] = []
        self._built: list[dict[str, Any]] = []
        self._handlers: list[tuple[Handler, EventFilter, bool]] = []
        self._lock = threading.Lock()
        self._ids = random.Random(0)
        # Emitted, not delivered yet: the event, whether it goes to moto, its handlers.
        self._undelivered: deque[_Delivery] = deque()

    def reset(self, seed: int) -> None:
        """Forget the events and the handlers; event ids start again from ``seed``."""
        with self._lock:
            self._raw.clear()
            self._built.clear()
            self._handlers.clear()
            self._undelivered.clear()
            self._ids = random.Random(seed)

    def emit(self, kind: JobKind, job: StoredJob, status: str, at: _dt.datetime) -> None:
        """``job`` of ``kind`` entered ``status`` at ``at``: its event, if its service
        sends one, is kept, and waits for :meth:`deliver` to put it on moto's bus and
        hand it to the handlers registered by now."""
        spec = kind.events
        if spec is None:
            return
        with self._lock:
            self._raw.append((spec, job, status, at))
            to_moto = moto_active()
            if not (to_moto or self._handlers):
                return
            event = self._build()[-1]
            calls = [(h, c) for h, wanted, c in self._handlers if wanted.matches(event)]
            if to_moto or calls:
                self._undelivered.append(_Delivery(event, to_moto, calls))

    def listening(self) -> bool:
        """Whether an event emitted now would be delivered somewhere."""
        return bool(self._handlers) or moto_active()

    def undelivered(self) -> bool:
        """Whether events wait for :meth:`deliver`."""
        return bool(self._undelivered)

    def deliver(self) -> None:
        """Deliver the events emitted so far, in their order, one after the other: to
        moto's bus, then to each handler. Events a handler's own calls emit are
        delivered after it has returned, in this same round."""
        waiting = self._undelivered
        while True:
            with self._lock:
                if not waiting:
                    return
                delivery = waiting.popleft()
            event = delivery.event
            if delivery.to_moto and moto_active():
                self._to_moto(event)
            for handler, with_context in delivery.calls:
                self._call(handler, _copied(event), with_context)

    def _build(self) -> list[dict[str, Any]]:
        """Every event, built (under the lock)."""
        built, ids = self._built, self._ids
        for spec, job, status, at in self._raw[len(built) :]:
            built.append(envelope(spec, job, status, at, ids.getrandbits(128)))
        return built

    def _to_moto(self, event: dict[str, Any]) -> None:
        from .moto_bus import deliver

        try:
            problems = deliver(event)
        except Exception:
            problems = [
                "moto's EventBridge failed while routing it (is moto[events] installed?)\n"
                + traceback.format_exc()
            ]
        for problem in problems:
            self._report(f"pytest-batchjobs could not deliver {self._line(event)}: {problem}")

    def _call(self, handler: Handler, event: dict[str, Any], with_context: bool) -> None:
        try:
            if with_context:
                handler(event, None)
            else:
                handler(event)
        except Exception:
            self._report(
                f"the event handler {_name(handler)} raised on {self._line(event)} (the events "
                f"after it were still delivered):\n{traceback.format_exc()}"
            )

    def _line(self, event: dict[str, Any]) -> str:
        """An event on one line: its time, detail-type, status, job name and ARN."""
        detail = event["detail"]
        kind = self._kinds.get(event["detail-type"])
        spec = kind.events if kind is not None else None
        status = detail.get(spec.status_member if spec else "status", "?")
        name = detail.get(spec.name_member if spec else "jobName", "?")
        resource = event["resources"][0] if event["resources"] else "?"
        return f"{event['time']} {event['detail-type']}: {status} {name} ({resource})"

    # -- the façade's -----------------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [_copied(event) for event in self._build()]

    def filter(self, status: str | None, job: str | None, detail: dict[str, Any]) -> EventFilter:
        """What ``assert_event`` and ``on_event`` want; a status no event can carry is
        refused at once (a misspelt one would never match)."""
        if status is not None:
            words = list(dict.fromkeys(w for k in self._kinds.values() for w in k.statuses.every))
            if status not in words:
                raise ValueError(
                    did_you_mean(
                        f"status={status!r} is no status a job's event carries",
                        status,
                        words,
                        f"the statuses are {', '.join(words)}",
                    )
                )
        return EventFilter(status, job, dict(detail), self._kinds)

    def on_event(self, handler: Handler, wanted: EventFilter) -> None:
        with_context = _takes_context(handler)
        with self._lock:
            self._handlers.append((handler, wanted, with_context))

    def assert_event(self, wanted: EventFilter) -> dict[str, Any]:
        __tracebackhide__ = True
        events = self.events
        for event in events:
            if wanted.matches(event):
                return event
        shown = "\n".join(f"  {self._line(event)}" for event in events[-20:]) or "  (none)"
        more = f" (the last 20 of {len(events)})" if len(events) > 20 else ""
        raise AssertionError(
            f"No EventBridge event matched {wanted.described()}.\n"
            f"Events emitted{more}:\n{shown}\n"
            "A job's events come as fake time passes its transitions: move the clock "
            "(batchjobs_fake.clock.advance(), advance_until()) before asserting. "
            f"See {DOCS}"
        )


def _copied(value: Any) -> Any:
    """A copy of an event (JSON values: dicts, lists, scalars), much faster than
    ``copy.deepcopy``: a test may change what it is handed, never the fake's record."""
    kind = type(value)
    if kind is dict:
        return {
            key: item if type(item) in _SCALARS else _copied(item) for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _SCALARS else _copied(item) for item in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


def _takes_context(handler: Handler) -> bool:
    """Whether ``handler`` is a Lambda handler, ``handler(event, context)`` (it gets
    ``None`` as its context), rather than ``handler(event)``."""
    try:
        parameters = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [
        p
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)
