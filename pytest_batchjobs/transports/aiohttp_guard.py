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

This module imports aiohttp: :mod:`.registry` imports it only once aiohttp is loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp
import aiohttp.connector

from ..active import active_core
from .interceptor import Interceptor, Patch
from .lookups import FakedHostLookupError, refuse_faked


class AiohttpGuard(Interceptor):
    """Not answered: aiohttp's connector refuses the faked services' hosts."""

    transport = "aiohttp"

    def patches(self) -> Iterable[Patch]:
        return [Patch(aiohttp.connector.TCPConnector, "_create_connection", _guarded)]


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


INTERCEPTOR = AiohttpGuard()
