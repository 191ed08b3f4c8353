"""REST-JSON (``restJson1``): Bedrock, bedrock-runtime.

The operation is found by the method and the path, matched against each operation's
``requestUri`` template; members travel where their ``location`` says (the path, the
query string, a header, the JSON body); an error names its code in
``x-amzn-ErrorType``, with the status of its shape's ``httpStatusCode``.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from ..parse import from_text, json_body, read_value
from .base import Route, WireProtocol

if TYPE_CHECKING:
    from botocore.model import Shape

    from ..errors import ServiceError
    from ..facts import RequestFacts
    from ..messages import WireRequest

_LABEL = re.compile(r"\{([^}]+)\}")
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


class RestJsonProtocol(WireProtocol):
    name = "rest-json"
    content_type = "application/json"
    empty_body = b""

    def route(self, facts: RequestFacts, *, known: bool) -> Route | None:
        if facts.target is not None:
            return None
        return _route_path(self, facts.method, facts.path)

    def params(
        self, shape: Shape, route: Route, request: WireRequest, query: str
    ) -> dict[str, Any]:
        labels = route.labels
        params: dict[str, Any] = {}
        querystring = parse_qs(query, keep_blank_values=True) if query else {}
        body_members: dict[str, Shape] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if location == "uri":
                if wire_name in labels:
                    params[name] = from_text(member, labels[wire_name], name)
            elif location == "querystring":
                if wire_name in querystring:
                    values = querystring[wire_name]
                    if member.type_name == "list":
                        params[name] = [from_text(member.member, v, name) for v in values]
                    else:
                        params[name] = from_text(member, values[0], name)
            elif location == "header":
                if wire_name.lower() in request.headers:
                    params[name] = from_text(member, request.headers[wire_name.lower()], name)
            elif location is None:
                body_members[name] = member
        if body_members:
            payload = shape.serialization.get("payload")
            body = json_body(request.body)
            if payload is not None:
                params[payload] = read_value(shape.members[payload], body, payload)
            else:
                for name, member in body_members.items():
                    if name in body and body[name] is not None:
                        params[name] = read_value(member, body[name], name)
        return params

    def outside_body(
        self, shape: Shape, output: dict[str, Any], headers: dict[str, str], status: int
    ) -> tuple[dict[str, Any], int]:
        outside = _outside_body(shape)
        if not outside:
            return output, status
        for name, location, wire_name in outside:
            value = output.get(name)
            if value is None:
                continue
            if location == "header":
                headers[wire_name] = str(value)
            elif location == "statusCode":
                status = int(value)
        names = {row[0] for row in outside}
        return {k: v for k, v in output.items() if k not in names}, status

    def error_status(self, error: ServiceError, shape: Shape | None) -> int:
        modeled = shape.metadata.get("error", {}).get("httpStatusCode") if shape else None
        return int(modeled or _UNMODELED_STATUS.get(error.code, 400))

    def error_document(
        self, error: ServiceError, document: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        headers["x-amzn-ErrorType"] = error.code
        return document


@functools.cache
def _outside_body(shape: Shape) -> tuple[tuple[str, str, str], ...]:
    """Output members carried outside the JSON body: (name, location, wire name)."""
    return tuple(
        (name, member.serialization["location"], member.serialization.get("name", name))
        for name, member in shape.members.items()
        if member.serialization.get("location") in ("header", "statusCode")
    )


@functools.lru_cache(maxsize=2048)
def _route_path(protocol: RestJsonProtocol, method: str, path: str) -> Route | None:
    """The route of a path; cached, since pollers ask for the same paths again."""
    templates = _templates(protocol)
    candidates = templates.get((method, _first_segment(path)), ())
    for pattern, name in (*candidates, *templates.get((method, None), ())):
        match = pattern.fullmatch(path)
        if match is not None:
            labels = {key: unquote(value) for key, value in match.groupdict().items()}
            return Route(protocol, protocol.model.operation_model(name), labels)
    return None


Templates = dict[tuple[str, str | None], list[tuple[re.Pattern[str], str]]]


@functools.cache
def _templates(protocol: RestJsonProtocol) -> Templates:
    """(path regex, operation) by (method, first path segment), most literal first.

    A template whose first segment is a label is filed under ``None`` and tried after
    the literal ones, so a request is matched against a handful of templates.
    """
    model = protocol.model
    rows = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?", 1)[0]
        first = _first_segment(uri)
        key = (http["method"], None if first.startswith("{") else first)
        rows.append((key, _template_regex(uri), name, len(_LABEL.sub("", uri))))
    rows.sort(key=lambda row: -row[3])
    table: Templates = {}
    for key, pattern, name, _ in rows:
        table.setdefault(key, []).append((pattern, name))
    return table


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _template_regex(uri: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for match in _LABEL.finditer(uri):
        parts.append(re.escape(uri[position : match.start()]))
        label = match.group(1)
        if label.endswith("+"):
            parts.append(f"(?P<{_group(label[:-1])}>.+)")
        else:
            parts.append(f"(?P<{_group(label)}>[^/]+)")
        position = match.end()
    parts.append(re.escape(uri[position:]))
    return re.compile("".join(parts) + "/?")


def _group(label: str) -> str:
    return re.sub(r"\W", "_", label)
