"""The factory's overrides (``POST {kind}/jobs``), checked before the factory is asked.

The factory (``add_jobs``) takes Python values and trusts their types, so every
override is read here first, as the service itself would read it:

* a member of the create request, by the create operation's input shape: its type
  (in the wire parser's words, as a ``SerializationException`` says it), then its
  constraints (in AWS's);
* another field the factory takes (Bedrock's ``submitTime``, ``message``,
  ``totalRecordCount``, ``errorRecordCount``; Personalize's ``creationDateTime``,
  ``failureReason``), by the member of that name in what the service answers about a
  job, so that the fake never shows what the service could not send;
* ``status``: one status, a non-empty list of statuses, or an object of weights;
* ``region``: a region name as botocore's partitions data defines them.

An override given as ``null`` is as if it was left out.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import TYPE_CHECKING, Any

from ....wire.constraints import summary, violations
from ....wire.errors import ServiceError
from ....wire.instants import format_iso, parse_iso
from ....wire.members import answered_member
from ....wire.models import service_model

# The wire parser's reading of a JSON value by its shape (types, 32- and 64-bit
# integers), with the messages the services' own parsers give.
from ....wire.parse import read_value
from ....wire.regions import is_region
from .limits import EARLIEST
from .render import kind, short
from .request import BadRequest

if TYPE_CHECKING:
    from botocore.model import Shape

    from ....time.lifecycles import ServiceStatuses

# The fewest records a Bedrock factory job is given when totalRecordCount is left out
# (it draws 100 to 50,000): more errors than that could outnumber its records.
FEWEST_RECORDS = 100


def job_overrides(
    backend: Any, endpoint: str, fields: dict[str, Any], now: _dt.datetime
) -> dict[str, Any]:
    """``fields`` (a jobs request's body without ``count``), checked and read as the
    factory takes them; a :class:`BadRequest` saying what was wrong otherwise."""
    create = service_model(backend.kind.service).operation_model(backend.kind.create).input_shape
    overrides: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name == "status":
            overrides[name] = _status(endpoint, backend.kind.name, backend.kind.statuses, value)
        elif name == "region":
            overrides[name] = _region(endpoint, value)
        elif name in create.members:
            overrides[name] = read_member(endpoint, create.members[name], name, value, now)
        else:
            overrides[name] = read_member(endpoint, shown_member(backend, name), name, value, now)
    _check_record_counts(endpoint, overrides)
    return overrides


def read_member(endpoint: str, shape: Shape, name: str, value: Any, now: _dt.datetime) -> Any:
    """``value`` read by its ``shape``: of the shape's type, within its constraints."""
    if shape.type_name == "timestamp":
        return _instant(endpoint, name, value, now)
    try:
        read = read_value(shape, value, name)
    except ServiceError as error:
        raise BadRequest(f"{endpoint}: {error.message}") from None
    problems = violations(shape, read, name)
    if problems:
        raise BadRequest(f"{endpoint}: {summary(problems)}")
    return read


def shown_member(backend: Any, name: str) -> Shape:
    """The shape of the member ``name`` of what the service answers about a job (the
    get / describe call's output, or another of its operations')."""
    found = answered_member(backend.kind.service, backend.kind.operations, name)
    if found is None:  # the backend's override names hold only members a model answers
        raise LookupError(f"no {backend.kind.service} operation answers a member {name!r}")
    return found


def _instant(endpoint: str, name: str, value: Any, now: _dt.datetime) -> _dt.datetime:
    """An ISO 8601 instant from 1970 to the fake clock's now (a job cannot have been
    submitted in the future), as an aware UTC datetime."""
    expected = "an ISO 8601 instant like 2024-01-01T09:00:00Z"
    if not isinstance(value, str):
        raise BadRequest(
            f"{endpoint}: {name!r} must be {expected}, got {kind(value)}: {short(value)}"
        )
    try:
        moment = parse_iso(value)
    except ValueError:
        raise BadRequest(f"{endpoint}: {name!r} must be {expected}, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    try:
        moment = moment.astimezone(_dt.timezone.utc)
        fits = EARLIEST <= moment <= now
    except OverflowError:  # past 9999-12-31 once in UTC
        fits = False
    if not fits:
        raise BadRequest(
            f"{endpoint}: {name!r} must be from {format_iso(EARLIEST)} to the fake clock's now "
            f"({format_iso(now)}), got {value!r}"
        )
    return moment


def _status(endpoint: str, service: str, statuses: ServiceStatuses, value: Any) -> Any:
    """One status, a non-empty list of statuses to cycle through, or weights."""
    valid = statuses.every  # a stopped job's statuses too, for a kind that has them
    expected = (
        "a status, a non-empty list of statuses, or an object of weights like "
        f'{{"{statuses.outcomes[0]}": 8, "{statuses.outcomes[1]}": 2}}'
    )
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        names = value
    elif isinstance(value, dict) and value:
        names = list(value)
        for name, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                raise BadRequest(
                    f"{endpoint}: 'status' weight of {name!r} must be a number >= 0, got "
                    f"{kind(weight)}: {short(weight)}"
                )
        if not 0 < sum(value.values()) < math.inf:
            raise BadRequest(
                f"{endpoint}: 'status' weights must add up to a finite number more than 0, "
                f"got {short(value)}"
            )
    else:
        raise BadRequest(
            f"{endpoint}: 'status' must be {expected}, got {kind(value)}: {short(value)}"
        )
    for name in names:
        if name not in valid:
            raise BadRequest(
                f"{endpoint}: 'status' {name!r} is not a {service} status; valid statuses: "
                f"{', '.join(valid)}"
            )
    return value


def _region(endpoint: str, value: Any) -> str:
    """A region name shaped as one of botocore's partitions defines them."""
    if isinstance(value, str) and is_region(value):
        return value
    got = repr(value) if isinstance(value, str) else f"{kind(value)}: {short(value)}"
    raise BadRequest(
        f"{endpoint}: 'region' must be an AWS region name like us-east-1 or eu-west-1 "
        f"(the form of a region in botocore's partitions data), got {got}"
    )


def _check_record_counts(endpoint: str, overrides: dict[str, Any]) -> None:
    """No more error records than records: successRecordCount is never negative."""
    errors, total = overrides.get("errorRecordCount"), overrides.get("totalRecordCount")
    if errors is None:
        return
    if total is not None and errors > total:
        raise BadRequest(
            f"{endpoint}: 'errorRecordCount' must be at most 'totalRecordCount' ({total}), "
            f"got {errors}"
        )
    if total is None and errors > FEWEST_RECORDS:
        raise BadRequest(
            f"{endpoint}: 'errorRecordCount' must be at most {FEWEST_RECORDS} without "
            f"'totalRecordCount' (factory jobs hold {FEWEST_RECORDS} to 50,000 records); "
            f"give totalRecordCount too, got {errors}"
        )
