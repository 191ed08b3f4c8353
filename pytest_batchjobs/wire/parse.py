"""Read a request's values by their shapes: a JSON body, a member of it, a member sent
as text (in a path, a query string or a header).

Which member is where is each protocol's business (:mod:`.protocols`); these readers
convert values to Python types: timestamps become aware datetimes, integers ints. A
value of the wrong JSON type is a ``SerializationException``, as the services answer
when a client sends one with its own validation turned off.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import re
from typing import TYPE_CHECKING, Any

from .errors import SerializationError
from .instants import parse_iso

if TYPE_CHECKING:
    from botocore.model import Shape

_NUMBERS = ("integer", "long", "float", "double")
# What the services' parsers accept in a path, query string or header: ASCII digits,
# no whitespace, no ``_`` separators (Python's int() and float() accept all three).
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", re.ASCII)


def json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        # The protocols are UTF-8 only, and JSON has no NaN or Infinity.
        value = _DECODER.decode(body.decode("utf-8"))
    except RecursionError:
        raise SerializationError("Request body is nested too deeply to be read") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise SerializationError(f"Request body is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise SerializationError("Request body must be a JSON object")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# One decoder for every body: json.loads() with an option builds a new one each call.
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


# Smithy's integer is 32 bits and its long 64: a larger value cannot be read.
_INTEGER_BITS = {"integer": 31, "long": 63}


def _integer(kind: str, value: int, path: str) -> int:
    limit = 1 << _INTEGER_BITS[kind]
    if not -limit <= value < limit:
        raise _too_large(kind, _digits(value), path)
    return value


# Digits past which no integer fits a long (2**63 has 19): read no further. Python's int()
# refuses a text of more than 4,300 digits outright (a ValueError, not a value).
_MOST_DIGITS = 19


def _integer_text(kind: str, text: str, path: str) -> int:
    """An integer read from text already matching :data:`_INTEGER`, of any length."""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    digits = digits.lstrip("0") or "0"
    if len(digits) > _MOST_DIGITS:
        raise _too_large(kind, _shortened(sign + digits), path)
    return _integer(kind, int(sign + digits), path)


def _too_large(kind: str, shown: str, path: str) -> SerializationError:
    return SerializationError(f"Value '{shown}' at '{path}' does not fit in a {kind}")


def _digits(value: int) -> str:
    """``value`` in decimal, cut short past 40 digits (and never through ``str()``, which
    refuses an int of more than 4,300 digits)."""
    if value.bit_length() <= 128:
        return str(value)
    return f"{'-' if value < 0 else ''}<an integer of {value.bit_length()} bits>"


def _shortened(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...{text[-6:]} ({len(text)} characters)"


def from_text(shape: Shape, text: str, path: str) -> Any:
    """A member read from the path, the query string or a header."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        if _INTEGER.fullmatch(text) is None:
            raise SerializationError(f"Value '{text}' at '{path}' is not an integer")
        return _integer_text(kind, text, path)
    if kind in ("float", "double"):
        if _NUMBER.fullmatch(text) is None:
            raise SerializationError(f"Value '{text}' at '{path}' is not a number")
        return float(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise SerializationError(f"Value '{text}' at '{path}' is not a boolean")
        return text == "true"
    if kind == "timestamp":
        return _timestamp(text, path)
    return text


def read_value(shape: Shape, value: Any, path: str) -> Any:
    """A member read from a JSON document, checked against its shape's type."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):  # any JSON value (StartAsyncInvoke's modelInput)
            return value
        return structure(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            raise _wrong_type(path, "a list", value)
        return [read_value(shape.member, item, f"{path}.member") for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise _wrong_type(path, "a map", value)
        return {
            read_value(shape.key, k, f"{path}.key"): read_value(shape.value, v, f"{path}.{k}")
            for k, v in value.items()
        }
    if kind == "string":
        if not isinstance(value, str):
            raise _wrong_type(path, "a string", value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _wrong_type(path, "a boolean", value)
        return value
    if kind in _NUMBERS:
        integral = kind in ("integer", "long")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _wrong_type(path, "an integer" if integral else "a number", value)
        if integral and isinstance(value, float) and not value.is_integer():
            raise _wrong_type(path, "an integer", value)
        if not integral:
            try:
                return float(value)
            except OverflowError:  # an int past a double's range
                raise _too_large(kind, _digits(int(value)), path) from None
        return _integer(kind, int(value), path)
    if kind == "timestamp":
        return _timestamp(value, path)
    if kind == "blob":
        if not isinstance(value, str):
            raise _wrong_type(path, "a base64 string", value)
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise _wrong_type(path, "a base64 string", value) from None
    return value


def structure(shape: Shape, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type(path or shape.name, "a structure", value)
    members = shape.members
    prefix = f"{path}." if path else ""
    return {
        name: read_value(members[name], item, prefix + name)
        for name, item in value.items()
        if name in members and item is not None
    }


def _timestamp(value: Any, path: str) -> _dt.datetime:
    if isinstance(value, bool):
        raise _wrong_type(path, "a timestamp", value)
    if isinstance(value, (int, float)):
        try:
            return _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise _wrong_type(path, "a timestamp", value) from None
    if isinstance(value, str):
        try:
            parsed = parse_iso(value)
        except ValueError:
            try:
                return _dt.datetime.fromtimestamp(float(value), _dt.timezone.utc)
            except (ValueError, OverflowError, OSError):
                raise _wrong_type(path, "a timestamp", value) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=_dt.timezone.utc)
        try:
            return parsed.astimezone(_dt.timezone.utc)
        except (OverflowError, ValueError):
            raise _wrong_type(path, "a timestamp", value) from None
    raise _wrong_type(path, "a timestamp", value)


def _wrong_type(path: str, expected: str, value: Any) -> SerializationError:
    shown = _digits(value) if isinstance(value, int) else f"{value!r:.60}"
    return SerializationError(
        f"Value at '{path}' must be {expected}, not {type(value).__name__} {shown}"
    )
