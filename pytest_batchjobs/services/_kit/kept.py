"""A job's rendering kept while it shows the same, with the response written from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...wire.messages import WireResponse


class KeptShown(dict[str, Any]):
    """What a job's ``shown(now, shared=True)`` answers: its rendering, kept by the job
    until what it shows changes (its status, its counts), and never changed once made:
    whoever reads it must not change it.

    The request path writes a response from it once and keeps it in :attr:`written`
    (the operation it was written for, and the response): while the job keeps this
    rendering, each call sends the same body with fresh headers, and nothing is
    rendered or serialized again.
    """

    __slots__ = ("written",)

    def __init__(self, members: dict[str, Any]) -> None:
        super().__init__(members)
        self.written: tuple[object, WireResponse] | None = None
