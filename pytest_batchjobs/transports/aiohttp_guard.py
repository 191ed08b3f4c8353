"""Refuse aiohttp's connections to a faked service's host, before any name is resolved.

The lookup guard (:mod:`.lookups`) sees only Python's ``socket`` resolvers. aiohttp can
resolve names without them: with ``aiodns`` installed its default resolver asks
c-ares, and on uvloop ``loop.getaddrinfo`` asks libuv; through a proxy the proxy
resolves the host. So while a fake is active, ``TCPConnector._create_connection`` (the
one place every aiohttp connection starts, direct or through a proxy, whatever the
resolver) refuses a request whose URL is a faked service's endpoint with aiohttp's
``ClientConnectorDNSError``, wrapping the :class:`~.lookups.FakedHostLookupError` that
names the host, as when the lookup guard refuses it. aiohttp is not answered in-process:
point it at the fake's local server instead. Every other connection opens as before.

This module imports aiohttp: :mod:`.when_loaded` imports it only once aiohttp is loaded.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import aiohttp
import aiohttp.connector

from ..active import active_core
from .lookups import FakedHostLookupError, refuse_faked

_CONNECTOR: Any = aiohttp.connector.TCPConnector  # patched below
_lock = threading.Lock()
_original: Any = None


def activate() -> None:
    """Guard ``_create_connection`` (once, while any fake is active)."""
    global _original
    with _lock:
        if _original is None:
            _original = _CONNECTOR._create_connection
            _CONNECTOR._create_connection = _guarded(_original)


def deactivate() -> None:
    """Undo :func:`activate` once no fake is active."""
    global _original
    with _lock:
        if _original is not None and active_core() is None:
            _CONNECTOR._create_connection = _original
            _original = None


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def _create_connection(connector: Any, req: Any, *args: Any, **kwargs: Any) -> Any:
        if active_core() is not None:
            try:
                refuse_faked(req.url.raw_host)
            except FakedHostLookupError as refused:
                raise aiohttp.ClientConnectorDNSError(req.connection_key, refused) from None
        return await original(connector, req, *args, **kwargs)

    return _create_connection
