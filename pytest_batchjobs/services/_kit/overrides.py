"""The factory's overrides (``add_job(**overrides)``), checked before the factory runs.

The rules are the control API's (``POST {kind}/jobs``, whose values then come through
here too): each member of the create request, and each other field the factory takes
(Bedrock's ``submitTime``, ``totalRecordCount``, ...), is read by its shape in the
service's model, so a job never holds what the service could not send:

* its type (a ``TypeError`` in the wire parser's words), then its constraints (a
  ``ValueError`` in AWS's);
* a timestamp is an instant from 1970 to the fake clock's now (a job cannot have been
  submitted in the future): a ``datetime`` (UTC if naive), a ``date`` or an ISO 8601
  string, as the clock's ``start`` takes it;
* ``status`` is one status, a non-empty list of statuses, or a dict of weights;
* ``region`` a region name as botocore's partitions define them.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ... import arguments
from ...wire.constraints import summary, violations
from ...wire.errors import ServiceError
from ...wire.members import answered_member
from ...wire.models import service_model
from ...wire.parse import read_value
from ...wire.regions import is_region

if TYPE_CHECKING:
    from botocore.model import Shape

    from .spec import JobKind


def checked_overrides(
    kind: JobKind, where: str, overrides: dict[str, Any], now: _dt.datetime
) -> dict[str, Any]:
    """``overrides`` read as the factory takes them (names already known to be valid),
    or a ``TypeError`` / ``ValueError`` naming the one that is wrong. ``None`` is as if
    the override were left out."""
    create = service_model(kind.service).operation_model(kind.create).input_shape
    read: dict[str, Any] = {}
    for name, value in overrides.items():
        if value is None:
            continue
        if name == "status":
            read[name] = status_spec(kind, f"{where} status", value)
        elif name == "region":
            read[name] = _region(f"{where} region", value)
        else:
            shape = create.members.get(name) or answered_member(kind.service, kind.operations, name)
            refusal = f"{kind.name} would reject this job: "
            read[name] = (
                value if shape is None else member(shape, f"{where} {name}", value, now, refusal)
            )
    return read


def member(shape: Shape, where: str, value: Any, now: _dt.datetime, refusal: str = "") -> Any:
    """``value`` read by its ``shape``: of the shape's type, within its constraints
    (``refusal`` opens the message of a value outside them)."""
    if shape.type_name == "timestamp":
        return arguments.instant(
            where, value, latest=now, latest_is=f"the fake clock's now ({now})"
        )
    try:
        read = read_value(shape, value, where.rsplit(" ", 1)[-1])
    except ServiceError as error:
        raise TypeError(f"{where}: {error.message}") from None
    problems = violations(shape, read, where.rsplit(" ", 1)[-1])
    if problems:
        raise ValueError(f"{where}: {refusal}{summary(problems)}")
    return read


def status_spec(kind: JobKind, where: str, value: Any) -> Any:
    """One status, a non-empty list of statuses to cycle through, or weights (numbers
    >= 0 adding up to a finite number more than 0), each a status of ``kind``."""
    statuses = kind.statuses
    valid = statuses.every  # a stopped job's statuses too, for a kind that has them
    expected = (
        "a status, a non-empty list of statuses, or a dict of weights like "
        f"{{{statuses.outcomes[0]!r}: 8, {statuses.outcomes[1]!r}: 2}}"
    )
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, Mapping):
        names = list(value)
        for name, weight in value.items():
            if not arguments.is_number(weight):
                arguments.wrong_type(f"{where} weight of {name!r}", "a number >= 0", weight)
            if not 0 <= weight < math.inf:
                arguments.out_of_range(f"{where} weight of {name!r}", "a number >= 0", weight)
        if not 0 < sum(value.values()) < math.inf:
            arguments.out_of_range(where, "weights adding up to a finite number more than 0", value)
    elif isinstance(value, (list, tuple)):
        names = list(value)
        if not names:
            arguments.out_of_range(where, expected, value)
    else:
        arguments.wrong_type(where, expected, value)
    for name in names:
        if not isinstance(name, str):
            arguments.wrong_type(f"{where} (each status)", "a string", name)
        statuses.refuse_documented_only(name, where)
        if name not in valid:
            raise ValueError(
                f"{where}: unknown status {name!r}; valid statuses: {', '.join(valid)}"
            )
    return value


def _region(where: str, value: Any) -> str:
    """A region name shaped as one of botocore's partitions defines them."""
    expected = "an AWS region name like us-east-1 or eu-west-1"
    if not isinstance(value, str):
        arguments.wrong_type(where, expected, value)
    if not is_region(value):
        arguments.out_of_range(where, expected, value)
    return value
