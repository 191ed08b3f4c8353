"""What a Personalize batch inference job does with its input, in AWS's layout.

"Getting batch recommendations"
(https://docs.aws.amazon.com/personalize/latest/dg/getting-batch-recommendations.html):
``<output path><input file name>.out``, one JSON line per input line:
``{"input": {...}, "output": {"recommendedItems": [...], "scores": [...]}, "error": null}``.

* ``CREATE IN_PROGRESS``: read the input lines, check them, answer each with the
  responder. Bad input fails the job (``CREATE FAILED``).
* ``ACTIVE``: write the output files.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..._kit.storage import InputProblem
from .._shared import PersonalizeOutputs


class BatchInferenceOutputs(PersonalizeOutputs):
    """Reads, answers and writes Personalize jobs' input lines."""

    def placeholders(self) -> list[dict[str, Any]]:
        return [{"userId": str(index)} for index in range(1, 11)]

    def checked(self, value: Any, name: str, number: int) -> dict[str, Any]:
        if not isinstance(value, dict) or not ({"userId", "itemId"} & set(value)):
            raise InputProblem(
                f"Input line {number} of {name} is not valid: each line must be a JSON object "
                'with a "userId" (or an "itemId").'
            )
        return value

    def echoed(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"input": record, "output": None, "error": None}

    def default_output(self, record: dict[str, Any], count: int) -> dict[str, Any]:
        return recommendations(record, count)

    def answered(self, answer: Any, count: int) -> dict[str, Any]:
        """A responder's answer: a list of item ids, or a dict with ``recommendedItems``."""
        if isinstance(answer, dict):
            output = dict(answer)
            output["recommendedItems"] = list(answer["recommendedItems"])[:count]
            return output
        items = list(answer)[:count]
        return {
            "recommendedItems": items,
            "scores": [round(1 / (i + 2), 6) for i in range(len(items))],
        }


def recommendations(record: dict[str, Any], count: int) -> dict[str, Any]:
    """The default answer: ``count`` recommended item ids with descending scores,
    deterministic for the input line."""
    text = json.dumps(record, sort_keys=True, default=str)
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    items = [f"item-{(seed // (index + 1)) % 100000:05d}" for index in range(count)]
    unique = list(dict.fromkeys(items))
    while len(unique) < count:
        unique.append(f"item-{(seed + len(unique) * 7919) % 100000:05d}")
        unique = list(dict.fromkeys(unique))
    weights = [1.0 / (index + 2) for index in range(count)]
    total = sum(weights)
    return {
        "recommendedItems": unique[:count],
        "scores": [round(weight / total, 6) for weight in weights],
    }
