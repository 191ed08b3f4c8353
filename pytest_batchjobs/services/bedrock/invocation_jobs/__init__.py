"""Bedrock model invocation (batch inference) jobs: ``batchjobs_fake.bedrock``.

:mod:`.job` is the job and how it is shown, :mod:`.handlers` the API,
:mod:`.factory` the factory's jobs, :mod:`.outputs` what a job writes,
:mod:`.controls` the façade.
"""

from __future__ import annotations

from ....time.lifecycles import BEDROCK
from ..._kit.spec import JobKind
from .controls import InvocationJobControls
from .handlers import InvocationJobs

INVOCATION_JOBS = JobKind(
    name="bedrock",
    service="bedrock",
    arn="arn:{partition}:bedrock:{region}:{account}:model-invocation-job/{id}",
    arn_member="jobArn",
    statuses=BEDROCK,
    create="CreateModelInvocationJob",
    listing="ListModelInvocationJobs",
    message_member="message",
    backend=InvocationJobs,
    controls=InvocationJobControls,
    extra_controls=("record_limits",),
)
