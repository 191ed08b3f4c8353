"""What an async invocation writes: its files in ``<s3Uri>/<invocation id>/``.

AWS documents the layout for Amazon Nova Reel: "Amazon Nova creates a folder for each
invocation ID", holding ``output.mp4`` and ``manifest.json`` (and, in the newest
guide, ``generation-status.json``). What the files hold, and what other models write,
it does not document: the fake writes, when the invocation completes,

* for a Nova Reel model (``amazon.nova-reel*``): ``output.mp4``, a stand-in (text
  that says so, not a playable video), and ``manifest.json``;
* for any other model: ``output.json`` with the invocation's answer, and
  ``manifest.json``.

``manifest.json`` is the fake's own (``invocationArn``, ``modelArn``, ``outputs``): its
real content is undocumented. A responder replaces the default files: it is called
with ``{"invocationArn", "modelId", "modelInput"}`` when the invocation starts, and
returns ``{file name: text}``; raising fails the invocation, with the error's text as
its ``failureMessage``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..._kit.outputs import Outputs, folder

if TYPE_CHECKING:
    from .job import AsyncInvocation


class AsyncOutputs(Outputs):
    """Answers each invocation when it starts, writes its files when it completes."""

    def answer(self, job: AsyncInvocation) -> None:
        """Work out the invocation's files now (the responder's, or the defaults); a
        responder that raises makes the invocation end ``Failed`` instead."""
        record = {
            "invocationArn": job.arn,
            "modelId": job.request["modelId"],
            "modelInput": job.request["modelInput"],
        }
        responder = self.responder
        if responder is None:
            job.files = default_files(job)
            return
        try:
            files = responder(record)
        except Exception as error:  # the responder's way to say "this one fails"
            job.failure = str(error) or type(error).__name__
            job.timeline = job.timeline.ending(len(job.timeline) - 1, "Failed")
            return
        if not isinstance(files, Mapping) or not all(
            isinstance(name, str) and isinstance(text, str) for name, text in files.items()
        ):
            raise TypeError(
                "a bedrock_async responder returns {file name: text} (the files written in "
                f"<s3Uri>/<invocation id>/), got {files!r:.80}"
            )
        job.files = dict(files)

    def on_transition(self, job: Any, new: str) -> bool:
        """On ``Completed``: write the invocation's files."""
        if new != "Completed" or job.files is None:
            return False
        where = folder(job.request["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
        for name, text in job.files.items():
            self.storage.write(job.arn, f"{where}{job.invocation_id}/{name}", text)
        return False


def default_files(job: AsyncInvocation) -> dict[str, str]:
    """The files an invocation writes when no responder is set."""
    model_id = job.request["modelId"]
    if "nova-reel" in model_id:
        files = {
            "output.mp4": f"pytest-batchjobs stand-in for the video of {job.arn}\n",
        }
    else:
        answer = {"invocationArn": job.arn, "modelInput": job.request["modelInput"]}
        files = {"output.json": json.dumps(answer) + "\n"}
    manifest = {"invocationArn": job.arn, "modelArn": job.model, "outputs": sorted(files)}
    files["manifest.json"] = json.dumps(manifest) + "\n"
    return files
