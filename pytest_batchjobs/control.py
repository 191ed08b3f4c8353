"""The control API: drive a fake over HTTP, as JSON, from a test suite in any language.

Everything lives under the reserved prefix ``/_batchjobs/``, which no AWS operation
of the two services uses. Each endpoint is a thin shell over the Python API of
:class:`~pytest_batchjobs.fake.BatchJobsFake`, with the same validation: bad input is
answered ``400`` with ``{"error": "..."}`` saying what was expected and what was
got, never with a traceback.

This module knows nothing of HTTP servers: :meth:`ControlAPI.handle` takes a method,
a path (with its query string) and a body and returns a status and a JSON document.

==========  =====================================  =============================================
method      path (under ``/_batchjobs/``)          body / answer
==========  =====================================  =============================================
POST        ``reset``                              forget jobs, calls, faults, lifecycles, quotas,
                                                   record limits, outputs, pagination records;
                                                   page controls as started
GET         ``clock``                              ``{"now": ISO 8601}``
POST        ``clock/advance``                      ``{"seconds"|"minutes"|"hours"|"days": n}``
POST        ``{service}/jobs``                     ``{"count": n, ...overrides}`` (the factory)
POST        ``{service}/lifecycle``                ``{"outcome", "message", "durations", "match"}``
POST        ``{service}/quota``                    ``{"max_active_jobs": n | null}``
POST        ``bedrock/record_limits``              ``{"minimum": n, "maximum": n}`` (records per
                                                   job; Bedrock only)
GET         ``faults``                             the active fault rules
POST        ``faults/fail``                        ``{"operation", "error", "times", "message",
                                                   "when", "service"}``
POST        ``faults/throttle``                    ``{"operation", "per_second", "burst",
                                                   "service"}``
POST        ``faults/chaos``                       ``{"rate", "errors", "seed"}``
POST        ``faults/transport``                   ``{"operation", "kind", "times", "when",
                                                   "service"}``
POST        ``faults/clear``                       remove every fault
GET         ``calls``                              every call, in order
GET         ``pagination``                         the page controls
PUT         ``pagination``                         ``{"max_page_size", "empty_pages",
                                                   "token_lifetime"}`` (seconds)
GET         ``pagination/sequences``               every pagination sequence, page by page
GET         ``outputs?job=ARN``                    ``{"job", "outputs": {S3 URI: content}}``
==========  =====================================  =============================================
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import json
import traceback
import urllib.parse
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fake import BatchJobsFake
    from .journal import Call
    from .pagination import Sequence

PREFIX = "/_batchjobs/"
SERVICES = ("personalize", "bedrock")
# The ``{service}/...`` routes, by their last segment, and the services each exists for.
PER_SERVICE: dict[str, tuple[str, ...]] = {
    "jobs": SERVICES,
    "lifecycle": SERVICES,
    "quota": SERVICES,
    "record_limits": ("bedrock",),
}
_REQUIRED: Any = object()


class BadRequest(Exception):
    """Control input the API cannot act on: answered with ``status`` and the message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Args:
    """A JSON request body, read with checks whose errors say what was expected."""

    def __init__(self, endpoint: str, body: Any, allowed: Iterable[str]) -> None:
        self.endpoint = endpoint
        if not isinstance(body, dict):
            raise BadRequest(
                f"{endpoint} expects a JSON object body, got {_kind(body)}: {_short(body)}"
            )
        allowed = tuple(allowed)
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise BadRequest(
                f"{endpoint} got unknown field(s) {', '.join(map(repr, unknown))}; "
                f"expected some of: {', '.join(allowed) or '(no fields)'}"
            )
        self.data: dict[str, Any] = body

    def get(self, name: str, kinds: tuple[type, ...], expected: str, default: Any) -> Any:
        """The field ``name``, of one of ``kinds`` (``None`` passes if in ``kinds``)."""
        if name not in self.data:
            if default is _REQUIRED:
                raise BadRequest(f"{self.endpoint} needs the field {name!r} ({expected})")
            return default
        value = self.data[name]
        if isinstance(value, bool) and bool not in kinds:
            ok = False
        elif value is None:
            ok = type(None) in kinds
        else:
            ok = isinstance(value, kinds)
        if not ok:
            raise BadRequest(
                f"{self.endpoint}: {name!r} must be {expected}, got {_kind(value)}: {_short(value)}"
            )
        return value

    def text(self, name: str, default: Any = _REQUIRED, *, nullable: bool = False) -> Any:
        kinds: tuple[type, ...] = (str, type(None)) if nullable else (str,)
        return self.get(name, kinds, "a string" + (" or null" if nullable else ""), default)

    def number(self, name: str, default: Any = _REQUIRED, *, nullable: bool = False) -> Any:
        kinds: tuple[type, ...] = (int, float, type(None)) if nullable else (int, float)
        return self.get(name, kinds, "a number" + (" or null" if nullable else ""), default)

    def integer(self, name: str, default: Any = _REQUIRED, *, nullable: bool = False) -> Any:
        kinds: tuple[type, ...] = (int, type(None)) if nullable else (int,)
        return self.get(name, kinds, "an integer" + (" or null" if nullable else ""), default)

    def flag(self, name: str, default: Any = _REQUIRED) -> Any:
        return self.get(name, (bool,), "true or false", default)

    def mapping(self, name: str, default: Any = None) -> Any:
        return self.get(name, (dict, type(None)), "a JSON object or null", default)

    def strings(self, name: str, default: Any = _REQUIRED) -> Any:
        value = self.get(name, (list,), "a list of strings", default)
        if value is not default and not all(isinstance(item, str) for item in value):
            raise BadRequest(f"{self.endpoint}: {name!r} must be a list of strings, got {value!r}")
        return value


@dataclasses.dataclass(frozen=True)
class ControlRequest:
    """One control request, as the dispatcher hands it to an endpoint."""

    endpoint: str
    """The method and path, as errors name it: ``"POST /_batchjobs/bedrock/jobs"``."""
    service: str | None
    """The service in the path of a ``{service}/...`` route, else ``None``."""
    body: Any
    """The JSON body (``{}`` when empty), not checked yet: see :meth:`args`."""
    query: str
    """The query string, as sent, without its ``?``: see :meth:`param`."""

    def args(self, *allowed: str) -> Args:
        """The body as an object of some of the fields ``allowed`` (none: only ``{}``)."""
        return Args(self.endpoint, self.body, allowed)

    def param(self, name: str, expected: str) -> str:
        """The query parameter ``name`` (URL-decoded), given once and not empty."""
        values = urllib.parse.parse_qs(self.query, keep_blank_values=True).get(name, [])
        if len(values) != 1 or not values[0]:
            raise BadRequest(
                f"{self.endpoint} needs the query parameter {name!r} once ({expected}), "
                f"got {'?' + self.query if self.query else 'no query string'}"
            )
        return values[0]


Endpoint = Callable[["ControlAPI", ControlRequest], dict[str, Any]]


class ControlAPI:
    """Answers ``/_batchjobs/...`` requests against one fake."""

    def __init__(self, fake: BatchJobsFake) -> None:
        self.fake = fake
        self.errors: list[str] = []
        self._policy = dataclasses.replace(fake.pagination.policy)
        self._routes: dict[str, dict[str, Endpoint]] = {
            "reset": {"POST": ControlAPI.reset},
            "clock": {"GET": ControlAPI.clock},
            "clock/advance": {"POST": ControlAPI.advance},
            "{service}/jobs": {"POST": ControlAPI.add_jobs},
            "{service}/lifecycle": {"POST": ControlAPI.lifecycle},
            "{service}/quota": {"POST": ControlAPI.quota},
            "{service}/record_limits": {"POST": ControlAPI.record_limits},
            "faults": {"GET": ControlAPI.faults},
            "faults/fail": {"POST": ControlAPI.fail},
            "faults/throttle": {"POST": ControlAPI.throttle},
            "faults/chaos": {"POST": ControlAPI.chaos},
            "faults/transport": {"POST": ControlAPI.transport},
            "faults/clear": {"POST": ControlAPI.clear_faults},
            "calls": {"GET": ControlAPI.calls},
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
        except (ValueError, TypeError, LookupError) as error:
            # The fake's own validation (an unknown operation, an error an operation
            # cannot return, a bad status): its message says what is valid.
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
        key, service = relative, None
        head, _, tail = relative.partition("/")
        services = PER_SERVICE.get(tail)
        if services is not None:
            if head in SERVICES and head not in services:
                only = " and ".join(name.capitalize() for name in services)
                raise BadRequest(
                    f"no control endpoint {method} {PREFIX}{relative}: {tail} is {only} "
                    "only; use " + " or ".join(f"{PREFIX}{name}/{tail}" for name in services),
                    status=404,
                )
            if head not in services:
                raise BadRequest(
                    f"unknown service {head!r} in {PREFIX}{relative}; expected one of: "
                    f"{', '.join(services)}",
                    status=404,
                )
            key, service = f"{{service}}/{tail}", head
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
        request = ControlRequest(
            endpoint=label,
            service=service,
            body=_json_body(label, body),
            query=query,
        )
        return endpoint(self, request)

    # -- state and time ---------------------------------------------------------------

    def reset(self, request: ControlRequest) -> dict[str, Any]:
        request.args()
        self.fake.reset()
        self.fake.pagination.policy = dataclasses.replace(self._policy)
        return {"reset": True, "now": _iso(self.fake.clock.now())}

    def clock(self, _: ControlRequest) -> dict[str, Any]:
        return {"now": _iso(self.fake.clock.now()), "kind": self.fake.clock.kind}

    def advance(self, request: ControlRequest) -> dict[str, Any]:
        units = ("seconds", "minutes", "hours", "days")
        args = request.args(*units)
        amounts = {unit: args.number(unit, 0) for unit in units}
        if not any(unit in args.data for unit in amounts):
            raise BadRequest(
                f"{request.endpoint} needs one of 'seconds', 'minutes', 'hours', "
                "or 'days', e.g. {\"seconds\": 90}"
            )
        now = self.fake.clock.advance(
            amounts["seconds"],
            minutes=amounts["minutes"],
            hours=amounts["hours"],
            days=amounts["days"],
        )
        return {"now": _iso(now)}

    # -- per service ------------------------------------------------------------------

    def add_jobs(self, request: ControlRequest) -> dict[str, Any]:
        backend = self._backend(request)
        args = request.args("count", *backend.override_names())
        count = args.integer("count", 1)
        overrides = {
            name: _timestamp(request.endpoint, name, value) for name, value in args.data.items()
        }
        overrides.pop("count", None)
        jobs = backend.add_jobs(count, **overrides)
        return {"jobs": _jsonable(jobs)}

    def lifecycle(self, request: ControlRequest) -> dict[str, Any]:
        backend = self._backend(request)
        args = request.args("outcome", "message", "durations", "match")
        chosen = backend.lifecycle(
            args.text("outcome", None, nullable=True),
            message=args.text("message", None, nullable=True),
            durations=args.mapping("durations"),
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
        backend.quota(args.integer("max_active_jobs", nullable=True))
        return {"max_active_jobs": backend.max_active_jobs}

    def record_limits(self, request: ControlRequest) -> dict[str, Any]:
        backend = self._backend(request)
        args = request.args("minimum", "maximum")
        # Only the fields given: the Python API's defaults stand for the others.
        given = {name: args.integer(name) for name in ("minimum", "maximum") if name in args.data}
        backend.record_limits(**given)
        limits = backend.batch.limits
        return {"minimum": limits.minimum, "maximum": limits.maximum}

    def _backend(self, request: ControlRequest) -> Any:
        return getattr(self.fake, request.service or "")

    # -- faults -----------------------------------------------------------------------

    def faults(self, _: ControlRequest) -> dict[str, Any]:
        return {"rules": [_rule(rule) for rule in self.fake.faults.rules]}

    def fail(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("operation", "error", "times", "message", "when", "service")
        rule = self.fake.faults.fail(
            args.text("operation"),
            error=args.text("error", "ThrottlingException"),
            times=args.integer("times", 1, nullable=True),
            message=args.text("message", None, nullable=True),
            when=args.mapping("when"),
            service=args.text("service", None, nullable=True),
        )
        return {"rule": _rule(rule)}

    def throttle(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("operation", "per_second", "burst", "service")
        rule = self.fake.faults.throttle(
            args.text("operation"),
            per_second=args.number("per_second"),
            burst=args.integer("burst", 1),
            service=args.text("service", None, nullable=True),
        )
        return {"rule": _rule(rule)}

    def chaos(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("rate", "errors", "seed")
        errors = args.strings("errors", None)
        extra = {} if errors is None else {"errors": errors}
        rule = self.fake.faults.chaos(args.number("rate"), seed=args.integer("seed", 0), **extra)
        return {"rule": _rule(rule)}

    def transport(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("operation", "kind", "times", "when", "service")
        rule = self.fake.faults.transport(
            args.text("operation"),
            kind=args.text("kind", "connection_reset"),
            times=args.integer("times", 1, nullable=True),
            when=args.mapping("when"),
            service=args.text("service", None, nullable=True),
        )
        return {"rule": _rule(rule)}

    def clear_faults(self, request: ControlRequest) -> dict[str, Any]:
        request.args()
        self.fake.faults.clear()
        return {"rules": []}

    # -- records ----------------------------------------------------------------------

    def calls(self, _: ControlRequest) -> dict[str, Any]:
        return {"calls": [_call(call) for call in self.fake.calls]}

    def pagination(self, _: ControlRequest) -> dict[str, Any]:
        pagination = self.fake.pagination
        lifetime = pagination.token_lifetime
        return {
            "max_page_size": pagination.max_page_size,
            "empty_pages": pagination.empty_pages,
            "token_lifetime": None if lifetime is None else lifetime.total_seconds(),
        }

    def set_pagination(self, request: ControlRequest) -> dict[str, Any]:
        args = request.args("max_page_size", "empty_pages", "token_lifetime")
        pagination = self.fake.pagination
        size = args.integer("max_page_size", pagination.max_page_size, nullable=True)
        empty = args.flag("empty_pages", pagination.empty_pages)
        lifetime = args.number("token_lifetime", _MISSING, nullable=True)
        if lifetime is not _MISSING and lifetime is not None and lifetime <= 0:
            raise BadRequest(
                f"{request.endpoint}: 'token_lifetime' must be a number of seconds > 0 "
                f"or null (for ever), got {lifetime!r}"
            )
        pagination.max_page_size = size
        pagination.empty_pages = empty
        if lifetime is not _MISSING:
            pagination.token_lifetime = lifetime
        return self.pagination(request)

    def sequences(self, _: ControlRequest) -> dict[str, Any]:
        return {"sequences": [_sequence(s) for s in self.fake.pagination.sequences]}

    def outputs(self, request: ControlRequest) -> dict[str, Any]:
        # Like fake.outputs(): {} for a job that has not completed, or that the fake
        # does not know (it keeps outputs by ARN and checks no more).
        arn = request.param("job", "a job's ARN: ?job=arn:aws:...")
        return {"job": arn, "outputs": self.fake.outputs(arn)}


_MISSING: Any = object()


def _json_body(endpoint: str, body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(
            f"{endpoint} expects a JSON body, got {_short(body)} (not JSON: {error})"
        ) from None


def _timestamp(endpoint: str, name: str, value: Any) -> Any:
    """An ISO 8601 string for a ``...Time`` override, as the datetime the factory takes."""
    if not (name.endswith("Time") and isinstance(value, str)):
        return value
    try:
        moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            f"{endpoint}: {name!r} must be an ISO 8601 instant like 2024-01-01T09:00:00Z, "
            f"got {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _shown(route: str) -> str:
    """A route as the list of endpoints shows it: ``{service}`` only if it is any."""
    head, _, tail = route.partition("/")
    services = PER_SERVICE.get(tail, SERVICES)
    if head != "{service}" or services == SERVICES:
        return route
    return f"{'|'.join(services)}/{tail}"


def _rule(rule: Any) -> dict[str, Any]:
    return {"rule": rule.description, "fired": rule.fired}


def _call(call: Call) -> dict[str, Any]:
    return {
        "service": call.service,
        "operation": call.operation,
        "params": _jsonable(call.params),
        "error": call.error,
        "time": _iso(call.time),
        "transport": call.transport,
        "region": call.region,
        "status": call.status,
        "fault": call.fault,
    }


def _sequence(sequence: Sequence) -> dict[str, Any]:
    return {
        "service": sequence.service,
        "operation": sequence.operation,
        "region": sequence.region,
        "filters": _jsonable(sequence.filters),
        "exhausted": sequence.exhausted,
        "reused_tokens": dict(sequence.reused),
        "items": list(sequence.items),
        "pages": [
            {
                "number": page.number + 1,
                "time": _iso(page.time),
                "token_in": page.token_in,
                "token_out": page.token_out,
                "items": list(page.items),
                "max_results": page.max_results,
                "empty_on_purpose": page.empty_on_purpose,
            }
            for page in sequence.pages
        ],
    }


def _jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO 8601, bytes as base64, tuples and sets as lists."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(item) for item in value]
    if isinstance(value, _dt.datetime):
        return _iso(value)
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _iso(moment: _dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {
        dict: "a JSON object",
        list: "a list",
        str: "a string",
        int: "an integer",
        float: "a number",
        bytes: "bytes",
    }.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."
