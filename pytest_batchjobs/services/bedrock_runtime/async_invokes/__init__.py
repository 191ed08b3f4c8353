"""Bedrock async invocations (StartAsyncInvoke): ``batchjobs_fake.bedrock_async``.

:mod:`.job` is the invocation and how it is shown, :mod:`.handlers` the API,
:mod:`.factory` the factory's invocations, :mod:`.outputs` what one writes.
"""

from __future__ import annotations

from ..._kit.controls import JobControls
from ..._kit.spec import JobKind
from .handlers import AsyncInvokes
from .job import BEDROCK_ASYNC

ASYNC_INVOKES = JobKind(
    name="bedrock_async",
    service="bedrock-runtime",
    arn="arn:{partition}:bedrock:{region}:{account}:async-invoke/{id}",
    arn_member="invocationArn",
    statuses=BEDROCK_ASYNC,
    create="StartAsyncInvoke",
    listing="ListAsyncInvokes",
    message_member="failureMessage",
    backend=AsyncInvokes,
    controls=JobControls,
)
