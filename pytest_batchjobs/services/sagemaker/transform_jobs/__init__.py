"""SageMaker transform jobs (batch transform): ``batchjobs_fake.sagemaker``.

:mod:`.job` is the job and how it is shown, :mod:`.handlers` the API,
:mod:`.listing` its list's sort orders, :mod:`.factory` the factory's jobs,
:mod:`.outputs` what a job writes.
"""

from __future__ import annotations

from ..._kit.controls import JobControls
from ..._kit.spec import JobKind
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
)
