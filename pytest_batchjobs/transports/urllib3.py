"""Answer urllib3 requests to the faked services: ``PoolManager``, ``urllib3.request``,
``HTTPSConnectionPool`` used directly.

While a fake is active, ``HTTPConnectionPool.urlopen`` (the one call every urllib3
request goes through, whatever sent it: a ``PoolManager``, a ``ProxyManager``,
``urllib3.request()``, a pool of its own) answers a request for an endpoint of a faked
service (any spelling :mod:`.hosts` recognises) with the active fake's response, as a
real ``urllib3.HTTPResponse`` (``.data``, ``.json()``, ``.stream()``, ``preload_content``
true or false, ``release_conn``). No connection is taken from the pool, none is opened,
nothing is resolved, and no proxy is asked. Every other request is sent as before.

botocore and ``requests`` send through urllib3 too, but their requests for a faked
service never get here: the fake answers botocore's in ``Endpoint._send`` and
``requests``' at ``HTTPAdapter.send``, and moto answers what it is handed below them.
One that reaches urllib3 anyway (a user's ``responses`` mock passing it through, say)
is answered here, and still never reaches the network.

An operation the fake does not fake is answered ``501 Not Implemented`` naming it (moto
mocks no urllib3). An injected broken connection raises what urllib3 meets for one
(measured against a socket with urllib3 2.8): ``ProtocolError('Connection aborted.',
ConnectionResetError(104, 'Connection reset by peer'))`` for a reset after the request
was sent, ``ReadTimeoutError`` ("Read timed out. (read timeout=…)") for a read timeout.
urllib3's own ``Retry`` takes them as it takes a socket's, through its public API:
counted, backed off (in fake time), retried, and ``MaxRetryError`` once exhausted; so
is a response whose status it retries (``status_forcelist``, ``Retry-After``).

This module imports urllib3: the registry imports it once urllib3 is loaded.
"""

from __future__ import annotations

import errno
import inspect
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from urllib3 import HTTPConnectionPool, HTTPResponse
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util import Retry, Timeout

from ..wire.messages import WireRequest, body_bytes
from .answer import reason_phrase
from .interceptor import ClientAdapter, Patch

if TYPE_CHECKING:
    from ..core.outcome import Broken
    from ..wire.messages import WireResponse
    from .interceptor import Routed

_POOL: Any = HTTPConnectionPool  # patched below


class _Sent(NamedTuple):
    """A request as ``urlopen`` was called with it."""

    pool: Any
    method: str
    target: str  # what urlopen was given: a path, or a whole URL (through a proxy)
    url: str
    headers: Any
    body: bytes
    retries: Retry
    timeout: Any
    preload_content: bool
    decode_content: bool

    @classmethod
    def of(cls, pool: Any, url: str, call: dict[str, Any]) -> _Sent:
        return cls(
            pool,
            call["method"],
            call["url"],
            url,
            pool.headers if call["headers"] is None else call["headers"],
            body_bytes(call["body"]),
            Retry.from_int(call["retries"], redirect=call["redirect"], default=pool.retries),
            call["timeout"],
            call["preload_content"],
            call["decode_content"],
        )


class Urllib3Interceptor(ClientAdapter):
    """urllib3's adapter: ``HTTPConnectionPool.urlopen`` answers the faked services."""

    transport = "urllib3"

    def patches(self) -> list[Patch]:
        return [Patch(_POOL, "urlopen", self._urlopen)]

    def _urlopen(self, original: Callable[..., Any]) -> Callable[..., Any]:
        interceptor = self
        signature = inspect.signature(original)

        def urlopen(pool: Any, *args: Any, **kwargs: Any) -> Any:
            url = _full_url(pool, kwargs["url"] if "url" in kwargs else args[1])
            routed = interceptor.route(url)
            if routed is None:  # sent as before, its body unread
                return original(pool, *args, **kwargs)
            call = signature.bind(pool, *args, **kwargs)
            call.apply_defaults()
            return interceptor._retried(routed, _Sent.of(pool, url, call.arguments))

        return urlopen

    def _retried(self, routed: Routed, sent: _Sent) -> HTTPResponse:
        """The answer, retried as urllib3's ``urlopen`` retries a socket's: a broken
        connection, and a status its ``Retry`` retries."""
        while True:
            try:
                response: HTTPResponse = self.answer(routed, sent)
            except (ProtocolError, ReadTimeoutError) as error:
                retries = sent.retries.increment(
                    sent.method,
                    sent.target,
                    error=error,
                    _pool=sent.pool,
                    _stacktrace=error.__traceback__,
                )
                retries.sleep()
                sent = sent._replace(retries=retries)
                continue
            has_retry_after = bool(response.headers.get("Retry-After"))
            if not sent.retries.is_retry(sent.method, response.status, has_retry_after):
                return response
            try:
                retries = sent.retries.increment(
                    sent.method, sent.target, response=response, _pool=sent.pool
                )
            except MaxRetryError:
                if sent.retries.raise_on_status:
                    raise
                return response
            retries.sleep(response)
            sent = sent._replace(retries=retries)

    def url(self, request: str) -> str:
        return request  # urlopen routes by the URL alone

    def wire(self, request: _Sent) -> WireRequest:
        return WireRequest.build(request.method, request.url, request.headers, request.body)

    def respond(self, response: WireResponse, request: _Sent) -> HTTPResponse:
        return HTTPResponse(
            body=io.BytesIO(response.body),
            headers={"Content-Length": str(len(response.body)), **response.headers},
            status=response.status,
            version=11,
            reason=reason_phrase(response.status) or None,
            preload_content=request.preload_content,
            decode_content=request.decode_content,
            retries=request.retries,
            request_method=request.method,
            request_url=request.target,
        )

    def broken(self, outcome: Broken, request: _Sent) -> BaseException:
        if outcome.timed_out:
            read_timeout = _timeout_of(request).read_timeout
            return ReadTimeoutError(
                request.pool,
                request.target,
                f"Read timed out. (read timeout={Timeout.resolve_default_timeout(read_timeout)})",
            )
        reset = ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
        return ProtocolError("Connection aborted.", reset)


def _full_url(pool: Any, target: str) -> str:
    """The URL of ``target`` (a path, or a whole URL through a proxy) on ``pool``."""
    if not target.startswith("/"):
        return target
    port = f":{pool.port}" if pool.port else ""
    return f"{pool.scheme}://{pool.host}{port}{target}"


def _timeout_of(request: _Sent) -> Timeout:
    """The request's timeout, as urlopen resolves it against the pool's."""
    timeout = request.timeout
    if timeout is Timeout.DEFAULT_TIMEOUT:
        return request.pool.timeout  # type: ignore[no-any-return]
    if isinstance(timeout, Timeout):
        return timeout
    return Timeout.from_float(timeout)


INTERCEPTOR = Urllib3Interceptor()
