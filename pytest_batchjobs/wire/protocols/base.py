"""What every protocol does, and the steps each protocol fills in (template methods)."""

from __future__ import annotations

import abc
import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..messages import WireResponse
from ..serialize import base_headers, dumps, member_encoder, structure_encoder

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

    from ..errors import ServiceError
    from ..facts import RequestFacts
    from ..messages import WireRequest


@dataclass(frozen=True)
class Route:
    """The operation a request calls, the protocol it speaks, its path labels' values."""

    protocol: WireProtocol
    operation: OperationModel
    labels: dict[str, str]

    @property
    def service(self) -> str:
        return self.protocol.service


class WireProtocol(abc.ABC):
    """One service's protocol: routing, reading params, writing outputs and errors."""

    name: ClassVar[str]  # botocore's name of the protocol (a model's ``protocol``)
    content_type: ClassVar[str]
    empty_body: ClassVar[bytes]  # the body of an output with no members

    def __init__(self, service: str, model: ServiceModel) -> None:
        self.service = service
        self.model = model
        self._errors = {shape.name: shape for shape in model.error_shapes}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.service}>"

    # -- routing ----------------------------------------------------------------------

    @abc.abstractmethod
    def route(self, facts: RequestFacts, *, known: bool) -> Route | None:
        """The operation the request calls, or ``None`` if it is not one of this
        service's requests. ``known``: the transport says the request is this
        service's, so a request that calls nothing of it is an error here."""

    # -- reading ----------------------------------------------------------------------

    def parse(self, route: Route, request: WireRequest, query: str) -> dict[str, Any]:
        """The operation's params as the service reads them from ``request``."""
        shape = route.operation.input_shape
        if shape is None:
            return {}
        return self.params(shape, route, request, query)

    @abc.abstractmethod
    def params(
        self, shape: Shape, route: Route, request: WireRequest, query: str
    ) -> dict[str, Any]:
        """The members of the input ``shape``, from wherever the protocol puts them."""

    # -- writing ----------------------------------------------------------------------

    def serialize_output(self, operation: OperationModel, output: dict[str, Any]) -> WireResponse:
        """The HTTP response for a successful call returning ``output``."""
        headers = base_headers(self.content_type)
        status, shape = _output_plan(operation)
        if shape is None:
            return WireResponse(status, headers, self.empty_body)
        output, status = self.outside_body(shape, output, headers, status)
        document = structure_encoder(shape)(output)
        return WireResponse(status, headers, dumps(document).encode())

    def outside_body(
        self, shape: Shape, output: dict[str, Any], headers: dict[str, str], status: int
    ) -> tuple[dict[str, Any], int]:
        """Put the output members the protocol carries outside the body (headers, the
        status) in place; return the rest of the output, and the status."""
        return output, status

    def serialize_error(self, error: ServiceError) -> WireResponse:
        """The HTTP response for ``error``, with the status the model or protocol gives it."""
        headers = base_headers(self.content_type)
        shape = self._errors.get(error.code)
        status = error.status if error.status is not None else self.error_status(error, shape)
        document: dict[str, Any] = {"message": error.message}
        for name, value in error.fields.items():
            member = shape.members.get(name) if shape is not None else None
            document[name] = member_encoder(member)(value) if member is not None else value
        document = self.error_document(error, document, headers)
        return WireResponse(status, headers, json.dumps(document).encode())

    @abc.abstractmethod
    def error_status(self, error: ServiceError, shape: Shape | None) -> int:
        """The HTTP status of an error that does not carry its own."""

    @abc.abstractmethod
    def error_document(
        self, error: ServiceError, document: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        """Name the error as the protocol does: in the body or in a header."""


@functools.lru_cache(maxsize=1024)  # bounded: one entry per operation of the models loaded
def _output_plan(operation: OperationModel) -> tuple[int, Shape | None]:
    """An operation's success status, and its output shape (``None`` when it has no
    members, and so no body): read from the model once per operation."""
    shape = operation.output_shape
    status = int(operation.http.get("responseCode", 200))
    return status, shape if shape is not None and shape.members else None
