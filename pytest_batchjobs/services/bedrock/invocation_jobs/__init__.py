"""Bedrock model invocation (batch inference) jobs: ``batchjobs_fake.bedrock``.

:mod:`.job` is the job and how it is shown, :mod:`.handlers` the API,
:mod:`.factory` the factory's jobs, :mod:`.outputs` what a job writes,
:mod:`.controls` the façade, :mod:`.events` the detail of its EventBridge events.
"""

from __future__ import annotations

from ..._kit.spec import JobKind, StateEvents
from .controls import InvocationJobControls
from .events import batch_job_detail
from .handlers import InvocationJobs
from .job import BEDROCK

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
    # Source: the Bedrock user guide, "How EventBridge for Amazon Bedrock works".
    events=StateEvents(
        source="aws.bedrock",
        detail_type="Batch Inference Job State Change",
        detail=batch_job_detail,
        status_member="status",
        name_member="batchJobName",
    ),
)
