"""``nextToken`` as AWS issues it: opaque, bound to its query, continuing from a key.

A token carries the listing key of the last item of its page (or none: continue from
the start), the number of pages served before it, a digest of the query that issued it
(operation, account, region, filters, sort) and when it was issued, signed with a
secret of the fake's. The next page starts strictly after that key, so a job created or
finished between two pages causes neither a duplicate nor a skip among the jobs that
existed before the first page (a new job appears only if its key sorts after the
token's, i.e. never in the default newest-first order). A token that is not one of
ours, was altered, belongs to another query, or is older than the token lifetime is
rejected with the service's own error.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import hmac
import itertools
import json
import os
from dataclasses import dataclass
from typing import Any

Key = tuple[int, int]
"""Where an item sits in a listing: its creation instant in microseconds, then a
sequence number that breaks ties."""


class InvalidToken(Exception):
    """A presented ``nextToken`` cannot continue this query; the reason says why."""


@dataclass(frozen=True)
class Position:
    """Where a token continues: after ``key`` (``None``: from the start), as page
    ``page`` of its sequence (the first page is 0)."""

    key: Key | None
    page: int


class TokenCodec:
    """Issues and reads the tokens of one fake."""

    def __init__(self) -> None:
        self._secret = os.urandom(16)
        self._nonces = itertools.count()

    def issue(self, query: dict[str, Any], position: Position, now: _dt.datetime) -> str:
        """A token continuing ``query`` at ``position``."""
        key = None if position.key is None else list(position.key)
        payload = json.dumps(
            [_digest(query), key, position.page, _micros(now), next(self._nonces)],
            separators=(",", ":"),
        ).encode()
        signature = hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
        return _b64(payload) + "." + _b64(signature)

    def read(
        self,
        token: str,
        query: dict[str, Any],
        now: _dt.datetime,
        lifetime: _dt.timedelta | None,
    ) -> Position:
        """Where ``token`` continues; :class:`InvalidToken` if it cannot."""
        body, dot, signature = token.partition(".")
        try:
            payload = _unb64(body)
            presented = _unb64(signature)
        except (binascii.Error, ValueError):
            raise InvalidToken("it is not a token this service issued") from None
        if _b64(payload) != body or _b64(presented) != signature:
            # base64 decoding ignores the spare bits of the last character: a token
            # with that character changed must not decode to the same bytes.
            raise InvalidToken("it is not a token this service issued, or was altered")
        expected = hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
        if not dot or not hmac.compare_digest(presented, expected):
            raise InvalidToken("it is not a token this service issued, or was altered")
        digest, key, page, issued, _ = json.loads(payload)
        if digest != _digest(query):
            raise InvalidToken("it was issued for a different request")
        if lifetime is not None and _micros(now) - issued > lifetime / _MICROSECOND:
            raise InvalidToken("it has expired")
        return Position(None if key is None else (int(key[0]), int(key[1])), int(page))


_MICROSECOND = _dt.timedelta(microseconds=1)


def _micros(moment: _dt.datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _digest(query: dict[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
