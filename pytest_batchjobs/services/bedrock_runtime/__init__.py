"""Amazon Bedrock Runtime (REST-JSON): only its async invocations are faked.

botocore's name for the service, and its endpoint prefix, are ``bedrock-runtime``; it
signs as ``bedrock`` (the model's ``signingName``), and its invocations' ARNs are in
the ``bedrock`` namespace. Every other operation (InvokeModel, Converse, ...) is not
faked: it fails loudly, or goes to moto inside ``mock_aws``.
"""

from __future__ import annotations

from .._kit.spec import CommonError, Service
from .async_invokes import ASYNC_INVOKES

# Sources: the "Common Errors" page of the Bedrock API reference (Bedrock Runtime shares it).
SERVICE = Service(
    name="bedrock-runtime",
    endpoint_prefix="bedrock-runtime",
    validation_error="ValidationException",
    token_error="ValidationException",  # no token error is modeled (unverified)
    token_message="Invalid pagination token",
    common_errors={
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
    },
    tags=None,  # bedrock-runtime has no tag operations; StartAsyncInvoke's tags are kept
    kinds=(ASYNC_INVOKES,),
)
