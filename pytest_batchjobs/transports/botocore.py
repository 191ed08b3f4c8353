"""Answer botocore requests inside its own send path, signed with dummy credentials.

The fake's handler sits on ``before-send``, which botocore emits inside its retry loop
after serializing and signing, so the client's serializer, signer, parser and retry
handler all run; only the network is replaced. It is registered in
``botocore.handlers.BUILTIN_HANDLERS`` with ``REGISTER_FIRST``, ahead of moto's
handler whatever the import order, as soon as ``botocore.handlers`` is imported
(:mod:`.registry` waits for it while the plugin is loaded), so sessions and clients created at
import or collection time, before any fake is active, carry it too. When no fake is
active it returns ``None`` and botocore goes on as if it were not there.

A session copies the built-in handlers when it is created, so a client whose session
is older than the registration (made in a root ``conftest.py``, or before the plugin
was loaded) has none of them. What must hold for every client, whatever its age, is
patched on botocore's classes instead, while a fake is active:

* ``Endpoint._send`` (the network call itself) answers the two services' requests
  instead of sending them.
* ``RequestSigner.get_auth_instance``, where every signature (and presigned URL) gets
  its credentials, signs the two services' calls with dummy credentials (a dummy
  token for bearer auth). The client's own credentials are never asked for their keys:
  an assume-role, SSO or web-identity client, whose credentials are resolved on their
  first use, never calls STS or SSO, and a credential process is never run again.
* ``Session.create_client`` gives a client of the two services the dummy keys when
  the caller passes none, so the session never resolves credentials for it: botocore
  resolves them when it makes a client, and a ``credential_process`` runs, or the
  instance metadata service is asked, right then. Such a client keeps the dummy keys
  after the fake stops, as one that read them from the environment does. Nor does it
  ask the instance metadata service for its region to choose its defaults mode: where
  ``AWS_DEFAULTS_MODE`` (or ``defaults_mode`` in the config file, or the client's
  ``Config``) is ``auto``, the client is made in the mode botocore would choose where
  the service does not answer (:func:`mode_without_imds`); so is every client made
  inside moto's ``mock_aws``, which answers them all (the fake's own S3 client too).

botocore emits ``before-send`` to every handler, even after one has answered, so
moto's handler would still run (and raise for the operations moto does not
implement). While a fake is active, moto's handler is wrapped to leave alone the
requests this fake answered (:mod:`.beside_moto`).
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..active import DUMMY_CREDENTIALS, active_core
from ..errors import UnfakedOperationError
from ..neighbours.moto import moto_active
from ..wire.messages import WireRequest, WireResponse
from .interceptor import ClientAdapter, PassBelow, Patch, Routed

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..core.outcome import Broken, NotMine

DUMMY_BEARER_TOKEN = "fake-batchjobs-bearer-token"
_lock = threading.Lock()
_installed = False
ANSWERED = "_pytest_batchjobs_answered"  # on a request the fake answered: moto skips it


class _Raw:
    """The ``raw`` of an ``AWSResponse``: what botocore reads the body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
    """botocore's ``before-send`` handler: answer the faked services' requests."""
    return INTERCEPTOR.handle(request, service_of(event_name))


@functools.lru_cache(maxsize=512)  # bounded: one entry per event name (service, operation)
def service_of(event_name: str) -> str:
    """The service an event (``before-send.bedrock.GetModelInvocationJob``) is for."""
    return event_name.split(".", 2)[1] if event_name.count(".") else ""


@functools.cache
def _dummy_credentials() -> Any:
    """One set of dummy botocore credentials (read-only to botocore): shared by every
    faked call, and made on first use so that importing this module stays cheap."""
    from botocore.credentials import Credentials

    return Credentials(
        DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


@functools.cache
def _dummy_token() -> Any:
    """The dummy bearer token: botocore prefers bearer auth for Bedrock when
    ``AWS_BEARER_TOKEN_BEDROCK`` is set, and the real token must not sign a faked call."""
    from botocore.tokens import FrozenAuthToken

    return FrozenAuthToken(DUMMY_BEARER_TOKEN)


@functools.cache
def _response_class() -> Any:
    """botocore's ``AWSResponse``, imported on first use (not at plugin import)."""
    from botocore.awsrequest import AWSResponse

    return AWSResponse


class Botocore(ClientAdapter):
    """botocore's ``before-send`` and the methods every client goes through. A
    botocore-style prepared request already names its service (by the event, or the
    endpoint's prefix): it is routed by that, not by its URL."""

    transport = "botocore"

    def handle(self, request: Any, service: str) -> Any:
        """The answer to a prepared ``request`` for ``service`` if the active fake fakes
        it, else ``None`` (botocore goes on: moto's handler, or the network)."""
        core = active_core()
        if core is None or service not in core.services:
            return None
        try:
            return self.answer(Routed(core, service), request)
        except PassBelow:
            return None  # moto's handler, next in line, answers it

    def url(self, request: Any) -> str:
        return str(request.url)

    def wire(self, request: Any) -> WireRequest:
        return WireRequest.build(
            request.method,
            request.url,
            request.headers,
            request.body,
            case_insensitive_headers=True,
        )

    def respond(self, response: WireResponse, request: Any) -> Any:
        setattr(request, ANSWERED, True)
        return _response_class()(
            request.url, response.status, response.headers, _Raw(response.body)
        )

    def broken(self, outcome: Broken, request: Any) -> BaseException:
        """The exception botocore's HTTP layer raises for a broken connection."""
        from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

        error: BaseException
        if outcome.timed_out:
            error = ReadTimeoutError(endpoint_url=request.url)
        else:
            error = ConnectionClosedError(endpoint_url=request.url)
        return error

    def below(self) -> bool:
        return moto_active()

    def not_mine(self, outcome: NotMine, request: Any) -> Any:
        raise UnfakedOperationError(outcome.explained(moto_hint=True))

    def install(self) -> None:
        """Put the ``before-send`` handler first in botocore's built-in handlers (once
        per process)."""
        global _installed
        if _installed:
            return
        import botocore.handlers as handlers

        with _lock:
            if _installed:
                return
            handlers.BUILTIN_HANDLERS.insert(
                0, ("before-send", before_send, handlers.REGISTER_FIRST)
            )
            _installed = True

    def patches(self) -> Iterable[Patch]:
        """While a fake is active, the services' calls are answered instead of sent,
        signed with dummy credentials, by clients that resolve none of their own. Each
        wrapper is made once per original method (cached), not again at every
        activation."""
        import botocore.endpoint
        import botocore.session
        import botocore.signers

        return [
            Patch(botocore.endpoint.Endpoint, "_send", _answering_send),
            Patch(botocore.signers.RequestSigner, "get_auth_instance", _dummy_signing),
            Patch(botocore.session.Session, "create_client", _offline_client),
        ]


@functools.lru_cache(maxsize=8)
def _answering_send(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Endpoint._send`` answering the services' requests instead of sending them."""

    @functools.wraps(original)
    def _send(endpoint: Any, request: Any) -> Any:
        core = active_core()
        service = core.endpoint_prefixes.get(endpoint._endpoint_prefix) if core else None
        answered = INTERCEPTOR.handle(request, service) if service is not None else None
        if answered is not None:
            return answered
        return original(endpoint, request)

    return _send


@functools.lru_cache(maxsize=8)
def _dummy_signing(original: Callable[..., Any]) -> Callable[..., Any]:
    """``RequestSigner.get_auth_instance`` signing the services' calls with dummy
    credentials, or the dummy token for bearer auth; others' as before.

    The client's own credentials are not touched, so deferred ones (assume-role, SSO,
    web identity) are never resolved for a faked call.
    """

    @functools.wraps(original)
    def get_auth_instance(
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
        return original(
            signer, signing_name, region_name, signature_version, request_credentials, **kwargs
        )

    return get_auth_instance


def faked_signing(signer: Any, signature_version: str | None) -> tuple[bool, Any]:
    """Whether ``signer`` (a ``RequestSigner``, or aiobotocore's) signs a faked
    service's call while a fake is active, and, for bearer auth, the auth that signs it
    with the dummy token (else ``None``: it signs with dummy credentials)."""
    core = active_core()
    if core is None or _hyphenized(signer._service_id) not in core.services:
        return False, None
    version = signature_version or signer.signature_version
    if _requires_token(version):
        return True, _auth_types()[version](_dummy_token())
    return True, None


@functools.lru_cache(maxsize=64)  # one entry per service id a client signs for
def _hyphenized(service_id: Any) -> str:
    """botocore's ``ServiceId.hyphenize()`` (``bedrock-runtime``), once per service."""
    return str(service_id.hyphenize())


@functools.cache
def _auth_types() -> Any:
    """botocore's table of signers by signature version, imported on first use."""
    from botocore.auth import AUTH_TYPE_MAPS

    return AUTH_TYPE_MAPS


def _requires_token(signature_version: str) -> bool:
    """Whether ``signature_version`` signs with a bearer token (``bearer``)."""
    auth = _auth_types().get(signature_version)
    return auth is not None and auth.REQUIRES_TOKEN is True


@functools.lru_cache(maxsize=8)
def _offline_client(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Session.create_client`` making a client of the services without a lookup:
    no credentials resolved, no defaults mode asked of the instance metadata service."""
    signature = inspect.signature(original)

    @functools.wraps(original)
    def create_client(*args: Any, **kwargs: Any) -> Any:
        args, kwargs = faked_client_arguments(signature, args, kwargs)
        return original(*args, **kwargs)

    return create_client


def faked_client_arguments(
    signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of a ``create_client`` call (botocore's or aiobotocore's, of
    ``signature``, a method of a session), changed while a fake is active when the
    client is a faked service's, so that making it reaches no network: the dummy keys
    when the caller passed none (no credential lookup), and a defaults mode resolved
    without the instance metadata service when it is ``auto``. Inside moto's
    ``mock_aws`` every client is answered in-process (the fake's own S3 client, which
    reads inputs and writes outputs there, too): each gets the defaults mode so."""
    core = active_core()
    if core is None:
        return args, kwargs
    call = signature.bind(*args, **kwargs)
    given = call.arguments
    faked = given.get("service_name") in core.services
    if not faked and not moto_active():
        return args, kwargs
    if (
        faked
        and given.get("aws_access_key_id") is None
        and given.get("aws_secret_access_key") is None
    ):
        given["aws_access_key_id"] = DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"]
        given["aws_secret_access_key"] = DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
        given["aws_session_token"] = DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"]
    session = given["self"]
    config = given.get("config")
    default_config = session.get_default_client_config()
    if default_config is not None:
        config = default_config if config is None else default_config.merge(config)
    mode = (config.defaults_mode if config is not None else None) or (
        session.get_config_variable("defaults_mode")
    )
    if isinstance(mode, str) and mode.lower() == "auto":
        from botocore.config import Config

        region = (
            given.get("region_name")
            or (config.region_name if config is not None else None)
            or session.get_config_variable("region")
        )
        pinned = Config(defaults_mode=mode_without_imds(region))
        given["config"] = pinned if config is None else config.merge(pinned)
    return call.args, call.kwargs


def mode_without_imds(region: str | None) -> str:
    """The defaults mode botocore resolves ``auto`` to where the instance metadata
    service does not answer (``SmartDefaultsConfigStoreFactory.resolve_auto_mode``):
    in AWS Lambda and the like (``AWS_EXECUTION_ENV``) by the region of the environment,
    ``in-region`` or ``cross-region``; elsewhere ``standard``. The fake's answers do not
    depend on it: only the client's retry mode and connect timeout do."""
    if os.environ.get("AWS_EXECUTION_ENV"):
        here = os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION"))
        if here:
            return "in-region" if region == here else "cross-region"
    return "standard"


INTERCEPTOR = Botocore()
