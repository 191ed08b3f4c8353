"""The transport seam: what a transport needs of the fake, and nothing more.

A transport (botocore's send path, ``responses``, ``urllib.request``, the local
server; later aiobotocore and httpx) converts its request to a
:class:`~pytest_batchjobs.wire.messages.WireRequest`, hands it to the active fake's
:class:`Core` (:func:`pytest_batchjobs.active.active_core`), and converts the
:mod:`~.outcome` back. It knows no fake class: this Protocol is all it sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..wire.messages import WireRequest
    from .outcome import Outcome


class Core(Protocol):
    """A fake's request path: a wire request in, an outcome out."""

    @property
    def services(self) -> frozenset[str]:
        """botocore's names of the faked services (``bedrock``, ``personalize``)."""

    @property
    def endpoint_prefixes(self) -> Mapping[str, str]:
        """Each faked service by the endpoint prefix its botocore clients send to."""

    def answer(
        self,
        request: WireRequest,
        *,
        transport: str,
        service: str | None = None,
        below: bool = False,
    ) -> Outcome:
        """The outcome of ``request``. ``transport`` names the transport in the journal;
        ``service`` is the faked service when the transport knows it (botocore does, a
        host names it), else it is found from the request; ``below``: whether the
        transport can pass a request that is not the fake's to something below it
        (moto)."""


class HasCore(Protocol):
    """A fake, as a transport holding one of its own (the local server) sees it."""

    @property
    def _core(self) -> Core: ...


def core_of(fake: HasCore) -> Core:
    """The core of ``fake`` (a :class:`~pytest_batchjobs.BatchJobsFake`): for a
    transport that serves one fake whether or not it is the active one, and for tests
    that send raw requests through the seam."""
    return fake._core
