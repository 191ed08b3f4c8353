"""What a SageMaker transform job does with its input, in AWS's layout.

"Use batch transform to run inference"
(https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform.html): each input
object ``<prefix>/<name>`` gives one output object ``<S3OutputPath>/<name>.out``; with
``SplitType: Line`` each line of the input is a record, else the whole object is one;
with ``AssembleWith: Line`` the answers are joined by newlines, else concatenated.

* ``CreateTransformJob``: SageMaker lists the input before it accepts the job (no
  objects under the prefix is a ``ValidationException`` of the create call), so the
  input is read, and every record answered, when the job is created. A record the
  model cannot answer (the responder raises) fails the job at the end of its run, and
  so does an output location in a bucket that does not exist (``ClientError: ...``,
  in SageMaker's way of naming a problem of the caller's).
* ``Completed``: the output objects are written (moto's S3 when active, always the
  fake's memory).

Without moto there is no S3 to read: ten stand-in records are answered instead.
Input objects must be UTF-8 text.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, cast

from ....wire.errors import ServiceError
from ..._kit.outputs import Outputs, folder
from ..._kit.storage import InputProblem, OutputProblem, split_s3

if TYPE_CHECKING:
    from collections.abc import Callable

    from .job import TransformJob

_ENDS = frozenset({"Completed", "Failed", "Stopped"})


class TransformOutputs(Outputs):
    """Reads, answers and writes transform jobs' records."""

    output_member = ("TransformOutput", "S3OutputPath")

    def prepare(self, job: TransformJob, region: str) -> str | None:
        """Read and answer the job's input; the failure message if a record failed or
        the output bucket is missing. Input that cannot be read is the create call's
        ``ValidationException``."""
        request = job.request
        source = request["TransformInput"]["DataSource"]["S3DataSource"]
        uri = source["S3Uri"]
        try:
            files = self._inputs(uri, source.get("S3DataType", "S3Prefix"))
        except InputProblem as problem:
            bucket = split_s3(uri)[0]
            raise ServiceError(
                "ValidationException",
                f'No S3 objects found under S3 URL "{uri}" given in input data source. '
                f"Please ensure that the bucket exists in the selected region ({region}), "
                f'that objects exist under that S3 prefix, and that the role has "s3:ListBucket"'
                f' permissions on bucket "{bucket}". ({problem})',
            ) from None
        try:
            self.storage.check_output(self.output_location(request))
        except OutputProblem as problem:
            return f"ClientError: {problem}"
        split = request["TransformInput"].get("SplitType", "None") == "Line"
        joiner = "\n" if request["TransformOutput"].get("AssembleWith", "None") == "Line" else ""
        results: list[tuple[str, str]] = []
        for name, text in files:
            records = [line for line in text.splitlines() if line.strip()] if split else [text]
            answers = []
            for number, record in enumerate(records, start=1):
                try:
                    answers.append(self._answer(record))
                except Exception as error:
                    return (
                        "ClientError: See job logs for more information. The model failed "
                        f"on record {number} of {name}: {error}"
                    )
            results.append((name, joiner.join(answers) + joiner))
        job.results = results
        return None

    def on_transition(self, job: TransformJob, new: str) -> bool:
        if new in _ENDS and job.results is not None:
            if new == "Completed":
                base = folder(job.request["TransformOutput"]["S3OutputPath"])
                for name, content in job.results:
                    self.storage.write(job.arn, f"{base}{name}.out", content)
                self.storage.settle(job.arn)
            job.results = None  # it ended: the kept outputs hold what it wrote
        return False

    def _inputs(self, uri: str, data_type: str) -> list[tuple[str, str]]:
        """(object name, text) of each input object."""
        if not self.storage.has_s3:
            name = uri.rstrip("/").rsplit("/", 1)[-1] or "input"
            return [(name, "".join(f"{index}\n" for index in range(1, 11)))]
        if data_type == "S3Prefix":
            return self.storage.read_inputs(uri)
        # A manifest: [{"prefix": "s3://bucket/path/"}, "relative/key", ...] (a JSON
        # array; an augmented manifest is JSON lines, each its own record).
        (_, text), *_ = self.storage.read_inputs(uri)
        if data_type == "AugmentedManifestFile":
            return [(uri.rsplit("/", 1)[-1], text)]
        try:
            manifest = json.loads(text)
            prefix = manifest[0]["prefix"]
            keys = [str(key) for key in manifest[1:]]
        except (ValueError, LookupError, TypeError):
            raise InputProblem(f"The manifest file {uri} is not valid.") from None
        files = []
        for key in keys:
            files.extend(self.storage.read_inputs(folder(prefix) + key))
        return files

    def _answer(self, record: str) -> str:
        responder = self.responder
        if responder is None:
            return prediction(record)
        # A transform job's record is text (a line, or the whole object), not a dict.
        answer: Any = cast("Callable[[str], Any]", responder)(record)
        return answer if isinstance(answer, str) else json.dumps(answer)


def prediction(record: str) -> str:
    """The default answer: a score between 0 and 1, deterministic for the record."""
    digest = hashlib.sha256(record.encode()).digest()
    return f"{int.from_bytes(digest[:4], 'big') / 2**32:.6f}"
