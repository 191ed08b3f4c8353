"""Request bodies read as strict JSON (RFC 8259), before any field is looked at.

Python's :func:`json.loads` reads more than JSON: ``NaN``, ``Infinity`` and
``-Infinity``; numbers that overflow to infinity (``1e400``); bodies in UTF-16 or
UTF-32; strings holding lone surrogates (``"\\ud800"``, not Unicode text); the same key
twice in one object (the last one wins, silently). And it recurses once per level of
nesting, so a body nested a few thousand levels deep raises ``RecursionError``. Each of
these is a ``400`` here, saying what was wrong.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from .render import short
from .request import BadRequest

MAX_DEPTH = 32
"""Levels of objects and lists a body may nest (a factory override needs four)."""
MAX_NUMBER_LENGTH = 100
"""Characters a number may have: more is no number any field accepts, and Python
refuses to read an integer of more than 4,300 digits."""

# Strings, whose brackets are text, and the brackets outside them.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def read_body(endpoint: str, body: bytes) -> Any:
    """The body as a JSON value (``{}`` when empty), or a :class:`BadRequest`."""
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(
            f"{endpoint} expects a JSON body in UTF-8, got {short(body)} ({error})"
        ) from None
    reader = _Reader(endpoint)
    reader.check_depth(text)
    try:
        value = json.loads(
            text,
            parse_constant=reader.constant,
            parse_float=reader.number,
            parse_int=reader.integer,
            object_pairs_hook=reader.object,
        )
    except json.JSONDecodeError as error:
        raise BadRequest(
            f"{endpoint} expects a JSON body, got {short(body)} (not JSON: {error})"
        ) from None
    reader.check_text(value)
    return value


class _Reader:
    """The checks of one body, as hooks of the JSON parser and walks around it."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def refuse(self, message: str) -> NoReturn:
        raise BadRequest(f"{self.endpoint}: {message}")

    def check_depth(self, text: str) -> None:
        """Refuse a body nested deeper than :data:`MAX_DEPTH`, before the parser recurses."""
        depth = 0
        for bracket in _BRACKET.finditer(_STRING.sub("", text)):
            if bracket.group() not in "[{":
                depth -= 1
                continue
            depth += 1
            if depth > MAX_DEPTH:
                self.refuse(
                    f"the body nests objects and lists more than {MAX_DEPTH} levels deep; "
                    f"the control API reads at most {MAX_DEPTH}"
                )

    def constant(self, name: str) -> NoReturn:
        self.refuse(
            f"{name} is not a JSON number (JSON has no NaN or Infinity); send a finite number"
        )

    def number(self, literal: str) -> float:
        self._check_length(literal)
        value = float(literal)
        if not math.isfinite(value):
            self.refuse(f"{literal} is too large for a number (it overflows to infinity)")
        return value

    def integer(self, literal: str) -> int:
        self._check_length(literal)
        return int(literal)

    def _check_length(self, literal: str) -> None:
        if len(literal) > MAX_NUMBER_LENGTH:
            self.refuse(
                f"the number {literal[:20]}... has {len(literal)} characters; the control "
                f"API reads numbers of at most {MAX_NUMBER_LENGTH}"
            )

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, item in pairs:
            if key in found:
                self.refuse(f"the key {key!r} appears twice in one object; send each field once")
            found[key] = item
        return found

    def check_text(self, value: Any) -> None:
        """Refuse strings (and keys) holding lone surrogates: they are not Unicode text,
        and cannot be written back as UTF-8."""
        if isinstance(value, str):
            if _SURROGATE.search(value):
                self.refuse(
                    f"the string {short(value)} holds a lone surrogate, which is not Unicode "
                    "text; send valid text (a surrogate pair, or the character itself)"
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                self.check_text(key)
                self.check_text(item)
        elif isinstance(value, list):
            for item in value:
                self.check_text(item)
