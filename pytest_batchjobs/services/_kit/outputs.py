"""What a job does with its data: read the input, answer every record, write outputs.

Statuses are read off timelines, so a job "does" something when the fake reports its
transition into a status (see :mod:`pytest_batchjobs.time.transitions`). Each job kind's
:class:`Outputs` subclass says what happens on which transition; in outline:

* when the job starts working on its input: read the input (moto's S3 when active;
  without moto input checks are skipped and stand-in records are used), check it, and
  answer every record with the responder; then check that the output location's
  bucket exists. Bad input, or an output bucket that is missing, fails the job with
  AWS's kind of message (:class:`~.storage.DataProblem`);
* while and once it works: write the records processed, in AWS's layout, to moto's S3
  when active and always to the fake's memory (:class:`~.storage.Storage`).

Jobs made by the factory carry no data and are left alone.
"""

from __future__ import annotations

import bisect
import json
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .storage import DataProblem, InputProblem

if TYPE_CHECKING:
    from .storage import Storage

Responder = Callable[[dict[str, Any]], Any]


@dataclass
class JobData:
    """A job's answered records, by input file, ready to be written, and their counts.

    Records are processed file after file, each file's in the order of its ``lines``
    (the order they are written in: a kind may keep input order or not): the first
    ``n`` processed are the first ``n`` lines, so a record once written stays written.
    Each record is counted (:meth:`count`) in that order: whether it is an error
    record, and its (input, output) token counts, kept as compact running sums.

    Once the job ended and wrote its outputs, :meth:`finish` drops the lines (the
    outputs hold their text): the counts are all a finished job's calls read.
    """

    files: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    written: int = 0  # how many records are in the output files so far
    # The positions (in processing order) of the error records.
    error_at: array[int] = field(default_factory=lambda: array("q"))
    # Running sums of the records' input and output tokens: [0, first, first + second, ...].
    _tokens_in: array[int] = field(default_factory=lambda: array("q", [0]), repr=False)
    _tokens_out: array[int] = field(default_factory=lambda: array("q", [0]), repr=False)
    _rendered: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def count(self, error: bool, tokens: tuple[int, int] = (0, 0)) -> None:
        """Count the next record processed."""
        if error:
            self.error_at.append(self.total)
        self._tokens_in.append(self._tokens_in[-1] + tokens[0])
        self._tokens_out.append(self._tokens_out[-1] + tokens[1])

    @property
    def total(self) -> int:
        return len(self._tokens_in) - 1

    @property
    def errors(self) -> int:
        return len(self.error_at)

    def errors_in(self, processed: int) -> int:
        """How many of the first ``processed`` records are error records."""
        return bisect.bisect_left(self.error_at, processed)

    def tokens_in(self, processed: int) -> tuple[int, int]:
        """The (input, output) tokens of the first ``processed`` records."""
        done = max(0, min(processed, self.total))
        return self._tokens_in[done], self._tokens_out[done]

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

    def finish(self) -> None:
        """The job ended and wrote its outputs: forget its lines, keep its counts."""
        self.files = []
        self._rendered = {}


class Outputs:
    """What one kind's jobs do with their data; this base does nothing.

    ``output_member`` is where a job's request names its output location: Bedrock's
    naming by default (both its kinds share it); other kinds name theirs.
    """

    output_member: tuple[str, ...] = ("outputDataConfig", "s3OutputDataConfig", "s3Uri")

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.responder: Responder | None = None

    def reset(self) -> None:
        """Back to the default answers and settings."""
        self.responder = None

    def on_transition(self, job: Any, new: str) -> bool:
        """Do what ``job`` does on entering ``new``; whether its timeline changed."""
        return False

    def output_location(self, request: dict[str, Any]) -> str:
        """The output location a job's ``request`` names."""
        value: Any = request
        for member in self.output_member:
            value = value[member]
        return str(value)

    def read_input(
        self, job: Any, read: Callable[[Any], JobData], failed: str, successes: tuple[str, ...]
    ) -> bool:
        """Read the job's data into ``job.data``, then check its output location;
        whether its timeline changed.

        On a problem (its input first) the job fails when the status it is entering
        ends (in ``failed``, if it was to end in one of ``successes``), with the
        problem as its message, and keeps no data.
        """
        timeline = job.timeline
        try:
            data = read(job)
            self.storage.check_output(self.output_location(job.request))
            job.data = data
        except DataProblem as problem:
            job.failure = str(problem)
            entered = job.reported  # the index of the transition being processed
            if entered + 1 < len(timeline) and timeline.statuses[-1] in successes:
                job.timeline = timeline.ending(entered + 1, failed)
                return True
        return False


def folder(uri: str) -> str:
    """``uri`` ending in a slash."""
    return uri if uri.endswith("/") else uri + "/"


def json_lines(lines: list[dict[str, Any]]) -> str:
    """``lines`` as a JSON Lines document."""
    return "".join(json.dumps(line) + "\n" for line in lines)


def read_jsonl(
    text: str, name: str, check: Callable[[Any, str, int], dict[str, Any]]
) -> list[dict[str, Any]]:
    """The records of a JSON Lines input file, each checked by ``check(value, name,
    line number)``; blank lines are skipped. A line that is no JSON is an
    :class:`InputProblem`."""
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
