"""Bedrock async invocations (StartAsyncInvoke): ``batchjobs_fake.bedrock_async``.

:mod:`.job` is the invocation and how it is shown, :mod:`.handlers` the API,
:mod:`.factory` the factory's invocations, :mod:`.outputs` what one writes.
"""

from __future__ import annotations

from ....time.lifecycles import ServiceStatuses
from ..._kit.controls import JobControls
from ..._kit.spec import JobKind
from .handlers import AsyncInvokes

# AsyncInvokeStatus in botocore's model. An invocation is InProgress from the moment it
# is started; AWS's Nova Reel guide gives "about 90 seconds for a 6 second video".
BEDROCK_ASYNC = ServiceStatuses(
    service="Bedrock async invoke",
    running=("InProgress",),
    outcomes=("Completed", "Failed"),
    ends=frozenset({"Completed", "Failed"}),
    default_durations={"InProgress": 90.0},
    working="InProgress",
)

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
