"""Amazon Bedrock Runtime (REST-JSON): only its async invocations are faked.

botocore's name for the service, and its endpoint prefix, are ``bedrock-runtime``; it
signs as ``bedrock`` (the model's ``signingName``), and its invocations' ARNs are in
the ``bedrock`` namespace. Every other operation (InvokeModel, Converse, ...) is not
faked: it fails loudly, or goes to moto inside ``mock_aws``.
"""

from __future__ import annotations

from .._kit.spec import Service
from ..bedrock import COMMON_ERRORS
from .async_invokes import ASYNC_INVOKES

# The common errors are Bedrock's: its API reference has one "Common Errors" page for both.
SERVICE = Service(
    name="bedrock-runtime",
    endpoint_prefix="bedrock-runtime",
    validation_error="ValidationException",
    token_error="ValidationException",  # no token error is modeled (unverified)
    token_message="Invalid pagination token",
    common_errors=COMMON_ERRORS,
    tags=None,  # bedrock-runtime has no tag operations; StartAsyncInvoke's tags are kept
    kinds=(ASYNC_INVOKES,),
)
