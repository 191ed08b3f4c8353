"""Run a job's data through its lifecycle: check the input when the job starts, answer
every record, and write the outputs as the job processes them.

Called by the fake as transitions happen (see :mod:`pytest_batchjobs.time.transitions`):

* Bedrock ``Validating`` / Personalize ``CREATE IN_PROGRESS``: read the input (moto's S3
  when active; without moto input checks are skipped and synthetic records stand in),
  check it, and answer every record with the responder. Bad input fails the job
  with AWS's kind of message; record errors make a Bedrock job ``PartiallyCompleted``.
* Bedrock ``InProgress``: AWS says "You can start viewing the results in the output S3
  location". Nothing runs in the background, so the records are written when the fake
  sees the time (:meth:`BatchRunner.progress`, at every call and every move of the
  clock): each input file's ``.out`` holds the records processed so far, rewritten
  only when that number grew.
* Bedrock ``Completed`` / ``PartiallyCompleted`` / ``Stopped`` (after running): the
  records processed by the end, then ``manifest.json.out``, last. Personalize
  ``ACTIVE``: the output files. Both in AWS's layout.

Jobs made by the factory carry no data and are left alone.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import hashlib
import json
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .responders import bedrock_output, personalize_output, token_counts
from .storage import InputProblem, Storage

Responder = Callable[[dict[str, Any]], Any]
_BEDROCK_SUCCESS = ("Completed", "PartiallyCompleted")
_BEDROCK_ENDS = frozenset({"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"})
# Ends that keep what the job processed, and write the manifest. Stopped: a choice (AWS
# documents no outputs for a stopped job).
_BEDROCK_WRITTEN = frozenset({"Completed", "PartiallyCompleted", "Stopped"})
_RECORD_ID_ALPHABET = string.ascii_uppercase + string.digits


@dataclass
class JobData:
    """A job's answered records, by input file, ready to be written.

    Records are processed in input order, across files: the first ``n`` processed are
    the first ``n`` lines. ``error_at`` holds the positions (in that order) of the error
    records, ``tokens`` each record's (input, output) token counts.
    """

    files: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    error_at: list[int] = field(default_factory=list)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    written: int = 0  # how many records are in the output files so far
    _rendered: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def total(self) -> int:
        return len(self.tokens)

    @property
    def errors(self) -> int:
        return len(self.error_at)

    def errors_in(self, processed: int) -> int:
        """How many of the first ``processed`` records are error records."""
        return bisect.bisect_left(self.error_at, processed)

    def manifest(self, processed: int) -> dict[str, int]:
        """``manifest.json.out`` once the first ``processed`` records are done."""
        errors = self.errors_in(processed)
        done = self.tokens[:processed]
        return {
            "totalRecordCount": self.total,
            "processedRecordCount": processed,
            "successRecordCount": processed - errors,
            "errorRecordCount": errors,
            "inputTokenCount": sum(tokens_in for tokens_in, _ in done),
            "outputTokenCount": sum(tokens_out for _, tokens_out in done),
        }

    def grown(self, processed: int) -> list[tuple[str, str]]:
        """(input file name, output text) of each file that has more processed records
        than the last time, once the first ``processed`` records are done."""
        found = []
        start, written = 0, self.written
        for name, lines in self.files:
            now = min(max(processed - start, 0), len(lines))
            if now > min(max(written - start, 0), len(lines)):
                rendered = self._rendered.get(name)
                if rendered is None:
                    rendered = self._rendered[name] = [json.dumps(line) + "\n" for line in lines]
                found.append((name, "".join(rendered[:now])))
            start += len(lines)
        return found


@dataclass
class RecordLimits:
    """Bedrock's records per job (the minimum was 1,000, is 100 now, and varies by
    model): configurable with ``batchjobs_fake.bedrock.record_limits(...)``."""

    minimum: int = 100
    maximum: int = 50_000


class BatchRunner:
    """Answers jobs' records and writes their outputs."""

    def __init__(self) -> None:
        self.storage = Storage()
        self.responders: dict[str, Responder | None] = {"bedrock": None, "personalize": None}
        self.limits = RecordLimits()
        # Bedrock jobs InProgress with data, by ARN: the only ones progress() writes.
        self._running: dict[str, Any] = {}
        self._lock = threading.RLock()  # one writer at a time: a late one never undoes

    def reset(self) -> None:
        """Forget responders, limits, running jobs and kept outputs."""
        self.responders = {"bedrock": None, "personalize": None}
        self.limits = RecordLimits()
        with self._lock:
            self._running.clear()
        self.storage.reset()

    def on_transition(self, service: str, job: Any, new: str) -> bool:
        """Do what the job does on entering ``new``; whether its timeline changed."""
        if job.from_factory:
            return False
        if service == "bedrock":
            if new == "Validating":
                return self._start(job, self.bedrock_records, "Failed", _BEDROCK_SUCCESS)
            if job.data is None:
                return False
            with self._lock:
                if new == "InProgress":
                    self._running[job.arn] = job
                elif new in _BEDROCK_ENDS:
                    ran = self._running.pop(job.arn, None) is not None
                    if ran and new in _BEDROCK_WRITTEN:  # what it processed, and the manifest
                        self.write_bedrock(job, job.data)
        else:
            if new == "CREATE IN_PROGRESS":
                return self._start(job, self.personalize_records, "CREATE FAILED", ("ACTIVE",))
            if new == "ACTIVE" and job.data is not None:
                self.write_personalize(job, job.data)
        return False

    def _start(
        self,
        job: Any,
        read: Callable[[Any], JobData],
        failed: str,
        successes: tuple[str, ...],
    ) -> bool:
        """Read the job's data; on a problem, the job fails when the status it is
        entering ends (Bedrock: Validating), with the problem as its message. Record
        errors set the Bedrock outcome."""
        timeline = job.timeline
        try:
            data = read(job)
        except InputProblem as problem:
            job.failure = str(problem)
            entered = job.reported  # the index of the transition being processed
            if entered + 1 < len(timeline) and timeline.statuses[-1] in successes:
                job.timeline = timeline.ending(entered + 1, failed)
                return True
            return False
        job.data = data
        if hasattr(job, "total_records"):
            job.total_records, job.error_records = data.total, data.errors
        final = timeline.statuses[-1]
        if final in _BEDROCK_SUCCESS and not timeline.timed_out:
            wanted = "PartiallyCompleted" if data.errors else "Completed"
            if wanted != final:
                job.timeline = timeline.ending(len(timeline) - 1, wanted)
                return True
        return False

    # -- Bedrock ----------------------------------------------------------------------

    def bedrock_records(self, job: Any) -> JobData:
        """Read, check and answer a Bedrock job's records; InputProblem if unusable."""
        config = job.request["inputDataConfig"]["s3InputDataConfig"]
        if self.storage.has_s3:
            files = [
                (name, _jsonl(text, name, _bedrock_line))
                for name, text in self.storage.read_inputs(config["s3Uri"], ".jsonl")
            ]
        else:
            files = [(config["s3Uri"].rsplit("/", 1)[-1] or "records.jsonl", _synthetic(job))]
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
        responder = self.responders["bedrock"]
        data = JobData()
        fail_every = 10 if job.lifecycle.outcome == "PartiallyCompleted" else 0
        position = 0
        for name, records in files:
            lines = []
            for index, record in enumerate(records, start=1):
                record_id = record.get("recordId") or _record_id(job, name, index)
                line: dict[str, Any] = {
                    "recordId": record_id,
                    "modelInput": record["modelInput"],
                }
                try:
                    if responder is not None:
                        output = responder(dict(record, recordId=record_id))
                    elif fail_every and index % fail_every == 0:
                        raise ValueError("Malformed input request, please reformat your input.")
                    else:
                        model = job.request["modelId"]
                        output = bedrock_output(model, record_id, record["modelInput"])
                    line["modelOutput"] = output
                    data.tokens.append(token_counts(output))
                except Exception as error:  # the responder's way to say "error record"
                    data.error_at.append(position)
                    data.tokens.append((0, 0))
                    code = getattr(error, "error_code", 400)
                    line["error"] = {"errorCode": code, "errorMessage": str(error)}
                lines.append(line)
                position += 1
            data.files.append((name, lines))
        return data

    def progress(self, now: _dt.datetime) -> None:
        """Write the records that running Bedrock jobs have processed by ``now``.

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
                processed = job.processed(now)
                if processed <= job.data.written or job.timeline.statuses[-1] == "Failed":
                    continue
                with contextlib.suppress(Exception):  # tried again, and reported at the end
                    self._write_records(job, job.data, processed)

    def write_bedrock(self, job: Any, data: JobData) -> None:
        """At the job's end: ``<output>/<job id>/<input file>.out`` with the records it
        processed (all of them, unless its timeout or a stop cut it short), then
        ``manifest.json.out``."""
        processed = job.processed(job.timeline.at(-1))  # its counts at its end
        folder = self._write_records(job, data, processed)
        manifest = data.manifest(processed)
        self.storage.write(job.arn, f"{folder}manifest.json.out", json.dumps(manifest) + "\n")

    def _write_records(self, job: Any, data: JobData, processed: int) -> str:
        """Rewrite the ``.out`` files that gained records; return the job's folder."""
        base = _folder(job.request["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
        folder = f"{base}{job.job_id}/"
        for name, text in data.grown(processed):
            self.storage.write(job.arn, f"{folder}{name}.out", text)
        data.written = max(data.written, processed)
        return folder

    # -- Personalize ------------------------------------------------------------------

    def personalize_records(self, job: Any) -> JobData:
        """Read, check and answer a Personalize job's input lines."""
        path = job.request["jobInput"]["s3DataSource"]["path"]
        if self.storage.has_s3:
            files = [
                (name, _jsonl(text, name, _personalize_line))
                for name, text in self.storage.read_inputs(path)
            ]
        else:
            stand_ins = [{"userId": str(index)} for index in range(1, 11)]
            files = [(path.rsplit("/", 1)[-1] or "input.json", stand_ins)]
        count = int(job.request.get("numResults", 25))
        responder = self.responders["personalize"]
        data = JobData()
        for name, records in files:
            lines = []
            for record in records:
                line: dict[str, Any] = {"input": record, "output": None, "error": None}
                try:
                    if responder is None:
                        line["output"] = personalize_output(record, count)
                    else:
                        line["output"] = _recommendations(responder(dict(record)), count)
                except Exception as error:
                    data.error_at.append(len(data.tokens))
                    line["error"] = str(error)
                data.tokens.append((0, 0))
                lines.append(line)
            data.files.append((name, lines))
        return data

    def write_personalize(self, job: Any, data: JobData) -> None:
        """``<output path><input file name>.out``."""
        base = _folder(job.request["jobOutput"]["s3DataDestination"]["path"])
        for name, lines in data.files:
            self.storage.write(job.arn, f"{base}{name}.out", _lines(lines))


def _folder(uri: str) -> str:
    return uri if uri.endswith("/") else uri + "/"


def _lines(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def _jsonl(
    text: str, name: str, check: Callable[[Any, str, int], dict[str, Any]]
) -> list[dict[str, Any]]:
    records = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            raise InputProblem(
                f"Line {number} of the input file {name} is not valid JSON."
            ) from None
        records.append(check(value, name, number))
    return records


def _bedrock_line(value: Any, name: str, number: int) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("modelInput"), dict):
        raise InputProblem(
            f"Line {number} of the input file {name} is not a valid record: each line must "
            'be a JSON object with a "modelInput" object and an optional "recordId".'
        )
    return value


def _personalize_line(value: Any, name: str, number: int) -> dict[str, Any]:
    if not isinstance(value, dict) or not ({"userId", "itemId"} & set(value)):
        raise InputProblem(
            f"Input line {number} of {name} is not valid: each line must be a JSON object "
            'with a "userId" (or an "itemId").'
        )
    return value


def _recommendations(answer: Any, count: int) -> dict[str, Any]:
    """A responder's answer: a list of item ids, or a dict with ``recommendedItems``."""
    if isinstance(answer, dict):
        output = dict(answer)
        output["recommendedItems"] = list(answer["recommendedItems"])[:count]
        return output
    items = list(answer)[:count]
    return {"recommendedItems": items, "scores": [round(1 / (i + 2), 6) for i in range(len(items))]}


def _record_id(job: Any, name: str, index: int) -> str:
    """An 11-character id for a record that has none, stable for the job and line."""
    digest = hashlib.sha256(f"{job.job_id}/{name}/{index}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(11):
        number, digit = divmod(number, len(_RECORD_ID_ALPHABET))
        chars.append(_RECORD_ID_ALPHABET[digit])
    return "".join(chars)


def _synthetic(job: Any) -> list[dict[str, Any]]:
    """Stand-in records for a job whose input cannot be read (no moto)."""
    return [
        {
            "recordId": f"REC{index:08d}",
            "modelInput": {"messages": [{"role": "user", "content": f"Record {index}"}]},
        }
        for index in range(1, job.total_records + 1)
    ]
