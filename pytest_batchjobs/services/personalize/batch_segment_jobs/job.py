"""A Personalize batch segment job, and how Describe and List show it."""

from __future__ import annotations

from dataclasses import dataclass

from .._shared import DEFAULT_NUM_RESULTS, PersonalizeBatchJob

__all__ = ["DEFAULT_FAILURE", "DEFAULT_NUM_RESULTS", "SegmentJob"]

DEFAULT_FAILURE = "The batch segment job failed. Check the input data and the role's access."


@dataclass(eq=False, kw_only=True, slots=True)
class SegmentJob(PersonalizeBatchJob):
    """One batch segment job: what was asked, and its timeline."""

    arn_member = "batchSegmentJobArn"
    listed = ("solutionVersionArn",)
    described = ("filterArn", "numResults", "jobInput", "jobOutput", "roleArn")
    default_failure = DEFAULT_FAILURE
