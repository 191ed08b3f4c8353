"""Factory jobs: realistic Personalize batch segment jobs in bulk, a column at a time
(drawn by :func:`.._shared.made_jobs` from the values here)."""

from __future__ import annotations

from .._shared import FactoryStyle

FAILURES = (
    "Input file is not valid JSON lines.",
    "Access denied to the S3 input path. Check the role's permissions.",
    "The solution version is not ACTIVE.",
    "The solution version was not trained with a USER_SEGMENTATION recipe.",
)
# The USER_SEGMENTATION recipes, and the input each reads (a file of item ids, or of
# item attribute expressions).
RECIPES = (("item-affinity", "items.json"), ("item-attribute-affinity", "item-attributes.json"))
STYLE = FactoryStyle(
    prefix="segments", failures=FAILURES, recipes=RECIPES, results=(100, 500, 1000, 5000)
)
