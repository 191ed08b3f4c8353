"""Defense in depth: while a fake is active, no faked service's host name is resolved.

The transports answer the services' requests before any connection is made. A client
none of them knows (``http.client``, a urllib3 connection used below its pools, a
library with its own HTTP stack over Python's sockets) would look the host up first: so while
a fake is active, ``socket.getaddrinfo``, ``socket.gethostbyname`` and
``socket.gethostbyname_ex`` refuse to resolve an endpoint of a faked service (any
host :mod:`..wire.endpoints` recognises, or its VPC endpoints, compared as the
resolver will see the name: see :mod:`.hosts`) with :class:`FakedHostLookupError`,
which names the host. The request fails at once and loudly, and not even a DNS query naming
the service leaves the machine. Every other name resolves as before.

A guard that another patch was put on top of (a test's ``monkeypatch`` of
``socket.getaddrinfo``, undone after the fake stops) cannot be taken out without
undoing that patch: it stays, inert, and lets every lookup through
(:mod:`..patching.patches`).
"""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable, Iterable
from typing import Any

from ..active import active_core
from .hosts import faked_endpoint, resolved_name
from .interceptor import Interceptor, Patch

_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex")


class FakedHostLookupError(socket.gaierror):
    """A faked service's host name was about to be resolved while a fake is active."""


class LookupGuard(Interceptor):
    """Not a client: the resolvers every client of Python's sockets asks, guarded."""

    def patches(self) -> Iterable[Patch]:
        return [Patch(socket, name, _guarded, layered=True) for name in _RESOLVERS]


def _guarded(resolve: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(resolve)
    def guard(host: Any, *args: Any, **kwargs: Any) -> Any:
        if active_core() is not None:
            refuse_faked(host)
        return resolve(host, *args, **kwargs)

    return guard


def refuse_faked(host: object) -> None:
    """Raise :class:`FakedHostLookupError` if ``host`` is a faked service's endpoint."""
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    found = faked_endpoint(host) if isinstance(host, str) else None
    if found is None:
        return
    name = resolved_name(str(host))
    seen = f" ({name} to the resolver)" if name is not None and name != host else ""
    raise FakedHostLookupError(
        socket.EAI_NONAME,
        f"pytest-batchjobs refused to resolve {host!r}{seen}, an endpoint of {found.service}, "
        "while a fake is active: no request for a faked service may reach the network. "
        "The client sending it bypasses the fake, which answers botocore, aiobotocore, "
        "requests, httpx, aiohttp, urllib3 and urllib.request; point this client at the "
        "fake's local server (the batchjobs_server fixture) instead. See docs/fidelity.md, "
        "Safety.",
    )


INTERCEPTOR = LookupGuard()
