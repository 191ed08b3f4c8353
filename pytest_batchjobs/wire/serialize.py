"""Write an operation's output, or an error, as the service's protocol sends it.

Timestamps follow the protocol: JSON 1.1 sends epoch seconds; REST-JSON sends the
format the shape names (``iso8601`` for Bedrock), epoch seconds otherwise. Errors are
``{"__type": ..., "message": ...}`` with status 400 for JSON 1.1, and a
``x-amzn-ErrorType`` header with the error shape's ``httpStatusCode`` for REST-JSON.
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

from .messages import WireResponse

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

    from .errors import ServiceError

_dumps = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode

_CONTENT_TYPES = {"json": "application/x-amz-json-1.1", "rest-json": "application/json"}

# Statuses of errors that the models do not describe (common errors of every service).
_UNMODELED_STATUS = {
    "ThrottlingException": 400,
    "InternalFailure": 500,
    "InternalServerException": 500,
    "ServiceUnavailable": 503,
    "UnknownOperationException": 404,
    "SerializationException": 400,
    "InvalidSignatureException": 403,
}


def serialize_output(operation: OperationModel, output: dict[str, Any]) -> WireResponse:
    """The HTTP response for a successful call returning ``output``."""
    protocol = operation.metadata["protocol"]
    headers = _base_headers(protocol)
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    if shape is None or not shape.members:
        body = b"{}" if protocol == "json" else b""
        return WireResponse(status, headers, body)
    outside = _outside_body(shape)
    if outside:
        for name, location, wire_name in outside:
            value = output.get(name)
            if value is None:
                continue
            if location == "header":
                headers[wire_name] = str(value)
            elif location == "statusCode":
                status = int(value)
        output = {k: v for k, v in output.items() if k not in {row[0] for row in outside}}
    document = _structure_encoder(shape)(output)
    return WireResponse(status, headers, _dumps(document).encode())


def serialize_error(service: ServiceModel, error: ServiceError) -> WireResponse:
    """The HTTP response for ``error``, with the status the model or protocol gives it."""
    protocol = service.protocol
    headers = _base_headers(protocol)
    shape = _error_shape(service, error.code)
    status = error.status
    if status is None:
        modeled = shape.metadata.get("error", {}).get("httpStatusCode") if shape else None
        status = 400 if protocol == "json" else modeled or _UNMODELED_STATUS.get(error.code, 400)
    document: dict[str, Any] = {"message": error.message}
    for name, value in error.fields.items():
        member = shape.members.get(name) if shape is not None else None
        document[name] = _member_encoder(member)(value) if member is not None else value
    if protocol == "json":
        document = {"__type": f"{_namespace(service)}#{error.code}", **document}
    else:
        headers["x-amzn-ErrorType"] = error.code
    return WireResponse(status, headers, json.dumps(document).encode())


def _base_headers(protocol: str) -> dict[str, str]:
    return {
        "x-amzn-RequestId": _request_id(),
        "Content-Type": _CONTENT_TYPES[protocol],
        "Date": _http_date(int(time.time())),
    }


_REQUEST_PREFIX = uuid.uuid4().hex[:20]
_request_numbers = itertools.count(1)


def _request_id() -> str:
    """A UUID-shaped request id, unique in the process (cheaper than ``uuid4()``)."""
    number = f"{_REQUEST_PREFIX}{next(_request_numbers) & 0xFFFFFFFFFFFF:012x}"
    return f"{number[:8]}-{number[8:12]}-{number[12:16]}-{number[16:20]}-{number[20:]}"


@functools.lru_cache(maxsize=64)
def _http_date(epoch_seconds: int) -> str:
    return formatdate(epoch_seconds, usegmt=True)


def _error_shape(service: ServiceModel, code: str) -> Shape | None:
    for shape in service.error_shapes:
        if shape.name == code:
            return shape
    return None


def _namespace(service: ServiceModel) -> str:
    return f"com.amazonaws.{service.endpoint_prefix}"


Encoder = Callable[[Any], Any]


@functools.cache
def _outside_body(shape: Shape) -> tuple[tuple[str, str, str], ...]:
    """Output members carried outside the JSON body: (name, location, wire name)."""
    return tuple(
        (name, member.serialization["location"], member.serialization.get("name", name))
        for name, member in shape.members.items()
        if member.serialization.get("location") in ("header", "statusCode")
    )


@functools.cache
def _member_encoder(shape: Shape) -> Encoder:
    """A function writing values of ``shape`` as JSON-ready data, built once per shape.

    Most of an output is already JSON-ready: a shape holding no timestamp or blob,
    however deep, is written as it is (``_same``), without walking the value.
    """
    kind = shape.type_name
    if _json_ready(shape):
        return _same
    if kind == "structure":
        return _structure_encoder(shape)
    if kind == "list":
        member = _member_encoder(shape.member)
        return lambda value: [member(item) for item in value]
    if kind == "map":
        item_encoder = _member_encoder(shape.value)
        return lambda value: {key: item_encoder(item) for key, item in value.items()}
    if kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            return _iso8601
        return _epoch_seconds
    return _base64


@functools.cache
def _structure_encoder(shape: Shape) -> Encoder:
    """Write a structure: drop ``None`` and unknown members, encode the others.

    Members get their encoders on first use, so recursive shapes terminate.
    """
    members = shape.members
    encoders: dict[str, Encoder] = {}

    def structure(value: dict[str, Any]) -> dict[str, Any]:
        document = {}
        for name, item in value.items():
            if item is None:
                continue
            encode = encoders.get(name)
            if encode is None:
                if name not in members:
                    continue
                encode = encoders[name] = _member_encoder(members[name])
            document[name] = item if encode is _same else encode(item)
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
