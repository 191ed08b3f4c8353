"""Personalize batch inference jobs through a real boto3 client."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from jobs import ROLE, SOLUTION, error_of, personalize_job

from pytest_batchjobs import BatchJobsFake


def test_create_and_describe(personalize: Any) -> None:
    arn = personalize_job(
        personalize,
        numResults=50,
        filterArn="arn:aws:personalize:us-east-1:123456789012:filter/no-horror",
        batchInferenceJobConfig={"itemExplorationConfig": {"explorationWeight": "0.3"}},
    )
    assert arn == "arn:aws:personalize:us-east-1:123456789012:batch-inference-job/movies-batch"
    job = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]
    assert job["status"] == "CREATE PENDING"
    assert job["jobName"] == "movies-batch"
    assert job["solutionVersionArn"] == SOLUTION
    assert job["numResults"] == 50
    assert job["roleArn"] == ROLE
    assert job["batchInferenceJobConfig"] == {"itemExplorationConfig": {"explorationWeight": "0.3"}}
    assert job["batchInferenceJobMode"] == "BATCH_INFERENCE"
    assert job["creationDateTime"] == job["lastUpdatedDateTime"]
    assert "failureReason" not in job


def test_status_follows_the_default_lifecycle(
    personalize: Any, batchjobs_fake: BatchJobsFake
) -> None:
    arn = personalize_job(personalize)
    seen = []
    for _ in range(60):
        job = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
        status = job["batchInferenceJob"]["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        batchjobs_fake.clock.advance(minutes=1)
    assert seen == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    job = job["batchInferenceJob"]
    assert job["creationDateTime"] < job["lastUpdatedDateTime"]


def test_repeated_name_is_resource_already_exists(personalize: Any) -> None:
    personalize_job(personalize)
    with pytest.raises(personalize.exceptions.ResourceAlreadyExistsException) as excinfo:
        personalize_job(personalize)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert "batch-inference-job/movies-batch" in message


def test_unknown_job_is_resource_not_found(personalize: Any) -> None:
    missing = "arn:aws:personalize:us-east-1:123456789012:batch-inference-job/none"
    with pytest.raises(personalize.exceptions.ResourceNotFoundException) as excinfo:
        personalize.describe_batch_inference_job(batchInferenceJobArn=missing)
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 400)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (
            {"jobName": "dots.are.not.allowed"},
            "at 'jobName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
        ),
        ({"jobName": "-leading-dash"}, "at 'jobName'"),
        ({"solutionVersionArn": "arn:aws:s3:::bucket"}, "at 'solutionVersionArn'"),
        ({"roleArn": "role/x"}, "at 'roleArn'"),
        ({"jobInput": {"s3DataSource": {"path": "ftp://x"}}}, "at 'jobInput.s3DataSource.path'"),
        ({"batchInferenceJobMode": "REALTIME"}, "Member must satisfy enum value set"),
        ({"tags": [{"tagKey": "bad!", "tagValue": "x"}]}, "at 'tags.1.member.tagKey'"),
    ],
)
def test_create_rejects_what_aws_rejects(
    personalize: Any, overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(personalize.exceptions.InvalidInputException) as excinfo:
        personalize_job(personalize, **overrides)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidInputException", 400)
    assert message.startswith("1 validation error detected: ")
    assert fragment in message
    assert personalize.list_batch_inference_jobs()["batchInferenceJobs"] == []


def test_unicode_letters_are_valid_tag_characters(personalize: Any) -> None:
    arn = personalize_job(personalize, tags=[{"tagKey": "équipe", "tagValue": "données 1"}])
    tags = personalize.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == [{"tagKey": "équipe", "tagValue": "données 1"}]


def test_max_results_above_100_is_invalid_input(personalize: Any) -> None:
    with pytest.raises(personalize.exceptions.InvalidInputException) as excinfo:
        personalize.list_batch_inference_jobs(maxResults=101)
    assert error_of(excinfo)[2] == (
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 100"
    )


def test_list_newest_first_and_filtered_by_solution_version(
    personalize: Any, batchjobs_fake: BatchJobsFake
) -> None:
    other = SOLUTION.replace("0123abcd", "99999999")
    personalize_job(personalize, name="first")
    batchjobs_fake.clock.advance(minutes=5)
    personalize_job(personalize, name="second", solutionVersionArn=other)
    batchjobs_fake.clock.advance(minutes=5)
    personalize_job(personalize, name="third")
    listed = personalize.list_batch_inference_jobs()["batchInferenceJobs"]
    assert [job["jobName"] for job in listed] == ["third", "second", "first"]
    assert set(listed[0]) == {
        "batchInferenceJobArn",
        "jobName",
        "status",
        "creationDateTime",
        "lastUpdatedDateTime",
        "solutionVersionArn",
        "batchInferenceJobMode",
    }
    mine = personalize.list_batch_inference_jobs(solutionVersionArn=SOLUTION)
    assert [job["jobName"] for job in mine["batchInferenceJobs"]] == ["third", "first"]


def test_paginator_over_250_jobs(personalize: Any) -> None:
    for index in range(250):
        personalize_job(personalize, name=f"job-{index:03d}")
    paginator = personalize.get_paginator("list_batch_inference_jobs")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 100}))
    assert [len(page["batchInferenceJobs"]) for page in pages] == [100, 100, 50]
    names = [job["jobName"] for page in pages for job in page["batchInferenceJobs"]]
    assert names == [f"job-{index:03d}" for index in reversed(range(250))]


def test_garbage_and_foreign_tokens_are_invalid_next_token(personalize: Any) -> None:
    for index in range(3):
        personalize_job(personalize, name=f"job-{index}")
    with pytest.raises(personalize.exceptions.InvalidNextTokenException) as excinfo:
        personalize.list_batch_inference_jobs(nextToken="garbage")
    assert error_of(excinfo)[:2] == ("InvalidNextTokenException", 400)
    assert error_of(excinfo)[2].startswith("The token is not valid")
    token = personalize.list_batch_inference_jobs(maxResults=1)["nextToken"]
    with pytest.raises(personalize.exceptions.InvalidNextTokenException):
        personalize.list_batch_inference_jobs(nextToken=token, solutionVersionArn=SOLUTION)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with pytest.raises(personalize.exceptions.InvalidNextTokenException):
        personalize.list_batch_inference_jobs(nextToken=tampered)


def test_regions_are_isolated(batchjobs_fake: BatchJobsFake) -> None:
    east = boto3.client("personalize", region_name="us-east-1")
    europe = boto3.client("personalize", region_name="eu-west-1")
    arn = personalize_job(europe)
    assert arn.startswith("arn:aws:personalize:eu-west-1:")
    assert east.list_batch_inference_jobs()["batchInferenceJobs"] == []
    personalize_job(east)  # the same name is free in another region
    with pytest.raises(east.exceptions.ResourceNotFoundException):
        east.describe_batch_inference_job(batchInferenceJobArn=arn)


def test_tags(personalize: Any) -> None:
    arn = personalize_job(personalize, tags=[{"tagKey": "team", "tagValue": "recs"}])
    personalize.tag_resource(resourceArn=arn, tags=[{"tagKey": "env", "tagValue": "test"}])
    tags = personalize.list_tags_for_resource(resourceArn=arn)["tags"]
    assert sorted((t["tagKey"], t["tagValue"]) for t in tags) == [("env", "test"), ("team", "recs")]
    personalize.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"tagKey": "env", "tagValue": "test"}
    ]
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.list_tags_for_resource(resourceArn=arn + "-gone")


def test_statuses_are_the_strings_the_service_sends(
    personalize: Any, batchjobs_fake: BatchJobsFake
) -> None:
    """CREATE PENDING / CREATE IN_PROGRESS, as real jobs report them (the API reference's
    PENDING / IN PROGRESS are never sent): in describe, list and the factory alike."""
    arn = personalize_job(personalize)
    made = batchjobs_fake.personalize.add_job(status="CREATE IN_PROGRESS")
    assert made["status"] == "CREATE IN_PROGRESS"

    def listed() -> dict[str, str]:
        jobs = personalize.list_batch_inference_jobs()["batchInferenceJobs"]
        return {job["batchInferenceJobArn"]: job["status"] for job in jobs}

    assert listed()[arn] == "CREATE PENDING"
    assert listed()[made["batchInferenceJobArn"]] == "CREATE IN_PROGRESS"
    batchjobs_fake.clock.advance(minutes=2)
    described = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
    assert described["batchInferenceJob"]["status"] == "CREATE IN_PROGRESS"
    assert listed()[arn] == "CREATE IN_PROGRESS"


@pytest.mark.parametrize(
    ("documented", "sent"), [("PENDING", "CREATE PENDING"), ("IN PROGRESS", "CREATE IN_PROGRESS")]
)
def test_the_api_reference_names_are_refused_with_the_real_ones(
    batchjobs_fake: BatchJobsFake, documented: str, sent: str
) -> None:
    expected = (
        rf"'{documented}' is how the Personalize API reference names a status, but the "
        rf"service sends '{sent}'.*Use '{sent}'.*docs/fidelity.md"
    )
    with pytest.raises(ValueError, match=expected):
        batchjobs_fake.personalize.add_job(status=documented)
    with pytest.raises(ValueError, match=expected):
        batchjobs_fake.personalize.add_jobs(3, status={"ACTIVE": 2, documented: 1})
    with pytest.raises(ValueError, match=expected):
        batchjobs_fake.personalize.lifecycle(durations={documented: 10})
