"""Find the operation a request calls, among the faked services, from their models.

Each service's protocol (:mod:`.protocols`) says whether a request is its own and which
operation it calls: JSON 1.1 services by ``X-Amz-Target``, REST-JSON services by the
method and the path. When the transport knows the service (botocore does, and a host
names it), only that service is asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import UnknownOperationError
from .faked import FAKED
from .protocols import protocol_of
from .protocols.base import Route

if TYPE_CHECKING:
    from .facts import RequestFacts

__all__ = ["Route", "route"]


def route(facts: RequestFacts) -> Route:
    """The operation the request calls; an :class:`UnknownOperationError` if none."""
    known = facts.service
    for name in (known,) if known else FAKED.names:
        found = protocol_of(name).route(facts, known=known is not None)
        if found is not None:
            return found
    if facts.target is not None:
        raise UnknownOperationError(f"Unknown X-Amz-Target {facts.target!r}", status=400)
    raise UnknownOperationError(f"No operation matches {facts.method} {facts.path}")
