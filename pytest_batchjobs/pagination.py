"""``nextToken`` as AWS issues it: opaque, bound to its query, continuing from a key.

A token carries the listing key of the last item of its page, a digest of the query
that issued it (operation, account, region, filters, sort) and when it was issued,
signed with a secret of the fake's. The next page starts strictly after that key, so a
job created or finished between two pages causes neither a duplicate nor a skip among
the jobs that existed before the first page. A token that is not one of ours, was
altered, belongs to another query, or is older than ``token_lifetime`` is rejected
with the service's own error.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from .services.store import Key

T = TypeVar("T")


class InvalidToken(Exception):
    """A presented ``nextToken`` cannot continue this query; the reason says why."""


@dataclass
class PagePolicy:
    """How pages are cut: ``max_page_size`` caps every page whatever ``maxResults`` says
    (AWS may return fewer items than asked for); ``token_lifetime`` is how long a token
    stays valid, in fake-clock seconds (``None``: for ever)."""

    max_page_size: int | None = None
    token_lifetime: float | None = 24 * 3600.0


class TokenCodec:
    """Issues and reads the tokens of one fake."""

    def __init__(self, policy: PagePolicy) -> None:
        self._secret = os.urandom(16)
        self.policy = policy

    def issue(self, query: dict[str, Any], key: Key, now: _dt.datetime) -> str:
        """A token continuing ``query`` after ``key``."""
        payload = json.dumps(
            [_digest(query), list(key), int(now.timestamp())], separators=(",", ":")
        ).encode()
        signature = hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
        return _b64(payload) + "." + _b64(signature)

    def read(self, token: str, query: dict[str, Any], now: _dt.datetime) -> Key:
        """The key ``token`` continues from; :class:`InvalidToken` if it cannot."""
        body, dot, signature = token.partition(".")
        try:
            payload = _unb64(body)
            presented = _unb64(signature)
        except (binascii.Error, ValueError):
            raise InvalidToken("it is not a token this service issued") from None
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
        if not dot or not hmac.compare_digest(presented, expected):
            raise InvalidToken("it is not a token this service issued, or was altered")
        digest, key, issued = json.loads(payload)
        if digest != _digest(query):
            raise InvalidToken("it was issued for a different request")
        lifetime = self.policy.token_lifetime
        if lifetime is not None and now.timestamp() - issued > lifetime:
            raise InvalidToken("it has expired")
        return (int(key[0]), int(key[1]))


def cut_page(
    candidates: Iterator[T], limit: int, key_of: Callable[[T], Key]
) -> tuple[list[T], Key | None]:
    """The first ``limit`` candidates, and the key to continue from if more remain."""
    items: list[T] = []
    for item in candidates:
        if len(items) == limit:
            return items, key_of(items[-1])
        items.append(item)
    return items, None


def _digest(query: dict[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
