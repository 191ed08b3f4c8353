"""Find the operation an HTTP request calls, from the service model alone.

JSON 1.1 services name the operation in ``X-Amz-Target``; REST-JSON services by the
method and the path, matched against each operation's ``requestUri`` template.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..core.registry import SERVICE_NAMES
from .errors import UnknownOperationError
from .models import service_model

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from .messages import WireRequest

_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    """The operation a request calls, and the values of its path labels."""

    service: str
    operation: OperationModel
    labels: dict[str, str]


def route(request: WireRequest, path: str, service: str | None = None) -> Route:
    """The operation ``request`` calls; ``service`` when the transport already knows it."""
    target = request.headers.get("x-amz-target")
    for name in (service,) if service else SERVICE_NAMES:
        model = service_model(name)
        if model.protocol == "json":
            if target is not None and target.startswith(model.metadata["targetPrefix"] + "."):
                return _route_target(name, target)
            if service is not None:
                raise UnknownOperationError(
                    f"Missing or unknown X-Amz-Target header: {target!r}", status=400
                )
        elif target is None:
            found = _route_path(name, request.method, path)
            if found is not None:
                return found
    if target is not None:
        raise UnknownOperationError(f"Unknown X-Amz-Target {target!r}", status=400)
    raise UnknownOperationError(f"No operation matches {request.method} {path}")


def _route_target(service: str, target: str) -> Route:
    prefix, _, name = target.partition(".")
    model = service_model(service)
    if name not in _operation_names(service):
        raise UnknownOperationError(f"Operation {name} is not supported by {prefix}", status=400)
    return Route(service, model.operation_model(name), {})


@functools.lru_cache(maxsize=2048)
def _route_path(service: str, method: str, path: str) -> Route | None:
    """The route of a path; cached, since pollers ask for the same paths again."""
    templates = _templates(service)
    candidates = templates.get((method, _first_segment(path)), ())
    for pattern, name in (*candidates, *templates.get((method, None), ())):
        match = pattern.fullmatch(path)
        if match is not None:
            labels = {key: unquote(value) for key, value in match.groupdict().items()}
            return Route(service, service_model(service).operation_model(name), labels)
    return None


@functools.cache
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


Templates = dict[tuple[str, str | None], list[tuple[re.Pattern[str], str]]]


@functools.cache
def _templates(service: str) -> Templates:
    """(path regex, operation) by (method, first path segment), most literal first.

    A template whose first segment is a label is filed under ``None`` and tried after
    the literal ones, so a request is matched against a handful of templates.
    """
    model = service_model(service)
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
