"""Batch outputs: finished jobs write their results where the user's code looks, with moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from jobs import ROLE, SOLUTION
from model_members import needs_model_member
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        for bucket in ("batch-in", "batch-out", "recs-in", "recs-out"):
            client.create_bucket(Bucket=bucket)
        yield client


def put_lines(s3: Any, bucket: str, key: str, lines: list[Any]) -> None:
    body = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())


def read_lines(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


def records(count: int, with_ids: bool = True) -> list[dict[str, Any]]:
    return [
        {
            **({"recordId": f"CALL{index:07d}"} if with_ids else {}),
            "modelInput": {
                "anthropic_version": "bedrock-2023-05-31",
                "max_tokens": 200,
                "messages": [{"role": "user", "content": f"Summarise ticket {index}"}],
            },
        }
        for index in range(count)
    ]


def create(
    bedrock: Any, input_uri: str = "s3://batch-in/jobs/calls.jsonl", **extra: Any
) -> dict[str, Any]:
    arn = bedrock.create_model_invocation_job(
        jobName="summaries",
        roleArn=ROLE,
        modelId=MODEL,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": input_uri}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}},
        **extra,
    )["jobArn"]
    return {"arn": arn, "id": arn.rsplit("/", 1)[1]}


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_bedrock_end_to_end(batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any) -> None:
    inputs = records(150, with_ids=False)[:20] + records(150)[20:]
    put_lines(s3, "batch-in", "jobs/calls.jsonl", inputs)
    job = create(bedrock)
    batchjobs_fake.clock.advance(hours=2)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert got["status"] == "Completed"
    listed = s3.list_objects_v2(Bucket="batch-out", Prefix=f"results/{job['id']}/")
    keys = sorted(item["Key"] for item in listed["Contents"])
    assert keys == [
        f"results/{job['id']}/calls.jsonl.out",
        f"results/{job['id']}/manifest.json.out",
    ]
    lines = read_lines(s3, "batch-out", keys[0])
    assert len(lines) == 150
    by_input = {json.dumps(r["modelInput"], sort_keys=True): r for r in inputs}
    for line in lines:
        assert set(line) == {"recordId", "modelInput", "modelOutput"}
        assert json.dumps(line["modelInput"], sort_keys=True) in by_input
        assert line["modelOutput"]["type"] == "message"
        assert line["modelOutput"]["content"][0]["type"] == "text"
    # Output order is not input order: records are joined to their inputs by recordId.
    given = {line["recordId"] for line in lines if line["recordId"].startswith("CALL")}
    assert given == {f"CALL{i:07d}" for i in range(20, 150)}
    generated = [line for line in lines if line["recordId"] not in given]
    assert all(len(line["recordId"]) == 11 and line["recordId"].isalnum() for line in generated)
    assert sorted(json.dumps(line["modelInput"], sort_keys=True) for line in generated) == sorted(
        json.dumps(record["modelInput"], sort_keys=True) for record in inputs[:20]
    )
    manifest = read_lines(s3, "batch-out", keys[1])[0]
    assert manifest["totalRecordCount"] == got["totalRecordCount"] == 150
    assert manifest["processedRecordCount"] == got["processedRecordCount"] == 150
    assert manifest["successRecordCount"] == got["successRecordCount"] == 150
    assert manifest["errorRecordCount"] == got["errorRecordCount"] == 0
    assert manifest["inputTokenCount"] == sum(
        line["modelOutput"]["usage"]["input_tokens"] for line in lines
    )
    assert manifest["outputTokenCount"] > 0
    assert batchjobs_fake.outputs(job["arn"]).keys() == {f"s3://batch-out/{key}" for key in keys}


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_error_records_leave_the_job_completed(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    put_lines(s3, "batch-in", "jobs/part-1.jsonl", records(120)[:60])
    put_lines(s3, "batch-in", "jobs/part-2.jsonl", records(120)[60:])

    def responder(record: dict[str, Any]) -> dict[str, Any]:
        if record["recordId"].endswith("7"):
            raise ValueError("The model could not process this input.")
        return {
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"input_tokens": 10, "output_tokens": 2},
        }

    batchjobs_fake.bedrock.responder(responder)
    job = create(bedrock, "s3://batch-in/jobs/")
    batchjobs_fake.clock.advance(hours=2)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert got["status"] == "Completed"  # as AWS reports it (BerriAI/litellm#36156)
    lines = read_lines(s3, "batch-out", f"results/{job['id']}/part-1.jsonl.out") + read_lines(
        s3, "batch-out", f"results/{job['id']}/part-2.jsonl.out"
    )
    errors = [line for line in lines if "error" in line]
    assert len(errors) == got["errorRecordCount"] == 12
    assert errors[0]["error"] == {
        "errorCode": 400,
        "errorMessage": "The model could not process this input.",
    }
    assert all("modelOutput" not in line for line in errors)
    manifest = read_lines(s3, "batch-out", f"results/{job['id']}/manifest.json.out")[0]
    assert (manifest["successRecordCount"], manifest["errorRecordCount"]) == (108, 12)
    assert manifest["inputTokenCount"] == 1080


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_a_job_cut_short_by_its_timeout_keeps_the_records_it_processed(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    put_lines(s3, "batch-in", "jobs/part-1.jsonl", records(150)[:100])
    put_lines(s3, "batch-in", "jobs/part-2.jsonl", records(150)[100:])
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 30 * 3600})  # a 30 h run
    job = create(bedrock, "s3://batch-in/jobs/", timeoutDurationInHours=24)
    batchjobs_fake.clock.advance(hours=25)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert got["status"] == "PartiallyCompleted"
    assert (got["totalRecordCount"], got["processedRecordCount"]) == (150, 119)
    first = read_lines(s3, "batch-out", f"results/{job['id']}/part-1.jsonl.out")
    second = read_lines(s3, "batch-out", f"results/{job['id']}/part-2.jsonl.out")
    # The first file's records, then 19 of the second's (each file in its own order).
    assert {line["recordId"] for line in first} == {f"CALL{i:07d}" for i in range(100)}
    assert len(second) == len({line["recordId"] for line in second}) == 19
    assert {line["recordId"] for line in second} < {f"CALL{i:07d}" for i in range(100, 150)}
    manifest = read_lines(s3, "batch-out", f"results/{job['id']}/manifest.json.out")[0]
    assert manifest["totalRecordCount"] == 150
    assert manifest["processedRecordCount"] == manifest["successRecordCount"] == 119
    assert manifest["errorRecordCount"] == got["errorRecordCount"] == 0


def output_keys(s3: Any, job: dict[str, Any]) -> list[str]:
    listed = s3.list_objects_v2(Bucket="batch-out", Prefix=f"results/{job['id']}/")
    return sorted(item["Key"].rsplit("/", 1)[1] for item in listed.get("Contents", []))


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_results_appear_and_grow_while_the_job_runs(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    """AWS: "InProgress - This job has begun. You can start viewing the results in the
    output S3 location." The manifest comes last, when the job ends."""
    put_lines(s3, "batch-in", "jobs/part-1.jsonl", records(150)[:90])
    put_lines(s3, "batch-in", "jobs/part-2.jsonl", records(150)[90:])
    job = create(bedrock, "s3://batch-in/jobs/")
    batchjobs_fake.clock.advance(minutes=7)  # Scheduled: nothing processed yet
    assert output_keys(s3, job) == []
    seen = []
    before: list[str] = []
    for minutes in (20.5, 20, 15):  # InProgress from 7.5 min for an hour: 50, 100, 137 records
        batchjobs_fake.clock.advance(minutes=minutes)
        got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
        assert got["status"] == "InProgress"
        processed = got["processedRecordCount"]
        written = [
            line["recordId"]
            for name in output_keys(s3, job)
            for line in read_lines(s3, "batch-out", f"results/{job['id']}/{name}")
        ]
        # What was written stays written, in place; new records come after it.
        assert len(written) == len(set(written)) == processed
        assert written[: len(before)] == before
        before = written
        assert "manifest.json.out" not in output_keys(s3, job)
        kept = batchjobs_fake.outputs(job["arn"])
        assert sum(text.count("\n") for text in kept.values()) == processed
        seen.append((processed, output_keys(s3, job)))
    assert seen == [
        (50, ["part-1.jsonl.out"]),
        (100, ["part-1.jsonl.out", "part-2.jsonl.out"]),
        (137, ["part-1.jsonl.out", "part-2.jsonl.out"]),
    ]
    batchjobs_fake.clock.advance(minutes=10)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert got["status"] == "Completed"
    assert output_keys(s3, job) == ["manifest.json.out", "part-1.jsonl.out", "part-2.jsonl.out"]
    manifest = read_lines(s3, "batch-out", f"results/{job['id']}/manifest.json.out")[0]
    assert manifest["processedRecordCount"] == got["processedRecordCount"] == 150


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_a_stopped_job_keeps_what_it_processed(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    put_lines(s3, "batch-in", "jobs/calls.jsonl", records(120))
    job = create(bedrock)
    batchjobs_fake.clock.advance(minutes=7.5 + 30)  # half way through its run
    bedrock.stop_model_invocation_job(jobIdentifier=job["arn"])
    batchjobs_fake.clock.advance(minutes=5)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert (got["status"], got["processedRecordCount"]) == ("Stopped", 60)
    lines = read_lines(s3, "batch-out", f"results/{job['id']}/calls.jsonl.out")
    assert len(lines) == len({line["recordId"] for line in lines}) == 60
    manifest = read_lines(s3, "batch-out", f"results/{job['id']}/manifest.json.out")[0]
    assert (manifest["totalRecordCount"], manifest["processedRecordCount"]) == (120, 60)


def test_a_job_that_will_fail_writes_nothing_while_it_runs(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    put_lines(s3, "batch-in", "jobs/calls.jsonl", records(120))
    batchjobs_fake.bedrock.lifecycle(outcome="Failed", message="The model is not available.")
    job = create(bedrock)
    batchjobs_fake.clock.advance(minutes=40)
    assert bedrock.get_model_invocation_job(jobIdentifier=job["arn"])["status"] == "InProgress"
    batchjobs_fake.clock.advance(hours=1)
    assert bedrock.get_model_invocation_job(jobIdentifier=job["arn"])["status"] == "Failed"
    assert output_keys(s3, job) == []


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_an_expired_job_writes_nothing(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    put_lines(s3, "batch-in", "jobs/calls.jsonl", records(120))
    batchjobs_fake.bedrock.lifecycle(outcome="Expired")
    job = create(bedrock, timeoutDurationInHours=24)
    batchjobs_fake.clock.advance(hours=25)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert (got["status"], got["processedRecordCount"]) == ("Expired", 0)
    assert s3.list_objects_v2(Bucket="batch-out")["KeyCount"] == 0
    assert batchjobs_fake.outputs(got) == {}


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        (None, "No input files were found"),
        (records(50), "contain 50 records, fewer than the minimum of 100"),
        (
            [*records(120)[:5], "{not json", *records(120)[5:]],
            "Line 6 of the input file calls.jsonl is not valid JSON",
        ),
        ([{"prompt": "no modelInput"}] * 120, "is not a valid record"),
    ],
)
def test_bedrock_validation_failures(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any, lines: Any, fragment: str
) -> None:
    if lines is not None:
        put_lines(s3, "batch-in", "jobs/calls.jsonl", lines)
    job = create(bedrock)
    batchjobs_fake.clock.advance(seconds=60)
    assert bedrock.get_model_invocation_job(jobIdentifier=job["arn"])["status"] == "Validating"
    batchjobs_fake.clock.advance(minutes=3)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert got["status"] == "Failed"
    assert fragment in got["message"]
    assert got["endTime"] == got["lastModifiedTime"]
    assert "Contents" not in s3.list_objects_v2(Bucket="batch-out")


def test_record_limits_are_configurable(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    batchjobs_fake.bedrock.record_limits(minimum=1, maximum=10)
    put_lines(s3, "batch-in", "jobs/calls.jsonl", records(11))
    job = create(bedrock)
    batchjobs_fake.clock.advance(hours=2)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    assert (got["status"], "more than the maximum of 10" in got["message"]) == ("Failed", True)


def users(count: int) -> list[dict[str, Any]]:
    return [{"userId": f"user-{index}"} for index in range(count)]


def create_recs(personalize: Any, num_results: int = 5) -> str:
    return str(
        personalize.create_batch_inference_job(
            jobName="weekly-recs",
            solutionVersionArn=SOLUTION,
            numResults=num_results,
            jobInput={"s3DataSource": {"path": "s3://recs-in/users.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://recs-out/weekly/"}},
            roleArn=ROLE,
        )["batchInferenceJobArn"]
    )


def test_personalize_end_to_end(batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any) -> None:
    put_lines(s3, "recs-in", "users.json", users(30))
    arn = create_recs(personalize, num_results=5)
    batchjobs_fake.clock.advance(hours=1)
    job = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]
    assert job["status"] == "ACTIVE"
    lines = read_lines(s3, "recs-out", "weekly/users.json.out")
    assert [line["input"] for line in lines] == users(30)
    for line in lines:
        assert set(line) == {"input", "output", "error"}
        assert line["error"] is None
        assert len(line["output"]["recommendedItems"]) == 5
        scores = line["output"]["scores"]
        assert scores == sorted(scores, reverse=True)


def test_personalize_responder_and_error_lines(
    batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any
) -> None:
    put_lines(s3, "recs-in", "users.json", users(4))

    def recommend(line: dict[str, Any]) -> list[str]:
        if line["userId"] == "user-2":
            raise ValueError("User not found in the training data.")
        return [f"movie-{n}" for n in range(10)]

    batchjobs_fake.personalize.responder(recommend)
    create_recs(personalize, num_results=3)
    batchjobs_fake.clock.advance(hours=1)
    lines = read_lines(s3, "recs-out", "weekly/users.json.out")
    assert lines[0]["output"]["recommendedItems"] == ["movie-0", "movie-1", "movie-2"]
    assert lines[2] == {
        "input": {"userId": "user-2"},
        "output": None,
        "error": "User not found in the training data.",
    }


def test_personalize_bad_input_fails_the_job(
    batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any
) -> None:
    put_lines(s3, "recs-in", "users.json", ['{"userId": "1"}', "not json"])
    arn = create_recs(personalize)
    batchjobs_fake.clock.advance(hours=1)
    job = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]
    assert job["status"] == "CREATE FAILED"
    assert job["failureReason"] == "Line 2 of the input file users.json is not valid JSON."


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_without_moto_outputs_stay_in_the_fake(
    batchjobs_fake: BatchJobsFake, bedrock: Any, personalize: Any
) -> None:
    job = create(bedrock)
    arn = create_recs(personalize)
    assert batchjobs_fake.outputs(job["arn"]) == {}
    batchjobs_fake.clock.advance(minutes=37.5)  # half way: half of the 100 stand-in records
    running = batchjobs_fake.outputs(job["arn"])
    assert list(running) == [f"s3://batch-out/results/{job['id']}/calls.jsonl.out"]
    assert running[f"s3://batch-out/results/{job['id']}/calls.jsonl.out"].count("\n") == 50
    batchjobs_fake.clock.advance(hours=2)
    got = bedrock.get_model_invocation_job(jobIdentifier=job["arn"])
    files = batchjobs_fake.outputs(got)
    manifest = json.loads(files[f"s3://batch-out/results/{job['id']}/manifest.json.out"])
    assert manifest["totalRecordCount"] == got["totalRecordCount"]
    recs = batchjobs_fake.outputs(arn)
    assert list(recs) == ["s3://recs-out/weekly/users.json.out"]
    with pytest.raises(ValueError, match="outputs\\(\\) needs a job's ARN"):
        batchjobs_fake.outputs({"jobName": "x"})


@mock_aws
def test_moto_decorator_around_the_fake_fixture(batchjobs_fake: BatchJobsFake) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="batch-in")
    s3.create_bucket(Bucket="batch-out")
    put_lines(s3, "batch-in", "jobs/calls.jsonl", records(100))
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    job = create(bedrock)
    batchjobs_fake.clock.advance(hours=2)
    assert bedrock.get_model_invocation_job(jobIdentifier=job["arn"])["status"] == "Completed"
    assert s3.list_objects_v2(Bucket="batch-out")["KeyCount"] == 2
    assert bedrock.list_custom_models()["modelSummaries"] == []  # moto answers the rest
