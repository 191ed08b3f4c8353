"""What the core makes of a request: the transports' one vocabulary.

Every request a transport hands the core (:meth:`~.contract.Core.answer`) comes back as
one of three outcomes, never as an exception: the service's answer, "not mine", or a
broken connection. Each transport turns them into its own terms: botocore's response
or exception, a ``requests`` response or exception, an HTTP response on a socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..wire.messages import WireResponse

MOTO_HINT = "To answer other operations, activate moto's mock_aws as well."


@dataclass(frozen=True, slots=True)
class Answered:
    """The service's answer (an output, a modeled error, or a load balancer's 502):
    send ``response``."""

    response: WireResponse


@dataclass(frozen=True, slots=True)
class NotMine:
    """Not mine: pass it on. The request is for a faked service, but not the fake's to
    answer: an operation it does not fake, or a tag of a resource that is no job.

    ``below`` is what the transport said when it asked: whether it has something below
    it to pass the request to (moto's ``mock_aws``). If not, the transport fails loudly
    with ``message`` (an :class:`~pytest_batchjobs.UnfakedOperationError`, or a
    ``501 Not Implemented``): such a request never reaches AWS.
    """

    service: str
    operation: str
    message: str
    below: bool

    def explained(self, *, moto_hint: bool) -> str:
        """``message``, and how moto could answer it when the transport can reach moto."""
        return f"{self.message} {MOTO_HINT}" if moto_hint else self.message


@dataclass(frozen=True, slots=True)
class Broken:
    """The connection breaks (an injected transport fault): ``connection_reset``, or
    ``read_timeout`` (nothing comes back). The call is in the journal already."""

    kind: str

    @property
    def timed_out(self) -> bool:
        """Whether the client waits for an answer that never comes (else: a reset)."""
        return self.kind == "read_timeout"


Outcome = Answered | NotMine | Broken
