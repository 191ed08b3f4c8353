"""Answer botocore requests inside its own send path.

The fake's handler sits on ``before-send``, which botocore emits inside its retry loop
after serializing and signing, so the client's serializer, signer, parser and retry
handler all run; only the network is replaced. It is registered in
``botocore.handlers.BUILTIN_HANDLERS`` with ``REGISTER_FIRST``, ahead of moto's
handler whatever the import order, as soon as ``botocore.handlers`` is imported (an
import hook waits for it), so sessions and clients created at import or collection
time, before any fake is active, carry it too. When no fake is active it returns
``None`` and botocore goes on as if it were not there.

Clients whose session was created before the handler was registered are still
answered: while a fake is active, ``Endpoint._send`` (the network call itself) is
wrapped to answer the two services' requests instead of sending them.

A ``before-sign`` handler gives each request dummy credentials while a fake is
active, so a client's real credentials never sign a faked call and a client built
without credentials works.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from types import ModuleType
from typing import Any

from ..active import DUMMY_CREDENTIALS, active_fake

SERVICES = ("personalize", "bedrock")
_lock = threading.Lock()
_installed = False
_original_send: Any = None


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
    from botocore.credentials import Credentials

    signing = request.context.setdefault("signing", {})
    signing["request_credentials"] = Credentials(
        DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


def _answer(fake: Any, request: Any, service: str) -> Any:
    from botocore.awsrequest import AWSResponse

    from ..wire.messages import WireRequest

    wire = WireRequest.build(request.method, request.url, request.headers, request.body)
    response = fake.handle(wire, transport="botocore", service=service, on_unfaked=_unfaked)
    if response is None:
        return None
    return AWSResponse(request.url, response.status, response.headers, _Raw(response.body))


def _unfaked(service: str, operation: str) -> None:
    """Let moto answer when its mock is active; otherwise refuse loudly."""
    moto = sys.modules.get("moto.core.models")
    if moto is not None and getattr(moto.botocore_stubber, "enabled", False):
        return None
    from ..errors import UnfakedOperationError

    fake = active_fake()
    faked = fake.faked_operations(service) if fake is not None else []
    raise UnfakedOperationError(
        f"{service} {operation} is not faked by pytest-batchjobs, and the request was "
        f"not sent to AWS. Faked {service} operations: {', '.join(faked)}. "
        "To answer other operations, activate moto's mock_aws as well."
    )


# -- registration ------------------------------------------------------------------------


def install() -> None:
    """Put the handlers first in botocore's built-in handlers (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        import botocore.handlers as handlers

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


class _InstallOnImport(importlib.abc.MetaPathFinder):
    """Register the handlers the moment anything imports ``botocore.handlers``."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "botocore.handlers":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        original_exec = loader.exec_module  # type: ignore[attr-defined]

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            _remove_hook()
            install()

        loader.exec_module = exec_module  # type: ignore[attr-defined]
        return spec


_hook = _InstallOnImport()


def _remove_hook() -> None:
    if _hook in sys.meta_path:
        sys.meta_path.remove(_hook)


def install_when_imported() -> None:
    """Register now if botocore is loaded, else as soon as it is (costs nothing now)."""
    if "botocore.handlers" in sys.modules:
        install()
    elif _hook not in sys.meta_path:
        sys.meta_path.insert(0, _hook)
