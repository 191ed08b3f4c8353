"""Replaying a recorded case against the fake: the same request, through real boto3.

A case (``cases/<id>.json``) holds what a public source recorded and the request that
produced it:

- ``kind``: the job kind, one of :data:`KINDS`;
- ``source``: where the recording is (``repo`` + ``path`` + ``commit``, or ``url``), its
  ``evidence`` (``recorded``: the service's own answer, printed in a notebook or quoted
  from a run; ``documented``: a sample on an AWS documentation page) and what it
  ``shows`` (the cell, the printed call);
- ``setup``: the region; the input objects to put in moto's S3 (``inputs``: URI to a
  list of lines, text as is and anything else as JSON, or to ``{"count": n, "line":
  {...}}`` for n copies); optionally ``lifecycle`` (keyword arguments of the kind's
  ``lifecycle()``) and ``failing_records`` (every record's answer raises, as a model
  refusing its body does);
- ``request``: the create call (``call``: the boto3 method, ``params``) and a ``note``
  saying which parameters the source shows and which are stand-ins;
- ``reach``: the status to move the clock to (``null``: the job's end; ``"now"``: do
  not move it), and ``observe``: what to look at then (``create``: the create call's
  answer; ``statuses``: the distinct statuses a client polling every minute sees;
  ``call``: a boto3 call, ``{arn}`` / ``{name}`` / ``{id}`` in its parameters filled
  in; ``output``: the lines of an S3 object; ``listing``: the object URIs under a prefix;
  ``event``: the EventBridge event of the job entering that status);
- ``recorded``: the excerpt itself; ``match``: ``exact``, or ``subset`` when the excerpt
  shows only some members; ``recorded_ids``: generated ids in the excerpt that no ARN
  beside them names (an S3 key holding a job id);
- ``gaps``: differences the fake is known to have, by path, each with what AWS does;
  ``needs_members``: ``[service, shape, member]`` of botocore's model the case needs
  (skipped on a botocore whose model lacks one, as the rest of the suite does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from shape import generated_ids

from pytest_batchjobs import BatchJobsFake

CASES = Path(__file__).parent / "cases"


@dataclass(frozen=True)
class Observation:
    """What the fake answered, and the ids it generated for the replayed job (an S3
    key holding one has no ARN beside it to find it by)."""

    value: Any
    ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Kind:
    """How to reach one job kind through boto3."""

    service: str
    control: str  # its attribute on the fake
    arn_member: str  # the create answer's member holding the new job's ARN
    describe: str  # the boto3 method reading one job
    describe_param: str  # its parameter: the ARN, or (SageMaker) the name
    status_path: tuple[str, ...]  # where the status is in its answer


KINDS = {
    "bedrock": Kind(
        "bedrock", "bedrock", "jobArn", "get_model_invocation_job", "jobIdentifier", ("status",)
    ),
    "personalize": Kind(
        "personalize",
        "personalize",
        "batchInferenceJobArn",
        "describe_batch_inference_job",
        "batchInferenceJobArn",
        ("batchInferenceJob", "status"),
    ),
    "personalize_segments": Kind(
        "personalize",
        "personalize_segments",
        "batchSegmentJobArn",
        "describe_batch_segment_job",
        "batchSegmentJobArn",
        ("batchSegmentJob", "status"),
    ),
    "sagemaker": Kind(
        "sagemaker",
        "sagemaker",
        "TransformJobArn",
        "describe_transform_job",
        "TransformJobName",
        ("TransformJobStatus",),
    ),
    "bedrock_async": Kind(
        "bedrock-runtime",
        "bedrock_async",
        "invocationArn",
        "get_async_invoke",
        "invocationArn",
        ("status",),
    ),
}

POLL_SECONDS = 60  # what real pollers wait between describes
ENDS = frozenset(
    {"ACTIVE", "CREATE FAILED", "Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}
)


def load_cases() -> list[dict[str, Any]]:
    """Every case file, with its file name as ``id``."""
    cases = []
    for path in sorted(CASES.glob("*.json")):
        case = json.loads(path.read_text())
        case["id"] = path.stem
        cases.append(case)
    return cases


def _bucket_and_key(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def _s3_uris(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {uri for item in value.values() for uri in _s3_uris(item)}
    if isinstance(value, list):
        return {uri for item in value for uri in _s3_uris(item)}
    return {value} if isinstance(value, str) and value.startswith("s3://") else set()


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    if isinstance(value, str):
        for name, replacement in names.items():
            value = value.replace("{" + name + "}", replacement)
    return value


def _lines(spec: Any) -> list[Any]:
    if isinstance(spec, dict):
        return [spec["line"]] * int(spec["count"])
    return list(spec)


def _without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def _s3_with_inputs(case: dict[str, Any], region: str) -> Any:
    """moto's S3 with every bucket the case names, and its input objects in them."""
    s3 = boto3.client("s3", region_name=region)
    setup = case.get("setup", {})
    location = {} if region == "us-east-1" else {"LocationConstraint": region}
    for bucket in sorted({_bucket_and_key(uri)[0] for uri in _s3_uris([case["request"], setup])}):
        s3.create_bucket(
            Bucket=bucket, **({"CreateBucketConfiguration": location} if location else {})
        )
    for uri, spec in setup.get("inputs", {}).items():
        bucket, key = _bucket_and_key(uri)
        lines = (line if isinstance(line, str) else json.dumps(line) for line in _lines(spec))
        s3.put_object(Bucket=bucket, Key=key, Body="\n".join(lines).encode())
    return s3


def replay(case: dict[str, Any], fake: BatchJobsFake) -> Observation:
    """Drive the fake as the recording's client did; returns what it observed.

    Must run inside moto's ``mock_aws`` (the inputs and outputs live in its S3).
    """
    kind = KINDS[case["kind"]]
    setup = case.get("setup", {})
    region = setup.get("region", "us-east-1")
    s3 = _s3_with_inputs(case, region)
    control = getattr(fake, kind.control)
    if "lifecycle" in setup:
        control.lifecycle(**setup["lifecycle"])
    if setup.get("failing_records"):
        control.responder(_refuse)
    client = boto3.client(kind.service, region_name=region)
    request = case["request"]
    created = getattr(client, request["call"])(**request["params"])
    observe = case["observe"]
    if observe == "create":
        return Observation(_without_metadata(created))
    arn = created[kind.arn_member]
    ids = frozenset(generated_ids(arn))
    name = str(request["params"].get("TransformJobName", request["params"].get("jobName", "")))
    describe_with = name if kind.describe_param == "TransformJobName" else arn
    if observe == "statuses":
        return Observation(_statuses(client, kind, describe_with, fake))
    if case.get("reach") != "now":
        fake.advance_until(arn, status=case.get("reach"))
    names = {"arn": arn, "name": name, "id": arn.rsplit("/", 1)[1]}
    if "call" in observe:
        answer = getattr(client, observe["call"])(**_fill(observe.get("params", {}), names))
        return Observation(_without_metadata(answer), ids)
    if "output" in observe:
        bucket, key = _bucket_and_key(_fill(observe["output"], names))
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        return Observation([json.loads(line) for line in body.splitlines()], ids)
    if "event" in observe:
        return Observation(_event(fake, arn, observe["event"]), ids)
    bucket, prefix = _bucket_and_key(_fill(observe["listing"], names))
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return Observation(sorted(f"s3://{bucket}/{item['Key']}" for item in listed), ids)


def _event(fake: BatchJobsFake, arn: str, status: str) -> dict[str, Any]:
    """The EventBridge event the fake emitted as the job entered ``status``."""
    for event in fake.events:
        detail = event["detail"]
        if arn in event["resources"] and status in (
            detail.get("status"),
            detail.get("TransformJobStatus"),
        ):
            return event
    raise AssertionError(f"the fake emitted no event for {arn} entering {status}: {fake.events}")


def _refuse(record: dict[str, Any]) -> Any:
    """A responder for which every record is an error record."""
    raise ValueError("The model could not process this input.")


def _statuses(client: Any, kind: Kind, describe_with: str, fake: BatchJobsFake) -> list[str]:
    """The distinct statuses a client sees polling every minute until the job ends."""
    seen: list[str] = []
    for _ in range(24 * 60):
        answer = getattr(client, kind.describe)(**{kind.describe_param: describe_with})
        for step in kind.status_path:
            answer = answer[step]
        if not seen or seen[-1] != answer:
            seen.append(str(answer))
        if answer in ENDS:
            return seen
        fake.clock.advance(seconds=POLL_SECONDS)
    return seen
