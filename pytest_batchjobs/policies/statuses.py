"""The statuses the fake's responses carried to clients, per job kind, first seen first.

``batchjobs_fake.statuses_seen("bedrock")`` reads it: what the client under test was
actually shown by get / describe / list calls, so a test (or the session's status
report) can tell which statuses its status handling was never exercised against.

Where a status travels in a response is read from botocore's output shape, once per
operation: every string member whose name ends in ``status`` (``status``,
``TransformJobStatus``), at any depth of structures and lists. No job kind declares
it, and a response carries no cost beyond reading those few members.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

# A path to a status member: the member names from the output's top, with LIST where
# the value is a list whose every item continues the path.
LIST = ""
Path = tuple[str, ...]
_DEPTH = 5  # far deeper than any job's shape; recursive shapes stop here


def status_paths(shape: Any, depth: int = _DEPTH) -> tuple[Path, ...]:
    """The paths to every status member of a botocore output ``shape``."""
    if shape is None or depth == 0:
        return ()
    if shape.type_name == "list":
        return tuple((LIST, *path) for path in status_paths(shape.member, depth - 1))
    if shape.type_name != "structure":
        return ()
    found: list[Path] = []
    for name, member in shape.members.items():
        if member.type_name == "string" and name.lower().endswith("status"):
            found.append((name,))
        else:
            found.extend((name, *path) for path in status_paths(member, depth - 1))
    return tuple(found)


def _values(value: Any, path: Path) -> Iterator[Any]:
    if not path:
        yield value
    elif path[0] == LIST:
        if isinstance(value, list):
            for item in value:
                yield from _values(item, path[1:])
    elif isinstance(value, dict) and path[0] in value:
        yield from _values(value[path[0]], path[1:])


class StatusesSeen:
    """Per job kind, the statuses responses carried, in the order first seen; safe to
    note from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, dict[str, None]] = {}
        self._paths: dict[tuple[str, str], tuple[Path, ...]] = {}
        # The output noted last: a job polled in one status answers the same one (its
        # kept rendering, never changed once made) again and again.
        self._last: object = None

    def note(self, kind: str, service: str, operation: Any, output: dict[str, Any]) -> None:
        """Note the statuses in ``output``, the response of ``operation`` (botocore's
        operation model) of one of ``kind``'s operations."""
        if output is self._last:
            return
        key = (service, operation.name)
        paths = self._paths.get(key)
        if paths is None:
            paths = self._paths[key] = status_paths(operation.output_shape)
        if not paths:
            return
        found = [
            value for path in paths for value in _values(output, path) if isinstance(value, str)
        ]
        seen = self._seen.get(kind)
        if found and (seen is None or not all(status in seen for status in found)):
            with self._lock:  # something new (most calls have nothing new: no lock)
                seen = self._seen.setdefault(kind, {})
                for status in found:
                    seen.setdefault(status, None)
        self._last = output

    def of(self, kind: str) -> list[str]:
        """The statuses ``kind``'s responses carried, first seen first."""
        with self._lock:
            return list(self._seen.get(kind, ()))

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self._last = None
