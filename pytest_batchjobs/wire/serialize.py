"""Write values by their shapes as JSON-ready data, and the headers of every response.

Timestamps are written in the format the shape names (``iso8601`` for Bedrock's),
epoch seconds otherwise (JSON 1.1's, and REST-JSON's default); blobs as base64. Where
a member goes (the body, a header, the status) is each protocol's business
(:mod:`.protocols`).
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import itertools
import json
import time
import uuid
from collections.abc import Callable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import Shape

dumps = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode
"""A JSON document as compact text (no spaces, no circularity check)."""


def base_headers(content_type: str) -> dict[str, str]:
    """The headers of every response: a request id, the content type, the date."""
    return {
        "x-amzn-RequestId": _request_id(),
        "Content-Type": content_type,
        "Date": _http_date(int(time.time())),
    }


_PREFIX = uuid.uuid4().hex[:20]
_REQUEST_PREFIX = f"{_PREFIX[:8]}-{_PREFIX[8:12]}-{_PREFIX[12:16]}-{_PREFIX[16:20]}-"
_request_numbers = itertools.count(1)


def _request_id() -> str:
    """A UUID-shaped request id, unique in the process (cheaper than ``uuid4()``): a
    random prefix, then a counter."""
    return f"{_REQUEST_PREFIX}{next(_request_numbers) & 0xFFFFFFFFFFFF:012x}"


@functools.lru_cache(maxsize=64)
def _http_date(epoch_seconds: int) -> str:
    return formatdate(epoch_seconds, usegmt=True)


Encoder = Callable[[Any], Any]


@functools.cache
def member_encoder(shape: Shape) -> Encoder:
    """A function writing values of ``shape`` as JSON-ready data, built once per shape.

    Most of an output is already JSON-ready: a shape holding no timestamp or blob,
    however deep, is written as it is (``_same``), without walking the value.
    """
    kind = shape.type_name
    if _json_ready(shape):
        return _same
    if kind == "structure":
        return structure_encoder(shape)
    if kind == "list":
        member = member_encoder(shape.member)
        return lambda value: [member(item) for item in value]
    if kind == "map":
        item_encoder = member_encoder(shape.value)
        return lambda value: {key: item_encoder(item) for key, item in value.items()}
    if kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            return _iso8601
        return _epoch_seconds
    return _base64


@functools.cache
def structure_encoder(shape: Shape) -> Encoder:
    """Write a structure: drop ``None`` and unknown members, encode the others.

    The members that need converting (timestamps, blobs, what holds them) are found on
    the first value written, not before, so recursive shapes terminate; every other
    member is copied as it is.
    """
    members = shape.members
    known = members.keys()
    converted: list[tuple[str, Encoder]] | None = None

    def structure(value: dict[str, Any]) -> dict[str, Any]:
        nonlocal converted
        if converted is None:
            converted = [
                (name, encode)
                for name, member in members.items()
                if (encode := member_encoder(member)) is not _same
            ]
        if value.keys() <= known:
            document = {name: item for name, item in value.items() if item is not None}
        else:
            document = {
                name: item for name, item in value.items() if item is not None and name in members
            }
        for name, encode in converted:
            item = document.get(name)
            if item is not None:
                document[name] = encode(item)
        return document

    return structure


def _json_ready(shape: Shape, seen: frozenset[int] = frozenset()) -> bool:
    """Whether values of ``shape`` need no conversion to be written as JSON."""
    kind = shape.type_name
    if kind in ("timestamp", "blob"):
        return False
    if id(shape) in seen:
        return True
    inside = seen | {id(shape)}
    if kind == "structure":
        return all(_json_ready(member, inside) for member in shape.members.values())
    if kind == "list":
        return _json_ready(shape.member, inside)
    if kind == "map":
        return _json_ready(shape.value, inside)
    return True


def _same(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=4096)
def _iso8601(value: _dt.datetime) -> str:
    return value.astimezone(_dt.timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"


def _epoch_seconds(value: _dt.datetime) -> float:
    return round(value.timestamp(), 3)


def _base64(value: bytes | str) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode()
