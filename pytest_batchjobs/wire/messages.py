"""The HTTP request and response every transport converts to and from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WireRequest:
    """An HTTP request as it would reach AWS, whichever transport carried it.

    ``headers`` keys are lower-cased so lookups do not depend on the client's casing.
    """

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        headers: Any,
        body: bytes | str | None,
    ) -> WireRequest:
        """Normalise a transport's request: lower-case header names, bytes body.

        ``headers`` is anything with ``items()`` (a dict, botocore's ``HTTPHeaders``,
        an ``email.message.Message``) or an iterable of (name, value) pairs.
        """
        items: Iterable[tuple[Any, Any]] = headers.items() if hasattr(headers, "items") else headers
        lowered = {str(k).lower(): _text(v) for k, v in items}
        if body is None:
            raw = b""
        elif isinstance(body, str):
            raw = body.encode("utf-8")
        else:
            raw = bytes(body)
        return cls(method.upper(), url, lowered, raw)


@dataclass
class WireResponse:
    """An HTTP response as AWS would send it."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _text(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)
