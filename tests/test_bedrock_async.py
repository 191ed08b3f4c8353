"""Bedrock async invocations (bedrock-runtime StartAsyncInvoke) through a real boto3
client: a service of its own, whose other operations the fake does not answer."""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from clients import aws, aws_env
from jobs import error_of
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake, UnfakedOperationError
from pytest_batchjobs.transports.server import FakeServer
from pytest_batchjobs.transports.server.control import ControlAPI

REEL = "amazon.nova-reel-v1:1"
VIDEO = {
    "taskType": "TEXT_VIDEO",
    "textToVideoParams": {"text": "A lighthouse in a storm, waves crashing"},
    "videoGenerationConfig": {"durationSeconds": 6, "fps": 24, "dimension": "1280x720"},
}
OUTPUT = {"s3OutputDataConfig": {"s3Uri": "s3://videos-out/reels"}}
ARN_PATTERN = r"arn:aws:bedrock:us-east-1:123456789012:async-invoke/[a-z0-9]{12}"


@pytest.fixture
def runtime(batchjobs_fake: BatchJobsFake) -> Any:
    return boto3.client("bedrock-runtime", region_name="us-east-1")


def start(client: Any, **overrides: Any) -> str:
    """Start an async invocation of Nova Reel; returns its ARN."""
    params = {"modelId": REEL, "modelInput": VIDEO, "outputDataConfig": OUTPUT, **overrides}
    return str(client.start_async_invoke(**params)["invocationArn"])


def test_start_and_get(runtime: Any, batchjobs_fake: BatchJobsFake) -> None:
    arn = start(runtime, clientRequestToken="reel-0001", tags=[{"key": "team", "value": "ads"}])
    assert re.fullmatch(ARN_PATTERN, arn)
    got = runtime.get_async_invoke(invocationArn=arn)
    assert got["invocationArn"] == arn
    assert got["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{REEL}"
    assert got["status"] == "InProgress"
    assert got["clientRequestToken"] == "reel-0001"
    # The invocation's folder, as the service reports it: AWS's samples read
    # s3Uri + "/output.mp4".
    invocation_id = arn.rsplit("/", 1)[1]
    assert got["outputDataConfig"] == {
        "s3OutputDataConfig": {"s3Uri": f"s3://videos-out/reels/{invocation_id}"}
    }
    assert got["submitTime"] == got["lastModifiedTime"] == batchjobs_fake.clock.now()
    assert "endTime" not in got
    assert "failureMessage" not in got
    assert "modelInput" not in got  # the input is not shown back
    stored = next(iter(batchjobs_fake.bedrock_async.all_jobs()))
    assert stored.tags == {"team": "ads"}
    assert stored.request["modelInput"] == VIDEO  # a document, kept whole


def test_model_input_is_any_json_document(runtime: Any, batchjobs_fake: BatchJobsFake) -> None:
    nested = {"a": [1, 2.5, None, {"b": True}], "c": "text", "d": {}}
    arn = start(runtime, modelInput=nested)
    call = batchjobs_fake.assert_called("StartAsyncInvoke")
    assert call.params["modelInput"] == nested
    assert runtime.get_async_invoke(invocationArn=arn)["status"] == "InProgress"


def test_default_lifecycle_ends_completed(runtime: Any, batchjobs_fake: BatchJobsFake) -> None:
    arn = start(runtime)
    seen = []
    for _ in range(10):
        got = runtime.get_async_invoke(invocationArn=arn)
        if not seen or seen[-1] != got["status"]:
            seen.append(got["status"])
        batchjobs_fake.clock.advance(seconds=30)
    assert seen == ["InProgress", "Completed"]
    assert got["endTime"] == got["lastModifiedTime"]
    assert got["endTime"] - got["submitTime"] == _dt.timedelta(seconds=90)


def test_a_failing_lifecycle_shows_its_failure_message(
    runtime: Any, batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.bedrock_async.lifecycle(
        outcome="Failed", message="The input was blocked.", match="amazon.nova-reel*"
    )
    failing = start(runtime)
    fine = start(runtime, modelId="luma.ray-v2:0", modelInput={"prompt": "a fox"})
    ended = batchjobs_fake.advance_until(failing)
    assert (ended["status"], ended["failureMessage"]) == ("Failed", "The input was blocked.")
    assert ended["endTime"] == ended["lastModifiedTime"]
    assert runtime.get_async_invoke(invocationArn=fine)["status"] == "Completed"
    assert batchjobs_fake.outputs(failing) == {}


def test_lifecycle_durations_and_outcomes_are_checked(batchjobs_fake: BatchJobsFake) -> None:
    controls = batchjobs_fake.bedrock_async
    with pytest.raises(ValueError, match="choose one of: Completed, Failed"):
        controls.lifecycle(outcome="Stopped")
    with pytest.raises(ValueError, match="valid ones: InProgress"):
        controls.lifecycle(durations={"Scheduled": 10})
    controls.lifecycle(durations={"InProgress": 600})
    job = controls.add_job(status="InProgress")
    assert job["status"] == "InProgress"


def test_idempotency_same_token_same_request_returns_the_same_invocation(runtime: Any) -> None:
    first = start(runtime, clientRequestToken="retry-me")
    assert start(runtime, clientRequestToken="retry-me") == first
    assert len(runtime.list_async_invokes()["asyncInvokeSummaries"]) == 1
    with pytest.raises(runtime.exceptions.ConflictException) as excinfo:
        start(runtime, clientRequestToken="retry-me", modelInput={"other": "input"})
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ConflictException", 400)
    assert message == (
        f"The clientRequestToken retry-me was already used for invocation {first} with a "
        "different request. Use a new token, or resend the same request."
    )
    # botocore fills the token itself: two calls without one are two invocations.
    assert start(runtime) != start(runtime)


def test_unknown_invocation_is_a_validation_exception(runtime: Any) -> None:
    missing = "arn:aws:bedrock:us-east-1:123456789012:async-invoke/abcdefghijkl"
    with pytest.raises(runtime.exceptions.ValidationException) as excinfo:
        runtime.get_async_invoke(invocationArn=missing)
    assert error_of(excinfo) == (
        "ValidationException",
        400,
        f"The specified invocation {missing} was not found. Check the invocationArn (it "
        "names one account and Region) and try your request again.",
    )


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"modelId": "bad model!"}, "at 'modelId' failed to satisfy constraint"),
        (
            {"outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "https://x/y"}}},
            "at 'outputDataConfig.s3OutputDataConfig.s3Uri'",
        ),
        (
            {"outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bkt/k", "kmsKeyId": "k"}}},
            "at 'outputDataConfig.s3OutputDataConfig.kmsKeyId'",
        ),
        (
            {
                "outputDataConfig": {
                    "s3OutputDataConfig": {"s3Uri": "s3://bkt/", "bucketOwner": "7"}
                }
            },
            "at 'outputDataConfig.s3OutputDataConfig.bucketOwner'",
        ),
        ({"tags": [{"key": "bad!", "value": "x"}]}, "at 'tags.1.member.key'"),
        ({"clientRequestToken": "has space"}, "at 'clientRequestToken'"),
    ],
)
def test_start_rejects_what_aws_rejects(
    runtime: Any, overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(runtime.exceptions.ValidationException) as excinfo:
        start(runtime, **overrides)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: ")
    assert fragment in message
    assert runtime.list_async_invokes()["asyncInvokeSummaries"] == []


def test_an_empty_output_union_is_rejected(batchjobs_fake: BatchJobsFake) -> None:
    """A union with no member set: botocore refuses to send one, a client that does not
    check (here ``requests``) gets AWS's ValidationException."""
    body = {"modelId": REEL, "modelInput": VIDEO, "outputDataConfig": {}}
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/async-invoke"
    response = requests.post(url, json=body, timeout=5)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert response.json()["message"] == (
        "1 validation error detected: Value '[...]' at 'outputDataConfig' failed to satisfy "
        "constraint: Member must have exactly one of the following fields set: "
        "[s3OutputDataConfig]"
    )


def test_model_arns(runtime: Any) -> None:
    provisioned = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123"
    arn = start(runtime, modelId=provisioned)
    assert runtime.get_async_invoke(invocationArn=arn)["modelArn"] == provisioned
    profile = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-reel"
    with pytest.raises(runtime.exceptions.ValidationException) as excinfo:
        start(runtime, modelId=profile)
    assert error_of(excinfo)[2] == "The provided model identifier is invalid."


def test_list_filters_and_sorts(runtime: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.bedrock_async.lifecycle(outcome="Failed", match="luma.*")
    first = start(runtime)
    batchjobs_fake.clock.advance(minutes=5)
    middle = start(runtime, modelId="luma.ray-v2:0", modelInput={"prompt": "a fox"})
    batchjobs_fake.clock.advance(minutes=5)
    last = start(runtime)

    def listed(**filters: Any) -> list[str]:
        summaries = runtime.list_async_invokes(**filters)["asyncInvokeSummaries"]
        return [summary["invocationArn"] for summary in summaries]

    assert listed() == [last, middle, first]
    assert listed(sortBy="SubmissionTime", sortOrder="Ascending") == [first, middle, last]
    assert listed(statusEquals="InProgress") == [last]
    assert listed(statusEquals="Completed") == [first]
    assert listed(statusEquals="Failed") == [middle]
    submitted = runtime.get_async_invoke(invocationArn=middle)["submitTime"]
    assert listed(submitTimeAfter=submitted) == [last]  # exclusive bounds
    assert listed(submitTimeBefore=submitted) == [first]
    summary = runtime.list_async_invokes(statusEquals="Failed")["asyncInvokeSummaries"][0]
    assert summary["failureMessage"] == (
        "The model could not process the input. Check the modelInput and try again."
    )
    with pytest.raises(runtime.exceptions.ValidationException) as excinfo:
        runtime.list_async_invokes(maxResults=1001)
    assert "Member must have value less than or equal to 1000" in error_of(excinfo)[2]


def test_paginator_and_bound_tokens(runtime: Any, batchjobs_fake: BatchJobsFake) -> None:
    made = batchjobs_fake.bedrock_async.add_jobs(25, status=["Completed", "InProgress"])
    paginator = runtime.get_paginator("list_async_invokes")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 10}))
    assert [len(page["asyncInvokeSummaries"]) for page in pages] == [10, 10, 5]
    listed = [s["invocationArn"] for page in pages for s in page["asyncInvokeSummaries"]]
    assert sorted(listed) == sorted(job["invocationArn"] for job in made)
    batchjobs_fake.pagination.assert_exhausted("ListAsyncInvokes")
    batchjobs_fake.pagination.assert_no_token_reuse()
    token = runtime.list_async_invokes(maxResults=1)["nextToken"]
    with pytest.raises(runtime.exceptions.ValidationException) as excinfo:
        runtime.list_async_invokes(nextToken=token, statusEquals="Completed")
    assert error_of(excinfo)[2].startswith("Invalid pagination token")
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    batchjobs_fake.bedrock.add_jobs(2)
    jobs_token = bedrock.list_model_invocation_jobs(maxResults=1)["nextToken"]
    with pytest.raises(runtime.exceptions.ValidationException):
        runtime.list_async_invokes(nextToken=jobs_token)
    assert len(runtime.list_async_invokes(nextToken=token)["asyncInvokeSummaries"]) == 24


def test_regions_and_kinds_are_apart(batchjobs_fake: BatchJobsFake) -> None:
    east = boto3.client("bedrock-runtime", region_name="us-east-1")
    west = boto3.client("bedrock-runtime", region_name="us-west-2")
    arn = start(west)
    assert arn.startswith("arn:aws:bedrock:us-west-2:")
    assert east.list_async_invokes()["asyncInvokeSummaries"] == []
    with pytest.raises(east.exceptions.ValidationException):
        east.get_async_invoke(invocationArn=arn)
    bedrock = boto3.client("bedrock", region_name="us-west-2")
    assert bedrock.list_model_invocation_jobs()["invocationJobSummaries"] == []


def test_quota_is_service_quota_exceeded(runtime: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.bedrock_async.quota(max_active_jobs=1)
    start(runtime)
    with pytest.raises(runtime.exceptions.ServiceQuotaExceededException) as excinfo:
        start(runtime)
    assert error_of(excinfo) == (
        "ServiceQuotaExceededException",
        400,
        "You have reached the quota of 1 concurrent asynchronous invocations (1 in "
        "progress). Wait for an invocation to finish, or request a quota increase.",
    )
    batchjobs_fake.clock.advance(minutes=2)
    start(runtime)  # the first has completed


def test_faults_throttling_and_the_journal(runtime: Any, batchjobs_fake: BatchJobsFake) -> None:
    rule = batchjobs_fake.faults.fail("get_async_invoke", error="ThrottlingException", times=2)
    arn = start(runtime)
    assert runtime.get_async_invoke(invocationArn=arn)["status"] == "InProgress"  # retried
    assert rule.fired == 2
    assert batchjobs_fake.call_count("GetAsyncInvoke") == 3
    assert [call.error for call in batchjobs_fake.calls[-3:]] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]
    call = batchjobs_fake.assert_called("StartAsyncInvoke", modelId=REEL)
    assert (call.service, call.status) == ("bedrock-runtime", 200)
    batchjobs_fake.faults.throttle("ListAsyncInvokes", per_second=1, burst=1)
    once = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    once.list_async_invokes()
    with pytest.raises(once.exceptions.ThrottlingException):
        once.list_async_invokes()
    with pytest.raises(ValueError, match="ListAsyncInvokes"):
        batchjobs_fake.faults.fail("ListAsyncInvoke")
    assert batchjobs_fake.faked_operations("bedrock-runtime") == [
        "GetAsyncInvoke",
        "ListAsyncInvokes",
        "StartAsyncInvoke",
    ]


def test_other_operations_fail_loudly(runtime: Any) -> None:
    with pytest.raises(UnfakedOperationError, match="bedrock-runtime InvokeModel is not faked"):
        runtime.invoke_model(modelId="amazon.titan-text-express-v1", body=b"{}")
    with pytest.raises(UnfakedOperationError, match="bedrock-runtime Converse is not faked"):
        runtime.converse(
            modelId="amazon.nova-lite-v1:0",
            messages=[{"role": "user", "content": [{"text": "hi"}]}],
        )


def test_inside_mock_aws_moto_answers_the_rest(batchjobs_fake: BatchJobsFake) -> None:
    with mock_aws():
        runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
        response = runtime.invoke_model(
            modelId="amazon.titan-text-express-v1", body=b'{"inputText": "hi"}'
        )
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200  # moto's answer
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="videos-out")
        arn = start(runtime)
        assert runtime.get_async_invoke(invocationArn=arn)["status"] == "InProgress"
    assert [call.operation for call in batchjobs_fake.calls] == [
        "StartAsyncInvoke",
        "GetAsyncInvoke",
    ]  # InvokeModel was moto's


def test_factory_is_realistic_seeded_and_refuses_what_aws_would(
    batchjobs_fake: BatchJobsFake, runtime: Any
) -> None:
    controls = batchjobs_fake.bedrock_async
    made = controls.add_jobs(12, status={"Completed": 3, "InProgress": 1, "Failed": 1})
    for job in made:
        assert job["modelArn"].startswith("arn:aws:bedrock:us-east-1::foundation-model/")
        assert job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"].startswith("s3://")
        assert (job["status"] == "Failed") == ("failureMessage" in job)
        assert (job["status"] == "InProgress") == ("endTime" not in job)
        assert runtime.get_async_invoke(invocationArn=job["invocationArn"]) | {
            "ResponseMetadata": None
        } == job | {"ResponseMetadata": None}
    again = BatchJobsFake(seed=batchjobs_fake.seed).bedrock_async.add_jobs(
        12, status={"Completed": 3, "InProgress": 1, "Failed": 1}
    )
    assert [job["modelArn"] for job in again] == [job["modelArn"] for job in made]
    failed = controls.add_job(status="Failed", failureMessage="Blocked by content filters.")
    assert failed["failureMessage"] == "Blocked by content filters."
    assert "submitTime" in controls.override_names()
    assert "jobName" not in controls.override_names()
    with pytest.raises(ValueError, match="valid statuses: InProgress, Completed, Failed"):
        controls.add_job(status="Submitted")
    with pytest.raises(ValueError, match="would reject this job"):
        controls.add_job(outputDataConfig={"s3OutputDataConfig": {"s3Uri": "nope"}})
    with pytest.raises(ValueError, match="bedrock_async jobs have no field 'jobName'"):
        controls.add_job(jobName="x")
    assert list(batchjobs_fake.bedrock.all_jobs()) == []


# -- outputs ------------------------------------------------------------------------------


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="videos-out")
        yield client


def test_nova_reel_writes_its_folder_per_invocation_in_motos_s3(
    batchjobs_fake: BatchJobsFake, s3: Any, runtime: Any
) -> None:
    arn = start(runtime)
    invocation_id = arn.rsplit("/", 1)[1]
    assert batchjobs_fake.outputs(arn) == {}  # nothing while InProgress
    batchjobs_fake.advance_until(arn)
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket="videos-out")["Contents"])
    assert keys == [
        f"reels/{invocation_id}/generation-status.json",
        f"reels/{invocation_id}/manifest.json",
        f"reels/{invocation_id}/output.mp4",
    ]
    body = s3.get_object(Bucket="videos-out", Key=f"reels/{invocation_id}/manifest.json")
    manifest = json.loads(body["Body"].read())
    assert manifest == {
        "invocationArn": arn,
        "modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{REEL}",
        "outputs": ["output.mp4"],
    }


def test_other_models_write_output_json(batchjobs_fake: BatchJobsFake, runtime: Any) -> None:
    model_input = {"prompt": "hikers at dawn"}
    arn = start(runtime, modelId="vendor.some-model-v1:0", modelInput=model_input)
    batchjobs_fake.advance_until(arn)
    files = batchjobs_fake.outputs(arn)
    folder = f"s3://videos-out/reels/{arn.rsplit('/', 1)[1]}/"
    assert sorted(files) == [f"{folder}manifest.json", f"{folder}output.json"]
    assert json.loads(files[f"{folder}output.json"]) == {
        "invocationArn": arn,
        "modelInput": model_input,
    }


def test_responder_writes_files_or_fails_the_invocation(
    batchjobs_fake: BatchJobsFake, runtime: Any
) -> None:
    seen: list[dict[str, Any]] = []

    def answer(record: dict[str, Any]) -> dict[str, str]:
        seen.append(record)
        if record["modelInput"].get("blocked"):
            raise ValueError("This request has been blocked by our content filters.")
        return {"output.mp4": "frames", "result.json": json.dumps({"ok": True})}

    batchjobs_fake.bedrock_async.responder(answer)
    good = start(runtime)
    bad = start(runtime, modelInput={"blocked": True})
    assert [record["invocationArn"] for record in seen] == [good, bad]
    assert seen[0] == {"invocationArn": good, "modelId": REEL, "modelInput": VIDEO}
    assert batchjobs_fake.advance_until(good)["status"] == "Completed"
    folder = f"s3://videos-out/reels/{good.rsplit('/', 1)[1]}/"
    assert batchjobs_fake.outputs(good) == {
        f"{folder}output.mp4": "frames",
        f"{folder}result.json": '{"ok": true}',
    }
    failed = runtime.get_async_invoke(invocationArn=bad)
    assert failed["status"] == "Failed"
    assert failed["failureMessage"] == "This request has been blocked by our content filters."
    assert batchjobs_fake.outputs(bad) == {}


# -- other clients: requests, the control API, the AWS CLI -----------------------------


def test_requests_calls_are_answered(batchjobs_fake: BatchJobsFake, runtime: Any) -> None:
    arn = start(runtime)
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/async-invoke"
    response = requests.get(url, params={"statusEquals": "InProgress"}, timeout=5)
    assert response.status_code == 200
    assert [s["invocationArn"] for s in response.json()["asyncInvokeSummaries"]] == [arn]
    missing = requests.post(f"{url}/nothing", json={}, timeout=5)
    assert missing.status_code == 404  # no operation: the fake's UnknownOperationException
    assert batchjobs_fake.assert_called("ListAsyncInvokes").transport == "responses"


def post(api: ControlAPI, path: str, body: object = None) -> tuple[int, dict[str, Any]]:
    raw = b"" if body is None else json.dumps(body).encode()
    return api.handle("POST", f"/_batchjobs/{path}", raw)


def test_the_control_api_serves_the_kind(batchjobs_fake: BatchJobsFake, runtime: Any) -> None:
    api = ControlAPI(batchjobs_fake)
    status, document = post(api, "bedrock_async/jobs", {"count": 2, "status": "Completed"})
    assert status == 200
    assert [job["status"] for job in document["jobs"]] == ["Completed"] * 2
    listed = runtime.list_async_invokes()["asyncInvokeSummaries"]
    assert {s["invocationArn"] for s in listed} == {j["invocationArn"] for j in document["jobs"]}
    status, document = post(api, "bedrock_async/lifecycle", {"outcome": "Failed", "message": "no"})
    assert (status, document["outcome"]) == (200, "Failed")
    assert batchjobs_fake.bedrock_async.lifecycles[-1].message == "no"
    assert post(api, "bedrock_async/quota", {"max_active_jobs": 2}) == (
        200,
        {"max_active_jobs": 2},
    )
    status, document = post(api, "bedrock_async/jobs", {"status": "Stopped"})
    assert status == 400
    assert "'Stopped' is not a bedrock_async status" in document["error"]


def test_aws_cli_starts_gets_and_lists(batchjobs_server: FakeServer, tmp_path: Path) -> None:
    url, env, fake = batchjobs_server.endpoint_url, aws_env(tmp_path), batchjobs_server.fake
    seeded = fake.bedrock_async.add_jobs(3, status="Completed")
    started = aws(
        url,
        env,
        "bedrock-runtime",
        "start-async-invoke",
        "--model-id",
        REEL,
        "--model-input",
        json.dumps(VIDEO),
        "--output-data-config",
        json.dumps(OUTPUT),
    )
    arn = started["invocationArn"]
    got = aws(url, env, "bedrock-runtime", "get-async-invoke", "--invocation-arn", arn)
    assert (got["invocationArn"], got["status"]) == (arn, "InProgress")
    assert fake.assert_called("StartAsyncInvoke").params["modelInput"] == VIDEO
    listed = aws(url, env, "bedrock-runtime", "list-async-invokes", "--page-size", "2")
    arns = [summary["invocationArn"] for summary in listed["asyncInvokeSummaries"]]
    assert arns[0] == arn  # newest first
    assert set(arns) == {arn, *(job["invocationArn"] for job in seeded)}
    fake.pagination.assert_exhausted("ListAsyncInvokes")
    fake.pagination.assert_no_token_reuse()
    assert {call.transport for call in fake.calls} == {"server"}


# -- signing, httpx and hooks -------------------------------------------------------------


def test_signed_as_bedrock_with_dummy_keys_or_the_dummy_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """bedrock-runtime's endpoint prefix is its own, its signing name is ``bedrock``: the
    fake answers at its host, and signs with the dummy keys, or the dummy token when
    botocore prefers the Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)."""
    from pytest_batchjobs.transports.botocore import DUMMY_BEARER_TOKEN

    with BatchJobsFake() as fake:
        client = boto3.client("bedrock-runtime", region_name="eu-west-1")
        seen: list[tuple[str, str]] = []
        client.meta.events.register(
            "before-send",
            lambda request, **_: seen.append((request.url, request.headers["Authorization"])),
        )
        start(client)
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "real-bedrock-api-key")
        bearer = boto3.client("bedrock-runtime", region_name="eu-west-1")
        bearer.meta.events.register(
            "before-send",
            lambda request, **_: seen.append((request.url, request.headers["Authorization"])),
        )
        bearer.list_async_invokes()
    url, authorization = seen[0]
    assert url == "https://bedrock-runtime.eu-west-1.amazonaws.com/async-invoke"
    assert isinstance(authorization, bytes)
    assert b"Credential=FAKEBATCHJOBSKEY0000/" in authorization
    assert b"/eu-west-1/bedrock/aws4_request" in authorization  # the signing name
    assert seen[1][1] == f"Bearer {DUMMY_BEARER_TOKEN}".encode()
    assert [call.region for call in fake.calls] == ["eu-west-1", "eu-west-1"]


def test_httpx_signed_requests_are_answered(batchjobs_fake: BatchJobsFake) -> None:
    import httpx
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = "https://bedrock-runtime.us-west-2.amazonaws.com/async-invoke"
    body = json.dumps({"modelId": REEL, "modelInput": VIDEO, "outputDataConfig": OUTPUT})
    request = AWSRequest("POST", url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("AKID", "SECRET"), "bedrock", "us-west-2").add_auth(request)
    with httpx.Client() as client:
        started = client.post(url, content=body, headers=dict(request.headers))
        assert started.status_code == 200
        arn = started.json()["invocationArn"]
        assert arn.startswith("arn:aws:bedrock:us-west-2:123456789012:async-invoke/")
        quoted = arn.replace(":", "%3A").replace("/", "%2F")
        got = client.get(f"{url}/{quoted}")
    assert got.json()["status"] == "InProgress"
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        ("httpx", "StartAsyncInvoke"),
        ("httpx", "GetAsyncInvoke"),
    ]


def test_hooks_name_the_service_and_the_kind(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        EVENTS = []

        def pytest_batchjobs_job_created(fake, service, kind, job):
            EVENTS.append(("created", service, kind, job["status"]))

        def pytest_batchjobs_status_changed(fake, service, kind, job, old, new):
            EVENTS.append((service, kind, old, new, job.get("endTime") is not None))
        """
    )
    pytester.makepyfile(
        """
        import boto3
        from conftest import EVENTS

        def test_invocation(batchjobs_fake):
            runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
            runtime.start_async_invoke(
                modelId="amazon.nova-reel-v1:1",
                modelInput={"taskType": "TEXT_VIDEO"},
                outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://videos-out/x"}},
            )
            batchjobs_fake.clock.advance(minutes=2)
            assert EVENTS == [
                ("created", "bedrock-runtime", "bedrock_async", "InProgress"),
                ("bedrock-runtime", "bedrock_async", "InProgress", "Completed", True),
            ]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
