"""What a request says about itself before it is routed: its path and query, its host,
the region it is signed for, the target it names, and (when the transport knows it)
its service.

The region is the SigV4 credential scope's (``Credential=AKID/20240101/<region>/...``),
else the region in the host name (``bedrock.<region>.amazonaws.com``); a request that
names none is for the region botocore would pick (:func:`default_region`).
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .endpoints import endpoint_of_host
from .faked import FAKED
from .models import service_model

if TYPE_CHECKING:
    from .messages import WireRequest

DEFAULT_REGION = "us-east-1"


class RequestFacts:
    """One request's facts, each read once."""

    __slots__ = ("host", "method", "path", "query", "request", "service", "target")

    def __init__(self, request: WireRequest, service: str | None = None) -> None:
        self.request = request
        self.method = request.method
        self.path, self.query, self.host = _split(request.url)
        self.target = request.headers.get("x-amz-target")
        self.service = service  # the service, when the transport knows it

    @property
    def region(self) -> str | None:
        """The region the request is for: from its SigV4 credential scope, else its
        host; ``None`` when it names none."""
        authorization = self.request.headers.get("authorization", "")
        marker = authorization.find("Credential=")
        if marker >= 0:
            end = authorization.find(",", marker)
            scope = authorization[marker + 11 : end if end >= 0 else None].split("/")
            if len(scope) >= 5:
                return scope[2]
        endpoint = endpoint_of_host(self.host) if self.host else None
        return endpoint.region if endpoint is not None else None

    @property
    def likely_service(self) -> str:
        """The service the request is for, or, when it routes to none, the one it is most
        likely for (to answer it in that service's error format): the given one, else a
        JSON 1.1 service when it names a target (the one whose target prefix it names),
        else a REST-JSON one."""
        if self.service is not None:
            return self.service
        return _likely_service(self.target)


def default_region() -> str:
    """The region of calls that name none, as botocore picks it: AWS_DEFAULT_REGION."""
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION


@functools.lru_cache(maxsize=1024)  # bounded: pollers send the same few URLs again and again
def _split(url: str) -> tuple[str, str, str | None]:
    """(path, query, host) of a URL."""
    parts = urlsplit(url)
    return parts.path or "/", parts.query, parts.hostname


@functools.lru_cache(maxsize=64)
def _likely_service(target: str | None) -> str:
    wanted = "rest-json" if target is None else "json"
    names = FAKED.names
    candidates = [name for name in names if service_model(name).protocol == wanted]
    for name in candidates:
        prefix = service_model(name).metadata.get("targetPrefix")
        if target is not None and prefix and target.startswith(prefix + "."):
            return name
    return candidates[0] if candidates else names[0]


# Worked out from the faked services: forgotten when a service joins or leaves them.
FAKED.on_change(_likely_service.cache_clear)
