"""The shape of a service answer, and the differences between two shapes.

A recorded answer and the fake's answer to the same request differ in what neither
controls: generated ids, instants, account numbers, regions, and the data itself (token
counts, recommended items, model text). What a client's code depends on is their
*shape*: which keys are present, the type of each value, the status and enum words,
the layout of ARNs and S3 URIs, the nesting. :func:`shape` keeps exactly that, and
:func:`differences` lists where two shapes disagree, each with its path and both sides.

Rules (one per kind of leaf, so each is easy to check):

- a key that names an instant (``submitTime``, ``creationDateTime``, ``CreationTime``)
  is ``<timestamp>`` whatever its form: a ``datetime``, epoch seconds, or ISO text;
- a key in :data:`WORDS` (statuses and the other enum-like members) keeps its value;
- an ARN keeps its partition, service, resource type and name, with its region and
  account replaced (``<region>``, ``<account>``) and generated job ids as ``<id>``;
- an ``s3://`` URI keeps its text, with generated ids as ``<id>``: its layout is part
  of the shape (where the output of job ``<id>`` lies);
- any other string is ``<str>``, a number ``<number>``, a boolean ``<bool>``, and
  ``null`` stays ``None`` (a member sent as ``null`` is not a member left out);
- a list is the list of its elements' distinct shapes, in order of first appearance
  (the number of records is data, the shape of a record is not).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

# Members whose value is a word of the API (a status, a mode, an enum), compared as is.
WORDS = frozenset(
    {
        "status",
        "TransformJobStatus",
        "batchInferenceJobMode",
        "modelInvocationType",
        "S3DataType",
        "SplitType",
        "AssembleWith",
        "BatchStrategy",
        "CompressionType",
        "JoinSource",
        "completionReason",
        "stop_reason",
        "stopReason",
        "type",
        "role",
        "errorCode",
    }
)

_TIME_KEY = re.compile(r"(Time|DateTime|_time|time)$")
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<resource>.*)$"
)
# Resource ids the services generate: Bedrock job and async invocation ids.
_GENERATED_ID = re.compile(r"(?:model-invocation-job|async-invoke)/(?P<id>[a-z0-9]{12})$")
_ACCOUNT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def generated_ids(value: Any) -> set[str]:
    """Every generated job id found in an ARN anywhere in ``value``."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for item in value.values():
            found |= generated_ids(item)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= generated_ids(item)
    elif isinstance(value, str) and (match := _GENERATED_ID.search(value)):
        found.add(match["id"])
    return found


def shape(value: Any, ids: Iterable[str] = ()) -> Any:
    """The shape of ``value`` (a decoded JSON document or a boto3 response).

    ``ids`` are generated ids to write as ``<id>`` wherever they appear in an ARN or an
    S3 URI; the ids in ARNs inside ``value`` itself are always included.
    """
    known = frozenset(ids) | generated_ids(value)
    return _shape(value, None, known)


def _shape(value: Any, key: str | None, ids: frozenset[str]) -> Any:
    if isinstance(value, Mapping):
        return {name: _shape(item, name, ids) for name, item in value.items()}
    if isinstance(value, list | tuple):
        distinct: list[Any] = []
        for item in value:
            item_shape = _shape(item, key, ids)
            if item_shape not in distinct:
                distinct.append(item_shape)
        return distinct
    if value is None:
        return None
    if key is not None and _TIME_KEY.search(key):
        return "<timestamp>"
    if isinstance(value, _dt.datetime):
        return "<timestamp>"
    if key in WORDS:
        return value
    if isinstance(value, bool):
        return "<bool>"
    if isinstance(value, int | float):
        return "<number>"
    if isinstance(value, str):
        if value.startswith("arn:"):
            return _arn(value, ids)
        if value.startswith("s3://"):
            return _with_ids(value, ids)
        return "<str>"
    return f"<{type(value).__name__}>"


def _arn(value: str, ids: frozenset[str]) -> str:
    match = _ARN.match(value)
    if match is None:
        return "<malformed arn>"
    region = "<region>" if match["region"] else ""
    account = "<account>" if match["account"] else ""
    resource = _ACCOUNT.sub("<account>", _with_ids(match["resource"], ids))
    return f"arn:{match['partition']}:{match['service']}:{region}:{account}:{resource}"


def _with_ids(text: str, ids: frozenset[str]) -> str:
    for generated in ids:
        text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(generated)}(?![A-Za-z0-9])", "<id>", text)
    return text


def differences(recorded: Any, fake: Any, *, subset: bool = False, path: str = "$") -> list[str]:
    """Where the fake's shape differs from the recorded one, one line per difference.

    Each element of a list the fake sent must have the shape of an element the
    recording shows, and each element shape the recording shows must be among the
    fake's.

    ``subset``: the recording is an excerpt that shows only some members, so a member
    the fake sends that the recording does not show is not a difference (a member the
    recording shows and the fake lacks still is), nor is an element shape of a list the
    recording shows and the fake did not send.
    """
    if isinstance(recorded, dict) and isinstance(fake, dict):
        found: list[str] = []
        for name in recorded:
            if name not in fake:
                found.append(f"{path}.{name}: missing; recorded {recorded[name]!r}")
            else:
                found += differences(
                    recorded[name], fake[name], subset=subset, path=f"{path}.{name}"
                )
        if not subset:
            found += [
                f"{path}.{name}: not in the recording; the fake sent {fake[name]!r}"
                for name in fake
                if name not in recorded
            ]
        return found
    if isinstance(recorded, list) and isinstance(fake, list):
        if not recorded or not fake:
            return (
                []
                if recorded == fake
                else [f"{path}: recorded {recorded!r}, the fake sent {fake!r}"]
            )
        found = []
        matched: set[int] = set()
        for index, item in enumerate(fake):
            matches = [
                differences(option, item, subset=subset, path=f"{path}[{index}]")
                for option in recorded
            ]
            matched |= {number for number, found_here in enumerate(matches) if not found_here}
            if all(matches):
                closest: list[str] = min(matches, key=len)
                found += closest
        if not subset and not found:
            found += [
                f"{path}: recorded an element {option!r}; the fake sent none like it"
                for number, option in enumerate(recorded)
                if number not in matched
            ]
        return found
    if recorded != fake:
        return [f"{path}: recorded {recorded!r}, the fake sent {fake!r}"]
    return []
