"""The control API's routes and endpoints: each a thin shell over the Python API."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ....arguments import did_you_mean
from ....core.registry import KIND_NAMES, SERVICE_NAMES, control_routes
from ....core.registry import KINDS as JOB_KINDS
from ....wire.instants import format_iso
from ....wire.members import refuse_newer
from .body import read_body
from .jobs import job_overrides, read_member, shown_member
from .limits import DEFAULT_JOB_LIMIT, INT64, JOB_BYTES, LATEST, MAX_JOBS, MAX_SECONDS
from .render import call, jsonable, kind, rule, sequence, short
from .request import MISSING, BadRequest, ControlRequest

if TYPE_CHECKING:
    from ....fake import BatchJobsFake

PREFIX = "/_batchjobs/"
# Services (botocore's names) are what faults, calls and ARNs name; the per-kind routes
# (``{kind}/jobs``, ...) are addressed by job kind (``personalize_segments``), whose
# names are the fake's attributes: a service may run several kinds.
SERVICES = SERVICE_NAMES
# The namespaces of the jobs' ARNs (bedrock-runtime's invocations are arn:aws:bedrock:...).
ARN_SERVICES = tuple(dict.fromkeys(kind.arn.split(":")[2] for kind in JOB_KINDS))
KINDS = KIND_NAMES
# The ``{kind}/...`` routes, by their last segment, and the kinds each exists for.
PER_KIND: dict[str, Sequence[str]] = control_routes()
# The routes that read their query string (with ControlRequest.param); others take none.
READS_QUERY = frozenset({"outputs"})
Endpoint = Callable[["ControlAPI", ControlRequest], dict[str, Any]]


class ControlAPI:
    """Answers ``/_batchjobs/...`` requests against one fake.

    ``job_limit`` bounds the jobs stored (every kind and region together, however they
    were made) that a factory request may bring the fake to; ``None`` lifts the bound.
    """

    def __init__(self, fake: BatchJobsFake, job_limit: int | None = DEFAULT_JOB_LIMIT) -> None:
        if job_limit is not None and (
            isinstance(job_limit, bool) or not isinstance(job_limit, int) or job_limit < 1
        ):
            raise ValueError(f"job_limit must be an integer >= 1 or None, got {job_limit!r}")
        self.fake = fake
        self.job_limit = job_limit
        self._adding = threading.Lock()
        self.errors: list[str] = []
        self._policy = dataclasses.replace(fake.pagination.policy)
        self._routes: dict[str, dict[str, Endpoint]] = {
            "reset": {"POST": ControlAPI.reset},
            "clock": {"GET": ControlAPI.clock},
            "clock/advance": {"POST": ControlAPI.advance},
            "{kind}/jobs": {"POST": ControlAPI.add_jobs},
            "{kind}/lifecycle": {"POST": ControlAPI.lifecycle},
            "{kind}/quota": {"POST": ControlAPI.quota},
            "{kind}/record_limits": {"POST": ControlAPI.record_limits},
            "faults": {"GET": ControlAPI.faults},
            "faults/fail": {"POST": ControlAPI.fail},
            "faults/throttle": {"POST": ControlAPI.throttle},
            "faults/chaos": {"POST": ControlAPI.chaos},
            "faults/transport": {"POST": ControlAPI.transport},
            "faults/clear": {"POST": ControlAPI.clear_faults},
            "calls": {"GET": ControlAPI.calls},
            "events": {"GET": ControlAPI.events},
            "pagination": {"GET": ControlAPI.pagination, "PUT": ControlAPI.set_pagination},
            "pagination/sequences": {"GET": ControlAPI.sequences},
            "outputs": {"GET": ControlAPI.outputs},
        }

    # -- dispatch ---------------------------------------------------------------------

    @staticmethod
    def owns(path: str) -> bool:
        """Whether ``path`` (with or without a query) is a control path."""
        return path.startswith(PREFIX) or path.split("?", 1)[0] == PREFIX.rstrip("/")

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """Answer one control request: an HTTP status and a JSON-able document."""
        try:
            return 200, self._dispatch(method.upper(), path, body)
        except BadRequest as error:
            return error.status, {"error": str(error)}
        except ValueError as error:
            # The fake's own validation (an unknown operation, an error an operation
            # cannot return, a job the factory cannot place): its message says what is
            # valid. Anything else is a bug, even a TypeError: every value was checked.
            first = error.args[0] if error.args else error
            return 400, {"error": first if isinstance(first, str) else str(error)}
        except Exception as error:
            self.errors.append(
                f"pytest-batchjobs failed to answer {method} {path} (a bug in the fake; "
                f"please report it):\n{traceback.format_exc()}"
            )
            return 500, {
                "error": f"pytest-batchjobs failed to answer {method} {path} (a bug in the "
                f"fake; please report it): {type(error).__name__}: {error}"
            }

    def _dispatch(self, method: str, path: str, body: bytes) -> dict[str, Any]:
        target, _, query = path.partition("?")
        relative = target[len(PREFIX) :].strip("/")
        key, kind = relative, None
        head, _, tail = relative.partition("/")
        kinds = PER_KIND.get(tail)
        if kinds is not None:
            if head in KINDS and head not in kinds:
                only = " and ".join(name.capitalize() for name in kinds)
                raise BadRequest(
                    f"no control endpoint {method} {PREFIX}{relative}: {tail} is {only} "
                    "only; use " + " or ".join(f"{PREFIX}{name}/{tail}" for name in kinds),
                    status=404,
                )
            if head not in kinds:
                raise BadRequest(
                    did_you_mean(
                        f"unknown job kind {head!r} in {PREFIX}{relative}",
                        head,
                        kinds,
                        f"expected one of: {', '.join(kinds)}",
                    ),
                    status=404,
                )
            key, kind = f"{{kind}}/{tail}", head
        methods = self._routes.get(key)
        if methods is None:
            raise BadRequest(
                f"no control endpoint {method} {PREFIX}{relative}; endpoints: "
                + "; ".join(
                    f"{'|'.join(sorted(verbs))} {PREFIX}{_shown(route)}"
                    for route, verbs in self._routes.items()
                ),
                status=404,
            )
        endpoint = methods.get(method)
        if endpoint is None:
            raise BadRequest(
                f"{PREFIX}{relative} expects {' or '.join(sorted(methods))}, got {method}",
                status=405,
            )
        label = f"{method} {PREFIX}{relative}"
        if query and key not in READS_QUERY:
            raise BadRequest(f"{label} takes no query parameters, got ?{query}")
        request = ControlRequest(
            endpoint=label,
            kind=kind,
            body=read_body(label, body),
            query=query,
        )
        return endpoint(self, request)

    # -- state and time ---------------------------------------------------------------

    def reset(self, request: ControlRequest) -> dict[str, Any]:
        request.args()
        self.fake.reset()
        self.fake.pagination.policy = dataclasses.replace(self._policy)
        return {"reset": True, "now": format_iso(self.fake.clock.now())}

    def clock(self, _: ControlRequest) -> dict[str, Any]:
        return {"now": format_iso(self.fake.clock.now()), "kind": self.fake.clock.kind}

    def advance(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args(*_UNITS)
        if not any(unit in args.data for unit in _UNITS):
            raise BadRequest(
                f"{request.endpoint} needs one of 'seconds', 'minutes', 'hours', "
                "or 'days', e.g. {\"seconds\": 90}"
            )
        # Each amount is a finite number of at most 100 characters: the sum is a float,
        # perhaps infinite, never an error.
        seconds = sum(
            args.number(unit, 0, minimum=0, low="the fake clock only moves forward") * size
            for unit, size in _UNITS.items()
        )
        now = self.fake.clock.now()
        room = LATEST - now
        if seconds > room.total_seconds():
            raise BadRequest(
                f"{request.endpoint}: moving the clock forward by {short(args.data)} would "
                f"take it past {format_iso(LATEST)}, the latest instant the control API moves "
                "it to (jobs need room for their timelines before Python's dates end, in "
                f"9999); from now ({format_iso(now)}) it can move at most "
                f"{max(room.total_seconds(), 0):.0f} s"
            )
        # min(): a float of 2e11 seconds is exact to about 30 µs, and may round up.
        moved = self.fake.clock.advance(min(_dt.timedelta(seconds=seconds), room))
        return {"now": format_iso(moved)}

    # -- per job kind -----------------------------------------------------------------

    def add_jobs(self, request: ControlRequest) -> dict[str, Any]:
        backend = self._backend(request)
        if isinstance(request.body, dict):  # refused in add_jobs' words (a ValueError)
            kind = backend.kind
            fields = {k: v for k, v in request.body.items() if k != "count"}
            refuse_newer(kind.name, kind.service, kind.create, fields)
        args = request.args("count", *backend.override_names())
        count = args.integer(
            "count",
            1,
            maximum=MAX_JOBS,
            high=f"jobs per request; each job holds about {JOB_BYTES}, and the answer "
            "lists every one",
        )
        fields = {name: value for name, value in args.data.items() if name != "count"}
        overrides = job_overrides(backend, request.endpoint, fields, self.fake.clock.now())
        with self._adding:  # two requests at once cannot both fit in the room left
            self._check_job_limit(request.endpoint, count)
            jobs = backend.add_jobs(count, **overrides)
        return {"jobs": jsonable(jobs)}

    def _check_job_limit(self, endpoint: str, count: int) -> None:
        """Refuse a factory request that would store more jobs than the server keeps."""
        limit = self.job_limit
        if limit is None or count == 0:
            return
        stored = sum(1 for _ in self.fake.jobs())  # every kind and region: what memory holds
        if stored + count > limit:
            raise BadRequest(
                f"{endpoint}: adding {count:,} jobs would store {stored + count:,}, over the "
                f"server's job limit of {limit:,} ({stored:,} stored now, every kind and "
                f"region; each holds about {JOB_BYTES}). Add at most {max(limit - stored, 0):,}, "
                "POST /_batchjobs/reset to forget the jobs stored, or raise the limit: "
                "batchjobs-fake serve --job-limit N (or 'none'), FakeServer(job_limit=N)"
            )

    def lifecycle(self, request: ControlRequest) -> dict[str, Any]:
        backend = self._backend(request)
        args = request.args("outcome", "message", "durations", "match")
        message = args.text("message", None, nullable=True)
        if message is not None:  # it shows in the job as the service answers it
            shape = shown_member(backend, backend.kind.message_member)
            read_member(request.endpoint, shape, "message", message, self.fake.clock.now())
        durations = args.mapping("durations")
        for status, seconds in (durations or {}).items():
            _check_duration(request.endpoint, status, seconds)
        chosen = backend.lifecycle(
            args.text("outcome", None, nullable=True),
            message=message,
            durations=durations,
            match=args.text("match", None, nullable=True),
        )
        return {
            "outcome": chosen.outcome,
            "message": chosen.message,
            "durations": dict(chosen.durations),
            "match": chosen.match,
        }

    def quota(self, request: ControlRequest) -> dict[str, Any]:
        backend = self._backend(request)
        args = request.args("max_active_jobs")
        backend.quota(args.integer("max_active_jobs", nullable=True, minimum=0))
        return {"max_active_jobs": backend.max_active_jobs}

    def record_limits(self, request: ControlRequest) -> dict[str, Any]:
        backend = self._backend(request)
        args = request.args("minimum", "maximum")
        # Only the fields given: the Python API's defaults stand for the others.
        given = {
            name: args.integer(name, minimum=0)
            for name in ("minimum", "maximum")
            if name in args.data
        }
        backend.record_limits(**given)
        limits = backend.limits
        return {"minimum": limits.minimum, "maximum": limits.maximum}

    def _backend(self, request: ControlRequest) -> Any:
        return getattr(self.fake, request.kind or "")

    # -- faults -----------------------------------------------------------------------

    def faults(self, _: ControlRequest) -> dict[str, Any]:
        return {"rules": [rule(fault) for fault in self.fake.faults.rules]}

    def fail(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("operation", "error", "times", "message", "when", "service")
        operation, service = args.text("operation"), args.text("service", None, nullable=True)
        made = self.fake.faults.fail(
            operation,
            error=args.text("error", "ThrottlingException"),
            times=args.integer("times", 1, nullable=True, minimum=1),
            message=args.text("message", None, nullable=True),
            when=args.mapping("when"),  # its keys checked by faults, as in Python
            service=service,
        )
        return {"rule": rule(made)}

    def throttle(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("operation", "per_second", "burst", "service")
        made = self.fake.faults.throttle(
            args.text("operation"),
            per_second=args.number("per_second", above=0),
            burst=args.integer("burst", 1, minimum=1),
            service=args.text("service", None, nullable=True),
        )
        return {"rule": rule(made)}

    def chaos(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("rate", "errors", "seed")
        errors = args.strings("errors", None)
        extra = {} if errors is None else {"errors": errors}
        made = self.fake.faults.chaos(
            args.number("rate"), seed=args.integer("seed", 0, minimum=-INT64 - 1), **extra
        )
        return {"rule": rule(made)}

    def transport(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("operation", "kind", "times", "when", "service")
        operation, service = args.text("operation"), args.text("service", None, nullable=True)
        made = self.fake.faults.transport(
            operation,
            kind=args.text("kind", "connection_reset"),
            times=args.integer("times", 1, nullable=True, minimum=1),
            when=args.mapping("when"),  # its keys checked by faults, as in Python
            service=service,
        )
        return {"rule": rule(made)}

    def clear_faults(self, request: ControlRequest) -> dict[str, Any]:
        request.args()
        self.fake.faults.clear()
        return {"rules": []}

    # -- records ----------------------------------------------------------------------

    def calls(self, _: ControlRequest) -> dict[str, Any]:
        # ``dropped``: the older calls a bounded journal let go (serve's --journal-limit).
        return {
            "calls": [call(record) for record in self.fake.calls],
            "dropped": self.fake.journal.dropped,
        }

    def events(self, _: ControlRequest) -> dict[str, Any]:
        return {"events": self.fake.events}

    def pagination(self, _: ControlRequest) -> dict[str, Any]:
        pagination = self.fake.pagination
        lifetime = pagination.token_lifetime
        return {
            "max_page_size": pagination.max_page_size,
            "empty_pages": pagination.empty_pages,
            "token_lifetime": None if lifetime is None else lifetime.total_seconds(),
        }

    def set_pagination(self, request: ControlRequest) -> dict[str, Any]:
        # Every field is checked before any is applied: a refused PUT changes nothing.
        args = request.args("max_page_size", "empty_pages", "token_lifetime")
        pagination = self.fake.pagination
        size = args.integer(
            "max_page_size",
            pagination.max_page_size,
            nullable=True,
            minimum=1,
            low="a page holds at least one item",
        )
        empty = args.flag("empty_pages", pagination.empty_pages)
        lifetime = args.number("token_lifetime", MISSING, nullable=True)
        if isinstance(lifetime, (int, float)):
            lifetime = _token_lifetime(request.endpoint, lifetime)
        pagination.max_page_size = size
        pagination.empty_pages = empty
        if lifetime is not MISSING:
            pagination.token_lifetime = lifetime
        return self.pagination(request)

    def sequences(self, _: ControlRequest) -> dict[str, Any]:
        pagination = self.fake.pagination
        # ``dropped``: the older sequences bounded records let go (--pagination-limit).
        return {
            "sequences": [sequence(s) for s in pagination.sequences],
            "dropped": pagination.dropped,
        }

    def outputs(self, request: ControlRequest) -> dict[str, Any]:
        # Like fake.outputs(): {} for a job that has not completed, or that the fake
        # does not know (it keeps outputs by ARN and checks no more).
        arn = request.param("job", "a job's ARN: ?job=arn:aws:...")
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[0] != "arn" or parts[2] not in ARN_SERVICES or not parts[5]:
            raise BadRequest(
                f"{request.endpoint}: 'job' must be the ARN of a "
                f"{' or '.join(ARN_SERVICES)} job, like arn:aws:bedrock:us-east-1:123456789012:"
                f"model-invocation-job/abcdefghijkl, got {arn!r}"
            )
        return {"job": arn, "outputs": self.fake.outputs(arn)}


_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _check_duration(endpoint: str, status: str, seconds: Any) -> None:
    """A lifecycle's time in ``status``: a number of seconds from 0 to 100 years."""
    field = f"'durations' {status!r}"
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise BadRequest(
            f"{endpoint}: {field} must be a number of seconds, got {kind(seconds)}: "
            f"{short(seconds)}"
        )
    if seconds < 0:
        raise BadRequest(f"{endpoint}: {field} must be a number of seconds >= 0, got {seconds}")
    if seconds > MAX_SECONDS:
        raise BadRequest(
            f"{endpoint}: {field} must be at most {MAX_SECONDS} seconds (100 years), "
            f"got {short(seconds)}"
        )


def _token_lifetime(endpoint: str, seconds: float) -> _dt.timedelta:
    """How long a token lives: more than nothing, at most 100 years."""
    got = f"or null (for ever), got {short(seconds)}"
    if seconds <= 0:
        raise BadRequest(f"{endpoint}: 'token_lifetime' must be a number of seconds > 0 {got}")
    if seconds > MAX_SECONDS:
        raise BadRequest(
            f"{endpoint}: 'token_lifetime' must be a number of seconds <= {MAX_SECONDS} "
            f"(100 years) {got}"
        )
    lifetime = _dt.timedelta(seconds=seconds)
    if not lifetime:
        raise BadRequest(
            f"{endpoint}: 'token_lifetime' must be at least 0.000001 (a microsecond, the "
            f"clock's resolution) {got}"
        )
    return lifetime


def _shown(route: str) -> str:
    """A route as the list of endpoints shows it: ``{kind}`` only if it is any."""
    head, _, tail = route.partition("/")
    kinds = PER_KIND.get(tail, KINDS)
    if head != "{kind}" or kinds == KINDS:
        return route
    return f"{'|'.join(kinds)}/{tail}"
