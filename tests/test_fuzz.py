"""Fuzzed bad input (issue 9, part 1): requests generated from botocore's input shapes,
valid and broken, through a real boto3 client with its validation off and as raw HTTP,
and raw malformed requests through the HTTP path.

Every request gets a success or one of its operation's modeled errors (or the protocol's
SerializationException) with the right HTTP status and an AWS-style message; never a
Python exception, never a 500, never an accepted invalid job; a rejected request leaves
the store as it was.

Profiles: ``ci`` (the default: a fixed seed, a few examples per operation, the file runs
well under a minute) and ``deep`` (many more, random): ``BATCHJOBS_FUZZ_PROFILE=deep``.
They apply to this file's tests only.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, Phase, assume, event, given, note, settings
from hypothesis import strategies as st
from jobs import bedrock_params, personalize_params, wall_seconds
from seam import handle
from strategies import (
    FAKED,
    HOSTS,
    JSON_11,
    PATH_TEXT,
    TEXT,
    Case,
    cases,
    expectation,
    fragments,
    raw_request,
)

from pytest_batchjobs import BatchJobsFake, UnfakedOperationError
from pytest_batchjobs.wire.constraints import violations
from pytest_batchjobs.wire.messages import WireRequest, WireResponse
from pytest_batchjobs.wire.models import boto3_name, service_model

_QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
# ci does not shrink: a failure is reported at once, its request in the notes; the deep
# profile shrinks (and keeps failures in .hypothesis/ to replay them first).
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=30,
    deadline=None,
    suppress_health_check=_QUIET,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile("deep", max_examples=1500, deadline=None, suppress_health_check=_QUIET)
PROFILE = os.environ.get("BATCHJOBS_FUZZ_PROFILE", "ci")
FUZZ = settings.get_profile(PROFILE)
FEW = settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 2))

OPERATIONS = [(service, op) for service, ops in FAKED.items() for op in ops]
OPERATION_IDS = [f"{service}-{op}" for service, op in OPERATIONS]
EXISTING = "fuzz-existing"
PERSONALIZE_EXISTING = f"arn:aws:personalize:us-east-1:123456789012:batch-inference-job/{EXISTING}"
PERSONALIZE_JOB = {
    **personalize_params(EXISTING),
    "tags": [{"tagKey": "team", "tagValue": "fuzz"}],
}
BEDROCK_JOB = {**bedrock_params(EXISTING), "tags": [{"key": "team", "value": "fuzz"}]}
# The member naming the job a request is about, per operation.
AIMED = {
    ("personalize", "CreateBatchInferenceJob"): "jobName",
    ("personalize", "DescribeBatchInferenceJob"): "batchInferenceJobArn",
    ("personalize", "TagResource"): "resourceArn",
    ("personalize", "UntagResource"): "resourceArn",
    ("personalize", "ListTagsForResource"): "resourceArn",
    ("bedrock", "GetModelInvocationJob"): "jobIdentifier",
    ("bedrock", "StopModelInvocationJob"): "jobIdentifier",
    ("bedrock", "TagResource"): "resourceARN",
    ("bedrock", "UntagResource"): "resourceARN",
    ("bedrock", "ListTagsForResource"): "resourceARN",
}
VALIDATION = {"personalize": "InvalidInputException", "bedrock": "ValidationException"}
TOKEN_ERROR = {"personalize": "InvalidNextTokenException", "bedrock": "ValidationException"}
SE, UOE = "SerializationException", "UnknownOperationException"
RNF = "ResourceNotFoundException"
CORAL = re.compile(
    r"\d+ validation errors? detected: Value (.* )?at '.*' failed to satisfy constraint: "
    r"Member must .+",
    re.DOTALL,
)


# -- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the client saw: the status, the error code (``None``: success), the message."""

    status: int
    code: str | None
    message: str
    document: Any = None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(raw: bytes) -> Any:
    """``raw`` as JSON, as strict parsers read it (no NaN, no Infinity, UTF-8 only)."""
    return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)


def read(service: str, response: WireResponse) -> Outcome:
    """The outcome of a raw response, checking it is shaped as the protocol says."""
    protocol = service_model(service).protocol
    content_type = JSON_11 if protocol == "json" else "application/json"
    assert response.headers.get("Content-Type") == content_type, response.headers
    assert response.headers.get("x-amzn-RequestId")
    document = strict_json(response.body) if response.body else None
    if response.status < 300:
        assert "x-amzn-ErrorType" not in response.headers
        return Outcome(response.status, None, "", document)
    assert isinstance(document, dict), response.body
    if protocol == "json":
        assert set(document) == {"__type", "message"}, document
        namespace, _, code = document["__type"].partition("#")
        assert namespace == "com.amazonaws.personalize", document
    else:
        assert set(document) <= {"message", "resourceName"}, document
        code = response.headers["x-amzn-ErrorType"]
    return Outcome(response.status, code, document["message"], document)


def send(fake: BatchJobsFake, service: str, request: WireRequest) -> Outcome:
    return read(service, handle(fake, request))


def call_boto3(client: Any, operation: str, params: dict[str, Any]) -> Outcome | Exception:
    """Call through boto3; an exception raised before or after the fake answered is
    returned (the caller tells which by the journal)."""
    try:
        response = getattr(client, boto3_name(operation))(**params)
    except ClientError as error:
        return Outcome(
            error.response["ResponseMetadata"]["HTTPStatusCode"],
            error.response["Error"]["Code"],
            error.response["Error"]["Message"],
        )
    except Exception as error:  # the client's own refusal, or a bug: the caller tells
        return error
    return Outcome(response["ResponseMetadata"]["HTTPStatusCode"], None, "", response)


def expected_status(service: str, code: str) -> int:
    """The status AWS sends ``code`` with: the model's, else the protocol's."""
    model = service_model(service)
    if model.protocol == "json":
        return 400
    if code == UOE:
        return 404
    for shape in model.error_shapes:
        if shape.name == code:
            return int(shape.metadata["error"]["httpStatusCode"])
    return 400


def modeled(service: str, operation: str) -> set[str]:
    """The error codes ``operation`` may answer with: its modeled errors and the
    protocol's SerializationException."""
    shapes = service_model(service).operation_model(operation).error_shapes
    return {shape.name for shape in shapes} | {SE}


def assert_aws_error(service: str, operation: str, outcome: Outcome, extra: set[str]) -> None:
    assert outcome.code in modeled(service, operation) | extra, outcome
    assert outcome.status == expected_status(service, outcome.code), outcome
    assert isinstance(outcome.message, str), outcome
    assert outcome.message.strip(), outcome
    assert "Traceback" not in outcome.message, outcome
    assert "pytest-batchjobs failed" not in outcome.message, outcome


# -- the store ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Existing:
    """The jobs stored before each example, for requests to aim at."""

    personalize_arn: str
    bedrock_arn: str

    @property
    def bedrock_id(self) -> str:
        return self.bedrock_arn.rsplit("/", 1)[1]


def seed(fake: BatchJobsFake) -> Existing:
    personalize = send(
        fake, "personalize", raw_request("personalize", "CreateBatchInferenceJob", PERSONALIZE_JOB)
    )
    bedrock = send(fake, "bedrock", raw_request("bedrock", "CreateModelInvocationJob", BEDROCK_JOB))
    assert personalize.code is None, personalize
    assert bedrock.code is None, bedrock
    assert personalize.document["batchInferenceJobArn"] == PERSONALIZE_EXISTING
    return Existing(PERSONALIZE_EXISTING, bedrock.document["jobArn"])


def snapshot(fake: BatchJobsFake) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Every stored job: its id, tags and status now."""
    now = fake.clock.now()
    return sorted(
        (job.ident, tuple(sorted(job.tags.items())), job.timeline.status(now))
        for job in fake.jobs()
    )


def aimed(service: str, operation: str, case: Case, existing: Existing) -> dict[str, Any]:
    """``case``'s params, aimed at the stored job when the case says so (unless the
    aiming member is the one the case broke)."""
    member = AIMED.get((service, operation))
    params = dict(case.params)
    if member is None or case.target is None:
        return params
    if case.kind != "valid" and case.where.split(".", 1)[0] == member:
        return params
    if member == "jobName":
        params[member] = EXISTING
    elif service == "personalize":
        params[member] = existing.personalize_arn
    elif member == "jobIdentifier" and case.target == "id":
        params[member] = existing.bedrock_id
    else:
        params[member] = existing.bedrock_arn
    return params


def semantic(
    service: str, operation: str, params: dict[str, Any], existing: Existing
) -> str | None:
    """The answer a valid request must get: ``None`` (success) or an error code."""
    member = AIMED.get((service, operation))
    if operation.startswith("List") and operation != "ListTagsForResource":
        return TOKEN_ERROR[service] if "nextToken" in params else None
    if member is None:  # Bedrock's CreateModelInvocationJob
        return None
    value = params[member]
    if member == "jobName":
        return "ResourceAlreadyExistsException" if value == EXISTING else None
    known = (
        {existing.personalize_arn}
        if service == "personalize"
        else {existing.bedrock_arn, existing.bedrock_id}
    )
    if member == "resourceARN":
        known = {existing.bedrock_arn}
    return None if value in known else "ResourceNotFoundException"


def _empty_label(service: str, operation: str, params: dict[str, Any]) -> bool:
    """A path label with no value: the request's path names no operation at all."""
    shape = service_model(service).operation_model(operation).input_shape
    return any(
        member.serialization.get("location") == "uri" and params.get(name) in (None, "")
        for name, member in shape.members.items()
    )


def judge(
    fake: BatchJobsFake,
    service: str,
    operation: str,
    case: Case,
    params: dict[str, Any],
    outcome: Outcome,
    before: list[Any],
    existing: Existing,
    raw: bool,
) -> None:
    """The properties every answer has, and those of valid and invalid requests."""
    assert not fake.internal_errors, fake.internal_errors
    expected = expectation(service_model(service).operation_model(operation), case, params, raw=raw)
    note(f"expected: {expected}; outcome: {outcome}")
    event(f"{case.kind}/{expected} -> {outcome.code or 'success'}")
    extra = {UOE} if _empty_label(service, operation, params) else set()
    if outcome.code is not None:
        assert_aws_error(service, operation, outcome, extra)
        assert snapshot(fake) == before, "a rejected request changed the store"
    else:
        assert outcome.status == 200, outcome
    if expected == "serialization":
        assert outcome.code in {SE} | extra, f"accepted or misjudged a wrong type: {outcome}"
    elif expected == "invalid":
        assert outcome.code in {VALIDATION[service], SE} | extra, (
            f"an invalid request was not rejected as invalid: {outcome}"
        )
        if outcome.code == VALIDATION[service]:
            assert CORAL.fullmatch(outcome.message), outcome.message
    elif expected == "valid":
        wanted = semantic(service, operation, params, existing)
        assert outcome.code == wanted, f"valid request: wanted {wanted}, got {outcome}"
        if wanted is None:
            _check_effect(fake, service, operation, params, outcome, before)


def _check_effect(
    fake: BatchJobsFake,
    service: str,
    operation: str,
    params: dict[str, Any],
    outcome: Outcome,
    before: list[Any],
) -> None:
    """A successful call did what it says."""
    after = snapshot(fake)
    if operation.startswith("Create"):
        assert len(after) == len(before) + 1
        document = outcome.document or {}
        arn = document.get("jobArn") or document.get("batchInferenceJobArn")
        assert arn in {row[0] for row in after}
        if service == "personalize":
            assert arn.endswith(":batch-inference-job/" + params["jobName"])
            shown = send(
                fake,
                service,
                raw_request(service, "DescribeBatchInferenceJob", {"batchInferenceJobArn": arn}),
            )
        else:
            shown = send(
                fake, service, raw_request(service, "GetModelInvocationJob", {"jobIdentifier": arn})
            )
        assert shown.code is None, shown
        assert not fake.internal_errors, fake.internal_errors
    elif operation in ("TagResource", "UntagResource"):
        job = next(job for job in fake.jobs() if job.ident in _values(params))
        key, value = ("tagKey", "tagValue") if service == "personalize" else ("key", "value")
        if operation == "TagResource":
            assert {t[key]: t[value] for t in params["tags"]}.items() <= job.tags.items()
        else:
            assert not set(params["tagKeys"]) & set(job.tags)
    elif operation == "StopModelInvocationJob":
        statuses = {row[2] for row in after} - {row[2] for row in before}
        assert statuses <= {"Stopping"}
    else:
        assert after == before


def _values(params: dict[str, Any]) -> set[Any]:
    return {value for value in params.values() if isinstance(value, str)}


def fresh_fake() -> BatchJobsFake:
    return BatchJobsFake(validate_outputs=True, seed=0)


# -- requests generated from the input shapes --------------------------------------------------


@pytest.fixture(scope="module")
def clients() -> dict[str, Any]:
    """boto3 clients with client-side validation off, no retries; made while a fake is
    active, so that they pick up its dummy credentials and never look for real ones."""
    config = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    with fresh_fake():
        return {
            service: boto3.client(service, region_name="us-east-1", config=config)
            for service in FAKED
        }


@pytest.mark.parametrize(("service", "operation"), OPERATIONS, ids=OPERATION_IDS)
@FUZZ
@given(data=st.data())
def test_generated_requests_through_boto3(
    clients: dict[str, Any], service: str, operation: str, data: st.DataObject
) -> None:
    case = data.draw(cases(service, operation), label="case")
    with fresh_fake() as fake:
        existing = seed(fake)
        params = aimed(service, operation, case, existing)
        before, calls = snapshot(fake), len(fake.calls)
        outcome = call_boto3(clients[service], operation, params)
        if isinstance(outcome, Exception):
            # Refused by boto3's own serializer (a wrong type it cannot write): fine, as
            # long as nothing reached the fake.
            assert len(fake.calls) == calls, f"raised after the fake answered: {outcome!r}"
            assert snapshot(fake) == before
            event(f"{case.kind} -> refused by boto3: {type(outcome).__name__}")
            return
        assert len(fake.calls) == calls + 1
        assert fake.calls[-1].error == outcome.code
        judge(fake, service, operation, case, params, outcome, before, existing, raw=False)


@pytest.mark.parametrize(("service", "operation"), OPERATIONS, ids=OPERATION_IDS)
@FUZZ
@given(data=st.data())
def test_generated_requests_as_raw_http(service: str, operation: str, data: st.DataObject) -> None:
    case = data.draw(cases(service, operation), label="case")
    with fresh_fake() as fake:
        existing = seed(fake)
        params = aimed(service, operation, case, existing)
        before, calls = snapshot(fake), len(fake.calls)
        outcome = send(fake, service, raw_request(service, operation, params))
        assert len(fake.calls) == calls + 1
        assert (fake.calls[-1].error, fake.calls[-1].status) == (outcome.code, outcome.status)
        judge(fake, service, operation, case, params, outcome, before, existing, raw=True)


@pytest.mark.parametrize("service", list(FAKED))
@FEW
@given(data=st.data())
def test_valid_creates_are_accepted_and_a_repeated_personalize_name_is_not(
    clients: dict[str, Any], service: str, data: st.DataObject
) -> None:
    operation = FAKED[service][0]
    shape = service_model(service).operation_model(operation).input_shape
    valid_cases = cases(service, operation).filter(lambda case: case.kind == "valid")
    params = data.draw(valid_cases, label="case").params
    assert violations(shape, params) == []
    with fresh_fake() as fake:
        first = call_boto3(clients[service], operation, params)
        assert isinstance(first, Outcome), first
        assert first.code is None, first
        again = call_boto3(clients[service], operation, params)
        assert isinstance(again, Outcome), again
        if service == "personalize":
            assert again.code == "ResourceAlreadyExistsException", again
            assert again.status == 400
            assert len(list(fake.jobs())) == 1
        elif "clientRequestToken" in params:  # the same token and request: the same job
            assert again.code is None, again
            assert again.document["jobArn"] == first.document["jobArn"]
            assert len(list(fake.jobs())) == 1
        else:  # Bedrock names need not be unique, and boto3 sends a new token each time
            assert again.code is None, again
            assert again.document["jobArn"] != first.document["jobArn"]
            assert len(list(fake.jobs())) == 2
        assert not fake.internal_errors


# -- raw malformed requests ----------------------------------------------------------------------

# Where each operation is sent raw: method, path (a dummy label), whether it reads a body.
ROUTES = {("personalize", op): ("POST", "/", True) for op in FAKED["personalize"]} | {
    ("bedrock", "CreateModelInvocationJob"): ("POST", "/model-invocation-job", True),
    ("bedrock", "GetModelInvocationJob"): ("GET", "/model-invocation-job/abcdefghijkl", False),
    ("bedrock", "ListModelInvocationJobs"): ("GET", "/model-invocation-jobs", False),
    ("bedrock", "StopModelInvocationJob"): (
        "POST",
        "/model-invocation-job/abcdefghijkl/stop",
        False,
    ),
    ("bedrock", "TagResource"): ("POST", "/tagResource", True),
    ("bedrock", "UntagResource"): ("POST", "/untagResource", True),
    ("bedrock", "ListTagsForResource"): ("POST", "/listTagsForResource", True),
}


def raw(
    service: str, operation: str, body: bytes, content_type: str | None = "default"
) -> WireRequest:
    method, path, _ = ROUTES[(service, operation)]
    headers: dict[str, str] = {}
    if service == "personalize":
        headers["X-Amz-Target"] = f"AmazonPersonalize.{operation}"
    if content_type == "default":
        content_type = JSON_11 if service == "personalize" else "application/json"
    if content_type is not None:
        headers["Content-Type"] = content_type
    return WireRequest.build(method, HOSTS[service] + path, headers, body)


def strict_object(body: bytes) -> dict[str, Any] | None:
    """``body`` as a JSON object by the JSON spec, else ``None``."""
    try:
        value = strict_json(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def assert_robust(
    fake: BatchJobsFake, service: str, operation: str, outcome: Outcome, before: list[Any]
) -> None:
    """No internal error; a success or a modeled error; a rejection changed nothing."""
    assert not fake.internal_errors, fake.internal_errors
    if outcome.code is None:
        assert outcome.status == 200
    else:
        assert_aws_error(service, operation, outcome, set())
        assert snapshot(fake) == before


def _body_outcome(service: str, operation: str, body: bytes, content_type: str | None) -> None:
    """Send ``body`` to ``operation``: one that is not a JSON object is a
    SerializationException wherever the operation reads its body."""
    with fresh_fake() as fake:
        seed(fake)
        before = snapshot(fake)
        outcome = send(fake, service, raw(service, operation, body, content_type))
        assert_robust(fake, service, operation, outcome, before)
        reads_body = ROUTES[(service, operation)][2]
        if reads_body and body.strip() and strict_object(body) is None:
            assert outcome.code == SE, outcome
            assert outcome.status == 400


OPERATION_PAIRS = st.sampled_from(OPERATIONS)


@FUZZ
@given(pair=OPERATION_PAIRS, body=st.binary(max_size=600))
def test_random_bytes_bodies(pair: tuple[str, str], body: bytes) -> None:
    _body_outcome(*pair, body, "default")


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


@FUZZ
@given(
    pair=OPERATION_PAIRS,
    text=st.one_of(
        st.text(TEXT, max_size=60),
        st.sampled_from(['{"jobName": ', "{'a': 1}", '{"a":1,}', "{a:1}", '{"a":1}}', "\x00{}"]),
    ).filter(_not_json),
)
def test_invalid_json_bodies(pair: tuple[str, str], text: str) -> None:
    _body_outcome(*pair, text.encode("utf-8"), "default")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(TEXT),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(pair=OPERATION_PAIRS, value=JSON_VALUES.filter(lambda value: not isinstance(value, dict)))
def test_json_of_the_wrong_top_level_type(pair: tuple[str, str], value: Any) -> None:
    _body_outcome(*pair, json.dumps(value).encode(), "default")


@FUZZ
@given(
    pair=OPERATION_PAIRS,
    encoding=st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1"]),
    junk=st.sampled_from(
        [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe9", b"\x80abc", b"\xf8\x88\x80\x80\x80"]
    ),
)
def test_non_utf8_bodies(pair: tuple[str, str], encoding: str, junk: bytes) -> None:
    service, operation = pair
    body = json.dumps({"jobName": "caf\u00e9-batch", "resourceArn": "x"}, ensure_ascii=False)
    if encoding == "latin-1":  # one invalid byte sequence inside an otherwise UTF-8 body
        data = body.encode("utf-8").replace("\u00e9".encode(), junk)
    else:
        data = body.encode(encoding)
    _body_outcome(service, operation, data, "default")


@FUZZ
@given(
    pair=OPERATION_PAIRS,
    content_type=st.one_of(
        st.none(),
        st.sampled_from(
            [
                "text/plain",
                "application/xml",
                "application/json",
                JSON_11,
                "application/x-amz-json-1.0",
                "multipart/form-data; boundary=x",
                "",
            ]
        ),
        st.text(TEXT, max_size=20),
    ),
    valid_body=st.booleans(),
)
def test_any_content_type(
    pair: tuple[str, str], content_type: str | None, valid_body: bool
) -> None:
    """The fake reads the body whatever the Content-Type says: never a crash, and a
    body that is no JSON object is still a SerializationException."""
    service, operation = pair
    body = b"{}" if valid_body else b"\x00not json"
    _body_outcome(service, operation, body, content_type)


@FUZZ
@given(
    target=st.one_of(
        st.text(TEXT, max_size=40),
        st.builds(lambda op: "AmazonPersonalize." + op, st.text(TEXT, max_size=30)),
        st.sampled_from(
            [
                "AmazonPersonalize",
                "AmazonPersonalize.",
                "amazonpersonalize.ListBatchInferenceJobs",
                "AmazonPersonalize.ListBatchInferenceJobs ",
                "AmazonBedrock.ListModelInvocationJobs",
                "AmazonPersonalize.listBatchInferenceJobs",
                ".ListBatchInferenceJobs",
            ]
        ),
    ),
    path=st.sampled_from(["/", "/model-invocation-jobs", "/x"]),
)
def test_unknown_x_amz_target(target: str, path: str) -> None:
    faked = {f"AmazonPersonalize.{op}" for op in FAKED["personalize"]}
    assume(target not in faked)
    headers = {"X-Amz-Target": target, "Content-Type": JSON_11}
    with fresh_fake() as fake:
        seed(fake)
        before = snapshot(fake)
        request = WireRequest.build("POST", HOSTS["personalize"] + path, headers, b"{}")
        name = target.partition(".")[2]
        if (
            target.startswith("AmazonPersonalize.")
            and name in service_model("personalize").operation_names
        ):
            with pytest.raises(UnfakedOperationError, match=f"personalize {name} is not faked"):
                handle(fake, request)
            return
        outcome = send(fake, "personalize", request)
        assert (outcome.status, outcome.code) == (400, UOE), outcome
        assert outcome.message.strip()
        assert snapshot(fake) == before
        assert not fake.internal_errors
        assert fake.calls[-1].error == UOE


METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
SEGMENTS = st.sampled_from(
    [
        "model-invocation-job",
        "model-invocation-jobs",
        "stop",
        "abcdefghijkl",
        "tagResource",
        "listTagsForResource",
        "",
        ".",
        "..",
        "foundation-models",
        "custom-models",
    ]
)


@FUZZ
@given(
    method=METHODS,
    parts=st.lists(SEGMENTS | fragments(PATH_TEXT), min_size=1, max_size=4),
    query=st.one_of(st.just(""), fragments(PATH_TEXT | st.sampled_from(["=", "&", "maxResults="]))),
)
def test_unknown_and_odd_paths(method: str, parts: list[str], query: str) -> None:
    path = "/" + "/".join(parts)
    url = HOSTS["bedrock"] + path + ("?" + query if query else "")
    with fresh_fake() as fake:
        seed(fake)
        before = snapshot(fake)
        request = WireRequest.build(method, url, {}, b"")
        unfaked: UnfakedOperationError | None = None
        try:
            response = handle(fake, request)
        except UnfakedOperationError as error:  # a real Bedrock operation the fake leaves
            unfaked = error
        if unfaked is not None:
            assert "is not faked by pytest-batchjobs" in str(unfaked)
            assert snapshot(fake) == before
            return
        outcome = read("bedrock", response)
        assert not fake.internal_errors, fake.internal_errors
        operation = fake.calls[-1].operation
        if operation:
            assert_robust(fake, "bedrock", operation, outcome, before)
        else:
            assert (outcome.status, outcome.code) == (404, UOE), outcome
            assert snapshot(fake) == before


LIST_QUERY_NAMES = st.sampled_from(
    [
        "maxResults",
        "nextToken",
        "statusEquals",
        "nameContains",
        "sortBy",
        "sortOrder",
        "submitTimeAfter",
        "submitTimeBefore",
        "maxresults",
        "",
        "x",
    ]
)


@FUZZ
@given(
    pairs=st.lists(
        st.tuples(
            LIST_QUERY_NAMES, fragments(PATH_TEXT | st.sampled_from(["2024-01-01T00:00:00Z"]))
        ),
        max_size=4,
    ),
    separator=st.sampled_from(["&", ";", "&&"]),
)
def test_odd_query_strings(pairs: list[tuple[str, str]], separator: str) -> None:
    query = separator.join(f"{name}={value}" for name, value in pairs)
    with fresh_fake() as fake:
        seed(fake)
        before = snapshot(fake)
        url = HOSTS["bedrock"] + "/model-invocation-jobs?" + query
        outcome = send(fake, "bedrock", WireRequest.build("GET", url, {}, b""))
        assert_robust(fake, "bedrock", "ListModelInvocationJobs", outcome, before)
        assert outcome.code in (None, "ValidationException", SE), outcome


@FUZZ
@given(
    operation=st.sampled_from(["GetModelInvocationJob", "StopModelInvocationJob"]),
    label=fragments(PATH_TEXT),
)
def test_odd_percent_encodings_in_path_labels(operation: str, label: str) -> None:
    """A label is percent-decoded once, then checked: a 404 for a well-formed id of no
    job, a 400 for a malformed one, a 404 UnknownOperationException for a path no
    operation has (an empty label, an unencoded slash)."""
    method, template, _ = ROUTES[("bedrock", operation)]
    path = template.replace("abcdefghijkl", label)
    with fresh_fake() as fake:
        existing = seed(fake)
        before = snapshot(fake)
        request = WireRequest.build(method, HOSTS["bedrock"] + path, {}, b"")
        outcome = send(fake, "bedrock", request)
        assert not fake.internal_errors, fake.internal_errors
        identifier = unquote(label)
        if outcome.code is None:
            assert identifier in (existing.bedrock_id, existing.bedrock_arn)
            return
        assert_aws_error("bedrock", operation, outcome, {UOE})
        assert snapshot(fake) == before
        if outcome.code != UOE and "/" not in label:  # (Get allows a trailing slash)
            assert fake.calls[-1].params == {"jobIdentifier": identifier}
            shape = service_model("bedrock").operation_model(operation).input_shape
            malformed = bool(violations(shape, {"jobIdentifier": identifier}))
            assert outcome.code == ("ValidationException" if malformed else RNF), outcome


FIVE_MB = 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("service", "operation", "body", "code"),
    [
        pytest.param(
            "personalize",
            "CreateBatchInferenceJob",
            random.Random(9).randbytes(FIVE_MB),
            SE,
            id="personalize-random-bytes",
        ),
        pytest.param(
            "bedrock",
            "CreateModelInvocationJob",
            random.Random(9).randbytes(FIVE_MB),
            SE,
            id="bedrock-random-bytes",
        ),
        pytest.param(
            "personalize",
            "CreateBatchInferenceJob",
            json.dumps({**PERSONALIZE_JOB, "jobName": "a" * FIVE_MB}).encode(),
            "InvalidInputException",
            id="personalize-long-name",
        ),
        pytest.param(
            "bedrock",
            "CreateModelInvocationJob",
            json.dumps({**BEDROCK_JOB, "jobName": "a" * FIVE_MB}).encode(),
            "ValidationException",
            id="bedrock-long-name",
        ),
        pytest.param(
            "personalize",
            "TagResource",
            json.dumps(
                {
                    "resourceArn": PERSONALIZE_EXISTING,
                    "tags": [{"tagKey": f"k{n}", "tagValue": "v" * 40} for n in range(90_000)],
                }
            ).encode(),
            "InvalidInputException",
            id="personalize-90k-tags",
        ),
        pytest.param(
            "bedrock",
            "UntagResource",
            json.dumps({"resourceARN": "x" * 30, "tagKeys": ["k" * 60] * 90_000}).encode(),
            "ValidationException",
            id="bedrock-90k-tag-keys",
        ),
        pytest.param(
            "personalize",
            "ListBatchInferenceJobs",
            b" " * FIVE_MB + b"{}" + b"\n" * 10,
            None,
            id="personalize-whitespace",
        ),
    ],
)
def test_huge_bodies(service: str, operation: str, body: bytes, code: str | None) -> None:
    assert len(body) >= FIVE_MB
    with fresh_fake() as fake:
        seed(fake)
        before = snapshot(fake)
        started = wall_seconds()
        outcome = send(fake, service, raw(service, operation, body))
        assert wall_seconds() - started < 10
        assert_robust(fake, service, operation, outcome, before)
        assert outcome.code == code, outcome
        assert snapshot(fake) == before


# -- regressions: bugs the fuzzing found (each test failed until the fake was fixed) -----------

DEEP = 100_000


@pytest.mark.parametrize(
    ("service", "operation", "body"),
    [
        pytest.param(
            "personalize", "ListBatchInferenceJobs", b"[" * DEEP + b"]" * DEEP, id="array"
        ),
        pytest.param(
            "personalize",
            "CreateBatchInferenceJob",
            b'{"a":' * DEEP + b"1" + b"}" * DEEP,
            id="object",
        ),
        pytest.param(
            "bedrock",
            "CreateModelInvocationJob",
            b'{"tags":' + b"[" * DEEP + b"]" * DEEP + b"}",
            id="bedrock-member",
        ),
    ],
)
def test_deeply_nested_json_is_a_serialization_error(
    service: str, operation: str, body: bytes
) -> None:
    """Found by fuzzing: json.loads raises RecursionError, which wire/parse.py::_json_body
    did not catch (only UnicodeDecodeError, ValueError): the call answered 500."""
    _body_outcome(service, operation, body, "default")


@pytest.mark.parametrize(
    "stamp",
    ["0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:30:00%2B01:00"],
)
@pytest.mark.parametrize("name", ["submitTimeAfter", "submitTimeBefore"])
def test_query_timestamps_beyond_datetime_range(name: str, stamp: str) -> None:
    """Found by fuzzing: wire/parse.py::_timestamp converted a parsed ISO 8601 value to UTC
    with astimezone(), which raises OverflowError past year 1 or 9999: a 500
    InternalFailure instead of a SerializationException."""
    with fresh_fake() as fake:
        url = f"{HOSTS['bedrock']}/model-invocation-jobs?{name}={stamp}"
        outcome = send(fake, "bedrock", WireRequest.build("GET", url, {}, b""))
        assert not fake.internal_errors, fake.internal_errors[-1].splitlines()[-1]
        assert outcome.status == 400
        assert outcome.code in (SE, "ValidationException"), outcome


def test_bedrock_job_name_pattern_is_checked_in_bounded_time() -> None:
    """ModelInvocationJobName's pattern ``[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}``
    backtracks exponentially (each dash can be ``-*`` or the class) when a value fails it:
    unbounded, a 24-character name took seconds and a 63-character one never ended. The
    check is cut short after a second of the thread's CPU time and the value rejected
    (CPU time, not wall time: a thread starved on a loaded machine is not backtracking,
    and a valid name must not be refused because the machine was busy)."""
    name = "a" + "-" * 61 + "_"
    with fresh_fake() as fake:
        started = time.thread_time()
        outcome = send(
            fake,
            "bedrock",
            raw_request("bedrock", "CreateModelInvocationJob", {**BEDROCK_JOB, "jobName": name}),
        )
        spent = time.thread_time() - started
    assert outcome.code == "ValidationException"
    assert spent < 3.0, f"a {len(name)}-character job name took {spent:.2f} s of CPU to reject"


def test_a_valid_name_is_accepted_however_starved_its_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A search that timed out having used little CPU was waiting for the GIL or the
    OS, not backtracking: it is tried again, and a valid name is never refused for it."""
    from pytest_batchjobs.wire import constraints

    real = constraints._compiled(r"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}")
    starved = [2]  # the first two searches time out as a starved thread's would

    class Starved:
        def fullmatch(self, value: str, timeout: float) -> Any:
            if starved[0]:
                starved[0] -= 1
                raise TimeoutError("regex timed out")
            return real.fullmatch(value, timeout=timeout)

    monkeypatch.setattr(constraints, "_compiled", lambda pattern: Starved())
    constraints._matches.cache_clear()
    try:
        assert constraints._matches("any-pattern", "sdk-1-4")
    finally:
        constraints._matches.cache_clear()
    assert starved == [0]


ARABIC_INDIC_DIGITS = "".join(chr(0x0660 + int(digit)) for digit in "123456789012")


@pytest.mark.parametrize(
    ("service", "params"),
    [
        pytest.param(
            "personalize",
            {
                **PERSONALIZE_JOB,
                "roleArn": f"arn:aws:iam::{ARABIC_INDIC_DIGITS}:role/x",
            },
            id="personalize-roleArn-arabic-digits-for-\\d",
        ),
        pytest.param(
            "personalize",
            {**PERSONALIZE_JOB, "jobInput": {"s3DataSource": {"path": "s3://recs-in/a\rb"}}},
            id="personalize-path-carriage-return-for-.",
        ),
        pytest.param(
            "personalize",
            {
                **PERSONALIZE_JOB,
                "jobOutput": {"s3DataDestination": {"path": "s3://recs-out/\u2028"}},
            },
            id="personalize-path-line-separator-for-.",
        ),
        pytest.param(
            "bedrock",
            {**BEDROCK_JOB, "tags": [{"key": "team\u00a0name", "value": "fuzz"}]},
            id="bedrock-tag-key-nbsp-for-\\s",
        ),
        pytest.param(
            "bedrock",
            {**BEDROCK_JOB, "tags": [{"key": "team", "value": "a\u2003b"}]},
            id="bedrock-tag-value-em-space-for-\\s",
        ),
    ],
)
def test_patterns_have_java_semantics(service: str, params: dict[str, Any]) -> None:
    """Found by fuzzing: wire/constraints.py::_compiled compiled the models' Java patterns
    with the ``regex`` module's Unicode semantics, so ``\\d`` accepted any Unicode digit,
    ``\\s`` any Unicode space and ``.`` matched \\r, \\u0085, \\u2028, \\u2029. Java
    makes ``\\d``/``\\s`` ASCII-only and ``.`` stop at every line terminator: AWS rejects
    these creates, and the fake stored a job."""
    operation = FAKED[service][0]
    with fresh_fake() as fake:
        outcome = send(fake, service, raw_request(service, operation, params))
        assert outcome.code == VALIDATION[service], f"accepted: {outcome}"
        assert list(fake.jobs()) == []


def test_nan_is_not_accepted_as_a_number() -> None:
    """Found by fuzzing: Python's json.loads (wire/parse.py::_json_body) reads the non-JSON
    tokens NaN and Infinity; NaN then passed the [0, 1] range check (every comparison with
    NaN is false), the job was stored, and DescribeBatchInferenceJob answered with a body
    that is not JSON (``"POPULARITY":NaN``). AWS's parsers refuse the token."""
    body = json.dumps(
        {**PERSONALIZE_JOB, "batchInferenceJobConfig": {"rankingInfluence": {"POPULARITY": 0.5}}}
    ).replace("0.5", "NaN")
    with fresh_fake() as fake:
        outcome = send(
            fake, "personalize", raw("personalize", "CreateBatchInferenceJob", body.encode())
        )
        assert outcome.code == SE, f"accepted: {outcome}"
        assert list(fake.jobs()) == []


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 2**63, 10**30])
def test_integers_beyond_32_bits_are_refused(value: int) -> None:
    """Found by fuzzing: ``numResults`` is a Smithy ``integer`` (32-bit) with no range in
    the model; the fake stored any Python int (wire/parse.py::_value), where AWS's
    deserializer refuses a value that does not fit: SerializationException."""
    with fresh_fake() as fake:
        outcome = send(
            fake,
            "personalize",
            raw_request(
                "personalize", "CreateBatchInferenceJob", {**PERSONALIZE_JOB, "numResults": value}
            ),
        )
        assert outcome.code in (SE, "InvalidInputException"), f"accepted: {outcome}"
        assert list(fake.jobs()) == []


CREDENTIAL = (
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/{region}/bedrock/aws4_request, "
    "SignedHeaders=host, Signature=x"
)


@pytest.mark.parametrize("region", ["EU WEST", "eu_west_1", "us-east-1:evil", "x" * 30])
def test_a_malformed_credential_scope_does_not_make_a_malformed_job(region: str) -> None:
    """Found by fuzzing: the request path took the region from the Authorization
    header's credential scope unchecked; Bedrock's job ARN was built with it and broke the
    output shape's pattern (500 InternalFailure with output validation on, after the job
    was stored; a malformed jobArn without). AWS answers such a signature with a 4xx."""
    with fresh_fake() as fake:
        request = raw_request("bedrock", "CreateModelInvocationJob", BEDROCK_JOB)
        signed = WireRequest.build(
            request.method,
            request.url,
            {**request.headers, "Authorization": CREDENTIAL.format(region=region)},
            request.body,
        )
        outcome = send(fake, "bedrock", signed)
        assert not fake.internal_errors, fake.internal_errors[-1].splitlines()[-1]
        assert outcome.status < 500, outcome
        if outcome.code is None:
            shape = (
                service_model("bedrock").operation_model("CreateModelInvocationJob").output_shape
            )
            assert violations(shape, outcome.document) == []
        else:
            assert list(fake.jobs()) == []


@FEW
@given(value=st.integers(-(2**31), 2**31 - 1))
def test_integers_within_32_bits_are_stored(value: int) -> None:
    """The other side of the 32-bit rule: any int32 numResults is kept as sent."""
    with fresh_fake() as fake:
        params = {**PERSONALIZE_JOB, "numResults": value}
        outcome = send(
            fake, "personalize", raw_request("personalize", "CreateBatchInferenceJob", params)
        )
        assert outcome.code is None, outcome
        arn = {"batchInferenceJobArn": PERSONALIZE_EXISTING}
        described = send(
            fake, "personalize", raw_request("personalize", "DescribeBatchInferenceJob", arn)
        )
        assert described.document["batchInferenceJob"]["numResults"] == value
