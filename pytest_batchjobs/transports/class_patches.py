"""Methods of a client library's classes replaced while a fake is active, then put back.

The botocore and aiobotocore transports each replace a few methods on the library's
classes (the send, the signer, the client factory) for as long as any fake is active;
one :class:`ClassPatches` per transport keeps the originals to restore them. Callers
hold their own lock around :meth:`apply` and :meth:`undo`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Wrap = Callable[[Any], Any]


class ClassPatches:
    """The methods one transport has replaced, with their originals."""

    def __init__(self) -> None:
        self._originals: list[tuple[type, str, Any]] = []

    @property
    def applied(self) -> bool:
        return bool(self._originals)

    def apply(self, wraps: Iterable[tuple[type, str, Wrap]]) -> None:
        """Replace each ``owner.name`` (defined on ``owner`` itself) by ``wrap(original)``."""
        for owner, name, wrap in wraps:
            original = owner.__dict__[name]
            self._originals.append((owner, name, original))
            setattr(owner, name, wrap(original))

    def undo(self) -> None:
        """Put every original back, the latest replaced first."""
        while self._originals:
            owner, name, original = self._originals.pop()
            setattr(owner, name, original)
