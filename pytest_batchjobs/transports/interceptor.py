"""The mechanism every client library's adapter is built on.

An adapter (one module per library in this folder, one line in :mod:`.registry`) is an
:class:`Interceptor`: it says what it patches (:meth:`Interceptor.patches`) and how its
library's requests and responses convert to and from the fake's wire types
(:meth:`~Interceptor.url`, :meth:`~Interceptor.wire`, :meth:`~Interceptor.respond`,
:meth:`~Interceptor.broken`). The mechanism owns the rest, once:

* waiting for the library's import, and applying and undoing the patches while any fake
  is active (:mod:`.registry`, over :mod:`..patching`);
* finding the active fake and the faked service a request is for (:meth:`route`);
* asking the core and turning its :class:`~pytest_batchjobs.core.outcome.Outcome` into
  the library's terms (:meth:`answer`): the service's answer as the library's response,
  a broken connection as the exception the library raises for one, and a request that
  is not the fake's either passed below (moto) or answered ``501 Not Implemented``
  naming the operation, so that nothing reaches AWS.

A sync and an async patch differ by one ``await``: reading the request's body before
:meth:`answer`, which never blocks.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ..active import active_core
from ..core.outcome import Answered, Broken
from .answer import not_implemented
from .hosts import endpoint_of_url

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..core.contract import Core
    from ..core.outcome import NotMine
    from ..patching.patches import Wrap
    from ..wire.messages import WireRequest, WireResponse


class Patch(NamedTuple):
    """``owner.name`` replaced by ``wrap(original)`` while any fake is active.
    ``layered``: others patch it too (a user's mock), so it is a layer in their chain
    (:mod:`..patching.patches`)."""

    owner: Any
    name: str
    wrap: Wrap
    layered: bool = False


class Routed(NamedTuple):
    """A request the active fake answers: its core, and the faked service."""

    core: Core
    service: str


class PassBelow(Exception):
    """The fake leaves this request to what is below the adapter (moto)."""


class Interceptor:
    """What the registry puts in place for one library while any fake is active: a
    client adapter (:class:`ClientAdapter`), or patches alone (the lookup guard, moto's
    and the users' mocks told to leave the fake's requests to it)."""

    def install(self) -> None:
        """Run once per process when the library loads, if the registry line asks
        (botocore's built-in handlers): what must be in place before any fake starts."""

    def patches(self) -> Iterable[Patch]:
        """What is replaced while any fake is active (the library is loaded)."""
        return ()


def route_url(url: str) -> Routed | None:
    """Whether the active fake answers a request sent to ``url``: its core and
    service, or ``None`` (no fake is active, or ``url`` is no faked service's endpoint)."""
    core = active_core()
    if core is None:
        return None
    found = endpoint_of_url(url)
    return None if found is None else Routed(core, found.service)


class ClientAdapter(Interceptor, abc.ABC):
    """One client library's adapter. Subclasses set :attr:`transport` and implement the
    conversions; :meth:`route` and :meth:`answer` are the mechanism their patches call."""

    transport: ClassVar[str]
    """The adapter's name in the journal (``call.transport``)."""

    below_reachable: ClassVar[bool] = False
    """Whether moto, when active, could answer through this adapter (the 501 says how)."""

    # -- conversions -------------------------------------------------------------------

    @abc.abstractmethod
    def url(self, request: Any) -> str:
        """The URL ``request`` is sent to."""

    @abc.abstractmethod
    def wire(self, request: Any) -> WireRequest:
        """``request`` (its body read) as the core reads it."""

    @abc.abstractmethod
    def respond(self, response: WireResponse, request: Any) -> Any:
        """``response`` as the library returns one."""

    @abc.abstractmethod
    def broken(self, outcome: Broken, request: Any) -> BaseException:
        """What the library raises when the connection breaks this way."""

    def below(self) -> bool:
        """Whether something below the adapter answers what the fake does not own
        (moto's ``mock_aws``, for the adapters moto mocks)."""
        return False

    def not_mine(self, outcome: NotMine, request: Any) -> Any:
        """A faked service's request the fake does not answer and nothing below takes:
        ``501 Not Implemented`` naming the operation."""
        return self.respond(not_implemented(outcome, moto_hint=self.below_reachable), request)

    # -- the mechanism -----------------------------------------------------------------

    def route(self, request: Any) -> Routed | None:
        """Whether the active fake answers ``request`` (:func:`route_url` of its URL)."""
        return route_url(self.url(request))

    def answer(self, routed: Routed, request: Any) -> Any:
        """The fake's answer to ``request`` (its body read) in the library's terms;
        raises :class:`PassBelow` for a request the fake leaves to what is below."""
        below = self.below()
        outcome = routed.core.answer(
            self.wire(request), transport=self.transport, service=routed.service, below=below
        )
        if isinstance(outcome, Answered):
            return self.respond(outcome.response, request)
        if isinstance(outcome, Broken):
            raise self.broken(outcome, request)
        if outcome.below:
            raise PassBelow
        return self.not_mine(outcome, request)
