"""Failures the user caused, shown at the user's line.

An ``UnfakedOperationError`` raised inside boto3's send path, or the horizon guard
stopping a poll loop inside ``time.sleep``, comes up through fifteen or so frames of
botocore and the plugin: none of them is where the mistake is. pytest honours
``__tracebackhide__`` only in frames whose code sets it, which botocore's don't, so the
plugin ends the failure's traceback at the user's innermost frame instead
(``--fulltrace`` keeps every frame).
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any

# Libraries between the user's call and the error: the frames to cut when they are the
# innermost ones.
_LIBRARIES = (
    "pytest_batchjobs",
    "botocore",
    "boto3",
    "s3transfer",
    "urllib3",
    "requests",
    "responses",
    "aiobotocore",
    "aioboto3",
    "httpx",
    "httpcore",
)
_RAISED_FOR_THE_USER = {"UnfakedOperationError", "PollingHorizonExceeded"}


def show_at_the_users_line(excinfo: Any) -> None:
    """End ``excinfo``'s traceback (a pytest ``ExceptionInfo``) at the user's innermost
    frame, when its error is one the user caused: an unfaked operation, the horizon,
    or a ``ValueError`` / ``TypeError`` the plugin's API raised for a bad argument."""
    frames = _frames(excinfo.tb)
    if not frames or not _caused_by_the_user(excinfo.value, frames[-1]):
        return
    cut = len(frames)
    while cut > 0 and _in_a_library(frames[cut - 1]):
        cut -= 1
    if cut == 0:  # raised with no user frame at all (a fixture of the plugin's)
        return
    # pytest rebuilds tracebacks from the raw chain (``Traceback.cut``): end it there.
    frames[cut - 1].tb_next = None
    kept = {id(frame) for frame in frames[:cut]}
    excinfo.traceback = excinfo.traceback.filter(lambda entry: id(entry._rawentry) in kept)


def _caused_by_the_user(error: BaseException, innermost: TracebackType) -> bool:
    if type(error).__name__ in _RAISED_FOR_THE_USER:
        return True
    return isinstance(error, (ValueError, TypeError)) and _in_a_library(
        innermost, ("pytest_batchjobs",)
    )


def _frames(tb: TracebackType | None) -> list[TracebackType]:
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    return frames


def _in_a_library(frame: TracebackType, names: tuple[str, ...] = _LIBRARIES) -> bool:
    path = frame.tb_frame.f_code.co_filename
    return any(folder and path.startswith(folder) for folder in map(_folder_of, names))


def _folder_of(name: str) -> str:
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    return os.path.dirname(file) + os.sep if file else ""
