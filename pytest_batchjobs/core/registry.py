"""The registry: every faked service and job kind, and the only list of them.

A service is a folder of :mod:`pytest_batchjobs.services` whose ``__init__`` declares
its :class:`~pytest_batchjobs.services._kit.spec.Service`; its job kinds are folders
inside it, each declaring a :class:`~pytest_batchjobs.services._kit.spec.JobKind`.
Adding a service is adding its folder and its line in ``BUILT_IN`` below; everything
else (hosts, routing, faults, pagination, the fake's attributes, the control API's
paths) iterates this registry.

A service defined elsewhere (a test's own, to prove the kit with other status words)
joins it for a while with :func:`registered`. So that the modules which imported the
lists by name see it, the lists are :class:`Live` sequences whose contents only this
module changes, and what is worked out from them once (the hosts' tables) is
forgotten when they change (:func:`on_change`). A fake built inside the block fakes
the service; one built before it does not.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar, overload

from ..services import bedrock, bedrock_runtime, personalize, sagemaker
from ..services._kit.spec import JobKind, Service
from ..wire.faked import FAKED

T = TypeVar("T")

BUILT_IN: tuple[Service, ...] = (
    personalize.SERVICE,
    bedrock.SERVICE,
    sagemaker.SERVICE,
    bedrock_runtime.SERVICE,
)


class Live(Sequence[T]):
    """A read-only sequence whose contents only the registry changes (when a service
    is :func:`registered`), so that a module holding it by name sees the change."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._items = tuple(items)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __repr__(self) -> str:
        return repr(self._items)

    def _replace(self, items: Iterable[T]) -> None:
        self._items = tuple(items)


SERVICES: Live[Service] = Live()
SERVICE_NAMES: Live[str] = Live()
KINDS: Live[JobKind] = Live()
KIND_NAMES: Live[str] = Live()
LIST_OPERATIONS: Live[str] = Live()
# Each faked service by the endpoint prefix its botocore clients send to.
ENDPOINT_PREFIXES: dict[str, str] = {}

_lock = threading.Lock()
_forgets: list[Callable[[], None]] = []


def _derive(services: tuple[Service, ...]) -> None:
    """Every list above, from ``services``."""
    kinds = tuple(kind for service in services for kind in service.kinds)
    SERVICES._replace(services)
    SERVICE_NAMES._replace(service.name for service in services)
    KINDS._replace(kinds)
    KIND_NAMES._replace(kind.name for kind in kinds)
    LIST_OPERATIONS._replace(kind.listing for kind in kinds)
    ENDPOINT_PREFIXES.clear()
    ENDPOINT_PREFIXES.update({service.endpoint_prefix: service.name for service in services})
    FAKED.serve(services)  # the wire's own view of them, and its tables forgotten
    for forget in _forgets:
        forget()


_derive(BUILT_IN)


def on_change(forget: Callable[[], None]) -> Callable[[], None]:
    """Have ``forget`` called whenever the registry changes: the ``cache_clear`` of
    what a module works out once from it. Returns ``forget``."""
    _forgets.append(forget)
    return forget


@contextlib.contextmanager
def registered(service: Service) -> Iterator[Service]:
    """The registry with ``service`` (and its kinds) added until the block ends, then
    as it was, whatever the block raised.

    For a service defined outside the package: a test's own kind, say. Its name, its
    endpoint prefix and its kinds' names and ARN resource types must be new (a
    ``ValueError`` names the clash). Fakes built inside the block fake it.
    """
    with _lock:
        _refuse_clash(service)
        before = tuple(SERVICES)
        _derive((*before, service))
    try:
        yield service
    finally:
        with _lock:
            _derive(tuple(each for each in SERVICES if each is not service))


def _refuse_clash(service: Service) -> None:
    """A ``ValueError`` if ``service`` repeats a name the registry already holds."""
    clashes = []
    if service.name in SERVICE_NAMES:
        clashes.append(f"service {service.name!r}")
    if service.endpoint_prefix in ENDPOINT_PREFIXES:
        clashes.append(f"endpoint prefix {service.endpoint_prefix!r}")
    clashes += [f"job kind {kind.name!r}" for kind in service.kinds if kind.name in KIND_NAMES]
    if clashes:
        raise ValueError(
            f"cannot register {service.name!r}: the registry already has its "
            f"{', '.join(clashes)}; give it names of its own"
        )


def control_routes() -> dict[str, Sequence[str]]:
    """The control API's per-kind routes (``{kind}/jobs``, ...), by their last segment,
    and the kinds each exists for: every kind has jobs, a lifecycle and a quota, and
    some have more (:attr:`~pytest_batchjobs.services._kit.spec.JobKind.extra_controls`)."""
    routes: dict[str, Sequence[str]] = {
        "jobs": KIND_NAMES,
        "lifecycle": KIND_NAMES,
        "quota": KIND_NAMES,
    }
    for kind in KINDS:
        for extra in kind.extra_controls:
            routes[extra] = (*routes.get(extra, ()), kind.name)
    return routes
