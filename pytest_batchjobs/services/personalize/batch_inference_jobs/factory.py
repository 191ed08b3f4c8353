"""Factory jobs: realistic Personalize batch inference jobs in bulk, a column at a time
(drawn by :func:`.._shared.made_jobs` from the values here)."""

from __future__ import annotations

from .._shared import FactoryStyle

FAILURES = (
    "Input file is not valid JSON lines.",
    "Access denied to the S3 input path. Check the role's permissions.",
    "The solution version is not ACTIVE.",
    "The number of users in the input exceeds the limit for a batch inference job.",
)
# The recipes a solution version is trained with, and the input each reads (a file of
# user ids).
RECIPES = (
    ("recs", "users.json"),
    ("personalized-ranking", "users.json"),
    ("similar-items", "users.json"),
)
STYLE = FactoryStyle(prefix="recs", failures=FAILURES, recipes=RECIPES, results=(10, 25, 50, 100))
