"""A kind with other status words: Amazon Comprehend's dominant language detection jobs.

Defined in the test suite only, on botocore's own ``comprehend`` model, to prove that a
kind whose service says ``SUBMITTED``, ``IN_PROGRESS``, ``COMPLETED``, ``FAILED``,
``STOP_REQUESTED`` and ``STOPPED`` (Comprehend's ``JobStatus``) is a folder: its
``ServiceStatuses`` (in :mod:`.job`), a backend, a factory, and this declaration. It
is not one of the plugin's kinds: a test registers it for a while
(``registry.registered(SERVICE)``). Its behaviour follows Comprehend's API reference
(StopDominantLanguageDetectionJob: an ``IN_PROGRESS`` job is put into
``STOP_REQUESTED``, then ``STOPPED``; a ``COMPLETED`` or ``FAILED`` one cannot be
stopped), not recorded output: it is a proof of the kit, not a faked service.
"""

from __future__ import annotations

from pytest_batchjobs.services._kit.controls import JobControls
from pytest_batchjobs.services._kit.spec import JobKind, Service
from pytest_batchjobs.wire.errors import CommonError

from .handlers import LanguageJobs
from .job import COMPREHEND

LANGUAGE_JOBS = JobKind(
    name="comprehend_language",
    service="comprehend",
    arn="arn:{partition}:comprehend:{region}:{account}:dominant-language-detection-job/{id}",
    arn_member="JobArn",
    statuses=COMPREHEND,
    create="StartDominantLanguageDetectionJob",
    listing="ListDominantLanguageDetectionJobs",
    message_member="Message",
    backend=LanguageJobs,
    controls=JobControls,
)

SERVICE = Service(
    name="comprehend",
    endpoint_prefix="comprehend",
    validation_error="InvalidRequestException",
    token_error="InvalidRequestException",
    token_message="Invalid pagination token",
    common_errors={
        "TooManyRequestsException": CommonError(400, "Rate exceeded"),
        "InternalServerException": CommonError(500, "An internal server error occurred"),
    },
    tags=None,  # its jobs' tags are not faked here
    kinds=(LANGUAGE_JOBS,),
)
