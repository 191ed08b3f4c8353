"""What the connections' code reads of the server that accepted them (``FakeServer``):
a protocol, so that the modules serving a connection never import the package that
imports them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import threading

    from ...core.contract import HasCore
    from .control import ControlAPI


class App(Protocol):
    """The server, as a connection's handler sees it."""

    fake: HasCore
    control: ControlAPI
    closing: threading.Event
    port: int
    stall_seconds: float
    idle_timeout: float
    request_timeout: float

    @property
    def endpoint_url(self) -> str: ...

    def note(self, line: str) -> None:
        """Log one line about a connection (its request line, a refusal)."""

    def internal_error(self, what: str) -> None:
        """Report the exception being handled, raised while doing ``what``."""
