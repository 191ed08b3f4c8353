"""Amazon SageMaker (JSON 1.1): the service, and its job kinds in the folders beside.

Only transform jobs are faked: inside moto's ``mock_aws`` every other SageMaker
operation goes on to moto; outside it, one raises ``UnfakedOperationError`` naming it.
"""

from __future__ import annotations

from ...wire.errors import CommonError
from .._kit.spec import Service, TagStyle
from .transform_jobs import TRANSFORM_JOBS

# Sources: the "Common Errors" page of the SageMaker API reference (the common errors
# of every JSON 1.1 service). SageMaker models no validation error and no token error:
# both are ValidationException on the wire (aws/aws-sdk#165; the ACK SageMaker
# controller's generator.yaml; botocore's waiter transform_job_completed_or_stopped
# fails on ValidationException).
SERVICE = Service(
    name="sagemaker",
    endpoint_prefix="api.sagemaker",
    validation_error="ValidationException",
    token_error="ValidationException",
    token_message="The NextToken is not valid",
    common_errors={
        "ThrottlingException": CommonError(400, "Rate exceeded"),
        "InternalFailure": CommonError(500, "An internal error occurred. Retry your request."),
        "ServiceUnavailable": CommonError(503, "The service is unavailable. Retry your request."),
        "AccessDeniedException": CommonError(
            400, "You don't have access to this resource.", transient=False
        ),
    },
    tags=TagStyle(
        arn_member="ResourceArn",
        key="Key",
        value="Value",
        tag="AddTags",
        untag="DeleteTags",
        list="ListTags",
        tags_member="Tags",
        keys_member="TagKeys",
        echoes_tags=True,
    ),
    kinds=(TRANSFORM_JOBS,),
)
