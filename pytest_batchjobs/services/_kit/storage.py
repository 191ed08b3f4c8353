"""Where job data lives: moto's S3 when moto is active, otherwise the fake's own memory."""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

from ...neighbours.moto import moto_active

# The codes S3 answers HeadBucket with for a bucket that does not exist (a HEAD
# response has no body: botocore names the error by its status).
_NO_BUCKET = frozenset({"404", "NoSuchBucket"})


class DataProblem(Exception):
    """The job's data cannot be used; the message is the job's failure message."""


class InputProblem(DataProblem):
    """The job's input cannot be used."""


class OutputProblem(DataProblem):
    """The job's output location cannot be written to."""


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` -> (``bucket``, ``a/b``)."""
    rest = uri.split("://", 1)[1] if "://" in uri else uri
    bucket, _, key = rest.partition("/")
    return bucket, key


class KeptOutputs(Mapping[str, dict[str, str]]):
    """The copy of every output written, by job ARN: ``{s3 URI: content}`` for each.

    A job's files are kept as written while it runs (a running Bedrock job rewrites its
    ``.out`` files as it processes records), and compressed once it ended
    (:meth:`settle`): a completed job's outputs are kept at a fraction of their size,
    and read back whole when asked for.
    """

    def __init__(self) -> None:
        self._kept: dict[str, dict[str, str | bytes]] = {}

    def __getitem__(self, job_arn: str) -> dict[str, str]:
        return {uri: _read(content) for uri, content in list(self._kept[job_arn].items())}

    def __iter__(self) -> Iterator[str]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, job_arn: str, uri: str, content: str) -> None:
        self._kept.setdefault(job_arn, {})[uri] = content

    def settle(self, job_arn: str) -> None:
        """Compress the job's files: it ended, and writes no more."""
        files = self._kept.get(job_arn, {})
        for uri, content in files.items():
            if isinstance(content, str):
                files[uri] = zlib.compress(content.encode("utf-8"), 1)

    def clear(self) -> None:
        self._kept.clear()


def _read(content: str | bytes) -> str:
    return content if isinstance(content, str) else zlib.decompress(content).decode("utf-8")


class Storage:
    """Reads inputs and writes outputs; keeps a copy of every output it wrote."""

    def __init__(self) -> None:
        self.outputs = KeptOutputs()  # job ARN -> {s3 URI: content}
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def has_s3(self) -> bool:
        """Whether inputs can be read (moto's S3 is there: its ``mock_aws`` is active)."""
        return moto_active()

    def read_inputs(self, uri: str, suffix: str = "") -> list[tuple[str, str]]:
        """(file name, text) of the object at ``uri``, or of every object under it."""
        s3 = self._s3()
        bucket, key = split_s3(uri)
        errors = s3.exceptions
        try:
            if key and not key.endswith("/"):
                try:
                    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                    return [(key.rsplit("/", 1)[-1], _text(body, uri))]
                except errors.NoSuchKey:
                    key += "/"
            files = []
            paginator = s3.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=bucket, Prefix=key):
                for item in page.get("Contents", []):
                    name = item["Key"]
                    if name.endswith("/") or (suffix and not name.endswith(suffix)):
                        continue
                    body = s3.get_object(Bucket=bucket, Key=name)["Body"].read()
                    files.append((name.rsplit("/", 1)[-1], _text(body, f"s3://{bucket}/{name}")))
        except errors.NoSuchBucket:
            raise InputProblem(f"The S3 bucket {bucket} does not exist.") from None
        if not files:
            raise InputProblem(f"No input files were found at {uri}.")
        return files

    def check_output(self, uri: str) -> None:
        """An :class:`OutputProblem` when moto's S3 is active and has no bucket for
        ``uri``: the job checks its output location when it checks its input, and
        fails then, as the services do when their role cannot write there. Without
        moto there is nothing to check."""
        if not self.has_s3:
            return
        s3 = self._s3()
        bucket, _ = split_s3(uri)
        try:
            s3.head_bucket(Bucket=bucket)
        except s3.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _NO_BUCKET:
                raise
            raise OutputProblem(
                f"The S3 bucket {bucket} of the output location {uri} does not exist. "
                "Create the bucket, or choose an output location in a bucket that exists, "
                "and start the job again."
            ) from None

    def write(self, job_arn: str, uri: str, content: str) -> None:
        """Write ``content`` to ``uri`` (moto's S3 when active) and keep a copy.

        A bucket that was there when the job checked its output location, and was
        deleted since, gets nothing: the copy is kept all the same."""
        with self._lock:
            self.outputs.keep(job_arn, uri, content)
        if self.has_s3:
            bucket, key = split_s3(uri)
            s3 = self._s3()
            with contextlib.suppress(s3.exceptions.NoSuchBucket):
                s3.put_object(Bucket=bucket, Key=key, Body=content.encode("utf-8"))

    def settle(self, job_arn: str) -> None:
        """The job ended and writes no more: keep its copies compressed."""
        with self._lock:
            self.outputs.settle(job_arn)

    def reset(self) -> None:
        """Forget the kept outputs."""
        with self._lock:
            self.outputs.clear()

    def _s3(self) -> Any:
        if self._client is None:
            import botocore.session

            self._client = botocore.session.get_session().create_client(
                "s3", region_name="us-east-1"
            )
        return self._client


def _text(body: bytes, uri: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputProblem(f"The input file {uri} is not UTF-8 encoded.") from None
