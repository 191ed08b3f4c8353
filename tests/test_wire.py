"""The model-driven wire layer, driven with raw HTTP requests through the core: bytes
botocore's own validation never lets through reach the fake as they would reach AWS."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from jobs import bedrock_params, personalize_params
from seam import handle

from pytest_batchjobs import BatchJobsFake, UnfakedOperationError
from pytest_batchjobs.wire.messages import WireRequest, WireResponse

PERSONALIZE_URL = "https://personalize.us-east-1.amazonaws.com/"
BEDROCK_URL = "https://bedrock.us-east-1.amazonaws.com"
JSON_11 = "application/x-amz-json-1.1"
START_EPOCH = 1704099600  # 2024-01-01T09:00:00Z, the fake clock's default start
PERSONALIZE_JOB = personalize_params()
BEDROCK_JOB = bedrock_params()
SIGV4_EU_WEST_1 = (
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/bedrock/aws4_request, "
    "SignedHeaders=host, Signature=x"
)


def send(
    fake: BatchJobsFake, method: str, url: str, headers: dict[str, str], body: bytes | str
) -> WireResponse:
    return handle(fake, WireRequest.build(method, url, headers, body))


def personalize(fake: BatchJobsFake, operation: str, body: bytes | str) -> WireResponse:
    headers = {"X-Amz-Target": f"AmazonPersonalize.{operation}", "Content-Type": JSON_11}
    return send(fake, "POST", PERSONALIZE_URL, headers, body)


def bedrock(
    fake: BatchJobsFake,
    method: str,
    path: str,
    body: bytes | str = b"",
    host: str = BEDROCK_URL,
    **headers: str,
) -> WireResponse:
    headers = {"Content-Type": "application/json", **headers} if body else headers
    return send(fake, method, host + path, headers, body)


def document(response: WireResponse) -> Any:
    return json.loads(response.body)


def journal(fake: BatchJobsFake) -> list[tuple[str, str, str | None, int]]:
    return [(call.service, call.operation, call.error, call.status) for call in fake.calls]


# -- JSON 1.1: Amazon Personalize ---------------------------------------------------------


def test_json11_create_then_describe_round_trip(batchjobs_fake: BatchJobsFake) -> None:
    created = personalize(batchjobs_fake, "CreateBatchInferenceJob", json.dumps(PERSONALIZE_JOB))
    arn = "arn:aws:personalize:us-east-1:123456789012:batch-inference-job/movies-batch"
    assert (created.status, created.headers["Content-Type"]) == (200, JSON_11)
    assert document(created) == {"batchInferenceJobArn": arn}
    described = personalize(
        batchjobs_fake, "DescribeBatchInferenceJob", json.dumps({"batchInferenceJobArn": arn})
    )
    assert described.status == 200
    job = document(described)["batchInferenceJob"]
    assert job["batchInferenceJobArn"] == arn
    assert job["status"] == "CREATE PENDING"
    assert job["jobInput"] == PERSONALIZE_JOB["jobInput"]
    for stamp in ("creationDateTime", "lastUpdatedDateTime"):  # epoch seconds, not strings
        assert type(job[stamp]) in (int, float)
        assert job[stamp] == START_EPOCH
    assert journal(batchjobs_fake) == [
        ("personalize", "CreateBatchInferenceJob", None, 200),
        ("personalize", "DescribeBatchInferenceJob", None, 200),
    ]
    assert {call.transport for call in batchjobs_fake.calls} == {"test"}
    assert batchjobs_fake.calls[1].params == {"batchInferenceJobArn": arn}


def _create(**changes: Any) -> bytes:
    return json.dumps({**PERSONALIZE_JOB, **changes}).encode()


SE, IIE = "SerializationException", "InvalidInputException"
VE, RNF, UOE = "ValidationException", "ResourceNotFoundException", "UnknownOperationException"
CREATE, LIST = "CreateBatchInferenceJob", "ListBatchInferenceJobs"
LATIN_1 = _create(jobName="caf\u00e9").replace(b"\\u00e9", b"\xe9")
UTF_16 = json.dumps(PERSONALIZE_JOB).encode("utf-16")  # JSON 1.1 is UTF-8 only


@pytest.mark.parametrize(
    ("operation", "body", "code"),
    [
        pytest.param("DeleteEverything", b"{}", UOE, id="unknown-target"),
        pytest.param(CREATE, _create()[:-7], SE, id="truncated"),
        pytest.param(CREATE, b"[" + _create() + b"]", SE, id="array"),
        pytest.param(CREATE, b'"a string"', SE, id="string"),
        pytest.param(LIST, b'{"maxResults": "5"}', SE, id="int-as-str"),
        pytest.param(LIST, b'{"maxResults": 2.5}', SE, id="fraction"),
        pytest.param(CREATE, _create(jobInput="s3://in/"), SE, id="struct-as-str"),
        pytest.param(CREATE, _create(numResults=True), SE, id="int-as-bool"),
        pytest.param(CREATE, LATIN_1, SE, id="latin-1"),
        pytest.param(CREATE, UTF_16, SE, id="utf-16"),
        pytest.param(CREATE, b"{}", IIE, id="missing-required"),
        pytest.param(CREATE, _create(jobName="bad name!"), IIE, id="bad-pattern"),
    ],
)
def test_json11_rejections_change_nothing(
    batchjobs_fake: BatchJobsFake, operation: str, body: bytes, code: str
) -> None:
    response = personalize(batchjobs_fake, operation, body)
    assert (response.status, response.headers["Content-Type"]) == (400, JSON_11)
    error = document(response)
    assert set(error) == {"__type", "message"}
    assert error["__type"] == f"com.amazonaws.personalize#{code}"
    assert error["message"].strip()
    listed = personalize(batchjobs_fake, "ListBatchInferenceJobs", b"{}")
    assert document(listed) == {"batchInferenceJobs": []}
    assert journal(batchjobs_fake) == [
        ("personalize", "" if code == UOE else operation, code, 400),  # "": no operation
        ("personalize", "ListBatchInferenceJobs", None, 200),
    ]


def test_json11_modeled_errors_have_the_aws_body(batchjobs_fake: BatchJobsFake) -> None:
    arn = "arn:aws:personalize:us-east-1:123456789012:batch-inference-job/nope"
    missing = personalize(
        batchjobs_fake, "DescribeBatchInferenceJob", json.dumps({"batchInferenceJobArn": arn})
    )
    assert missing.status == 400
    assert "x-amzn-ErrorType" not in missing.headers
    assert document(missing) == {
        "__type": "com.amazonaws.personalize#ResourceNotFoundException",
        "message": f"Could not find resource with arn {arn}.",
    }
    assert personalize(batchjobs_fake, "CreateBatchInferenceJob", _create()).status == 200
    again = personalize(batchjobs_fake, "CreateBatchInferenceJob", _create())
    assert again.status == 400
    assert document(again)["__type"].endswith("#ResourceAlreadyExistsException")
    assert journal(batchjobs_fake) == [
        ("personalize", "DescribeBatchInferenceJob", "ResourceNotFoundException", 400),
        ("personalize", "CreateBatchInferenceJob", None, 200),
        ("personalize", "CreateBatchInferenceJob", "ResourceAlreadyExistsException", 400),
    ]


# -- REST-JSON: Amazon Bedrock ----------------------------------------------------------


def create_bedrock(
    fake: BatchJobsFake, name: str = "nightly-batch", host: str = BEDROCK_URL, **headers: str
) -> str:
    body = json.dumps({**BEDROCK_JOB, "jobName": name})
    response = bedrock(fake, "POST", "/model-invocation-job", body, host, **headers)
    assert response.status == 200, response.body
    return str(document(response)["jobArn"])


def listed(fake: BatchJobsFake, query: str = "") -> list[str]:
    response = bedrock(fake, "GET", "/model-invocation-jobs" + query)
    assert response.status == 200, response.body
    return [job["jobName"] for job in document(response)["invocationJobSummaries"]]


def test_list_reads_the_query_string(batchjobs_fake: BatchJobsFake) -> None:
    create_bedrock(batchjobs_fake, "early")
    batchjobs_fake.clock.advance(minutes=10)
    create_bedrock(batchjobs_fake, "late")
    assert listed(batchjobs_fake) == ["late", "early"]
    assert listed(batchjobs_fake, "?statusEquals=InProgress&maxResults=5") == ["early"]
    assert listed(batchjobs_fake, "?submitTimeAfter=2024-01-01T09%3A05%3A00Z") == ["late"]
    assert listed(batchjobs_fake, "?submitTimeAfter=2024-01-01T09:05:00.000Z") == ["late"]
    page = document(bedrock(batchjobs_fake, "GET", "/model-invocation-jobs?maxResults=1"))
    assert [job["jobName"] for job in page["invocationJobSummaries"]] == ["late"]
    assert isinstance(page["nextToken"], str)
    call = batchjobs_fake.calls[4]
    assert call.operation == "ListModelInvocationJobs"
    assert call.params == {"submitTimeAfter": batchjobs_fake.clock.now().replace(minute=5)}


B_LIST, B_GET = "ListModelInvocationJobs", "GetModelInvocationJob"
B_STOP, B_CREATE = "StopModelInvocationJob", "CreateModelInvocationJob"
STRING_HOURS = json.dumps({**BEDROCK_JOB, "timeoutDurationInHours": "24"})


@pytest.mark.parametrize(
    ("request_line", "body", "status", "code", "operation"),
    [
        ("GET /model-invocation-jobs?maxResults=1001", b"", 400, VE, B_LIST),
        ("GET /model-invocation-jobs?statusEquals=Running", b"", 400, VE, B_LIST),
        ("GET /model-invocation-job/abcdefghijkl", b"", 404, RNF, B_GET),
        ("POST /model-invocation-job/abcdefghijkl/stop", b"", 404, RNF, B_STOP),
        ("GET /no-such-thing", b"", 404, UOE, ""),
        ("DELETE /model-invocation-jobs", b"", 404, UOE, ""),
        *[
            (f"GET /model-invocation-jobs?maxResults={value}", b"", 400, SE, B_LIST)
            for value in ("ten", "1.5", "", "1_0", "%205")
        ],
        ("GET /model-invocation-jobs?submitTimeAfter=yesterday", b"", 400, SE, B_LIST),
        ("POST /model-invocation-job", b"[]", 400, SE, B_CREATE),
        ("POST /model-invocation-job", b"{", 400, SE, B_CREATE),
        ("POST /model-invocation-job", STRING_HOURS, 400, SE, B_CREATE),
        ("POST /model-invocation-job", b"{}", 400, VE, B_CREATE),
    ],
)
def test_rest_json_errors_carry_the_modeled_status_and_change_nothing(
    batchjobs_fake: BatchJobsFake,
    request_line: str,
    body: bytes | str,
    status: int,
    code: str,
    operation: str,
) -> None:
    method, path = request_line.split(" ")
    response = bedrock(batchjobs_fake, method, path, body)
    assert (response.status, response.headers.get("x-amzn-ErrorType")) == (status, code)
    assert response.headers["Content-Type"] == "application/json"
    error = document(response)
    assert set(error) == {"message"}
    assert error["message"].strip()
    assert listed(batchjobs_fake) == []
    assert journal(batchjobs_fake) == [
        ("bedrock", operation, code, status),
        ("bedrock", "ListModelInvocationJobs", None, 200),
    ]


def test_get_decodes_a_percent_encoded_arn_and_writes_iso8601(
    batchjobs_fake: BatchJobsFake,
) -> None:
    arn = create_bedrock(batchjobs_fake)
    job_id = arn.rsplit("/", 1)[1]
    path = (
        "/model-invocation-job/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012"
        f"%3Amodel-invocation-job%2F{job_id}"
    )
    assert path == "/model-invocation-job/" + quote(arn, safe="")
    response = bedrock(batchjobs_fake, "GET", path)
    assert response.status == 200
    job = document(response)
    assert job["jobArn"] == arn
    assert job["status"] == "Submitted"
    assert job["submitTime"] == "2024-01-01T09:00:00.000Z"
    assert job["lastModifiedTime"] == "2024-01-01T09:00:00.000Z"
    assert job["jobExpirationTime"] == "2024-01-08T09:00:00.000Z"
    assert batchjobs_fake.calls[-1].params == {"jobIdentifier": arn}
    by_id = document(bedrock(batchjobs_fake, "GET", f"/model-invocation-job/{job_id}"))
    assert by_id == job


def test_stop_with_an_empty_body_answers_200_and_nothing(batchjobs_fake: BatchJobsFake) -> None:
    arn = create_bedrock(batchjobs_fake)
    job_id = arn.rsplit("/", 1)[1]
    stopped = bedrock(batchjobs_fake, "POST", f"/model-invocation-job/{job_id}/stop")
    assert (stopped.status, stopped.body) == (200, b"")
    assert "x-amzn-ErrorType" not in stopped.headers
    job = document(bedrock(batchjobs_fake, "GET", f"/model-invocation-job/{job_id}"))
    assert job["status"] == "Stopping"
    assert journal(batchjobs_fake) == [
        ("bedrock", "CreateModelInvocationJob", None, 200),
        ("bedrock", "StopModelInvocationJob", None, 200),
        ("bedrock", "GetModelInvocationJob", None, 200),
    ]


def test_region_comes_from_the_sigv4_scope_else_the_host(batchjobs_fake: BatchJobsFake) -> None:
    signed = create_bedrock(batchjobs_fake, authorization=SIGV4_EU_WEST_1)
    assert signed.startswith("arn:aws:bedrock:eu-west-1:123456789012:model-invocation-job/")
    assert batchjobs_fake.calls[-1].region == "eu-west-1"
    assert listed(batchjobs_fake) == []  # us-east-1, from the host name
    assert batchjobs_fake.calls[-1].region == "us-east-1"
    sydney = create_bedrock(batchjobs_fake, host="https://bedrock.ap-southeast-2.amazonaws.com")
    assert sydney.startswith("arn:aws:bedrock:ap-southeast-2:123456789012:")
    assert batchjobs_fake.calls[-1].region == "ap-southeast-2"


# -- operations in the model that the fake does not answer ------------------------------


def test_unfaked_operations_raise_naming_the_operation(batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(UnfakedOperationError, match="bedrock ListFoundationModels is not faked"):
        bedrock(batchjobs_fake, "GET", "/foundation-models")
    with pytest.raises(UnfakedOperationError, match="personalize ListSolutions is not faked"):
        personalize(batchjobs_fake, "ListSolutions", b"{}")
