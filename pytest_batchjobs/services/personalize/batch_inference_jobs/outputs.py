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
from typing import TYPE_CHECKING, Any

from ..._kit.outputs import JobData, Outputs, folder, json_lines, read_jsonl
from ..._kit.storage import InputProblem

if TYPE_CHECKING:
    from .job import PersonalizeJob


class BatchInferenceOutputs(Outputs):
    """Reads, answers and writes Personalize jobs' input lines."""

    def on_transition(self, job: PersonalizeJob, new: str) -> bool:
        if new == "CREATE IN_PROGRESS":
            return self.read_input(job, self._records, "CREATE FAILED", ("ACTIVE",))
        if new == "ACTIVE" and job.data is not None:
            base = folder(job.request["jobOutput"]["s3DataDestination"]["path"])
            for name, lines in job.data.files:
                self.storage.write(job.arn, f"{base}{name}.out", json_lines(lines))
        return False

    def _records(self, job: PersonalizeJob) -> JobData:
        """Read, check and answer a job's input lines."""
        path = job.request["jobInput"]["s3DataSource"]["path"]
        if self.storage.has_s3:
            files = [
                (name, read_jsonl(text, name, _line))
                for name, text in self.storage.read_inputs(path)
            ]
        else:
            stand_ins = [{"userId": str(index)} for index in range(1, 11)]
            files = [(path.rsplit("/", 1)[-1] or "input.json", stand_ins)]
        count = int(job.request.get("numResults", 25))
        responder = self.responder
        data = JobData()
        for name, records in files:
            lines = []
            for record in records:
                line: dict[str, Any] = {"input": record, "output": None, "error": None}
                try:
                    if responder is None:
                        line["output"] = recommendations(record, count)
                    else:
                        line["output"] = _answered(responder(dict(record)), count)
                except Exception as error:
                    data.error_at.append(len(data.tokens))
                    line["error"] = str(error)
                data.tokens.append((0, 0))
                lines.append(line)
            data.files.append((name, lines))
        return data


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


def _line(value: Any, name: str, number: int) -> dict[str, Any]:
    if not isinstance(value, dict) or not ({"userId", "itemId"} & set(value)):
        raise InputProblem(
            f"Input line {number} of {name} is not valid: each line must be a JSON object "
            'with a "userId" (or an "itemId").'
        )
    return value


def _answered(answer: Any, count: int) -> dict[str, Any]:
    """A responder's answer: a list of item ids, or a dict with ``recommendedItems``."""
    if isinstance(answer, dict):
        output = dict(answer)
        output["recommendedItems"] = list(answer["recommendedItems"])[:count]
        return output
    items = list(answer)[:count]
    return {"recommendedItems": items, "scores": [round(1 / (i + 2), 6) for i in range(len(items))]}
