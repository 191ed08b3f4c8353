"""Answer botocore requests inside its own send path.

The fake's handler sits on ``before-send``, which botocore emits inside its retry loop
after serializing and signing, so the client's serializer, signer, parser and retry
handler all run; only the network is replaced. It is registered in
``botocore.handlers.BUILTIN_HANDLERS`` with ``REGISTER_FIRST``, ahead of moto's
handler whatever the import order, as soon as ``botocore.handlers`` is imported (an
import hook, in :mod:`.import_hook`, waits for it), so sessions and clients created at
import or collection time, before any fake is active, carry it too. When no fake is
active it returns ``None`` and botocore goes on as if it were not there.

Clients whose session was created before the handler was registered are still
answered: while a fake is active, ``Endpoint._send`` (the network call itself) is
wrapped to answer the two services' requests instead of sending them.

botocore emits ``before-send`` to every handler, even after one has answered, so
moto's handler would still run (and raise for the operations moto does not
implement). While a fake is active, moto's handler is wrapped to leave alone the
requests this fake answered.

A ``before-sign`` handler gives each request dummy credentials while a fake is
active, so a client's real credentials never sign a faked call and a client built
without credentials works.
"""

from __future__ import annotations

import functools
import sys
import threading
from typing import Any

from ..active import DUMMY_CREDENTIALS, active_fake

SERVICES = ("personalize", "bedrock")
_lock = threading.Lock()
_installed = False
_original_send: Any = None
_original_moto_call: Any = None
_ANSWERED = "_pytest_batchjobs_answered"


class _Raw:
    """The ``raw`` of an ``AWSResponse``: what botocore reads the body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def _service_of(event_name: str) -> str | None:
    service = event_name.split(".", 2)[1] if event_name.count(".") else ""
    return service if service in SERVICES else None


def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
    """botocore's ``before-send`` handler: answer the faked services' requests."""
    fake = active_fake()
    if fake is None:
        return None
    service = _service_of(event_name)
    if service is None:
        return None
    return _answer(fake, request, service)


def before_sign(request: Any, event_name: str = "", **_: Any) -> None:
    """botocore's ``before-sign`` handler: sign faked calls with dummy credentials."""
    if active_fake() is None or _service_of(event_name) is None:
        return
    signing = request.context.setdefault("signing", {})
    signing["request_credentials"] = _dummy_credentials()


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


def _answer(fake: Any, request: Any, service: str) -> Any:
    from botocore.awsrequest import AWSResponse

    from ..wire.messages import WireRequest

    wire = WireRequest.build(
        request.method, request.url, request.headers, request.body, case_insensitive_headers=True
    )
    _guard_moto()
    try:
        response = fake.handle(wire, transport="botocore", service=service, defer=moto_active)
    except Exception as error:
        from ..faults import TransportFault  # here, not at import: pytest loads this module

        if isinstance(error, TransportFault):
            raise _broken_connection(error.kind, request.url) from None
        raise
    if response is None:
        return None
    setattr(request, _ANSWERED, True)
    return AWSResponse(request.url, response.status, response.headers, _Raw(response.body))


def _broken_connection(kind: str, url: str) -> Exception:
    """The exception botocore's HTTP layer raises for a broken connection."""
    from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

    error: Exception
    if kind == "read_timeout":
        error = ReadTimeoutError(endpoint_url=url)
    else:
        error = ConnectionClosedError(endpoint_url=url)
    return error


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active, to answer what this fake does not own."""
    moto = sys.modules.get("moto.core.models")
    return moto is not None and bool(getattr(moto.botocore_stubber, "enabled", False))


def _guard_moto() -> None:
    """Make moto's ``before-send`` handler skip requests this fake has answered."""
    global _original_moto_call
    stubber = sys.modules.get("moto.core.botocore_stubber")
    if stubber is None or _original_moto_call is not None:
        return
    with _lock:
        if _original_moto_call is not None:
            return
        original = stubber.BotocoreStubber.__call__

        def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            if getattr(request, _ANSWERED, False):
                return None
            return original(self, event_name, request, **kwargs)

        stubber.BotocoreStubber.__call__ = __call__
        _original_moto_call = original


def _unguard_moto() -> None:
    global _original_moto_call
    if _original_moto_call is not None:
        sys.modules["moto.core.botocore_stubber"].BotocoreStubber.__call__ = _original_moto_call
        _original_moto_call = None


# -- registration ------------------------------------------------------------------------


def install() -> None:
    """Put the handlers first in botocore's built-in handlers (once per process)."""
    global _installed
    if _installed:
        return
    # Imported before taking the lock: the first import of botocore.handlers runs the
    # import hook, which calls install() itself (and would wait on the lock for ever).
    import botocore.handlers as handlers

    with _lock:
        if _installed:
            return
        handlers.BUILTIN_HANDLERS.insert(0, ("before-send", before_send, handlers.REGISTER_FIRST))
        handlers.BUILTIN_HANDLERS.insert(0, ("before-sign", before_sign, handlers.REGISTER_FIRST))
        _installed = True


def activate() -> None:
    """While a fake is active, no request for the services leaves through ``_send``."""
    global _original_send
    import botocore.endpoint

    with _lock:
        if _original_send is not None:
            return
        original = botocore.endpoint.Endpoint._send
        _original_send = original

        def _send(endpoint: Any, request: Any) -> Any:
            fake = active_fake()
            service = endpoint._endpoint_prefix if fake is not None else None
            if fake is not None and service in SERVICES:
                answered = _answer(fake, request, service)
                if answered is not None:
                    return answered
            return original(endpoint, request)

        botocore.endpoint.Endpoint._send = _send


def deactivate() -> None:
    """Undo :func:`activate` once no fake is active."""
    global _original_send
    import botocore.endpoint

    with _lock:
        if _original_send is None or active_fake() is not None:
            return
        botocore.endpoint.Endpoint._send = _original_send
        _original_send = None
        _unguard_moto()
