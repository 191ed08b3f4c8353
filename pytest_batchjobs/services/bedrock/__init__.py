"""Amazon Bedrock (REST-JSON): the service, and its job kinds in the folders beside."""

from __future__ import annotations

from ...wire.errors import CommonError
from .._kit.spec import Service, TagStyle
from .invocation_jobs import INVOCATION_JOBS

# Source: the "Common Errors" page of the Bedrock API reference, which Bedrock Runtime
# shares (services/bedrock_runtime/).
COMMON_ERRORS = {
    "ThrottlingException": CommonError(429, "Rate exceeded"),
    "InternalServerException": CommonError(
        500, "An internal server error occurred. Retry your request."
    ),
    "ServiceUnavailableException": CommonError(
        503, "The service is unavailable. Retry your request."
    ),
    "AccessDeniedException": CommonError(
        403, "You don't have access to this resource.", transient=False
    ),
}

SERVICE = Service(
    name="bedrock",
    endpoint_prefix="bedrock",
    validation_error="ValidationException",
    token_error="ValidationException",  # Bedrock models no token error (unverified)
    token_message="Invalid pagination token",
    common_errors=COMMON_ERRORS,
    tags=TagStyle(arn_member="resourceARN", key="key", value="value", names_resource=True),
    kinds=(INVOCATION_JOBS,),
)
