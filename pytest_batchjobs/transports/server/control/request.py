"""One control request: its body read as JSON, its fields read with checks."""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Iterable
from typing import Any

from .limits import INT64
from .render import kind, short

REQUIRED: Any = object()
"""The default of a field that must be given."""
MISSING: Any = object()
"""The default of a field that may be left out, to tell "left out" from ``null``."""


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
                f"{endpoint} expects a JSON object body, got {kind(body)}: {short(body)}"
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
            if default is REQUIRED:
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
                f"{self.endpoint}: {name!r} must be {expected}, got {kind(value)}: {short(value)}"
            )
        return value

    def text(self, name: str, default: Any = REQUIRED, *, nullable: bool = False) -> Any:
        kinds: tuple[type, ...] = (str, type(None)) if nullable else (str,)
        return self.get(name, kinds, "a string" + (" or null" if nullable else ""), default)

    def number(
        self,
        name: str,
        default: Any = REQUIRED,
        *,
        nullable: bool = False,
        minimum: float | None = None,
        above: float | None = None,
        maximum: float | None = None,
        low: str = "",
        high: str = "",
    ) -> Any:
        """A number (an integer or a fraction) from ``minimum`` (or greater than
        ``above``) to ``maximum``; ``low`` and ``high`` say why, in the errors."""
        kinds: tuple[type, ...] = (int, float, type(None)) if nullable else (int, float)
        value = self.get(name, kinds, "a number" + (" or null" if nullable else ""), default)
        if isinstance(value, (int, float)):
            self.bounded(name, value, "a number", (minimum, above, maximum), (low, high))
        return value

    def integer(
        self,
        name: str,
        default: Any = REQUIRED,
        *,
        nullable: bool = False,
        minimum: int | None = None,
        maximum: int = INT64,
        low: str = "",
        high: str = "a 64-bit integer",
    ) -> Any:
        """An integer from ``minimum`` to ``maximum`` (by default, any 64-bit one)."""
        kinds: tuple[type, ...] = (int, type(None)) if nullable else (int,)
        value = self.get(name, kinds, "an integer" + (" or null" if nullable else ""), default)
        if isinstance(value, int):
            self.bounded(name, value, "an integer", (minimum, None, maximum), (low, high))
        return value

    def bounded(
        self,
        name: str,
        value: float,
        noun: str,
        bounds: tuple[float | None, float | None, float | None],
        reasons: tuple[str, str],
    ) -> None:
        """Refuse ``value`` outside ``bounds`` (minimum, exclusive minimum, maximum);
        ``reasons`` say why the lower and the upper bounds are there. Python compares
        ints and floats exactly, whatever their size."""
        minimum, above, maximum = bounds
        low, high = (f" ({reason})" if reason else "" for reason in reasons)
        got = f"got {short(value)}"
        if minimum is not None and value < minimum:
            raise BadRequest(f"{self.endpoint}: {name!r} must be {noun} >= {minimum}{low}, {got}")
        if above is not None and value <= above:
            raise BadRequest(f"{self.endpoint}: {name!r} must be {noun} > {above}{low}, {got}")
        if maximum is not None and value > maximum:
            raise BadRequest(f"{self.endpoint}: {name!r} must be at most {maximum}{high}, {got}")

    def flag(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, (bool,), "true or false", default)

    def mapping(self, name: str, default: Any = None) -> Any:
        return self.get(name, (dict, type(None)), "a JSON object or null", default)

    def strings(self, name: str, default: Any = REQUIRED) -> Any:
        """A list of strings, not empty."""
        value = self.get(name, (list,), "a list of strings", default)
        if value is not default and not all(isinstance(item, str) for item in value):
            raise BadRequest(f"{self.endpoint}: {name!r} must be a list of strings, got {value!r}")
        if value is not default and not value:
            raise BadRequest(
                f"{self.endpoint}: {name!r} must be a list of at least one string, got []"
            )
        return value


@dataclasses.dataclass(frozen=True)
class ControlRequest:
    """One control request, as the dispatcher hands it to an endpoint."""

    endpoint: str
    """The method and path, as errors name it: ``"POST /_batchjobs/bedrock/jobs"``."""
    kind: str | None
    """The job kind in the path of a ``{kind}/...`` route (``personalize_segments``),
    else ``None``."""
    body: Any
    """The JSON body (``{}`` when empty), not checked yet: see :meth:`args`."""
    query: str
    """The query string, as sent, without its ``?``: see :meth:`param`."""

    def args(self, *allowed: str) -> Args:
        """The body as an object of some of the fields ``allowed`` (none: only ``{}``)."""
        return Args(self.endpoint, self.body, allowed)

    def param(self, name: str, expected: str) -> str:
        """The query parameter ``name`` (URL-decoded), given once and not empty, and no
        other one (a misspelt parameter would go unnoticed)."""
        given = urllib.parse.parse_qs(self.query, keep_blank_values=True)
        values = given.get(name, [])
        if len(values) != 1 or not values[0]:
            raise BadRequest(
                f"{self.endpoint} needs the query parameter {name!r} once ({expected}), "
                f"got {'?' + self.query if self.query else 'no query string'}"
            )
        if set(given) != {name}:
            raise BadRequest(
                f"{self.endpoint} takes only the query parameter {name!r}, got ?{self.query}"
            )
        return values[0]
