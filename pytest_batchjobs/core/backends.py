"""One backend per job kind of the registry, and what answers each faked operation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..services._kit.tagging import Tagging
from .registry import SERVICES

if TYPE_CHECKING:
    from ..services._kit.backend import KindBackend, Parts
    from ..services._kit.context import CallContext
    from ..services._kit.spec import Service

Handler = Callable[["CallContext", dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What answers one operation of one service: the service, the handler (which
    takes its backend's lock), and the job kind whose operation it is (``None`` for a
    service's tag operations)."""

    service: Service
    handler: Handler
    kind: str | None = None


@dataclass
class Backends:
    """The backends of one fake, by kind name, and the endpoints of every faked
    operation, by (service, operation)."""

    kinds: dict[str, KindBackend[Any]]
    endpoints: dict[tuple[str, str], Endpoint]

    def faked_operations(self, service: str) -> list[str]:
        """The operations of ``service`` the fake answers, in API casing."""
        return sorted(operation for name, operation in self.endpoints if name == service)


def assemble(parts: Parts) -> Backends:
    """A backend for each job kind, sharing ``parts``; each kind's operations answered
    by its backend, each service's tag operations by its :class:`Tagging`."""
    kinds: dict[str, KindBackend[Any]] = {}
    endpoints: dict[tuple[str, str], Endpoint] = {}
    for service in SERVICES:
        mine: dict[str, KindBackend[Any]] = {}
        for kind in service.kinds:
            backend: KindBackend[Any] = kind.backend(kind, service, parts)
            kinds[kind.name] = mine[kind.name] = backend
            for operation in kind.operations:
                endpoints[(service.name, operation)] = Endpoint(
                    service, backend.endpoint(operation), kind.name
                )
        if service.tags is not None:
            tagging = Tagging(service, service.tags, mine)
            for operation, handler in tagging.handlers().items():
                endpoints[(service.name, operation)] = Endpoint(service, handler)
    return Backends(kinds, endpoints)
