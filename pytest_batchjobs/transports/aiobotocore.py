"""Answer aiobotocore requests inside its own send path, as :mod:`.botocore` does
botocore's.

aiobotocore's ``AioSession`` builds its handlers from botocore's built-in handlers,
so it gets the fake's ``before-send`` handler too; but it awaits what a handler
returns and then awaits the response's body, so the handler must hand back an
``AioAWSResponse``. aiobotocore has its own table of the botocore handlers it swaps
for async twins when an emitter registers them (``aiobotocore.hooks._HANDLER_MAPPING``):
:meth:`Aiobotocore.install` adds the fake's there, the moment ``aiobotocore.session``
is imported (:mod:`.registry` waits for it), so every ``AioSession`` made afterwards answers
the faked services' calls with :func:`before_send`, inside aiobotocore's retry loop,
after its serializer and signer, before its parser: the client's own code runs.

What must hold for every client, whatever its age, is patched on aiobotocore's
classes while a fake is active (its methods are its own, not botocore's):

* ``AioEndpoint._send`` answers the services' requests of a client whose session
  predates the handler.
* ``AioRequestSigner.get_auth_instance`` signs the services' calls with dummy
  ``AioCredentials`` (the awaitable kind aiobotocore reads) or the dummy bearer
  token: the client's own credentials are never resolved (assume-role, SSO, a
  ``credential_process``).
* ``AioSession._create_client`` (behind ``create_client``) gives a client of the
  services the dummy keys when the caller passes none, so the session resolves no
  credentials for it, and a defaults mode of ``auto`` resolved without the instance
  metadata service, as botocore's clients are.
* ``AsyncTokenBucket._acquire``, the adaptive retry mode's pacing, waits in fake
  time: it refills by the clock, which a frozen clock never moves.

A transport fault (the fake's ``Broken``) raises what aiobotocore's aiohttp session
raises for it: ``ConnectionClosedError`` around aiohttp's ``ServerDisconnectedError``,
``ReadTimeoutError`` around its ``ServerTimeoutError``. moto's ``before-send``
handler skips what the fake answered, as for botocore.

Nothing here imports aiobotocore until it has been imported by someone else.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from ..active import DUMMY_CREDENTIALS, active_core
from ..time.token_bucket import async_acquire_in_fake_time
from . import botocore as botocore_transport
from .botocore import ANSWERED, Botocore, faked_client_arguments, faked_signing, service_of
from .interceptor import Patch

if TYPE_CHECKING:
    from ..core.outcome import Broken
    from ..wire.messages import WireResponse


class _Raw:
    """The ``raw`` of an ``AioAWSResponse``: what aiobotocore awaits the body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
    """aiobotocore's twin of botocore's ``before-send`` handler: answer the faked
    services' requests with a response whose body aiobotocore awaits."""
    return INTERCEPTOR.handle(request, service_of(event_name))


class Aiobotocore(Botocore):
    """botocore's adapter with aiobotocore's response and exception types, and
    aiobotocore's own classes patched. Imports by ``sys.modules``, not attributes: this
    may run while ``aiobotocore.session`` is still being imported, before the package
    has it as an attribute."""

    transport = "aiobotocore"

    def respond(self, response: WireResponse, request: Any) -> Any:
        from aiobotocore.awsrequest import AioAWSResponse

        setattr(request, ANSWERED, True)
        return AioAWSResponse(request.url, response.status, response.headers, _Raw(response.body))

    def broken(self, outcome: Broken, request: Any) -> BaseException:
        """What aiobotocore's aiohttp session raises for a reset or a read timeout."""
        import aiohttp
        from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

        error: BaseException
        if outcome.timed_out:
            error = ReadTimeoutError(
                endpoint_url=request.url,
                error=aiohttp.ServerTimeoutError("Timeout on reading data from socket"),
            )
        else:
            error = ConnectionClosedError(
                error=aiohttp.ServerDisconnectedError(), request=request, endpoint_url=request.url
            )
        return error

    def install(self) -> None:
        """aiobotocore's emitters register :func:`before_send` wherever botocore's
        handler is registered (its table of async twins)."""
        twins = import_module("aiobotocore.hooks")._HANDLER_MAPPING
        twins[botocore_transport.before_send] = before_send

    def patches(self) -> Iterable[Patch]:
        """The services' calls answered instead of sent, signed with dummy credentials,
        by clients that resolve none of their own; adaptive retries pace in fake time."""
        endpoint = import_module("aiobotocore.endpoint")
        bucket = import_module("aiobotocore.retries.bucket")
        session = import_module("aiobotocore.session")
        signers = import_module("aiobotocore.signers")
        return [
            Patch(endpoint.AioEndpoint, "_send", _answering_send),
            Patch(signers.AioRequestSigner, "get_auth_instance", _dummy_signing),
            Patch(session.AioSession, "_create_client", _offline_client),
            Patch(bucket.AsyncTokenBucket, "_acquire", async_acquire_in_fake_time),
        ]


@functools.cache
def _dummy_credentials() -> Any:
    """The dummy credentials as aiobotocore reads them (``await
    get_frozen_credentials()``), made on first use."""
    from aiobotocore.credentials import AioCredentials

    return AioCredentials(
        DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


@functools.lru_cache(maxsize=8)
def _answering_send(original: Callable[..., Any]) -> Callable[..., Any]:
    """``AioEndpoint._send`` answering the services' requests instead of sending them."""

    @functools.wraps(original)
    async def _send(endpoint: Any, request: Any) -> Any:
        core = active_core()
        service = core.endpoint_prefixes.get(endpoint._endpoint_prefix) if core else None
        answered = INTERCEPTOR.handle(request, service) if service is not None else None
        if answered is not None:
            return answered
        return await original(endpoint, request)

    return _send


@functools.lru_cache(maxsize=8)
def _dummy_signing(original: Callable[..., Any]) -> Callable[..., Any]:
    """``AioRequestSigner.get_auth_instance`` signing the services' calls with dummy
    ``AioCredentials``, or the dummy token for bearer auth; others' as before."""

    @functools.wraps(original)
    async def get_auth_instance(
        signer: Any,
        signing_name: str,
        region_name: str,
        signature_version: str | None = None,
        request_credentials: Any = None,
        **kwargs: Any,
    ) -> Any:
        faked, token_auth = faked_signing(signer, signature_version)
        if token_auth is not None:
            return token_auth
        if faked:
            request_credentials = _dummy_credentials()
        return await original(
            signer, signing_name, region_name, signature_version, request_credentials, **kwargs
        )

    return get_auth_instance


@functools.lru_cache(maxsize=8)
def _offline_client(original: Callable[..., Any]) -> Callable[..., Any]:
    """``AioSession._create_client`` making a client of the services without a lookup
    (no credentials, no defaults mode from the instance metadata service)."""
    signature = inspect.signature(original)

    @functools.wraps(original)
    async def _create_client(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = faked_client_arguments(signature, args, kwargs)
        return await original(*args, **kwargs)

    return _create_client


INTERCEPTOR = Aiobotocore()
