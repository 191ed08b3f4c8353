"""Personalize batch segment jobs: ``batchjobs_fake.personalize_segments``.

:mod:`.job` is the job and how it is shown, :mod:`.handlers` the API,
:mod:`.factory` the factory's jobs, :mod:`.outputs` what a job writes.
"""

from __future__ import annotations

from ..._kit.controls import JobControls
from ..._kit.spec import JobKind
from .._shared import PERSONALIZE
from .handlers import BatchSegmentJobs

# The same statuses as batch inference jobs (the service sends CREATE PENDING and
# CREATE IN_PROGRESS for both; see the fidelity page).
BATCH_SEGMENT_JOBS = JobKind(
    name="personalize_segments",
    service="personalize",
    arn="arn:{partition}:personalize:{region}:{account}:batch-segment-job/{id}",
    arn_member="batchSegmentJobArn",
    statuses=PERSONALIZE,
    create="CreateBatchSegmentJob",
    listing="ListBatchSegmentJobs",
    message_member="failureReason",
    backend=BatchSegmentJobs,
    controls=JobControls,
)
