"""What a Personalize batch segment job does with its input, in the service's layout.

Each input line is an item (``{"itemId": "105"}``, Item-Affinity) or an item attribute
expression (``{"itemAttributes": "ITEMS.genres = \\"Comedy\\""}``,
Item-Attribute-Affinity), and each output line answers one with the users most likely
to interact, best first, as the service writes them:

``{"input": {"itemId": "105"}, "output": {"usersList": ["106", "107", "49"]}, "error": null}``

(recorded output of both recipes in aws-samples/amazon-personalize-samples'
user segmentation notebook; the API page "Batch segment job output format examples"
shows ``recommendedUsers`` and an attribute expression outside ``input``, which the
service does not send). The output file is ``<output path><input file name>.out``
(the same notebook reads it there). A line the responder fails on carries ``"error"``
(a string) and ``"output": null``.

* ``CREATE IN_PROGRESS``: read the input lines, check them, answer each with the
  responder. Bad input fails the job (``CREATE FAILED``).
* ``ACTIVE``: write the output files.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..._kit.storage import InputProblem
from .._shared import PersonalizeOutputs

if TYPE_CHECKING:
    from .._shared import PersonalizeBatchJob

# How many users a stand-in segment holds at most (numResults may ask for 5 million).
MOST_USERS = 1000


class BatchSegmentOutputs(PersonalizeOutputs):
    """Reads, answers and writes segment jobs' input lines."""

    def count(self, job: PersonalizeBatchJob) -> int:
        return min(super().count(job), MOST_USERS)

    def placeholders(self) -> list[dict[str, Any]]:
        return [{"itemId": str(100 + index)} for index in range(1, 11)]

    def checked(self, value: Any, name: str, number: int) -> dict[str, Any]:
        if not isinstance(value, dict) or not ({"itemId", "itemAttributes"} & set(value)):
            raise InputProblem(
                f"Input line {number} of {name} is not valid: each line must be a JSON object "
                'with an "itemId" (Item-Affinity) or "itemAttributes" (Item-Attribute-Affinity).'
            )
        return value

    def echoed(self, record: dict[str, Any]) -> dict[str, Any]:
        """The start of a line's answer: its input, under ``input``."""
        return {"input": record, "output": None, "error": None}

    def default_output(self, record: dict[str, Any], count: int) -> dict[str, Any]:
        return {"usersList": segment(record, count)}

    def answered(self, answer: Any, count: int) -> dict[str, Any]:
        """A responder's answer: a list of user ids, or a dict with ``usersList``."""
        if isinstance(answer, dict):
            output = dict(answer)
            output["usersList"] = [str(user) for user in answer["usersList"]][:count]
            return output
        return {"usersList": [str(user) for user in answer][:count]}


def segment(record: dict[str, Any], count: int) -> list[str]:
    """The default answer: ``count`` distinct user ids, deterministic for the line."""
    text = json.dumps(record, sort_keys=True, default=str)
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    users: dict[str, None] = {}
    step = 0
    while len(users) < count:
        users[str((seed // (step + 1) + step * 7919) % 1_000_000)] = None
        step += 1
    return list(users)
