"""The services the wire answers for, as the registry hands them down.

The wire knows a faked service by its name (its botocore model) and its endpoint
prefix (its hosts), in the registry's order (routing asks them in turn). The registry
(:mod:`pytest_batchjobs.core.registry`) sits above the wire: it lists the services
from their folders, and hands them to :data:`FAKED` with :meth:`Faked.serve` whenever
its list changes, so the wire imports nothing of the registry. What a module works out
once from them (the hosts' tables) it forgets then (:meth:`Faked.on_change`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol


class FakedService(Protocol):
    """What the wire needs of a faked service (a ``Service`` of the registry)."""

    @property
    def name(self) -> str: ...

    @property
    def endpoint_prefix(self) -> str: ...


class Faked:
    """The faked services, in the registry's order; empty until the registry loads."""

    __slots__ = ("_forgets", "names", "services")

    def __init__(self) -> None:
        self.services: tuple[FakedService, ...] = ()
        self.names: tuple[str, ...] = ()
        self._forgets: list[Callable[[], None]] = []

    def serve(self, services: Iterable[FakedService]) -> None:
        """Answer for ``services`` from now on (the registry's whole list, each time it
        changes), and forget what was worked out from the list before."""
        self.services = tuple(services)
        self.names = tuple(service.name for service in self.services)
        for forget in self._forgets:
            forget()

    def on_change(self, forget: Callable[[], None]) -> Callable[[], None]:
        """Have ``forget`` called whenever the list changes: the ``cache_clear`` of what
        a module works out once from it. Returns ``forget``."""
        self._forgets.append(forget)
        return forget


FAKED = Faked()
