"""Write an operation's output, or an error, as the service's protocol sends it.

Timestamps follow the protocol: JSON 1.1 sends epoch seconds; REST-JSON sends the
format the shape names (``iso8601`` for Bedrock), epoch seconds otherwise. Errors are
``{"__type": ..., "message": ...}`` with status 400 for JSON 1.1, and a
``x-amzn-ErrorType`` header with the error shape's ``httpStatusCode`` for REST-JSON.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import uuid
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from .messages import WireResponse

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

    from .errors import ServiceError

_CONTENT_TYPES = {"json": "application/x-amz-json-1.1", "rest-json": "application/json"}

# Statuses of errors that the models do not describe (common errors of every service).
_UNMODELED_STATUS = {
    "ThrottlingException": 400,
    "InternalFailure": 500,
    "InternalServerException": 500,
    "ServiceUnavailable": 503,
    "UnknownOperationException": 404,
    "SerializationException": 400,
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
    document: dict[str, Any] = {}
    for name, value in output.items():
        if value is None or name not in shape.members:
            continue
        member = shape.members[name]
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", name)] = str(value)
        elif location == "statusCode":
            status = int(value)
        else:
            document[name] = _encode(member, value, protocol)
    return WireResponse(status, headers, json.dumps(document).encode())


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
        document[name] = _encode(member, value, protocol) if member is not None else value
    if protocol == "json":
        document = {"__type": f"{_namespace(service)}#{error.code}", **document}
    else:
        headers["x-amzn-ErrorType"] = error.code
    return WireResponse(status, headers, json.dumps(document).encode())


def _base_headers(protocol: str) -> dict[str, str]:
    return {
        "x-amzn-RequestId": str(uuid.uuid4()),
        "Content-Type": _CONTENT_TYPES[protocol],
        "Date": formatdate(usegmt=True),
    }


def _error_shape(service: ServiceModel, code: str) -> Shape | None:
    for shape in service.error_shapes:
        if shape.name == code:
            return shape
    return None


def _namespace(service: ServiceModel) -> str:
    return f"com.amazonaws.{service.endpoint_prefix}"


def _encode(shape: Shape, value: Any, protocol: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {
            name: _encode(members[name], item, protocol)
            for name, item in value.items()
            if item is not None and name in members
        }
    if kind == "list":
        member = shape.member
        return [_encode(member, item, protocol) for item in value]
    if kind == "map":
        return {key: _encode(shape.value, item, protocol) for key, item in value.items()}
    if kind == "timestamp":
        return encode_timestamp(value, _timestamp_format(shape, protocol))
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    return value


def _timestamp_format(shape: Shape, protocol: str) -> str:
    explicit = shape.serialization.get("timestampFormat")
    return str(explicit) if explicit else "unixTimestamp"


def encode_timestamp(value: _dt.datetime, fmt: str) -> Any:
    """A timestamp as the protocol writes it: epoch seconds, or ISO 8601 in UTC."""
    if fmt == "iso8601":
        utc = value.astimezone(_dt.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return round(value.timestamp(), 3)
