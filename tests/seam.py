"""Raw HTTP requests through a fake's core, the transport seam, as a transport of the
tests' own ("test") sends them: see docs/architecture.md, "Adding a transport"."""

from __future__ import annotations

from pytest_batchjobs import BatchJobsFake, UnfakedOperationError
from pytest_batchjobs.core.contract import core_of
from pytest_batchjobs.core.outcome import Answered, Broken
from pytest_batchjobs.wire.messages import WireRequest, WireResponse


def handle(fake: BatchJobsFake, request: WireRequest) -> WireResponse:
    """``fake``'s answer to ``request``; an operation it does not fake raises
    :class:`UnfakedOperationError`, as over botocore (nothing is below this transport)."""
    outcome = core_of(fake).answer(request, transport="test")
    if isinstance(outcome, Answered):
        return outcome.response
    if isinstance(outcome, Broken):
        raise AssertionError(f"the connection broke ({outcome.kind}): no fault was injected")
    raise UnfakedOperationError(outcome.explained(moto_hint=True))
