"""Answer ``requests`` calls to the two services, with ``responses``, beside the user's mocks.

While a fake is active, ``requests`` calls to any endpoint of the two services that
botocore's endpoint rules can produce (``https://bedrock.REGION.amazonaws.com/...``,
``bedrock-fips.…``, dual-stack ``….api.aws``, other partitions, the region-less host;
any scheme, port, user info or trailing dot, any spelling the resolver maps to one,
or a VPC endpoint: see :mod:`.hosts`), signed by requests-aws4auth,
aws-requests-auth, or not at all, are answered by the active fake, through the same
request path as boto3's calls. Every other request is left alone.
:func:`activate` also starts the ``urllib.request`` transport and the guard that
refuses to resolve the services' host names (:mod:`.urllib_request`, :mod:`.lookups`).

How this lives beside a test's own ``responses`` mocks: each started ``RequestsMock``
replaces ``HTTPAdapter.send`` with its own function (one ``mock.patch`` each), on top
of whatever was there when it started; a mock answers what its registry matches, and
refuses the rest ("Connection refused by Responses") or sends it for real. So:

* The fake's own layer is a ``RequestsMock`` on ``HTTPAdapter.send`` whose real send
  is whatever was there before it. It answers the services' requests and passes every
  other request down unchanged: to the network, or to a user's mock started earlier.
* A user's mock started after the fake sits on top and sees every request first.
  While a fake is active, ``RequestsMock._on_request`` is wrapped so that a request
  for the services that none of the user's registered responses matches is answered
  by the fake instead of being refused.
* A response the user registered for a service URL wins in either order: the fake's
  layer hands such a request to the user's mock below it.
* moto's ``mock_aws`` mocks ``requests`` too, with a response for every AWS URL. Its
  mock is no user's: the fake answers first, and leaves to moto what it does not own
  (unfaked operations, tags of other resources), as the botocore transport does.

The fake's layer is removed when the last fake stops. If a mock started after it is
still in place then (mocks stopped out of order), the layer stays in the chain but
passes everything down, so that mock's own ``stop()`` restores a working send; the
first request that then reaches the inert layer takes it out.

This module imports ``responses`` and ``requests``: it is imported when a fake starts,
never when pytest loads the plugin.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import responses
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from urllib3.exceptions import ProtocolError

from ..active import active_core
from ..core.outcome import Answered, Broken
from ..neighbours.moto import moto_active
from ..wire.messages import WireRequest, body_bytes
from . import lookups, urllib_request
from .answer import not_implemented
from .hosts import endpoint_of_url

if TYPE_CHECKING:
    from ..core.contract import Core

TRANSPORT = "responses"
_ROUTED = "_pytest_batchjobs_routed"  # on a request the fake answers: (core, service)

# Patched below; typed as Any, since the patches are not of the declared types.
_ADAPTER: Any = HTTPAdapter
_MOCK: Any = responses.RequestsMock
_lock = threading.Lock()
_layer: _FakeLayer | None = None
_original_on_request: Any = None


class _FakeLayer(responses.RequestsMock):
    """The fake's own mock: the services' URLs answered by the active fake, every
    other request passed to the send it was started over."""

    def __init__(self, below: Any) -> None:
        super().__init__(assert_all_requests_are_fired=False, real_adapter_send=below)
        self.add(_Endpoints())
        self.inert = False
        self.send = self.unbound_on_send()

    def _on_request(self, adapter: Any, request: Any, *, retries: Any = None, **kwargs: Any) -> Any:
        below: Any = self._real_send
        if self.inert:
            _unpatch_inert(self)
            return below(adapter, request, **kwargs)
        if not _route(request):
            return below(adapter, request, **kwargs)
        user_mock = _user_mock_of(below)
        if user_mock is not None and _answers_itself(user_mock, request, kwargs):
            return below(adapter, request, **kwargs)
        return _fake_or_moto(self, adapter, request, retries, kwargs)


class _Endpoints(responses.CallbackResponse):
    """The fake layer's one response: any method, any URL of the services' endpoints.

    Its URL is a label shown in responses' messages; :meth:`matches` decides.
    """

    def __init__(self) -> None:
        super().__init__(
            "ANY", "https://faked-service-endpoint.invalid/", callback=_respond, content_type=None
        )

    def matches(self, request: Any) -> tuple[bool, str]:
        if getattr(request, _ROUTED, None) is None:
            return False, "URL is no endpoint of a faked service"
        return True, ""


def _route(request: Any) -> bool:
    """Whether the active fake answers ``request`` (a faked service's URL): if so, note
    on it the fake's core and the service, for :func:`_respond`."""
    core = active_core()
    found = endpoint_of_url(str(request.url)) if core is not None else None
    if core is None or found is None:
        return False
    setattr(request, _ROUTED, (core, found.service))
    return True


def _on_request(
    mock: Any, adapter: Any, request: Any, *, retries: Any = None, **kwargs: Any
) -> Any:
    """``RequestsMock._on_request`` while a fake is active: a user's mock that has no
    response for a service request lets the fake answer it instead of refusing it."""
    layer = _layer
    if (
        layer is not None
        and not layer.inert
        and _route(request)
        and not _answers_itself(mock, request, kwargs)
    ):
        return _fake_or_moto(layer, adapter, request, retries, kwargs)
    return _original_on_request(mock, adapter, request, retries=retries, **kwargs)


def _fake_or_moto(
    layer: _FakeLayer, adapter: Any, request: Any, retries: Any, kwargs: dict[str, Any]
) -> Any:
    """The fake's answer; inside moto's ``mock_aws``, moto's for what the fake does not
    own (operations it does not fake, tags of resources that are not jobs), as with
    botocore."""
    try:
        return _original_on_request(layer, adapter, request, retries=retries, **kwargs)
    except _Deferred:
        moto = sys.modules["moto.core.models"].responses_mock
        return _original_on_request(moto, adapter, request, retries=retries, **kwargs)


class _Deferred(Exception):
    """The fake leaves this request to moto."""


def _answers_itself(mock: Any, request: Any, kwargs: dict[str, Any]) -> bool:
    """Whether a user's ``mock`` has a response of its own (not a passthrough) for
    ``request``. moto's mock never has: the fake comes before it.

    Asks each registered response, as responses' registry does, without taking one
    out of the registry; sets the request attributes responses' matchers read.
    """
    moto = sys.modules.get("moto.core.models")
    if moto is not None and mock is getattr(moto, "responses_mock", None):
        return False
    request.params = mock._parse_request_params(request.path_url)
    request.req_kwargs = kwargs
    request.body = mock._read_filelike_body(request.body)
    return any(
        not registered.passthrough and registered.matches(request)[0]
        for registered in mock.registered()
    )


def _user_mock_of(send: Any) -> Any:
    """The user's ``RequestsMock`` whose patch ``send`` is, if it is one.

    responses patches with a closure over the mock (``RequestsMock.unbound_on_send``).
    Layers of earlier fakes left inert in the chain are looked through. Anything else
    (the real send, another library's patch) is no user mock: the fake answers.
    """
    while True:
        mock = next(
            (
                cell.cell_contents
                for cell in getattr(send, "__closure__", None) or ()
                if isinstance(cell.cell_contents, responses.RequestsMock)
            ),
            None,
        )
        if not isinstance(mock, _FakeLayer):
            return mock
        send = mock._real_send


def _respond(request: Any) -> tuple[int, dict[str, str], bytes]:
    """The callback registered for the services' URLs: the active fake's answer."""
    routed: tuple[Core, str] = getattr(request, _ROUTED)
    core, service = routed
    wire = WireRequest.build(
        request.method or "GET", str(request.url), request.headers.items(), body_bytes(request.body)
    )
    outcome = core.answer(wire, transport=TRANSPORT, service=service, below=moto_active())
    if isinstance(outcome, Answered):
        response = outcome.response
    elif isinstance(outcome, Broken):
        raise _broken_connection(outcome, request) from None
    elif outcome.below:
        raise _Deferred
    else:
        response = not_implemented(outcome, moto_hint=True)
    return response.status, response.headers, response.body


def _broken_connection(broken: Broken, request: Any) -> Exception:
    """The exception ``requests`` raises when the connection breaks this way."""
    url = urlsplit(str(request.url))
    pool = "HTTPSConnectionPool" if url.scheme == "https" else "HTTPConnectionPool"
    port = url.port or (443 if url.scheme == "https" else 80)
    if broken.timed_out:
        return ReadTimeout(
            f"{pool}(host={url.hostname!r}, port={port}): Read timed out.", request=request
        )
    reset = ConnectionResetError(104, "Connection reset by peer")
    return RequestsConnectionError(ProtocolError("Connection aborted.", reset), request=request)


def _unpatch_inert(layer: _FakeLayer) -> None:
    """An inert layer on top again (the mocks above it stopped): take it out."""
    with _lock:
        if _ADAPTER.send is layer.send:
            _ADAPTER.send = layer._real_send


def activate() -> None:
    """Put the fake's layer on ``_ADAPTER.send`` (once, while any fake is active); start
    the ``urllib.request`` transport and the lookup guard."""
    global _layer, _original_on_request
    urllib_request.activate()
    lookups.activate()
    with _lock:
        if _layer is not None:
            return
        layer = _FakeLayer(_ADAPTER.send)
        _ADAPTER.send = layer.send
        _layer = layer
        if _original_on_request is None:
            _original_on_request = _MOCK._on_request
            _MOCK._on_request = _on_request


def deactivate() -> None:
    """Undo :func:`activate` once no fake is active."""
    global _layer, _original_on_request
    urllib_request.deactivate()
    lookups.deactivate()
    with _lock:
        layer = _layer
        if layer is None or active_core() is not None:
            return
        if _ADAPTER.send is layer.send:
            _ADAPTER.send = layer._real_send
        else:
            layer.inert = True  # a mock started later is on top: keep the chain intact
        _layer = None
        if _MOCK._on_request is _on_request:
            _MOCK._on_request = _original_on_request
            _original_on_request = None
