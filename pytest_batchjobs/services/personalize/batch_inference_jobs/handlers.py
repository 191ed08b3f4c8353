"""Amazon Personalize batch inference jobs: the API's handlers.

Choices where AWS documentation is silent (each is tested):

* Jobs are listed newest first; a page holds at most 100 jobs when ``maxResults`` is
  omitted (the model's maximum).
* ``numResults`` is reported as 25 when the request omits it.
* ``solutionVersionArn``, ``filterArn`` and the role are checked against the model's
  patterns only: the fake holds no solutions, filters or roles.
* A job name is unique per (account, region), since it is the last part of the ARN:
  a repeated name is ``ResourceAlreadyExistsException``.
"""

from __future__ import annotations

from .._shared import PersonalizeJobs, operation
from .factory import STYLE
from .job import PersonalizeJob
from .outputs import BatchInferenceOutputs


class BatchInferenceJobs(PersonalizeJobs[PersonalizeJob]):
    """CreateBatchInferenceJob, DescribeBatchInferenceJob, ListBatchInferenceJobs."""

    job_class = PersonalizeJob
    outputs_class = BatchInferenceOutputs
    job_member = "batchInferenceJob"
    list_member = "batchInferenceJobs"
    factory_style = STYLE
    quota_message = (
        "The limit of {limit} batch inference jobs that are pending or in progress has been "
        "reached ({active} active)."
    )
    taken_message = (
        "a Personalize job named {name!r} already exists in this region; job names are "
        "unique (they end the ARN): leave jobName out, or vary it"
    )

    create_batch_inference_job = operation("CreateBatchInferenceJob", PersonalizeJobs.create_job)
    describe_batch_inference_job = operation(
        "DescribeBatchInferenceJob", PersonalizeJobs.describe_job
    )
    list_batch_inference_jobs = operation("ListBatchInferenceJobs", PersonalizeJobs.list_jobs)
