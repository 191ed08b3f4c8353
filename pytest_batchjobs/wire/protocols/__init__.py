"""The wire protocols, as classes in a registry: JSON 1.1 and REST-JSON.

A protocol routes a request to an operation, reads its params, and writes its output
or an error, each as botocore's serializers and parsers do it for that protocol, by
method dispatch rather than branches on the protocol's name. A service's protocol is
the one its botocore model names: adding a service of a protocol here costs nothing
in ``wire/``; adding a protocol is a subclass of :class:`~.base.WireProtocol` and its
line below.
"""

from __future__ import annotations

import functools

from ..models import service_model
from .base import WireProtocol
from .json import JsonProtocol
from .rest_json import RestJsonProtocol

PROTOCOLS: dict[str, type[WireProtocol]] = {
    JsonProtocol.name: JsonProtocol,
    RestJsonProtocol.name: RestJsonProtocol,
}


@functools.cache
def protocol_of(service: str) -> WireProtocol:
    """The protocol ``service`` speaks, bound to its model (one per service)."""
    model = service_model(service)
    return PROTOCOLS[model.protocol](service, model)


__all__ = ["PROTOCOLS", "WireProtocol", "protocol_of"]
