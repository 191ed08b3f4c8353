"""Amazon Personalize batch segment jobs: the API's handlers.

A batch segment job is a resource of its own, beside the batch inference jobs: its
ARN is ``…:batch-segment-job/<jobName>``, its list shows only segment jobs, and its
describe call finds no batch inference job (nor theirs a segment job). Choices where
AWS documentation is silent (each is tested), as for batch inference jobs:

* Jobs are listed newest first; a page holds at most 100 jobs when ``maxResults`` is
  omitted (the model's maximum).
* ``numResults`` is reported as 25 when the request omits it.
* ``solutionVersionArn``, ``filterArn`` and the role are checked against the model's
  patterns only: the fake holds no solutions, filters or roles.
* A job name is unique per (account, region) among segment jobs, since it is the last
  part of the ARN: a repeated name is ``ResourceAlreadyExistsException``. A batch
  inference job of the same name is another resource, and does not clash.
"""

from __future__ import annotations

from .._shared import PersonalizeJobs, operation
from .factory import STYLE
from .job import SegmentJob
from .outputs import BatchSegmentOutputs


class BatchSegmentJobs(PersonalizeJobs[SegmentJob]):
    """CreateBatchSegmentJob, DescribeBatchSegmentJob, ListBatchSegmentJobs."""

    job_class = SegmentJob
    outputs_class = BatchSegmentOutputs
    job_member = "batchSegmentJob"
    list_member = "batchSegmentJobs"
    factory_style = STYLE
    quota_message = (
        "The limit of {limit} batch segment jobs that are pending or in progress has been "
        "reached ({active} active)."
    )
    taken_message = (
        "a Personalize batch segment job named {name!r} already exists in this region; "
        "job names are unique (they end the ARN): leave jobName out, or vary it"
    )

    create_batch_segment_job = operation("CreateBatchSegmentJob", PersonalizeJobs.create_job)
    describe_batch_segment_job = operation("DescribeBatchSegmentJob", PersonalizeJobs.describe_job)
    list_batch_segment_jobs = operation("ListBatchSegmentJobs", PersonalizeJobs.list_jobs)
