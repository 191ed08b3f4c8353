"""Bedrock model invocation jobs through a real boto3 client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from jobs import MODEL, ROLE, bedrock_job, error_of
from model_members import needs_model_member

from pytest_batchjobs import BatchJobsFake

ARN_PATTERN = r"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/[a-z0-9]{12}"


def test_create_returns_a_real_arn_with_status_200(bedrock: Any) -> None:
    response = bedrock.create_model_invocation_job(
        jobName="nightly-batch",
        roleArn=ROLE,
        modelId=MODEL,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/a.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/"}},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    import re

    assert re.fullmatch(ARN_PATTERN, response["jobArn"])


def test_get_by_arn_and_by_id_returns_the_request_back(bedrock: Any) -> None:
    arn = bedrock_job(bedrock, timeoutDurationInHours=24, tags=[{"key": "team", "value": "ml"}])
    by_arn = bedrock.get_model_invocation_job(jobIdentifier=arn)
    by_id = bedrock.get_model_invocation_job(jobIdentifier=arn.rsplit("/", 1)[1])
    for job in (by_arn, by_id):
        assert job["jobArn"] == arn
        assert job["jobName"] == "nightly-batch"
        assert job["modelId"] == f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}"
        assert job["roleArn"] == ROLE
        assert job["status"] == "Submitted"
        assert job["timeoutDurationInHours"] == 24
        assert job["inputDataConfig"]["s3InputDataConfig"]["s3Uri"] == (
            "s3://batch-in/records.jsonl"
        )
        assert job["jobExpirationTime"] - job["submitTime"] == dt.timedelta(hours=24)
        assert "endTime" not in job


@pytest.mark.parametrize(
    ("model_id", "answered"),
    [
        (MODEL, f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}"),
        (
            "us.amazon.nova-2-lite-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-2-lite-v1:0",
        ),
        (
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/hq2of259skzs",
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/hq2of259skzs",
        ),
    ],
    ids=["foundation-model-id", "inference-profile-id", "arn"],
)
def test_get_and_list_answer_the_model_as_an_arn(
    bedrock: Any, model_id: str, answered: str
) -> None:
    arn = bedrock_job(bedrock, modelId=model_id)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["modelId"] == answered
    (summary,) = bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
    assert summary["modelId"] == answered


@needs_model_member("bedrock", "ModelInvocationJobS3InputDataConfig", "s3BucketOwner")
def test_the_data_configs_name_the_bucket_owner(bedrock: Any) -> None:
    arn = bedrock_job(
        bedrock,
        outputDataConfig={
            "s3OutputDataConfig": {"s3Uri": "s3://shared-out/", "s3BucketOwner": "210987654321"}
        },
    )
    expected_input = {
        "s3InputDataConfig": {
            "s3Uri": "s3://batch-in/records.jsonl",
            "s3BucketOwner": "123456789012",
        }
    }
    expected_output = {
        "s3OutputDataConfig": {"s3Uri": "s3://shared-out/", "s3BucketOwner": "210987654321"}
    }
    got = bedrock.get_model_invocation_job(jobIdentifier=arn)
    (summary,) = bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
    for job in (got, summary):
        assert job["inputDataConfig"] == expected_input
        assert job["outputDataConfig"] == expected_output


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_status_follows_the_default_lifecycle(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    arn = bedrock_job(bedrock)
    seen = []
    for _ in range(100):
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] == "Completed":
            break
        batchjobs_fake.clock.advance(seconds=60)
    assert seen == ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
    assert job["endTime"] == job["lastModifiedTime"]
    assert job["submitTime"] < job["endTime"]
    assert job["totalRecordCount"] == job["successRecordCount"] == job["processedRecordCount"]
    assert job["errorRecordCount"] == 0


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_record_counts_grow_while_in_progress(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    arn = bedrock_job(bedrock)
    batchjobs_fake.clock.advance(minutes=30)  # 7.5 min to InProgress, then 1 h running
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "InProgress"
    assert 0 < job["processedRecordCount"] < job["totalRecordCount"]
    assert job["processedRecordCount"] == job["successRecordCount"] + job["errorRecordCount"]


@pytest.mark.parametrize(
    ("elapsed", "status"),
    [(0, "Submitted"), (60, "Validating"), (200, "Scheduled"), (600, "InProgress")],
)
def test_stop_in_every_running_status(
    bedrock: Any, batchjobs_fake: BatchJobsFake, elapsed: int, status: str
) -> None:
    arn = bedrock_job(bedrock)
    batchjobs_fake.clock.advance(seconds=elapsed)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == status
    response = bedrock.stop_model_invocation_job(jobIdentifier=arn)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Stopping"
    bedrock.stop_model_invocation_job(jobIdentifier=arn)  # again while Stopping: accepted
    batchjobs_fake.clock.advance(minutes=2)
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert job["status"] == "Stopped"
    assert job["endTime"] == job["lastModifiedTime"] > job["submitTime"]
    batchjobs_fake.clock.advance(hours=5)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Stopped"


@pytest.mark.parametrize(
    ("outcome", "stop_first"),
    [
        ("Completed", False),
        ("PartiallyCompleted", False),
        ("Failed", False),
        ("Expired", False),
        ("Completed", True),  # Stopped
    ],
)
def test_stopping_an_ended_job_says_what_state_it_was_in(
    bedrock: Any, batchjobs_fake: BatchJobsFake, outcome: str, stop_first: bool
) -> None:
    """Airflow's system test (run against AWS) treats the ValidationException as "already
    done" when its message contains ``State was: Completed``: every ended status has it."""
    batchjobs_fake.bedrock.lifecycle(outcome)
    arn = bedrock_job(bedrock, timeoutDurationInHours=24)
    if stop_first:
        bedrock.stop_model_invocation_job(jobIdentifier=arn)
    batchjobs_fake.clock.advance(hours=25)
    ended = bedrock.get_model_invocation_job(jobIdentifier=arn)["status"]
    assert ended == ("Stopped" if stop_first else outcome)
    with pytest.raises(ClientError) as excinfo:
        bedrock.stop_model_invocation_job(jobIdentifier=arn)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert f"State was: {ended}" in message
    assert "cannot be stopped" in message


def test_unknown_job_is_resource_not_found_404(bedrock: Any) -> None:
    for identifier in (
        "abcdefghijkl",
        "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
    ):
        with pytest.raises(bedrock.exceptions.ResourceNotFoundException) as excinfo:
            bedrock.get_model_invocation_job(jobIdentifier=identifier)
        assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)
        with pytest.raises(bedrock.exceptions.ResourceNotFoundException):
            bedrock.stop_model_invocation_job(jobIdentifier=identifier)


def test_same_client_request_token_returns_the_same_job(bedrock: Any) -> None:
    first = bedrock_job(bedrock, clientRequestToken="retry-1")
    again = bedrock_job(bedrock, clientRequestToken="retry-1")
    assert first == again
    assert len(bedrock.list_model_invocation_jobs()["invocationJobSummaries"]) == 1


def test_same_token_with_other_parameters_is_a_conflict(bedrock: Any) -> None:
    bedrock_job(bedrock, clientRequestToken="retry-1")
    with pytest.raises(bedrock.exceptions.ConflictException) as excinfo:
        bedrock_job(bedrock, name="another-name", clientRequestToken="retry-1")
    assert error_of(excinfo)[:2] == ("ConflictException", 400)


def test_boto3_fills_in_a_token_so_two_creates_make_two_jobs(bedrock: Any) -> None:
    assert bedrock_job(bedrock) != bedrock_job(bedrock)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (
            {"timeoutDurationInHours": 200},
            "at 'timeoutDurationInHours' failed to satisfy"
            " constraint: Member must have value less than or equal to 168",
        ),
        (
            {"jobName": "has_underscore"},
            "at 'jobName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern",
        ),
        ({"jobName": "x" * 64}, "Member must have length less than or equal to 63"),
        ({"modelId": "not a model!"}, "at 'modelId' failed to satisfy constraint"),
        ({"roleArn": "arn:aws:iam::123:user/bob"}, "at 'roleArn' failed to satisfy"),
        pytest.param(
            {"modelInvocationType": "Streaming"},
            "Member must satisfy enum value set: [InvokeModel, Converse]",
            marks=needs_model_member(
                "bedrock", "CreateModelInvocationJobRequest", "modelInvocationType"
            ),
        ),
        (
            {"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://UPPER/x"}}},
            "at 'inputDataConfig.s3InputDataConfig.s3Uri'",
        ),
    ],
)
def test_create_rejects_what_aws_rejects(
    bedrock: Any, overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(bedrock.exceptions.ValidationException) as excinfo:
        bedrock_job(bedrock, **overrides)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value ")
    assert fragment in message
    assert bedrock.list_model_invocation_jobs()["invocationJobSummaries"] == []


def test_all_violations_are_reported_at_once(bedrock: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        bedrock_job(bedrock, jobName="bad_name", timeoutDurationInHours=500)
    assert error_of(excinfo)[2].startswith("2 validation errors detected: ")


def test_missing_required_member_without_client_validation(batchjobs_fake: BatchJobsFake) -> None:
    client = boto3.client(
        "bedrock", region_name="us-east-1", config=Config(parameter_validation=False)
    )
    with pytest.raises(ClientError) as excinfo:
        client.create_model_invocation_job(jobName="no-role", modelId=MODEL)
    code, _, message = error_of(excinfo)
    assert code == "ValidationException"
    assert (
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null" in message
    )
    with pytest.raises(ClientError) as excinfo:
        bedrock_job(client, inputDataConfig={})
    assert "Member must have exactly one of the following fields set" in error_of(excinfo)[2]


def test_wrong_type_without_client_validation_is_a_serialization_error(
    batchjobs_fake: BatchJobsFake,
) -> None:
    client = boto3.client(
        "bedrock", region_name="us-east-1", config=Config(parameter_validation=False)
    )
    with pytest.raises(ClientError) as excinfo:
        bedrock_job(client, timeoutDurationInHours="forever")
    assert error_of(excinfo)[:2] == ("SerializationException", 400)


def test_list_rejects_out_of_range_max_results_and_bad_enums(bedrock: Any) -> None:
    with pytest.raises(bedrock.exceptions.ValidationException) as excinfo:
        bedrock.list_model_invocation_jobs(maxResults=1001)
    assert "Member must have value less than or equal to 1000" in error_of(excinfo)[2]
    with pytest.raises(bedrock.exceptions.ValidationException):
        bedrock.list_model_invocation_jobs(statusEquals="Running")
    with pytest.raises(bedrock.exceptions.ValidationException):
        bedrock.list_model_invocation_jobs(sortOrder="Sideways")


def test_list_filters_and_sorts(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    for name in ("reviews-a", "reviews-b", "tickets-a"):
        bedrock_job(bedrock, name=name)
        batchjobs_fake.clock.advance(minutes=10)
    start = batchjobs_fake.clock.now()
    bedrock_job(bedrock, name="reviews-c")

    def names(**params: Any) -> list[str]:
        summaries = bedrock.list_model_invocation_jobs(**params)["invocationJobSummaries"]
        return [s["jobName"] for s in summaries]

    assert names() == ["reviews-c", "tickets-a", "reviews-b", "reviews-a"]
    assert names(sortOrder="Ascending") == ["reviews-a", "reviews-b", "tickets-a", "reviews-c"]
    assert names(nameContains="reviews") == ["reviews-c", "reviews-b", "reviews-a"]
    assert names(submitTimeAfter=start - dt.timedelta(seconds=1)) == ["reviews-c"]
    assert names(submitTimeBefore=start - dt.timedelta(minutes=15)) == ["reviews-b", "reviews-a"]
    assert names(statusEquals="Submitted") == ["reviews-c"]
    assert names(statusEquals="Completed") == []
    assert names(statusEquals="InProgress") == ["tickets-a", "reviews-b", "reviews-a"]


def test_paginator_walks_250_jobs_once_each(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    created = []
    for index in range(250):
        created.append(bedrock_job(bedrock, name=f"job-{index}"))
        batchjobs_fake.clock.advance(seconds=1)
    paginator = bedrock.get_paginator("list_model_invocation_jobs")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 40}))
    assert [len(page["invocationJobSummaries"]) for page in pages] == [40] * 6 + [10]
    seen = [s["jobArn"] for page in pages for s in page["invocationJobSummaries"]]
    assert seen == list(reversed(created))
    assert "nextToken" not in pages[-1]


def test_garbage_token_is_a_validation_error(bedrock: Any) -> None:
    with pytest.raises(bedrock.exceptions.ValidationException) as excinfo:
        bedrock.list_model_invocation_jobs(nextToken="garbage")
    assert "pagination token" in error_of(excinfo)[2]


def test_regions_are_isolated(batchjobs_fake: BatchJobsFake) -> None:
    east = boto3.client("bedrock", region_name="us-east-1")
    west = boto3.client("bedrock", region_name="us-west-2")
    arn = bedrock_job(west)
    assert arn.startswith("arn:aws:bedrock:us-west-2:123456789012:model-invocation-job/")
    assert east.list_model_invocation_jobs()["invocationJobSummaries"] == []
    with pytest.raises(east.exceptions.ResourceNotFoundException):
        east.get_model_invocation_job(jobIdentifier=arn)
    assert west.get_model_invocation_job(jobIdentifier=arn)["jobArn"] == arn


def test_tags(bedrock: Any) -> None:
    arn = bedrock_job(bedrock, tags=[{"key": "team", "value": "ml"}])
    bedrock.tag_resource(resourceARN=arn, tags=[{"key": "cost", "value": "batch"}])
    tags = bedrock.list_tags_for_resource(resourceARN=arn)["tags"]
    assert sorted((t["key"], t["value"]) for t in tags) == [("cost", "batch"), ("team", "ml")]
    bedrock.untag_resource(resourceARN=arn, tagKeys=["team"])
    assert bedrock.list_tags_for_resource(resourceARN=arn)["tags"] == [
        {"key": "cost", "value": "batch"}
    ]
    missing = arn[:-12] + "zzzzzzzzzzzz"
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException):
        bedrock.tag_resource(resourceARN=missing, tags=[{"key": "a", "value": "b"}])


def test_paging_by_submit_time_never_returns_the_last_job_seen_again(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    """Instants are kept at the millisecond the wire shows, so a client that asks for
    "jobs submitted after the newest one I saw" does not get that job again."""
    batchjobs_fake.clock.advance(seconds=39.407596)
    first = bedrock_job(bedrock, name="first")
    batchjobs_fake.clock.advance(seconds=0.000300)  # the same millisecond, on the wire
    second = bedrock_job(bedrock, name="second")
    newest = bedrock.list_model_invocation_jobs()["invocationJobSummaries"][0]
    assert newest["jobArn"] == second
    assert newest["submitTime"].microsecond == 407_000
    after = bedrock.list_model_invocation_jobs(submitTimeAfter=newest["submitTime"])
    assert after["invocationJobSummaries"] == []
    before = bedrock.list_model_invocation_jobs(submitTimeBefore=newest["submitTime"])
    assert before["invocationJobSummaries"] == []
    got = bedrock.get_model_invocation_job(jobIdentifier=first)
    assert got["submitTime"] == newest["submitTime"] == got["lastModifiedTime"]
    batchjobs_fake.clock.advance(seconds=600.000777)
    bedrock.stop_model_invocation_job(jobIdentifier=first)
    stopping = bedrock.get_model_invocation_job(jobIdentifier=first)
    assert stopping["lastModifiedTime"].microsecond % 1000 == 0
    assert stopping["lastModifiedTime"] <= batchjobs_fake.clock.now()
