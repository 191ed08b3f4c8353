"""What an async invocation writes: its files in ``<s3Uri>/<invocation id>/``.

AWS documents the layout for Amazon Nova Reel: "Amazon Nova creates a folder for each
invocation ID. This folder contains the manifest.json, output.mp4, and
generation-status.json files" (Nova user guide, "Video generation access and usage"),
and GetAsyncInvoke reports that folder as the ``s3Uri`` (AWS's samples print
``s3Uri + "/output.mp4"``). When the invocation completes, the fake writes, by model
family:

* Nova Reel (``amazon.nova-reel*``): ``output.mp4``, a stand-in (text that says so,
  not a playable video), ``manifest.json`` and ``generation-status.json``;
* Luma Ray (``luma.ray*``): ``output.mp4`` (a stand-in) and ``manifest.json``;
* TwelveLabs Marengo (``twelvelabs.marengo*``): ``output.json`` as the model writes it,
  ``{"data": [...]}``, one item per embedding: ``embedding``, and for video and audio
  ``embeddingOption``, ``startSec``, ``endSec`` (the Bedrock user guide's Marengo
  page); 1024 numbers an embedding for Marengo 2.7, 512 for 3.0;
* any other model: ``output.json`` with the invocation's input, and ``manifest.json``.

What ``manifest.json`` and ``generation-status.json`` hold is undocumented: the fake's
own (``invocationArn``, ``modelArn``, ``outputs``; ``status``). A responder replaces the
default files: it is called with ``{"invocationArn", "modelId", "modelInput"}`` when
the invocation starts, and returns ``{file name: text}``; raising fails the
invocation, with the error's text as its ``failureMessage``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..._kit.outputs import Outputs

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
        where = job.output_folder
        for name, text in job.files.items():
            self.storage.write(job.arn, f"{where}/{name}", text)
        self.storage.settle(job.arn)
        job.files = None  # written: the kept outputs hold the text
        return False


def default_files(job: AsyncInvocation) -> dict[str, str]:
    """The files an invocation writes when no responder is set, by model family."""
    model_id = str(job.request["modelId"])
    model_input = job.request["modelInput"]
    files: dict[str, str] = {}
    if "nova-reel" in model_id or "luma.ray" in model_id:
        files["output.mp4"] = f"pytest-batchjobs stand-in for the video of {job.arn}\n"
    elif "twelvelabs.marengo" in model_id:
        dimensions = 512 if "marengo-embed-3" in model_id else 1024
        files["output.json"] = json.dumps({"data": marengo_data(model_input, dimensions)})
        return files
    else:
        files["output.json"] = json.dumps({"invocationArn": job.arn, "modelInput": model_input})
    manifest = {"invocationArn": job.arn, "modelArn": job.model, "outputs": sorted(files)}
    files["manifest.json"] = json.dumps(manifest)
    if "nova-reel" in model_id:
        files["generation-status.json"] = json.dumps({"status": "Completed"})
    return files


# Marengo's video embedding types, all returned when embeddingOption is left out.
_VIDEO_OPTIONS = ("visual-text", "visual-image", "audio")
_SEGMENT_SECONDS = 6.0  # a clip's length when useFixedLengthSec is left out (a choice)


def marengo_data(model_input: Any, dimensions: int) -> list[dict[str, Any]]:
    """``output.json``'s ``data``: one embedding for text or an image; for video and
    audio one a clip (``useFixedLengthSec`` long, from ``startSec`` for ``lengthSec``)
    and an embedding type (``embeddingOption``, video only). Deterministic for the
    input."""
    given = model_input if isinstance(model_input, dict) else {}
    kind = given.get("inputType", "text")
    seed = json.dumps(model_input, sort_keys=True, default=str)
    if kind not in ("video", "audio"):
        return [{"embedding": _vector(seed, dimensions)}]
    options = (given.get("embeddingOption") or _VIDEO_OPTIONS) if kind == "video" else ("audio",)
    start = float(given.get("startSec", 0.0))
    step = float(given.get("useFixedLengthSec") or _SEGMENT_SECONDS)
    length = float(given.get("lengthSec") or step)
    data = []
    for option in options:
        clip = start
        while clip < start + length:
            end = min(clip + step, start + length)
            data.append(
                {
                    "embedding": _vector(f"{seed}/{option}/{clip}", dimensions),
                    "embeddingOption": option,
                    "startSec": clip,
                    "endSec": end,
                }
            )
            clip = end
    return data


def _vector(seed: str, dimensions: int) -> list[float]:
    """``dimensions`` numbers in [-1, 1), deterministic for ``seed``."""
    numbers = random.Random(seed)
    return [round(numbers.uniform(-1.0, 1.0), 6) for _ in range(dimensions)]
