"""The fake's records as JSON documents, and values as error messages quote them."""

from __future__ import annotations

import base64
import datetime as _dt
import json
from typing import TYPE_CHECKING, Any

from ....wire.instants import format_iso

if TYPE_CHECKING:
    from ....policies.journal import Call
    from ....policies.pagination import PageSequence


def rule(fault: Any) -> dict[str, Any]:
    """A fault rule: its description and how often it fired."""
    return {"rule": fault.description, "fired": fault.fired}


def call(record: Call) -> dict[str, Any]:
    """One call of the journal."""
    return {
        "service": record.service,
        "operation": record.operation,
        "params": jsonable(record.params),
        "error": record.error,
        "time": format_iso(record.time),
        "transport": record.transport,
        "region": record.region,
        "status": record.status,
        "fault": record.fault,
    }


def sequence(pages: PageSequence) -> dict[str, Any]:
    """One pagination sequence, page by page (numbered from 1)."""
    return {
        "service": pages.service,
        "operation": pages.operation,
        "region": pages.region,
        "filters": jsonable(pages.filters),
        "exhausted": pages.exhausted,
        "reused_tokens": dict(pages.reused),
        "items": list(pages.items),
        "pages": [
            {
                "number": page.number + 1,
                "time": format_iso(page.time),
                "token_in": page.token_in,
                "token_out": page.token_out,
                "items": list(page.items),
                "max_results": page.max_results,
                "empty_on_purpose": page.empty_on_purpose,
            }
            for page in pages.pages
        ],
    }


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO 8601, bytes as base64, tuples and sets as lists."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, _dt.datetime):
        return format_iso(value)
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def kind(value: Any) -> str:
    """What a JSON value is, as an error message names it: ``a string``, ``null``."""
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


def short(value: Any) -> str:
    """A value as JSON (bytes as text), cut to 80 characters."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."
