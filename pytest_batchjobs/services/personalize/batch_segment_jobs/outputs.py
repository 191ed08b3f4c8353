"""What a Personalize batch segment job does with its input, in AWS's layout.

"Batch segment job output format examples"
(https://docs.aws.amazon.com/personalize/latest/dg/batch-segment-job-output-examples.html)
and "Preparing input data for user segments": each input line is an item
(``{"itemId": "105"}``, Item-Affinity) or an item attribute expression
(``{"itemAttributes": "ITEMS.genres = \\"Comedy\\""}``, Item-Attribute-Affinity), and each
output line answers one with the users most likely to interact, best first:

* ``{"input": {"itemId": "105"}, "output": {"recommendedUsers": ["106", "107", "49"]}}``
* ``{"itemAttributes": "ITEMS.genres = \\"Comedy\\"", "output": {"recommendedUsers": [...]}}``
  (the expression at the top level, as AWS's example shows it, not under ``input``).

The output file is ``<output path><input file name>.out``, as batch inference jobs
write theirs (AWS shows no segment job's file name: the fake's choice). A line the
responder fails on carries ``"error"`` (a string) instead of ``"output"``.

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
from .job import DEFAULT_NUM_RESULTS

if TYPE_CHECKING:
    from .job import SegmentJob

# How many users a stand-in segment holds at most (numResults may ask for 5 million).
MOST_USERS = 1000


class BatchSegmentOutputs(Outputs):
    """Reads, answers and writes segment jobs' input lines."""

    def on_transition(self, job: SegmentJob, new: str) -> bool:
        if new == "CREATE IN_PROGRESS":
            return self.read_input(job, self._records, "CREATE FAILED", ("ACTIVE",))
        if new == "ACTIVE" and job.data is not None:
            base = folder(job.request["jobOutput"]["s3DataDestination"]["path"])
            for name, lines in job.data.files:
                self.storage.write(job.arn, f"{base}{name}.out", json_lines(lines))
        return False

    def _records(self, job: SegmentJob) -> JobData:
        """Read, check and answer a job's input lines."""
        path = job.request["jobInput"]["s3DataSource"]["path"]
        if self.storage.has_s3:
            files = [
                (name, read_jsonl(text, name, _line))
                for name, text in self.storage.read_inputs(path)
            ]
        else:
            stand_ins = [{"itemId": str(100 + index)} for index in range(1, 11)]
            files = [(path.rsplit("/", 1)[-1] or "input.json", stand_ins)]
        count = min(int(job.request.get("numResults", DEFAULT_NUM_RESULTS)), MOST_USERS)
        responder = self.responder
        data = JobData()
        for name, records in files:
            lines = []
            for record in records:
                line = _echoed(record)
                try:
                    if responder is None:
                        line["output"] = {"recommendedUsers": segment(record, count)}
                    else:
                        line["output"] = _answered(responder(dict(record)), count)
                except Exception as error:
                    data.error_at.append(len(data.tokens))
                    line["error"] = str(error)
                data.tokens.append((0, 0))
                lines.append(line)
            data.files.append((name, lines))
        return data


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


def _echoed(record: dict[str, Any]) -> dict[str, Any]:
    """The start of a line's answer: its input, where AWS's example puts it."""
    if "itemAttributes" in record and "itemId" not in record:
        return {**record}
    return {"input": record}


def _line(value: Any, name: str, number: int) -> dict[str, Any]:
    if not isinstance(value, dict) or not ({"itemId", "itemAttributes"} & set(value)):
        raise InputProblem(
            f"Input line {number} of {name} is not valid: each line must be a JSON object "
            'with an "itemId" (Item-Affinity) or "itemAttributes" (Item-Attribute-Affinity).'
        )
    return value


def _answered(answer: Any, count: int) -> dict[str, Any]:
    """A responder's answer: a list of user ids, or a dict with ``recommendedUsers``."""
    if isinstance(answer, dict):
        output = dict(answer)
        output["recommendedUsers"] = [str(user) for user in answer["recommendedUsers"]][:count]
        return output
    return {"recommendedUsers": [str(user) for user in answer][:count]}
