"""Factory invocations: realistic Bedrock async invocations in bulk, a column at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._kit.store import next_sequence
from .job import ID_ALPHABET, AsyncInvocation, model_arn

if TYPE_CHECKING:
    from ..._kit.backend import KindBackend
    from ..._kit.context import CallContext
    from ..._kit.factory import JobFactory

# Models that support StartAsyncInvoke (Bedrock user guide: Amazon Nova Reel, Luma Ray,
# TwelveLabs Marengo), with an input in each one's own request format.
MODELS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "amazon.nova-reel-v1:1",
        {
            "taskType": "TEXT_VIDEO",
            "textToVideoParams": {"text": "A drone shot over a coastline at sunrise"},
            "videoGenerationConfig": {
                "durationSeconds": 6,
                "fps": 24,
                "dimension": "1280x720",
                "seed": 42,
            },
        },
    ),
    (
        "amazon.nova-reel-v1:0",
        {
            "taskType": "TEXT_VIDEO",
            "textToVideoParams": {"text": "A paper boat drifting down a rainy street"},
            "videoGenerationConfig": {"durationSeconds": 6, "fps": 24, "dimension": "1280x720"},
        },
    ),
    (
        "luma.ray-v2:0",
        {"prompt": "A red fox running through fresh snow", "aspect_ratio": "16:9"},
    ),
    (
        "twelvelabs.marengo-embed-2-7-v1:0",
        {"inputType": "text", "inputText": "people hiking at dawn"},
    ),
)
FAILURES = (
    "Amazon Bedrock does not have permission to write to the S3 output location. Check "
    "the bucket policy.",
    "The input was blocked by the model's content filters.",
    "The modelInput is not valid for this model.",
    "Internal error while processing the invocation. Retry the request.",
)


def made_jobs(
    backend: KindBackend[AsyncInvocation],
    factory: JobFactory,
    context: CallContext,
    wanted: list[str],
    overrides: dict[str, Any],
) -> list[AsyncInvocation]:
    """Factory invocations, one in each status of ``wanted``; ``overrides`` (API casing)
    hold the same value for every one."""
    count = len(wanted)
    region = context.region
    message = overrides.pop("failureMessage", None)
    submitted = overrides.pop("submitTime", None)
    failures = factory.picks(FAILURES, count)
    models = factory.picks(MODELS, count)
    outputs = factory.buckets("async-output", count)
    keys = factory.kms_keys(region, context.account, 0.2, count)
    tokens = factory.tokens(count)
    ids = factory.ids(ID_ALPHABET, 12, count)
    given_model = overrides.get("modelId")
    jobs = []
    for index, status in enumerate(wanted):
        model_id, model_input = models[index]
        if given_model is not None:
            model_id = given_model
        placed = factory.place(
            backend.lifecycle_for(model_id, explored=False),
            status,
            context.now,
            submitted=submitted,
            timeout=None,
            message=message,
            failure=failures[index],
        )
        output: dict[str, Any] = {
            "s3Uri": f"s3://{outputs[index]}/{factory.day(placed.submitted)}/invocations"
        }
        if keys[index] is not None:
            output["kmsKeyId"] = keys[index]
        params: dict[str, Any] = {
            "clientRequestToken": tokens[index],
            "modelId": model_id,
            "modelInput": model_input,
            "outputDataConfig": {"s3OutputDataConfig": output},
            **overrides,
        }
        jobs.append(
            AsyncInvocation(
                arn=backend.job_arn(context, ids[index]),
                invocation_id=ids[index],
                model=model_arn(context.partition, region, params["modelId"]),
                request=params,
                created=placed.submitted,
                timeline=placed.timeline,
                lifecycle=placed.lifecycle,
                sequence=next_sequence(),
                tags={tag["key"]: tag["value"] for tag in params.get("tags", ())},
                from_factory=True,
            )
        )
    return jobs
