"""respx: what the plugin knows of its routers, to answer httpx requests beside them.

A request is the user's if a started router has a route for it (not a pass-through):
each mocker class in ``Mocker.registry`` lists its started ``routers``, each router its
``routes``, and each route its ``pattern``, which matches a request without calling the
route's side effect (which would count as a call). respx's mockers answer through
``Mocker.handler`` / ``Mocker.async_handler``, which the fake wraps while active.

A missing internal is a warning (:data:`GUARD`), not an error: respx is the user's
choice, its mocks keep working, and nothing reaches the network without it. The fake
then takes every service request no other mock claims, and leaves respx's handlers
alone. Failing instead would fail every test of a suite that upgraded respx, even those
that use no respx route for a service URL.

This module imports respx: it is imported once respx's mockers are.
"""

from __future__ import annotations

from typing import Any

from respx.mocks import Mocker
from respx.models import Route
from respx.patterns import Pattern
from respx.router import Router

from .guard import Guard

GUARD = Guard(
    distribution="respx",
    oldest="0.21",
    reads={
        "Mocker.registry": lambda: Mocker.registry.values(),
        "Mocker.routers": lambda: [mocker.routers for mocker in Mocker.registry.values()],
        "Router.routes": lambda: Router().routes,
        "Route.is_pass_through": lambda: Route().is_pass_through,
        "Route.pattern": lambda: Route().pattern,
        "Pattern.match": lambda: Pattern.match,
        "Mocker.handler": lambda: Mocker.handler,
        "Mocker.async_handler": lambda: Mocker.async_handler,
    },
    fails=False,
    without=(
        "Until it is fixed, the fake answers every service request (even one a respx "
        "route mocks), and a router made with using='httpx' fails as 'not mocked' a "
        "service request it has no route for."
    ),
)

HANDLERS = ("handler", "async_handler")
"""The classmethods of :data:`MOCKER` every started router answers through."""

MOCKER = Mocker


def has_route_for(request: Any) -> bool:
    """Whether a started respx router has a route (not a pass-through) for ``request``."""
    if not GUARD.check():
        return False
    return any(
        not route.is_pass_through and (not route.pattern or bool(route.pattern.match(request)))
        for mocker in Mocker.registry.values()
        for router in mocker.routers
        for route in router.routes
    )
