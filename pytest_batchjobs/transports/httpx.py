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

This module imports httpx: :mod:`.when_loaded` imports it only once httpx is loaded.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import httpx

from ..active import active_core
from ..core.outcome import Answered, Broken
from ..wire.messages import WireRequest
from .answer import not_implemented
from .class_patches import ClassPatches
from .hosts import endpoint_of_url

if TYPE_CHECKING:
    from ..core.contract import Core

TRANSPORT = "httpx"
_SYNC: Any = httpx.HTTPTransport  # patched below
_ASYNC: Any = httpx.AsyncHTTPTransport
_LAYER = "_pytest_batchjobs_layer"  # on the fake's patched methods: their _Layer
_lock = threading.Lock()
_layer: _Layer | None = None
_pytest_httpx_patches = ClassPatches()  # pytest_httpx's handlers, while wrapped
_respx_patches = ClassPatches()  # respx's Mocker handlers, while wrapped

Routed = tuple["Core", str]  # the active fake's core and the service a request is for


class _Layer:
    """The fake's patch of both transport methods, over what was there before."""

    def __init__(self) -> None:
        self.below_sync: Any = _SYNC.handle_request
        self.below_async: Any = _ASYNC.handle_async_request
        self.inert = False
        layer = self

        def handle_request(transport: Any, request: httpx.Request) -> httpx.Response:
            below = layer.below_sync
            if layer.inert:
                layer.take_out(_SYNC, "handle_request", handle_request, below)
                return below(transport, request)  # type: ignore[no-any-return]
            routed = _routed(request)
            if routed is None:
                return below(transport, request)  # type: ignore[no-any-return]
            request.read()
            if _user_mock_answers(below, request):
                return below(transport, request)  # type: ignore[no-any-return]
            return _respond(routed, request)

        async def handle_async_request(transport: Any, request: httpx.Request) -> httpx.Response:
            below = layer.below_async
            if layer.inert:
                layer.take_out(_ASYNC, "handle_async_request", handle_async_request, below)
                return await below(transport, request)  # type: ignore[no-any-return]
            routed = _routed(request)
            if routed is None:
                return await below(transport, request)  # type: ignore[no-any-return]
            await request.aread()
            if _user_mock_answers(below, request):
                return await below(transport, request)  # type: ignore[no-any-return]
            return _respond(routed, request)

        for method in (handle_request, handle_async_request):
            setattr(method, _LAYER, self)
        self.sync: Callable[..., httpx.Response] = handle_request
        self.async_: Callable[..., Coroutine[Any, Any, httpx.Response]] = handle_async_request

    @staticmethod
    def take_out(owner: Any, name: str, patch: Any, below: Any) -> None:
        """An inert layer on top again (the patches above it undone): take it out."""
        with _lock:
            if getattr(owner, name) is patch:
                setattr(owner, name, below)


def _routed(request: httpx.Request) -> Routed | None:
    """The active fake's core and the service, if the fake answers ``request``."""
    core = active_core()
    found = endpoint_of_url(str(request.url)) if core is not None else None
    if core is None or found is None:
        return None
    _wrap_pytest_httpx()  # pytest_httpx loaded after the fake started
    return core, found.service


def _respond(routed: Routed, request: httpx.Request) -> httpx.Response:
    """The fake's answer to ``request`` (its body already read), as httpx returns one."""
    core, service = routed
    wire = WireRequest.build(
        request.method, str(request.url), request.headers.multi_items(), request.content
    )
    outcome = core.answer(wire, transport=TRANSPORT, service=service)
    if isinstance(outcome, Broken):
        if outcome.timed_out:
            raise httpx.ReadTimeout("timed out", request=request)
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    response = outcome.response if isinstance(outcome, Answered) else not_implemented(outcome)
    return httpx.Response(
        response.status,
        headers=list(response.headers.items()),
        content=response.body,
        request=request,
        extensions={"http_version": b"HTTP/1.1"},
    )


# -- the users' mocks --------------------------------------------------------------------


def _user_mock_answers(below: Any, request: httpx.Request) -> bool:
    """Whether a user's mock under the fake's layer takes ``request``: a respx route
    for it, or a pytest_httpx mock that mocks it (its wrapped handler leaves what it
    has no response for to the fake)."""
    return _respx_route_for(request) or _pytest_httpx_below(below, request)


def _respx_route_for(request: httpx.Request) -> bool:
    """Whether a started respx router has a route (not a pass-through) for ``request``.

    Reads each route's pattern, never its side effect (which would count as a call).
    """
    mocks = sys.modules.get("respx.mocks")
    if mocks is None:
        return False
    return any(
        not route.is_pass_through and (not route.pattern or bool(route.pattern.match(request)))
        for mocker in mocks.Mocker.registry.values()
        for router in mocker.routers
        for route in router.routes
    )


def _pytest_httpx_below(below: Any, request: httpx.Request) -> bool:
    """Whether ``below`` (what the fake's layer patched over) is pytest_httpx's patch,
    mocking ``request``: its ``should_mock`` option says so; if not, the patch passes
    the request on to what it patched over, which is looked at in turn.

    pytest_httpx patches with a closure over its ``mock`` and ``options``; inert layers
    of fakes already stopped are looked through.
    """
    while below is not None:
        layer = getattr(below, _LAYER, None)
        if layer is not None:
            below = layer.below_async if _is_async(below) else layer.below_sync
            continue
        cells = _closure_of(below)
        if cells.get("mock").__class__.__name__ != "HTTPXMock":
            return False
        options = cells.get("options")
        should_mock = getattr(options, "should_mock", None)
        if should_mock is None or should_mock(request):
            return True
        below = cells.get("real_handle_async_request", cells.get("real_handle_request"))
    return False


def _is_async(function: Any) -> bool:
    return getattr(function, "__name__", "") == "handle_async_request"


def _closure_of(function: Any) -> dict[str, Any]:
    """The free variables of ``function`` by name."""
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None) or ()
    if code is None:
        return {}
    values: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, closure, strict=False):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # an empty cell
            continue
    return values


def _wrap_pytest_httpx() -> None:
    """While a fake is active, pytest_httpx leaves the services' requests it has no
    response for to the fake (once; only if pytest_httpx is loaded)."""
    module = sys.modules.get("pytest_httpx._httpx_mock")
    if module is None or _pytest_httpx_patches.applied:
        return
    with _lock:
        if _pytest_httpx_patches.applied:
            return
        mock_class = module.HTTPXMock
        _pytest_httpx_patches.apply(
            (
                (mock_class, "_handle_request", _pytest_httpx_sync),
                (mock_class, "_handle_async_request", _pytest_httpx_async),
            )
        )


def _pytest_httpx_sync(original: Callable[..., Any]) -> Callable[..., Any]:
    def _handle_request(mock: Any, real_transport: Any, request: httpx.Request) -> Any:
        routed = _routed(request)
        if routed is not None:
            request.read()
            if not _registered_response_for(mock, real_transport, request):
                return _respond(routed, request)
        return original(mock, real_transport, request)

    return _handle_request


def _pytest_httpx_async(original: Callable[..., Any]) -> Callable[..., Any]:
    async def _handle_async_request(mock: Any, real_transport: Any, request: httpx.Request) -> Any:
        routed = _routed(request)
        if routed is not None:
            await request.aread()
            if not _registered_response_for(mock, real_transport, request):
                return _respond(routed, request)
        return await original(mock, real_transport, request)

    return _handle_async_request


def _registered_response_for(mock: Any, real_transport: Any, request: httpx.Request) -> bool:
    """Whether pytest_httpx's ``mock`` has a response to send ``request``, decided as
    its own ``_get_callback`` decides, without counting the match.

    If pytest_httpx's internals change shape, the user's mock is assumed to answer: it
    then fails loudly as unexpected, and nothing leaves the machine.
    """
    try:
        callbacks = mock._callbacks
        matched = [matcher for matcher, _ in callbacks if matcher.match(real_transport, request)]
        return bool(matched) and (
            any(not matcher.nb_calls for matcher in matched) or matched[-1].is_reusable
        )
    except AttributeError:
        return True


def _wrap_respx() -> None:
    """While a fake is active, respx leaves the services' requests none of its started
    routers has a route for to the fake (once; only if respx is loaded).

    The fake's layer asks respx's routes before answering, so with respx's default
    mocker (httpcore, below the layer) this only matters for requests that reach respx
    some other way. A router made with ``using="httpx"`` sees every request before the
    layer does: without this, a service request it has no route for would fail as
    "not mocked", or get respx's empty 200.
    """
    mocks = sys.modules.get("respx.mocks")
    if mocks is None or _respx_patches.applied:
        return
    with _lock:
        if _respx_patches.applied:
            return
        _respx_patches.apply(
            (
                (mocks.Mocker, "handler", _respx_sync),
                (mocks.Mocker, "async_handler", _respx_async),
            )
        )


def _respx_sync(original: Any) -> Any:
    """``Mocker.handler`` (a classmethod, as ``original`` is)."""

    def handler(cls: Any, request: httpx.Request) -> Any:
        routed = _routed(request)
        if routed is not None and not _respx_route_for(request):
            request.read()
            return _respond(routed, request)
        return original.__func__(cls, request)

    return classmethod(handler)


def _respx_async(original: Any) -> Any:
    """``Mocker.async_handler`` (a classmethod, as ``original`` is)."""

    async def async_handler(cls: Any, request: httpx.Request) -> Any:
        routed = _routed(request)
        if routed is not None and not _respx_route_for(request):
            await request.aread()
            return _respond(routed, request)
        return await original.__func__(cls, request)

    return classmethod(async_handler)


# -- activation --------------------------------------------------------------------------


def activate() -> None:
    """Put the fake's layer on httpx's transports (once, while any fake is active)."""
    global _layer
    _wrap_pytest_httpx()
    _wrap_respx()
    with _lock:
        if _layer is not None:
            return
        layer = _Layer()
        _SYNC.handle_request = layer.sync
        _ASYNC.handle_async_request = layer.async_
        _layer = layer


def deactivate() -> None:
    """Undo :func:`activate` once no fake is active."""
    global _layer
    with _lock:
        layer = _layer
        if layer is None or active_core() is not None:
            return
        on_top = _SYNC.handle_request is layer.sync and _ASYNC.handle_async_request is layer.async_
        if on_top:
            _SYNC.handle_request = layer.below_sync
            _ASYNC.handle_async_request = layer.below_async
        else:
            layer.inert = True  # a patch put on later is on top: keep the chain intact
            for owner, name, patch, below in (
                (_SYNC, "handle_request", layer.sync, layer.below_sync),
                (_ASYNC, "handle_async_request", layer.async_, layer.below_async),
            ):
                if getattr(owner, name) is patch:
                    setattr(owner, name, below)
        _layer = None
        _pytest_httpx_patches.undo()
        _respx_patches.undo()
