"""Server-side validation of a value against its botocore shape, in AWS's words.

AWS services validate every ``min``, ``max``, ``pattern``, ``enum`` and ``required``
trait on the server, and report all violations at once in the Coral style::

    2 validation errors detected: Value '1001' at 'maxResults' failed to satisfy
    constraint: Member must have value less than or equal to 1000; Value ...

The same checks run on outputs in the test suite, to prove the fake sends nothing a
real service could not.
"""

from __future__ import annotations

import datetime as _dt
import functools
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import Shape


def violations(shape: Shape, value: Any, path: str = "") -> list[str]:
    """Every constraint ``value`` breaks, each as one AWS-style sentence."""
    found: list[str] = []
    _check(shape, value, path, found)
    return found


def summary(found: list[str]) -> str:
    """``N validation error(s) detected: a; b`` as AWS words it."""
    noun = "error" if len(found) == 1 else "errors"
    return f"{len(found)} validation {noun} detected: " + "; ".join(found)


def _check(shape: Shape, value: Any, path: str, found: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure" and shape.metadata.get("document"):
        return  # a document is any JSON value: its model has no constraints on it
    if kind == "structure":
        _check_structure(shape, value, path, found)
    elif kind == "list":
        _check_length(shape, value, len(value), path, found)
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member", found)
    elif kind == "map":
        _check_length(shape, value, len(value), path, found)
        for key, item in value.items():
            _check(shape.key, key, f"{path}.key", found)
            _check(shape.value, item, f"{path}.{key}", found)
    elif kind == "string":
        _check_string(shape, value, path, found)
    elif kind in ("integer", "long", "float", "double"):
        _check_range(shape, value, path, found)


def _check_structure(shape: Shape, value: dict[str, Any], path: str, found: list[str]) -> None:
    prefix = f"{path}." if path else ""
    for name in shape.required_members:
        if value.get(name) is None:
            found.append(
                f"Value null at '{prefix}{name}' failed to satisfy constraint: "
                "Member must not be null"
            )
    if shape.metadata.get("union") and len([v for v in value.values() if v is not None]) != 1:
        found.append(
            f"Value {_shown(shape, value)} at '{path or shape.name}' failed to satisfy constraint: "
            f"Member must have exactly one of the following fields set: "
            f"[{', '.join(shape.members)}]"
        )
    members = shape.members
    for name, item in value.items():
        if item is not None and name in members:
            _check(members[name], item, f"{prefix}{name}", found)


def _check_length(shape: Shape, value: Any, length: int, path: str, found: list[str]) -> None:
    meta = shape.metadata
    if "min" in meta and length < meta["min"]:
        found.append(
            f"Value {_shown(shape, value)} at '{path}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and length > meta["max"]:
        found.append(
            f"Value {_shown(shape, value)} at '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {meta['max']}"
        )


def _check_string(shape: Shape, value: str, path: str, found: list[str]) -> None:
    meta = shape.metadata
    _check_length(shape, value, len(value), path, found)
    enum = shape.enum
    if enum and value not in enum:
        found.append(
            f"Value {_shown(shape, value)} at '{path}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(enum)}]"
        )
    pattern = meta.get("pattern")
    if pattern is not None and not _matches(pattern, value):
        found.append(
            f"Value {_shown(shape, value)} at '{path}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {pattern}"
        )


def _check_range(shape: Shape, value: float, path: str, found: list[str]) -> None:
    meta = shape.metadata
    if "min" in meta and value < meta["min"]:
        found.append(
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value greater than or equal to {meta['min']}"
        )
    if "max" in meta and value > meta["max"]:
        found.append(
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value less than or equal to {meta['max']}"
        )


def _shown(shape: Shape, value: Any) -> str:
    """How AWS quotes a value in a message; sensitive values are never echoed."""
    if shape.metadata.get("sensitive"):
        return "'***'"
    if isinstance(value, _dt.datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return f"'{value}'"
    return f"'{value!r}'" if not isinstance(value, (list, dict)) else "'[...]'"


# Some model patterns backtrack exponentially on some values that do not match (the
# Bedrock job name's ``(-*[...\-...]){0,63}``, on a run of dashes). A value whose test
# burns this much of its thread's CPU time is taken as not matching: values that match
# are found in microseconds, so the bound only cuts short a failing search. regex's
# timeout counts wall time, which a thread starved by others (a loaded machine, a
# short switch interval) also spends: a search that timed out having used little CPU
# was waiting, not backtracking, and is tried again.
_PATTERN_SECONDS = 1.0


@functools.lru_cache(maxsize=8192)
def _matches(pattern: str, value: str) -> bool:
    """Whether ``value`` matches (cached: pollers send the same ids again and again)."""
    compiled = _compiled(pattern)
    spent = 0.0
    while spent < _PATTERN_SECONDS:
        started = time.thread_time()
        try:
            return compiled.fullmatch(value, timeout=_PATTERN_SECONDS) is not None
        except TimeoutError:
            spent += time.thread_time() - started
    return False


@functools.cache
def _compiled(pattern: str) -> Any:
    """Compile a model pattern with Java's semantics.

    The models' patterns are Java regular expressions (``\\p{ASCII}``, ``\\p{L}``),
    applied with ``Matcher.matches()``, i.e. to the whole value. The ``regex`` package
    understands the Unicode property classes that ``re`` does not.
    """
    import regex

    return regex.compile(_java_semantics(pattern), regex.VERSION0)


# Java's \\d, \\s and \\w are ASCII-only, and its ``.`` matches no line terminator;
# Python's are Unicode-wide, and its ``.`` stops only at ``\\n``.
_JAVA_CLASSES = {"d": "0-9", "s": " \\t\\n\\x0b\\f\\r", "w": "a-zA-Z_0-9"}
_JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]"


def _java_semantics(pattern: str) -> str:
    """Rewrite a Java pattern so that Python's engine gives it Java's meaning."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
            ascii_class = _JAVA_CLASSES.get(char)
            if ascii_class is None:
                out.append("\\" + char)
            else:
                out.append(ascii_class if in_class else f"[{ascii_class}]")
        elif char == "\\":
            escaped = True
        elif in_class:
            out.append(char)
            in_class = char != "]"
        elif char == "[":
            out.append(char)
            in_class = True
        elif char == ".":
            out.append(_JAVA_DOT)
        else:
            out.append(char)
    return "".join(out)
