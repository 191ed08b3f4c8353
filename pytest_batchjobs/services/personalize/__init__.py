"""Amazon Personalize (JSON 1.1): the service, and its job kinds in the folders beside."""

from __future__ import annotations

from ...wire.errors import CommonError
from .._kit.spec import Service, TagStyle
from .batch_inference_jobs import BATCH_INFERENCE_JOBS
from .batch_segment_jobs import BATCH_SEGMENT_JOBS

# Sources: the "Common Errors" page of the Personalize API reference. ThrottlingException
# is not in Personalize's model, but is a documented common error.
SERVICE = Service(
    name="personalize",
    endpoint_prefix="personalize",
    validation_error="InvalidInputException",
    token_error="InvalidNextTokenException",
    token_message="The token is not valid",
    common_errors={
        "ThrottlingException": CommonError(400, "Rate exceeded"),
        "InternalFailure": CommonError(500, "An internal error occurred. Retry your request."),
        "ServiceUnavailable": CommonError(503, "The service is unavailable. Retry your request."),
        "AccessDeniedException": CommonError(
            400, "You don't have access to this resource.", transient=False
        ),
    },
    tags=TagStyle(arn_member="resourceArn", key="tagKey", value="tagValue"),
    kinds=(BATCH_INFERENCE_JOBS, BATCH_SEGMENT_JOBS),
)
