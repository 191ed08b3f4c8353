"""Members of the faked operations that older botocore models lack.

The fake follows the service model the installed botocore loads (the client's own: one
botocore per process). A member that model lacks is never sent: the client's parser
would drop it anyway, and a response holding it would break the model's output shape.
A factory override of such a member is refused, in the Python API and the control API
alike, with a message naming the botocore release that adds it: on that botocore the
client could never see (or send) it, so accepting it would do nothing the test can
observe.

:data:`ADDED` lists the members the fake uses that are newer than the oldest botocore
it supports (1.35.1, the first with Bedrock's model invocation jobs), with the release
that adds each: measured in botocore's history, the first tagged release whose model
has the member.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import service_model

if TYPE_CHECKING:
    from botocore.model import Shape


@dataclass(frozen=True)
class Added:
    """A member of a shape of a service's model, and the botocore release adding it."""

    service: str
    shape: str
    member: str
    release: str


def _added(
    service: str, shapes: Iterable[str], members: Iterable[str], release: str
) -> list[Added]:
    return [Added(service, shape, member, release) for shape in shapes for member in members]


_BEDROCK_JOB = ("GetModelInvocationJobResponse", "ModelInvocationJobSummary")
_COUNTS = ("totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount")

ADDED: tuple[Added, ...] = (
    # "Adds support for Bedrock Batch Inference Job Progress Monitoring"
    *_added("bedrock", _BEDROCK_JOB, _COUNTS, "1.42.81"),
    # "Adds support for using the Converse API with Bedrock Batch inference jobs"
    *_added(
        "bedrock",
        ("CreateModelInvocationJobRequest", *_BEDROCK_JOB),
        ("modelInvocationType",),
        "1.42.59",
    ),
    # "cross account s3 bucket and VPC support to ModelInvocation jobs"
    *_added(
        "bedrock",
        ("ModelInvocationJobS3InputDataConfig", "ModelInvocationJobS3OutputDataConfig"),
        ("s3BucketOwner",),
        "1.35.20",
    ),
    *_added(
        "bedrock", ("CreateModelInvocationJobRequest", *_BEDROCK_JOB), ("vpcConfig",), "1.35.20"
    ),
    # "rankingInfluence in campaign and batch inference APIs"
    *_added("personalize", ("BatchInferenceJobConfig",), ("rankingInfluence",), "1.41.6"),
)

_RELEASES = {(a.service, a.shape, a.member): a.release for a in ADDED}


@functools.cache
def has_member(service: str, shape: str, member: str) -> bool:
    """Whether the loaded ``service`` model's shape ``shape`` has the member ``member``."""
    shapes = service_model(service).shape_names
    if shape not in shapes:
        return False
    return member in service_model(service).shape_for(shape).members


def release_adding(service: str, shape: str, member: str) -> str | None:
    """The botocore release whose ``service`` model first has ``shape.member``, if the
    fake knows it (it is in :data:`ADDED`)."""
    return _RELEASES.get((service, shape, member))


def botocore_version() -> str:
    import botocore

    return str(botocore.__version__)


def lacking(service: str, shape: str, member: str) -> str:
    """Why the loaded model cannot hold ``shape.member`` (one of :data:`ADDED`), and the
    botocore release that adds it."""
    return (
        f"the {service} model of the installed botocore {botocore_version()} has no member "
        f"{member!r} in {shape}, so a client on that botocore never sends or sees it; "
        f"botocore {_RELEASES[service, shape, member]} adds it: upgrade botocore "
        f"(pip install 'botocore>={_RELEASES[service, shape, member]}'), or leave "
        f"{member} out"
    )


def lacked(service: str, member: str) -> Added | None:
    """The first shape in which a later botocore adds ``member`` to ``service``'s model
    and the loaded model lacks it, if any."""
    for added in ADDED:
        if (
            added.service == service
            and added.member == member
            and not has_member(service, added.shape, member)
        ):
            return added
    return None


@functools.cache
def answered_member(service: str, operations: tuple[str, ...], name: str) -> Shape | None:
    """The shape of the member ``name`` of what one of ``operations`` answers (a few
    levels down: Personalize wraps the job in a structure), in the loaded model."""
    model = service_model(service)
    for operation in operations:
        shapes = [model.operation_model(operation).output_shape]
        for _ in range(3):
            found = next((s.members[name] for s in shapes if s and name in s.members), None)
            if found is not None:
                return found
            shapes = [m for s in shapes for m in s.members.values() if m.type_name == "structure"]
    return None


def unknown_members(shape: Shape, value: Any, path: str = "") -> list[tuple[str, Shape, str]]:
    """The members of ``value`` (read by ``shape``, deeply) that ``shape`` has not:
    each as (the member's name, the structure's shape, its path). Values of the wrong
    type are not looked into (reading them by their shapes says what is wrong)."""
    found: list[tuple[str, Shape, str]] = []
    _walk(shape, value, path, found)
    return found


def _walk(shape: Shape, value: Any, path: str, found: list[tuple[str, Shape, str]]) -> None:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.members
        for name, item in value.items():
            where = f"{path}.{name}" if path else str(name)
            if name not in members:
                found.append((str(name), shape, where))
            elif item is not None:
                _walk(members[name], item, where, found)
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            _walk(shape.member, item, f"{path}[{index}]", found)
    elif kind == "map" and isinstance(value, Mapping):
        for key, item in value.items():
            _walk(shape.value, item, f"{path}.{key}", found)


def refuse_unknown(kind: str, service: str, shape: Shape, name: str, value: Any) -> None:
    """A ``ValueError`` if the override ``name`` (a member of ``shape``) of ``kind`` jobs
    holds a member the loaded model has not, deep inside: saying which botocore release
    adds it when it is a newer member, else listing the members its structure has."""
    found = unknown_members(shape, {name: value})
    if not found:
        return
    member, structure, path = found[0]
    if release_adding(service, structure.name, member) is not None:
        why = lacking(service, structure.name, member)
    else:
        why = (
            f"{structure.name} has no member {member!r} in the {service} model of the "
            f"installed botocore {botocore_version()}; its members: "
            f"{', '.join(structure.members)}"
        )
    raise ValueError(f"cannot set {path} on {kind} jobs: {why}")


def refuse_newer(kind: str, service: str, create: str, overrides: Mapping[str, Any]) -> None:
    """A ``ValueError`` for a factory override of ``kind`` jobs (created by the operation
    ``create``) that the loaded model has no member for, at the top or deep inside a
    member of the create request, naming the botocore release that adds it."""
    shape = service_model(service).operation_model(create).input_shape
    for name, value in overrides.items():
        if name in shape.members:
            refuse_unknown(kind, service, shape, name, value)
            continue
        # Even as None: on this botocore the field is no field at all.
        added = lacked(service, name)
        if added is not None:
            raise ValueError(
                f"cannot set {name} on {kind} jobs: {lacking(service, added.shape, name)}"
            )
