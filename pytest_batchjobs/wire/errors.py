"""Errors that travel back to the client as a service's own error response."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ServiceError(Exception):
    """An error the service answers with: a code, a message and the HTTP status.

    ``status`` is ``None`` when the error shape in the model says it (REST-JSON's
    ``httpStatusCode``) or when the protocol fixes it (JSON 1.1 answers 400); the
    serializer fills it in. ``fields`` are extra members of the error shape.
    """

    def __init__(
        self, code: str, message: str, *, status: int | None = None, **fields: Any
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields


@dataclass(frozen=True)
class CommonError:
    """An error every operation of a service can return (its API reference's "Common
    Errors"), with the HTTP status it comes with and the message faults give it.
    ``transient``: a retryable failure, one ``faults.chaos()`` draws by default.

    A service declares its own (``Service.common_errors``); the faults inject them.
    """

    status: int
    message: str
    transient: bool = True


class UnknownOperationError(ServiceError):
    """The request names no operation of the service's model."""

    def __init__(self, message: str, *, status: int = 404) -> None:
        super().__init__("UnknownOperationException", message, status=status)


class SerializationError(ServiceError):
    """The request body or a member could not be read as its shape's type."""

    def __init__(self, message: str) -> None:
        super().__init__("SerializationException", message, status=400)
