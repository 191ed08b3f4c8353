"""A Personalize batch inference job, and how Describe and List show it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .._shared import DEFAULT_NUM_RESULTS, PersonalizeBatchJob

__all__ = ["DEFAULT_NUM_RESULTS", "PersonalizeJob"]


@dataclass(eq=False, kw_only=True, slots=True)
class PersonalizeJob(PersonalizeBatchJob):
    """One batch inference job: what was asked, and its timeline."""

    arn_member = "batchInferenceJobArn"
    listed = ("solutionVersionArn", "batchInferenceJobMode")
    described = (
        "filterArn",
        "numResults",
        "jobInput",
        "jobOutput",
        "batchInferenceJobConfig",
        "roleArn",
        "themeGenerationConfig",
    )
    defaults: ClassVar[Mapping[str, Any]] = {
        "numResults": DEFAULT_NUM_RESULTS,
        "batchInferenceJobMode": "BATCH_INFERENCE",
    }
    default_failure = "The batch inference job failed. Check the input data and the role's access."
