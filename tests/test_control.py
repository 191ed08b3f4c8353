"""The control API without any server: a method, a path and a body in, JSON out."""

from __future__ import annotations

import json

import boto3
import pytest
from jobs import bedrock_job
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.services.bedrock.invocation_jobs.outputs import RecordLimits
from pytest_batchjobs.transports.server.control import ControlAPI


def post(api: ControlAPI, path: str, body: object = None) -> tuple[int, dict[str, object]]:
    raw = b"" if body is None else json.dumps(body).encode()
    return api.handle("POST", f"/_batchjobs/{path}", raw)


def get(api: ControlAPI, path: str) -> tuple[int, dict[str, object]]:
    return api.handle("GET", f"/_batchjobs/{path}", b"")


def test_paths_under_the_reserved_prefix_only() -> None:
    assert ControlAPI.owns("/_batchjobs/clock")
    assert ControlAPI.owns("/_batchjobs?x=1")
    assert not ControlAPI.owns("/model-invocation-jobs")
    assert not ControlAPI.owns("/_batchjobsx/clock")


def test_the_same_state_as_the_python_api(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    status, _ = post(api, "personalize/jobs", {"count": 2, "status": "CREATE IN_PROGRESS"})
    assert status == 200
    assert len(list(batchjobs_fake.personalize.all_jobs())) == 2
    assert post(api, "clock/advance", {"days": 1}) == (200, {"now": "2024-01-02T09:00:00Z"})
    assert post(api, "personalize/quota", {"max_active_jobs": 3}) == (200, {"max_active_jobs": 3})
    assert batchjobs_fake.personalize.max_active_jobs == 3
    status, _ = post(api, "faults/transport", {"operation": "ListBatchInferenceJobs"})
    assert status == 200
    assert batchjobs_fake.faults.rules[0].description.startswith("faults.transport(")
    status, _ = api.handle(
        "PUT", "/_batchjobs/pagination", b'{"empty_pages": true, "token_lifetime": null}'
    )
    assert status == 200
    assert batchjobs_fake.pagination.empty_pages is True
    assert batchjobs_fake.pagination.token_lifetime is None


def test_sagemaker_transform_jobs(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    body = {"count": 2, "status": "Stopped", "CreationTime": "2023-12-31T09:00:00Z"}
    status, answer = post(api, "sagemaker/jobs", body)
    assert status == 200
    jobs = answer["jobs"]
    assert isinstance(jobs, list)
    assert {job["TransformJobStatus"] for job in jobs} == {"Stopped"}
    assert {job["CreationTime"] for job in jobs} == {"2023-12-31T09:00:00Z"}
    lifecycle = {"outcome": "Failed", "message": "AlgorithmError: boom"}
    assert post(api, "sagemaker/lifecycle", lifecycle)[0] == 200
    assert batchjobs_fake.sagemaker.lifecycles[-1].outcome == "Failed"


def test_submit_times_in_iso_8601(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    status, added = post(api, "bedrock/jobs", {"submitTime": "2023-12-31T09:00:00Z"})
    assert status == 200, added
    jobs = added["jobs"]
    assert isinstance(jobs, list)
    assert jobs[0]["submitTime"] == "2023-12-31T09:00:00Z"


def test_a_failure_of_the_fake_is_a_500_without_traceback(
    batchjobs_fake: BatchJobsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = ControlAPI(batchjobs_fake)

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(batchjobs_fake, "reset", broken)
    status, document = post(api, "reset")
    assert status == 500
    assert document == {
        "error": "pytest-batchjobs failed to answer POST /_batchjobs/reset (a bug in the "
        "fake; please report it): RuntimeError: boom"
    }
    assert len(api.errors) == 1
    assert "Traceback" in api.errors[0]  # kept for the test's report, not sent


@pytest.mark.parametrize(
    ("method", "path", "body", "error"),
    [
        (
            "POST",
            "reset",
            b'{"x": 1}',
            "POST /_batchjobs/reset got unknown field(s) 'x'; expected some of: (no fields)",
        ),
        (
            "POST",
            "faults/clear/",
            b"[]",
            "POST /_batchjobs/faults/clear expects a JSON object body, got a list: []",
        ),
        (
            "POST",
            "clock/advance",
            b"{}",
            "POST /_batchjobs/clock/advance needs one of 'seconds', 'minutes', 'hours', "
            "or 'days', e.g. {\"seconds\": 90}",
        ),
        (
            "POST",
            "personalize/quota",
            b'{"max_active_jobs": "2"}',
            "POST /_batchjobs/personalize/quota: 'max_active_jobs' must be an integer or "
            'null, got a string: "2"',
        ),
        (
            "POST",
            "bedrock/jobs",
            b'{"submitTime": "soon"}',
            "POST /_batchjobs/bedrock/jobs: 'submitTime' must be an ISO 8601 instant like "
            "2024-01-01T09:00:00Z, got 'soon'",
        ),
        (
            "PUT",
            "pagination",
            b'{"token_lifetime": 0}',
            "PUT /_batchjobs/pagination: 'token_lifetime' must be a number of seconds > 0 "
            "or null (for ever), got 0",
        ),
        (
            "GET",
            "calls",
            b"{",
            "GET /_batchjobs/calls expects a JSON body, got { (not JSON: "
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        ),
    ],
)
def test_errors_name_the_endpoint_from_the_path(
    batchjobs_fake: BatchJobsFake, method: str, path: str, body: bytes, error: str
) -> None:
    api = ControlAPI(batchjobs_fake)
    assert api.handle(method, f"/_batchjobs/{path}", body) == (400, {"error": error})


def test_get_endpoints_ignore_bodies(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    answer = api.handle("GET", "/_batchjobs/calls", b'{"colour": "red"}')
    assert answer == (200, {"calls": [], "dropped": 0})


# -- record limits ------------------------------------------------------------------------


def test_record_limits(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    assert post(api, "bedrock/record_limits", {"minimum": 1, "maximum": 10}) == (
        200,
        {"minimum": 1, "maximum": 10},
    )
    assert batchjobs_fake.bedrock.limits == RecordLimits(1, 10)
    # A field left out takes the Python API's default, as record_limits(maximum=200) does.
    assert post(api, "bedrock/record_limits", {"maximum": 200}) == (
        200,
        {"minimum": 100, "maximum": 200},
    )
    assert batchjobs_fake.bedrock.limits == RecordLimits(100, 200)
    assert post(api, "reset")[0] == 200
    assert batchjobs_fake.bedrock.limits == RecordLimits(100, 50_000)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"minimum": "ten"},
            "POST /_batchjobs/bedrock/record_limits: 'minimum' must be an "
            'integer, got a string: "ten"',
        ),
        (
            {"maximum": 2.5},
            "POST /_batchjobs/bedrock/record_limits: 'maximum' must be an "
            "integer, got a number: 2.5",
        ),
        ({"minimum": 5, "maximum": 1}, "record_limits needs 0 <= minimum <= maximum, got 5, 1"),
        ({"minimum": 60_000}, "record_limits needs 0 <= minimum <= maximum, got 60000, 50000"),
        (
            {"min": 1},
            "POST /_batchjobs/bedrock/record_limits got unknown field(s) 'min'; "
            "expected some of: minimum, maximum",
        ),
    ],
)
def test_bad_record_limits(batchjobs_fake: BatchJobsFake, body: object, error: str) -> None:
    api = ControlAPI(batchjobs_fake)
    assert post(api, "bedrock/record_limits", body) == (400, {"error": error})
    assert batchjobs_fake.bedrock.limits == RecordLimits(100, 50_000)


def test_record_limits_are_bedrock_only(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    assert post(api, "personalize/record_limits", {"minimum": 1}) == (
        404,
        {
            "error": "no control endpoint POST /_batchjobs/personalize/record_limits: "
            "record_limits is Bedrock only; use /_batchjobs/bedrock/record_limits"
        },
    )
    assert post(api, "s3/record_limits") == (
        404,
        {
            "error": "unknown job kind 's3' in /_batchjobs/s3/record_limits; expected one of: "
            "bedrock"
        },
    )
    assert get(api, "bedrock/record_limits") == (
        405,
        {"error": "/_batchjobs/bedrock/record_limits expects POST, got GET"},
    )
    status, document = get(api, "nothing-here")
    assert status == 404
    assert "POST /_batchjobs/bedrock/record_limits; " in str(document["error"])


def test_record_limits_fail_jobs_at_validation(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    assert post(api, "bedrock/record_limits", {"minimum": 1, "maximum": 10})[0] == 200
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="batch-in")
        s3.create_bucket(Bucket="batch-out")
        lines = [json.dumps({"modelInput": {"prompt": f"line {n}"}}) for n in range(11)]
        s3.put_object(Bucket="batch-in", Key="records.jsonl", Body="\n".join(lines).encode())
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        arn = bedrock_job(bedrock)
        batchjobs_fake.clock.advance(hours=2)
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "Failed"
    assert "more than the maximum of 10" in job["message"]


# -- outputs ------------------------------------------------------------------------------


def test_outputs_of_a_completed_job() -> None:
    with fake_batchjobs() as fake:
        api = ControlAPI(fake)
        arn = bedrock_job(boto3.client("bedrock", region_name="us-east-1"))
        query = f"outputs?job={arn}"
        assert get(api, query) == (200, {"job": arn, "outputs": {}})
        fake.clock.advance(hours=2)
        status, document = get(api, query)
    assert status == 200
    assert document == {"job": arn, "outputs": fake.outputs(arn)}
    outputs = document["outputs"]
    assert isinstance(outputs, dict)
    job_id = arn.rsplit("/", 1)[1]
    manifest = json.loads(outputs[f"s3://batch-out/results/{job_id}/manifest.json.out"])
    assert manifest["totalRecordCount"] == 100


def test_outputs_of_an_unknown_job_are_empty(batchjobs_fake: BatchJobsFake) -> None:
    # As fake.outputs(): the outputs are kept by ARN, a job the fake does not know has none.
    api = ControlAPI(batchjobs_fake)
    arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"
    assert get(api, f"outputs?job={arn.replace(':', '%3A')}") == (
        200,
        {"job": arn, "outputs": {}},
    )


@pytest.mark.parametrize(
    ("query", "got"),
    [
        ("", "no query string"),
        ("?job=", "?job="),
        ("?jobs=x", "?jobs=x"),
        ("?job=a&job=b", "?job=a&job=b"),
    ],
)
def test_outputs_need_one_job(batchjobs_fake: BatchJobsFake, query: str, got: str) -> None:
    api = ControlAPI(batchjobs_fake)
    assert get(api, f"outputs{query}") == (
        400,
        {
            "error": "GET /_batchjobs/outputs needs the query parameter 'job' once (a job's "
            f"ARN: ?job=arn:aws:...), got {got}"
        },
    )
