"""Personalize batch inference jobs: ``batchjobs_fake.personalize``.

:mod:`.job` is the job and how it is shown, :mod:`.handlers` the API,
:mod:`.factory` the factory's jobs, :mod:`.outputs` what a job writes.
"""

from __future__ import annotations

from ..._kit.controls import JobControls
from ..._kit.spec import JobKind
from .._shared import PERSONALIZE
from .handlers import BatchInferenceJobs

BATCH_INFERENCE_JOBS = JobKind(
    name="personalize",
    service="personalize",
    arn="arn:{partition}:personalize:{region}:{account}:batch-inference-job/{id}",
    arn_member="batchInferenceJobArn",
    statuses=PERSONALIZE,
    create="CreateBatchInferenceJob",
    listing="ListBatchInferenceJobs",
    message_member="failureReason",
    backend=BatchInferenceJobs,
    controls=JobControls,
)
