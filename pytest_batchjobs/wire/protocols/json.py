"""JSON 1.1 (``awsJson1_1``): Personalize, SageMaker.

The operation is named in ``X-Amz-Target: <targetPrefix>.<Operation>``; every member
travels in the JSON body; an error is ``{"__type": "<namespace>#<Code>", "message"}``
with status 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UnknownOperationError
from ..parse import json_body, structure
from .base import Route, WireProtocol

if TYPE_CHECKING:
    from botocore.model import ServiceModel, Shape

    from ..errors import ServiceError
    from ..facts import RequestFacts
    from ..messages import WireRequest


class JsonProtocol(WireProtocol):
    name = "json"
    content_type = "application/x-amz-json-1.1"
    empty_body = b"{}"

    def __init__(self, service: str, model: ServiceModel) -> None:
        super().__init__(service, model)
        self.target_prefix = str(model.metadata["targetPrefix"])
        # The service's Smithy namespace: its signing name (``personalize``; for
        # SageMaker, whose endpoint prefix is ``api.sagemaker``, ``sagemaker``).
        signing = model.metadata.get("signingName") or model.endpoint_prefix
        self._namespace = f"com.amazonaws.{signing}"
        self._operations = frozenset(model.operation_names)

    def route(self, facts: RequestFacts, *, known: bool) -> Route | None:
        target = facts.target
        if target is not None and target.startswith(self.target_prefix + "."):
            return self._route(target)
        if known:
            raise UnknownOperationError(
                f"Missing or unknown X-Amz-Target header: {target!r}", status=400
            )
        return None

    def _route(self, target: str) -> Route:
        prefix, _, name = target.partition(".")
        if name not in self._operations:
            raise UnknownOperationError(
                f"Operation {name} is not supported by {prefix}", status=400
            )
        return Route(self, self.model.operation_model(name), {})

    def params(
        self, shape: Shape, route: Route, request: WireRequest, query: str
    ) -> dict[str, Any]:
        return structure(shape, json_body(request.body), "")

    def error_status(self, error: ServiceError, shape: Shape | None) -> int:
        return 400

    def error_document(
        self, error: ServiceError, document: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        return {"__type": f"{self._namespace}#{error.code}", **document}
