"""SageMaker transform jobs (batch transform): ``batchjobs_fake.sagemaker``.

:mod:`.job` is the job and how it is shown, :mod:`.handlers` the API,
:mod:`.listing` its list's sort orders, :mod:`.factory` the factory's jobs,
:mod:`.outputs` what a job writes, :mod:`.events` the detail of its EventBridge events.
"""

from __future__ import annotations

from ..._kit.controls import JobControls
from ..._kit.spec import JobKind, StateEvents
from .events import transform_job_detail
from .handlers import TransformJobs
from .job import SAGEMAKER

TRANSFORM_JOBS = JobKind(
    name="sagemaker",
    service="sagemaker",
    arn="arn:{partition}:sagemaker:{region}:{account}:transform-job/{id}",
    arn_member="TransformJobArn",
    statuses=SAGEMAKER,
    create="CreateTransformJob",
    listing="ListTransformJobs",
    message_member="FailureReason",
    backend=TransformJobs,
    controls=JobControls,
    # Source: the SageMaker developer guide, "Events that Amazon SageMaker AI sends to
    # Amazon EventBridge".
    events=StateEvents(
        source="aws.sagemaker",
        detail_type="SageMaker Transform Job State Change",
        detail=transform_job_detail,
        status_member="TransformJobStatus",
        name_member="TransformJobName",
    ),
)
