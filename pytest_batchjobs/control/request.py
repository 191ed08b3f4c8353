"""One control request: its body read as JSON, its fields read with checks."""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Iterable
from typing import Any

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

    def number(self, name: str, default: Any = REQUIRED, *, nullable: bool = False) -> Any:
        kinds: tuple[type, ...] = (int, float, type(None)) if nullable else (int, float)
        return self.get(name, kinds, "a number" + (" or null" if nullable else ""), default)

    def integer(self, name: str, default: Any = REQUIRED, *, nullable: bool = False) -> Any:
        kinds: tuple[type, ...] = (int, type(None)) if nullable else (int,)
        return self.get(name, kinds, "an integer" + (" or null" if nullable else ""), default)

    def flag(self, name: str, default: Any = REQUIRED) -> Any:
        return self.get(name, (bool,), "true or false", default)

    def mapping(self, name: str, default: Any = None) -> Any:
        return self.get(name, (dict, type(None)), "a JSON object or null", default)

    def strings(self, name: str, default: Any = REQUIRED) -> Any:
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
