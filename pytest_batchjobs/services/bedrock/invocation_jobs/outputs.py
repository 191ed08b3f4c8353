"""What a Bedrock job does with its records, in AWS's layout.

"View the results of a batch inference job"
(https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html):
under the output URI, a folder named by the job id holds ``<input file name>.out`` for
each input file, one JSON line per record (``recordId``, ``modelInput``, and
``modelOutput`` or ``error: {errorCode, errorMessage}``), and ``manifest.json.out`` with
``totalRecordCount``, ``processedRecordCount``, ``successRecordCount``,
``errorRecordCount``, ``inputTokenCount``, ``outputTokenCount``. A record without a
``recordId`` gets an 11-character one.

* ``Validating``: read the input, check it (record limits), check each record's
  ``modelInput`` as its model checks a request body (:mod:`.bodies`), and answer every
  accepted record with the responder. Bad input fails the job; a refused body or a
  responder's error is that record's ``error``, and the job goes on: error records
  leave it ``Completed`` (BerriAI/litellm#36156: a real job whose every record failed
  was ``Completed``; ``PartiallyCompleted`` is the timeout's status).
* Record order: "The order of records in the output JSONL file is not guaranteed"
  (the user guide). Each file's records are processed, and written, in an order drawn
  from the job's id (so from the test's seed); ``batchjobs_fake.bedrock.record_order
  ("input")`` keeps input order.
* ``InProgress``: AWS says "You can start viewing the results in the output S3
  location". Nothing runs in the background, so the records are written when the fake
  sees the time (:meth:`InvocationOutputs.progress`, at every call and every move of
  the clock): each input file's ``.out`` holds the records processed so far, rewritten
  only when that number grew.
* ``Completed`` / ``PartiallyCompleted`` / ``Stopped`` (after running): the records
  processed by the end, then ``manifest.json.out``, last.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import random
import string
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..._kit.outputs import JobData, Outputs, folder, read_jsonl
from ..._kit.storage import InputProblem
from .bodies import rules_for
from .responders import answer, token_counts

if TYPE_CHECKING:
    from ..._kit.storage import Storage
    from .job import BedrockJob

_SUCCESS = ("Completed", "PartiallyCompleted")
_ENDS = frozenset({"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"})
# Ends that keep what the job processed, and write the manifest. Stopped: a choice (AWS
# documents no outputs for a stopped job).
_WRITTEN = frozenset({"Completed", "PartiallyCompleted", "Stopped"})
_RECORD_ID_ALPHABET = string.ascii_uppercase + string.digits
RecordOrder = Literal["shuffled", "input"]
RECORD_ORDERS: tuple[RecordOrder, ...] = ("shuffled", "input")


@dataclass
class RecordLimits:
    """Bedrock's records per job (the minimum was 1,000, is 100 now, and varies by
    model): configurable with ``batchjobs_fake.bedrock.record_limits(...)``."""

    minimum: int = 100
    maximum: int = 50_000


class InvocationOutputs(Outputs):
    """Reads, answers and writes Bedrock jobs' records."""

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage)
        self.limits = RecordLimits()
        self.order: RecordOrder = "shuffled"
        # Jobs InProgress with data, by ARN: the only ones progress() writes.
        self._running: dict[str, BedrockJob] = {}
        self._lock = threading.RLock()  # one writer at a time: a late one never undoes

    def reset(self) -> None:
        super().reset()
        self.limits = RecordLimits()
        self.order = "shuffled"
        with self._lock:
            self._running.clear()

    def on_transition(self, job: BedrockJob, new: str) -> bool:
        if new == "Validating":
            return self._validate(job)
        if job.data is None:
            return False
        with self._lock:
            if new == "InProgress":
                self._running[job.arn] = job
            elif new in _ENDS:
                ran = self._running.pop(job.arn, None) is not None
                if ran and new in _WRITTEN:  # what it processed, and the manifest
                    self._write_end(job, job.data)
                # It writes no more: keep its counts, and its outputs' text compressed.
                job.data.finish()
                self.storage.settle(job.arn)
        return False

    def _validate(self, job: BedrockJob) -> bool:
        """Read the records (bad input fails the job). Error records change nothing
        else: the job ends as its lifecycle (or its timeout) says."""
        changed = self.read_input(job, self._records, "Failed", _SUCCESS)
        data = job.data
        if data is not None:
            job.total_records, job.error_records = data.total, data.errors
        return changed

    def _records(self, job: BedrockJob) -> JobData:
        """Read, check and answer a job's records; InputProblem if unusable."""
        config = job.request["inputDataConfig"]["s3InputDataConfig"]
        if self.storage.has_s3:
            files = [
                (name, read_jsonl(text, name, _record))
                for name, text in self.storage.read_inputs(config["s3Uri"], ".jsonl")
            ]
        else:
            files = [(config["s3Uri"].rsplit("/", 1)[-1] or "records.jsonl", _stand_ins(job))]
        total = sum(len(records) for _, records in files)
        limits = self.limits
        if total < limits.minimum:
            raise InputProblem(
                f"The input files contain {total} records, fewer than the minimum of "
                f"{limits.minimum} records per batch inference job for this model."
            )
        if total > limits.maximum:
            raise InputProblem(
                f"The input files contain {total} records, more than the maximum of "
                f"{limits.maximum} records per batch inference job."
            )
        data = JobData()
        # The outcome PartiallyCompleted, asked for without a responder: every tenth
        # record is an error record.
        fail_every = 10 if job.lifecycle.outcome == "PartiallyCompleted" else 0
        shuffle = random.Random(job.job_id).shuffle if self.order == "shuffled" else None
        for name, records in files:
            numbered = list(enumerate(records, start=1))
            if shuffle is not None:
                shuffle(numbered)
            lines = []
            for index, record in numbered:
                record_id = record.get("recordId") or _record_id(job, name, index)
                line, tokens = self._answer(
                    job, dict(record, recordId=record_id), index, fail_every
                )
                data.count("error" in line, tokens)
                lines.append(line)
            data.files.append((name, lines))
        return data

    def _answer(
        self, job: BedrockJob, record: dict[str, Any], index: int, fail_every: int
    ) -> tuple[dict[str, Any], tuple[int, int]]:
        """One record's output line and its (input, output) tokens: the model refuses a
        body it does not accept, else the responder (or the default model) answers."""
        body = record["modelInput"]
        line: dict[str, Any] = {"recordId": record["recordId"], "modelInput": body}
        model, invocation_type = job.request["modelId"], job.request.get("modelInvocationType")
        rules = rules_for(model, invocation_type, body)
        refusal = rules.refuse(body) if rules is not None else None
        if refusal is not None:
            line["error"] = {"errorCode": 400, "errorMessage": refusal}
            return line, (0, 0)
        try:
            if self.responder is not None:
                output = self.responder(record)
                tokens = token_counts(output)
            elif fail_every and index % fail_every == 0:
                raise ValueError("Malformed input request, please reformat your input.")
            else:
                said = answer(model, invocation_type, record["recordId"], body)
                output, tokens = said.body, said.tokens
        except Exception as error:  # the responder's way to say "error record"
            code = getattr(error, "error_code", 400)
            line["error"] = {"errorCode": code, "errorMessage": str(error)}
            return line, (0, 0)
        line["modelOutput"] = output
        return line, tokens

    def progress(self, now: _dt.datetime) -> None:
        """Write the records that running jobs have processed by ``now``.

        Called whenever the fake sees the time; costs a dictionary check when no job
        with data is running. A job that will end ``Failed`` writes nothing (its
        processed records are error records). A write that fails (moto's bucket is
        missing, say) is tried again at the next observation; the job's last write, at
        its end, reports a problem that lasts.
        """
        if not self._running:
            return
        with self._lock:
            for job in list(self._running.values()):
                data = job.data
                assert data is not None  # only jobs with data run here
                processed = job.processed(now)
                if processed <= data.written or job.timeline.statuses[-1] == "Failed":
                    continue
                with contextlib.suppress(Exception):  # tried again, and reported at the end
                    self._write_records(job, data, processed)

    def _write_end(self, job: BedrockJob, data: JobData) -> None:
        """At the job's end: ``<output>/<job id>/<input file>.out`` with the records it
        processed (all of them, unless its timeout or a stop cut it short), then
        ``manifest.json.out``."""
        processed = job.processed(job.timeline.at(-1))  # its counts at its end
        where = self._write_records(job, data, processed)
        manifest = _manifest(data, processed)
        self.storage.write(job.arn, f"{where}manifest.json.out", json.dumps(manifest) + "\n")

    def _write_records(self, job: BedrockJob, data: JobData, processed: int) -> str:
        """Rewrite the ``.out`` files that gained records; return the job's folder."""
        base = folder(job.request["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
        where = f"{base}{job.job_id}/"
        for name, text in data.grown(processed):
            self.storage.write(job.arn, f"{where}{name}.out", text)
        data.written = max(data.written, processed)
        return where


def _manifest(data: JobData, processed: int) -> dict[str, int]:
    """``manifest.json.out`` once the first ``processed`` records are done."""
    errors = data.errors_in(processed)
    tokens_in, tokens_out = data.tokens_in(processed)
    return {
        "totalRecordCount": data.total,
        "processedRecordCount": processed,
        "successRecordCount": processed - errors,
        "errorRecordCount": errors,
        "inputTokenCount": tokens_in,
        "outputTokenCount": tokens_out,
    }


def _record(value: Any, name: str, number: int) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("modelInput"), dict):
        raise InputProblem(
            f"Line {number} of the input file {name} is not a valid record: each line must "
            'be a JSON object with a "modelInput" object and an optional "recordId".'
        )
    return value


def _record_id(job: BedrockJob, name: str, index: int) -> str:
    """An 11-character id for a record that has none, stable for the job and line."""
    digest = hashlib.sha256(f"{job.job_id}/{name}/{index}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(11):
        number, digit = divmod(number, len(_RECORD_ID_ALPHABET))
        chars.append(_RECORD_ID_ALPHABET[digit])
    return "".join(chars)


def _stand_ins(job: BedrockJob) -> list[dict[str, Any]]:
    """Stand-in records for a job whose input cannot be read (no moto): bodies its
    model accepts."""
    model, invocation_type = job.request["modelId"], job.request.get("modelInvocationType")
    rules = rules_for(model, invocation_type, {"messages": []})
    return [
        {
            "recordId": f"REC{index:08d}",
            "modelInput": (
                rules.sample(f"Record {index}")
                if rules is not None
                else {"messages": [{"role": "user", "content": f"Record {index}"}]}
            ),
        }
        for index in range(1, job.total_records + 1)
    ]
