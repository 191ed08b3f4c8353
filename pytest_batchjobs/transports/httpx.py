"""Answer httpx requests to the two services, sync and async, beside respx and pytest_httpx.

While a fake is active, every request an ``httpx.Client`` or ``httpx.AsyncClient`` sends
through httpx's own transports (``HTTPTransport`` / ``AsyncHTTPTransport``: the default,
one the caller configured with retries, a proxy, limits or mounts) to an endpoint of the
two services (any spelling :mod:`.hosts` recognises), signed (botocore's
``SigV4Auth``, as LiteLLM signs) or not, is answered by the active fake through the same
request path as boto3's calls, sharing its state. Nothing is resolved or connected.
Every other request, and every client whose transport the caller replaced (a
``MockTransport``, an ASGI app), is left alone.

What the caller sees is what httpx shows for AWS's answer: the status, headers and
body; an operation the fake does not fake answers ``501 Not Implemented`` naming it, as
over ``requests`` (moto mocks no httpx, so there is nothing below to pass it to); an
injected broken connection raises what httpx raises for one, measured against a real
socket: ``httpx.ReadError("[Errno 104] Connection reset by peer")`` for a reset after
the request was sent, ``httpx.ReadTimeout("timed out")`` for a read timeout.

Why by hand and not through respx: a fake built as a respx router cannot stand beside a
user's. respx asks its started routers in order; a router must answer, pass the request
through to the network, or raise "not mocked". A catch-all pass-through in the fake's
router sends a user's later-registered mocked URL to the network (measured: a lookup of
``api.example.com``), and without it every other URL fails as "not mocked". Nor would it
help beside pytest_httpx, which answers above respx's patch (at ``HTTPTransport``) and
never lets an unmatched request reach it. So the fake patches httpx's two transport
methods, the layer pytest_httpx patches, and asks each user mock before answering:

* respx (its default mocker patches httpcore, below this layer): a request for which a
  started respx router has a route (not a pass-through) is passed down, and the route
  answers it. Either order of activation: the layers differ. A router made with
  ``using="httpx"`` (respx's mocker of ``Client._transport_for_url``, above this layer)
  asks respx's handler first: while a fake is active that handler leaves a service
  request no route matches to the fake.
* pytest_httpx, started after the fake (on top): its handler is wrapped while a fake
  is active, so that a service request none of its registered responses matches is
  answered by the fake instead of failing as unexpected (and is not recorded as one).
* pytest_httpx started before the fake (below): the fake's layer passes the services'
  requests down to it, where the same wrapper answers what it does not match.

So a response a user registered for a service URL wins, in either order. The fake's
layer is removed when the last fake stops; if a patch put on top after it is still in
place then, the layer stays in the chain but passes everything down, and takes itself
out the next time it is reached on top.

This module imports httpx: :mod:`.registry` imports it only once httpx is loaded.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import httpx

from ..core.outcome import Broken
from ..patching.patches import below as layer_below
from ..wire.messages import WireRequest, WireResponse
from .interceptor import ClientAdapter, Interceptor, Patch


class Httpx(ClientAdapter):
    """httpx's two transport methods, under a layer of the fake's own."""

    transport = "httpx"

    def patches(self) -> Iterable[Patch]:
        return [
            Patch(httpx.HTTPTransport, "handle_request", self._sync, layered=True),
            Patch(httpx.AsyncHTTPTransport, "handle_async_request", self._async, layered=True),
        ]

    def _sync(self, below: Any) -> Any:
        def handle_request(transport: Any, request: httpx.Request) -> httpx.Response:
            routed = self.route(request)
            if routed is None:
                return below(transport, request)  # type: ignore[no-any-return]
            request.read()
            if _user_mock_answers(below, request):
                return below(transport, request)  # type: ignore[no-any-return]
            return self.answer(routed, request)  # type: ignore[no-any-return]

        return handle_request

    def _async(self, below: Any) -> Any:
        async def handle_async_request(transport: Any, request: httpx.Request) -> httpx.Response:
            routed = self.route(request)
            if routed is None:
                return await below(transport, request)  # type: ignore[no-any-return]
            await request.aread()
            if _user_mock_answers(below, request):
                return await below(transport, request)  # type: ignore[no-any-return]
            return self.answer(routed, request)  # type: ignore[no-any-return]

        return handle_async_request

    def url(self, request: Any) -> str:
        return str(request.url)

    def wire(self, request: Any) -> WireRequest:
        return WireRequest.build(
            request.method, str(request.url), request.headers.multi_items(), request.content
        )

    def respond(self, response: WireResponse, request: Any) -> httpx.Response:
        return httpx.Response(
            response.status,
            headers=list(response.headers.items()),
            content=response.body,
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    def broken(self, outcome: Broken, request: Any) -> BaseException:
        if outcome.timed_out:
            return httpx.ReadTimeout("timed out", request=request)
        return httpx.ReadError("[Errno 104] Connection reset by peer", request=request)


INTERCEPTOR = Httpx()


# -- the users' mocks --------------------------------------------------------------------


def _user_mock_answers(below: Any, request: httpx.Request) -> bool:
    """Whether a user's mock under the fake's layer takes ``request``: a respx route
    for it, or a pytest_httpx mock that mocks it (its wrapped handler leaves what it
    has no response for to the fake)."""
    return _respx_route_for(request) or _pytest_httpx_below(below, request)


def _respx_route_for(request: httpx.Request) -> bool:
    """Whether a started respx router has a route (not a pass-through) for ``request``
    (never, if respx's mockers are not loaded)."""
    if "respx.mocks" not in sys.modules:
        return False
    from ..neighbours import respx

    return respx.has_route_for(request)


def _pytest_httpx_below(below: Any, request: httpx.Request) -> bool:
    """Whether ``below`` (what the fake's layer patched over) is pytest_httpx's patch,
    mocking ``request`` (never, if pytest_httpx's mock is not loaded)."""
    if "pytest_httpx._httpx_mock" not in sys.modules:
        return False
    from ..neighbours import pytest_httpx

    return pytest_httpx.mocks_below(below, request, layer_below=layer_below)


class BesidePytestHttpx(Interceptor):
    """pytest_httpx's handlers, while a fake is active: a service request none of the
    user's registered responses matches is answered by the fake instead of failing as
    unexpected (and is not recorded as one)."""

    def patches(self) -> Iterable[Patch]:
        from ..neighbours import pytest_httpx

        if not pytest_httpx.GUARD.check():
            return []
        sync, async_ = pytest_httpx.HANDLERS
        return [
            Patch(pytest_httpx.MOCK, sync, _pytest_httpx_sync),
            Patch(pytest_httpx.MOCK, async_, _pytest_httpx_async),
        ]


def _pytest_httpx_sync(original: Any) -> Any:
    from ..neighbours.pytest_httpx import registered_response_for

    def _handle_request(mock: Any, real_transport: Any, request: httpx.Request) -> Any:
        routed = INTERCEPTOR.route(request)
        if routed is not None:
            request.read()
            if not registered_response_for(mock, real_transport, request):
                return INTERCEPTOR.answer(routed, request)
        return original(mock, real_transport, request)

    return _handle_request


def _pytest_httpx_async(original: Any) -> Any:
    from ..neighbours.pytest_httpx import registered_response_for

    async def _handle_async_request(mock: Any, real_transport: Any, request: httpx.Request) -> Any:
        routed = INTERCEPTOR.route(request)
        if routed is not None:
            await request.aread()
            if not registered_response_for(mock, real_transport, request):
                return INTERCEPTOR.answer(routed, request)
        return await original(mock, real_transport, request)

    return _handle_async_request


class BesideRespx(Interceptor):
    """respx's handlers, while a fake is active: a service request none of the started
    routers has a route for is left to the fake.

    The fake's layer asks respx's routes before answering, so with respx's default
    mocker (httpcore, below the layer) this only matters for requests that reach respx
    some other way. A router made with ``using="httpx"`` sees every request before the
    layer does: without this, a service request it has no route for would fail as
    "not mocked", or get respx's empty 200.
    """

    def patches(self) -> Iterable[Patch]:
        from ..neighbours import respx

        if not respx.GUARD.check():
            return []
        sync, async_ = respx.HANDLERS
        return [Patch(respx.MOCKER, sync, _respx_sync), Patch(respx.MOCKER, async_, _respx_async)]


def _respx_sync(original: Any) -> Any:
    """``Mocker.handler`` (a classmethod, as ``original`` is)."""

    def handler(cls: Any, request: httpx.Request) -> Any:
        routed = INTERCEPTOR.route(request)
        if routed is not None and not _respx_route_for(request):
            request.read()
            return INTERCEPTOR.answer(routed, request)
        return original.__func__(cls, request)

    return classmethod(handler)


def _respx_async(original: Any) -> Any:
    """``Mocker.async_handler`` (a classmethod, as ``original`` is)."""

    async def async_handler(cls: Any, request: httpx.Request) -> Any:
        routed = INTERCEPTOR.route(request)
        if routed is not None and not _respx_route_for(request):
            await request.aread()
            return INTERCEPTOR.answer(routed, request)
        return await original.__func__(cls, request)

    return classmethod(async_handler)


BESIDE_PYTEST_HTTPX = BesidePytestHttpx()
BESIDE_RESPX = BesideRespx()
