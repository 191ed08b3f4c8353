"""Answer ``requests`` calls to the two services, with ``responses``, beside the user's mocks.

While a fake is active, ``requests`` calls to any endpoint of the two services that
botocore's endpoint rules can produce (``https://bedrock.REGION.amazonaws.com/...``,
``bedrock-fips.…``, dual-stack ``….api.aws``, other partitions, the region-less host;
any scheme, port, user info or trailing dot, any spelling the resolver maps to one,
or a VPC endpoint: see :mod:`.hosts`), signed by requests-aws4auth,
aws-requests-auth, or not at all, are answered by the active fake, through the same
request path as boto3's calls. Every other request is left alone.

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
first request that then reaches the inert layer takes it out (:mod:`..patching`).

This module imports ``responses`` and ``requests``: it is imported when a fake starts,
never when pytest loads the plugin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import responses
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout
from urllib3.exceptions import ProtocolError

from ..core.outcome import Broken
from ..neighbours import responses as neighbour
from ..neighbours.moto import moto_active, responses_mock
from ..patching.patches import below as layer_below
from ..wire.messages import WireRequest, WireResponse, body_bytes
from .interceptor import ClientAdapter, PassBelow, Patch, Routed

_ROUTED = "_pytest_batchjobs_routed"  # on a request the fake answers: its Routed


class Requests(ClientAdapter):
    """``HTTPAdapter.send`` under a layer of the fake's own, and ``responses``' mocks
    taught to leave the services' requests they do not answer to the fake."""

    transport = "responses"
    below_reachable = True

    def __init__(self) -> None:
        self.layer: _FakeLayer | None = None
        self.original_on_request: Any = None

    def patches(self) -> Iterable[Patch]:
        neighbour.GUARD.check()
        return [
            Patch(HTTPAdapter, "send", self._fake_layer, layered=True),
            Patch(responses.RequestsMock, "_on_request", self._users_mocks),
        ]

    def _fake_layer(self, below: Any) -> Any:
        self.layer = _FakeLayer(self, below)
        return self.layer.send

    def _users_mocks(self, original: Any) -> Any:
        self.original_on_request = original

        def _on_request(
            mock: Any, adapter: Any, request: Any, *, retries: Any = None, **kwargs: Any
        ) -> Any:
            """``RequestsMock._on_request`` while a fake is active: a user's mock that has
            no response for a service request lets the fake answer it instead of refusing
            it."""
            layer = self.layer
            if (
                layer is not None
                and self.routed(request)
                and not _answers_itself(mock, request, kwargs)
            ):
                return self.fake_or_moto(layer, adapter, request, retries, kwargs)
            return original(mock, adapter, request, retries=retries, **kwargs)

        return _on_request

    def routed(self, request: Any) -> bool:
        """Whether the active fake answers ``request``: if so, note its route on it, for
        the layer's callback."""
        routed = self.route(request)
        if routed is None:
            return False
        setattr(request, _ROUTED, routed)
        return True

    def fake_or_moto(
        self, layer: _FakeLayer, adapter: Any, request: Any, retries: Any, kwargs: dict[str, Any]
    ) -> Any:
        """The fake's answer; inside moto's ``mock_aws``, moto's for what the fake does
        not own (operations it does not fake, tags of resources that are not jobs), as
        with botocore."""
        on_request = self.original_on_request
        try:
            return on_request(layer, adapter, request, retries=retries, **kwargs)
        except PassBelow:
            return on_request(responses_mock(), adapter, request, retries=retries, **kwargs)

    def url(self, request: Any) -> str:
        return str(request.url)

    def wire(self, request: Any) -> WireRequest:
        return WireRequest.build(
            request.method or "GET",
            str(request.url),
            request.headers.items(),
            body_bytes(request.body),
        )

    def respond(self, response: WireResponse, request: Any) -> tuple[int, dict[str, str], bytes]:
        return response.status, response.headers, response.body

    def broken(self, outcome: Broken, request: Any) -> BaseException:
        """The exception ``requests`` raises when the connection breaks this way."""
        url = urlsplit(str(request.url))
        pool = "HTTPSConnectionPool" if url.scheme == "https" else "HTTPConnectionPool"
        port = url.port or (443 if url.scheme == "https" else 80)
        if outcome.timed_out:
            return ReadTimeout(
                f"{pool}(host={url.hostname!r}, port={port}): Read timed out.", request=request
            )
        reset = ConnectionResetError(104, "Connection reset by peer")
        return RequestsConnectionError(ProtocolError("Connection aborted.", reset), request=request)

    def below(self) -> bool:
        return moto_active()


class _FakeLayer(responses.RequestsMock):
    """The fake's own mock: the services' URLs answered by the active fake, every
    other request passed to the send it was started over."""

    def __init__(self, interceptor: Requests, below: Any) -> None:
        super().__init__(assert_all_requests_are_fired=False, real_adapter_send=below)
        self.interceptor = interceptor
        self.add(_Endpoints(interceptor))
        self.send = self.unbound_on_send()

    def _on_request(self, adapter: Any, request: Any, *, retries: Any = None, **kwargs: Any) -> Any:
        below = neighbour.send_below(self)
        if not self.interceptor.routed(request):
            return below(adapter, request, **kwargs)
        user_mock = neighbour.user_mock_of(below, layer_below=layer_below)
        if user_mock is not None and _answers_itself(user_mock, request, kwargs):
            return below(adapter, request, **kwargs)
        return self.interceptor.fake_or_moto(self, adapter, request, retries, kwargs)


class _Endpoints(responses.CallbackResponse):
    """The fake layer's one response: any method, any URL of the services' endpoints.

    Its URL is a label shown in responses' messages; :meth:`matches` decides.
    """

    def __init__(self, interceptor: Requests) -> None:
        def respond(request: Any) -> tuple[int, dict[str, str], bytes]:
            routed: Routed = getattr(request, _ROUTED)
            answered: tuple[int, dict[str, str], bytes] = interceptor.answer(routed, request)
            return answered

        super().__init__(
            "ANY", "https://faked-service-endpoint.invalid/", callback=respond, content_type=None
        )

    def matches(self, request: Any) -> tuple[bool, str]:
        if getattr(request, _ROUTED, None) is None:
            return False, "URL is no endpoint of a faked service"
        return True, ""


def _answers_itself(mock: Any, request: Any, kwargs: dict[str, Any]) -> bool:
    """Whether a user's ``mock`` has a response of its own for ``request``. moto's mock
    never has: the fake comes before it."""
    moto = responses_mock()
    if moto is not None and mock is moto:
        return False
    return neighbour.answers_itself(mock, request, kwargs)


INTERCEPTOR = Requests()
