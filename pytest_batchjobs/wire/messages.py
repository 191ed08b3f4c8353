"""The HTTP request and response every transport converts to and from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class Headers(Mapping[str, str]):
    """Request headers, looked up by lower-case name, values as text.

    A transport whose headers are already case-insensitive (botocore's) hands them
    over as they are, and only the headers the fake reads are ever converted.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: Any, *, case_insensitive: bool = False) -> None:
        if not case_insensitive:
            pairs: Iterable[tuple[Any, Any]] = raw.items() if hasattr(raw, "items") else raw
            raw = {str(name).lower(): value for name, value in pairs}
        self._raw = raw

    def __getitem__(self, name: str) -> str:
        return _text(self._raw[name])

    def get(self, name: str, default: Any = None) -> Any:  # without Mapping.get's layer
        try:
            value = self._raw[name]
        except KeyError:
            return default
        return _text(value)

    def __iter__(self) -> Iterator[str]:
        return (str(name).lower() for name in self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass(slots=True)
class WireRequest:
    """An HTTP request as it would reach AWS, whichever transport carried it (read,
    never changed, by the fake)."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        headers: Any,
        body: bytes | str | None,
        *,
        case_insensitive_headers: bool = False,
    ) -> WireRequest:
        """Normalise a transport's request: headers by lower-case name, bytes body.

        ``headers`` is anything with ``items()`` (a dict, botocore's ``HTTPHeaders``,
        an ``email.message.Message``) or an iterable of (name, value) pairs.
        """
        lowered = Headers(headers, case_insensitive=case_insensitive_headers)
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


def body_bytes(body: Any) -> bytes:
    """A request body as bytes, whatever a client passed: bytes, text, a file, or an
    iterable of chunks (``requests`` and ``urllib.request`` accept them all)."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        return body_bytes(body.read())
    return b"".join(body_bytes(chunk) for chunk in body)


def _text(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)
