"""Personalize batch segment jobs through a real boto3 client: a job kind of its own,
beside the batch inference jobs of the same service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from jobs import ROLE, SOLUTION, error_of, personalize_job
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.transports.server.control import ControlAPI

SEGMENTS = "arn:aws:personalize:us-east-1:123456789012:solution/movies-item-affinity/0a1b2c3d"


def segment_job(client: Any, name: str = "weekly-segments", **overrides: Any) -> str:
    """Create a batch segment job with realistic parameters; returns its ARN."""
    params = {
        "jobName": name,
        "solutionVersionArn": SEGMENTS,
        "numResults": 3,
        "jobInput": {"s3DataSource": {"path": "s3://segments-in/items.json"}},
        "jobOutput": {"s3DataDestination": {"path": "s3://segments-out/weekly/"}},
        "roleArn": ROLE,
        **overrides,
    }
    return str(client.create_batch_segment_job(**params)["batchSegmentJobArn"])


def test_create_and_describe(personalize: Any) -> None:
    arn = segment_job(
        personalize, filterArn="arn:aws:personalize:us-east-1:123456789012:filter/adults"
    )
    assert arn == "arn:aws:personalize:us-east-1:123456789012:batch-segment-job/weekly-segments"
    job = personalize.describe_batch_segment_job(batchSegmentJobArn=arn)["batchSegmentJob"]
    assert job["batchSegmentJobArn"] == arn
    assert job["status"] == "CREATE PENDING"
    assert job["jobName"] == "weekly-segments"
    assert job["solutionVersionArn"] == SEGMENTS
    assert job["numResults"] == 3
    assert job["filterArn"].endswith(":filter/adults")
    assert job["jobInput"] == {"s3DataSource": {"path": "s3://segments-in/items.json"}}
    assert job["roleArn"] == ROLE
    assert job["creationDateTime"] == job["lastUpdatedDateTime"]
    assert "failureReason" not in job
    assert "batchInferenceJobMode" not in job  # a batch inference job's member, not this one's


def test_status_follows_the_default_lifecycle_with_the_strings_the_service_sends(
    personalize: Any, batchjobs_fake: BatchJobsFake
) -> None:
    arn = segment_job(personalize)
    seen = []
    for _ in range(60):
        job = personalize.describe_batch_segment_job(batchSegmentJobArn=arn)["batchSegmentJob"]
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        batchjobs_fake.clock.advance(minutes=1)
    assert seen == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    assert job["creationDateTime"] < job["lastUpdatedDateTime"]


def test_a_failing_lifecycle_shows_its_failure_reason(
    personalize: Any, batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.personalize_segments.lifecycle(
        outcome="CREATE FAILED", message="Not enough interactions.", match="doomed-*"
    )
    arn = segment_job(personalize, name="doomed-1")
    fine = segment_job(personalize, name="fine")
    failed = batchjobs_fake.advance_until(arn)
    assert (failed["status"], failed["failureReason"]) == (
        "CREATE FAILED",
        "Not enough interactions.",
    )
    listed = personalize.list_batch_segment_jobs()["batchSegmentJobs"]
    assert {job["jobName"]: job["status"] for job in listed} == {
        "doomed-1": "CREATE FAILED",
        "fine": "ACTIVE",
    }
    assert listed[1]["failureReason"] == "Not enough interactions."
    assert "failureReason" not in listed[0]
    assert personalize.describe_batch_segment_job(batchSegmentJobArn=fine)
    # The batch inference jobs' lifecycles are their own.
    inference = personalize_job(personalize, name="doomed-2")
    assert batchjobs_fake.advance_until(inference)["status"] == "ACTIVE"


def test_repeated_name_is_resource_already_exists(personalize: Any) -> None:
    segment_job(personalize)
    with pytest.raises(personalize.exceptions.ResourceAlreadyExistsException) as excinfo:
        segment_job(personalize)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert message == (
        "Another resource with Arn arn:aws:personalize:us-east-1:123456789012:"
        "batch-segment-job/weekly-segments already exists."
    )


def test_segment_and_inference_jobs_are_different_resources(personalize: Any) -> None:
    """The same name is free in each; neither lists, describes nor tags the other."""
    segment = segment_job(personalize, name="movies-batch")
    inference = personalize_job(personalize, name="movies-batch")
    assert (
        personalize.list_batch_inference_jobs()["batchInferenceJobs"][0]["batchInferenceJobArn"]
        == inference
    )
    assert [
        job["batchSegmentJobArn"]
        for job in personalize.list_batch_segment_jobs()["batchSegmentJobs"]
    ] == [segment]
    with pytest.raises(personalize.exceptions.ResourceNotFoundException) as excinfo:
        personalize.describe_batch_segment_job(batchSegmentJobArn=inference)
    assert error_of(excinfo)[2] == f"Could not find resource with arn {inference}."
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.describe_batch_inference_job(batchInferenceJobArn=segment)


def test_unknown_job_is_resource_not_found(personalize: Any) -> None:
    missing = "arn:aws:personalize:us-east-1:123456789012:batch-segment-job/none"
    with pytest.raises(personalize.exceptions.ResourceNotFoundException) as excinfo:
        personalize.describe_batch_segment_job(batchSegmentJobArn=missing)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        400,
        f"Could not find resource with arn {missing}.",
    )


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (
            {"jobName": "dots.are.not.allowed"},
            "Value 'dots.are.not.allowed' at 'jobName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
        ),
        ({"jobName": "x" * 64}, "Member must have length less than or equal to 63"),
        ({"solutionVersionArn": "arn:aws:s3:::bucket"}, "at 'solutionVersionArn'"),
        ({"roleArn": "role/x"}, "at 'roleArn'"),
        ({"jobOutput": {"s3DataDestination": {"path": "ftp://x"}}}, "jobOutput.s3DataDestination"),
        ({"tags": [{"tagKey": "bad!", "tagValue": "x"}]}, "at 'tags.1.member.tagKey'"),
    ],
)
def test_create_rejects_what_aws_rejects(
    personalize: Any, overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(personalize.exceptions.InvalidInputException) as excinfo:
        segment_job(personalize, **overrides)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidInputException", 400)
    assert message.startswith("1 validation error detected: ")
    assert fragment in message
    assert personalize.list_batch_segment_jobs()["batchSegmentJobs"] == []


def test_max_results_above_100_is_invalid_input(personalize: Any) -> None:
    with pytest.raises(personalize.exceptions.InvalidInputException) as excinfo:
        personalize.list_batch_segment_jobs(maxResults=101)
    assert error_of(excinfo)[2] == (
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 100"
    )


def test_list_newest_first_and_filtered_by_solution_version(
    personalize: Any, batchjobs_fake: BatchJobsFake
) -> None:
    other = SEGMENTS.replace("0a1b2c3d", "99999999")
    segment_job(personalize, name="first")
    batchjobs_fake.clock.advance(minutes=5)
    segment_job(personalize, name="second", solutionVersionArn=other)
    batchjobs_fake.clock.advance(minutes=5)
    segment_job(personalize, name="third")
    listed = personalize.list_batch_segment_jobs()["batchSegmentJobs"]
    assert [job["jobName"] for job in listed] == ["third", "second", "first"]
    assert set(listed[0]) == {
        "batchSegmentJobArn",
        "jobName",
        "status",
        "creationDateTime",
        "lastUpdatedDateTime",
        "solutionVersionArn",
    }
    mine = personalize.list_batch_segment_jobs(solutionVersionArn=SEGMENTS)
    assert [job["jobName"] for job in mine["batchSegmentJobs"]] == ["third", "first"]


def test_paginator_over_250_factory_jobs_and_the_page_assertions(
    personalize: Any, batchjobs_fake: BatchJobsFake
) -> None:
    made = batchjobs_fake.personalize_segments.add_jobs(250, status=["ACTIVE", "CREATE FAILED"])
    paginator = personalize.get_paginator("list_batch_segment_jobs")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 100}))
    assert [len(page["batchSegmentJobs"]) for page in pages] == [100, 100, 50]
    listed = [job["batchSegmentJobArn"] for page in pages for job in page["batchSegmentJobs"]]
    assert sorted(listed) == sorted(job["batchSegmentJobArn"] for job in made)
    batchjobs_fake.pagination.assert_exhausted("ListBatchSegmentJobs")
    batchjobs_fake.pagination.assert_no_token_reuse()
    batchjobs_fake.pagination.assert_max_results("list_batch_segment_jobs", at_most=100)


def test_tokens_are_bound_to_their_query(personalize: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.personalize_segments.add_jobs(3, solutionVersionArn=SEGMENTS)
    batchjobs_fake.personalize.add_jobs(3, solutionVersionArn=SOLUTION)
    with pytest.raises(personalize.exceptions.InvalidNextTokenException) as excinfo:
        personalize.list_batch_segment_jobs(nextToken="garbage")
    assert error_of(excinfo)[:2] == ("InvalidNextTokenException", 400)
    assert error_of(excinfo)[2].startswith("The token is not valid")
    token = personalize.list_batch_segment_jobs(maxResults=1)["nextToken"]
    with pytest.raises(personalize.exceptions.InvalidNextTokenException):
        personalize.list_batch_segment_jobs(nextToken=token, solutionVersionArn=SEGMENTS)
    inference_token = personalize.list_batch_inference_jobs(maxResults=1)["nextToken"]
    with pytest.raises(personalize.exceptions.InvalidNextTokenException):
        personalize.list_batch_segment_jobs(nextToken=inference_token)
    with pytest.raises(personalize.exceptions.InvalidNextTokenException):
        personalize.list_batch_inference_jobs(nextToken=token)
    rest = personalize.list_batch_segment_jobs(nextToken=token)["batchSegmentJobs"]
    assert len(rest) == 2


def test_tags(personalize: Any, batchjobs_fake: BatchJobsFake) -> None:
    arn = segment_job(personalize, tags=[{"tagKey": "team", "tagValue": "crm"}])
    personalize.tag_resource(resourceArn=arn, tags=[{"tagKey": "env", "tagValue": "test"}])
    tags = personalize.list_tags_for_resource(resourceArn=arn)["tags"]
    assert sorted((t["tagKey"], t["tagValue"]) for t in tags) == [("env", "test"), ("team", "crm")]
    personalize.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"tagKey": "env", "tagValue": "test"}
    ]
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.list_tags_for_resource(resourceArn=arn + "-gone")
    batchjobs_fake.assert_called("TagResource", service="personalize", resourceArn=arn)


def test_regions_are_isolated(batchjobs_fake: BatchJobsFake) -> None:
    east = boto3.client("personalize", region_name="us-east-1")
    europe = boto3.client("personalize", region_name="eu-west-1")
    arn = segment_job(europe)
    assert arn.startswith("arn:aws:personalize:eu-west-1:")
    assert east.list_batch_segment_jobs()["batchSegmentJobs"] == []
    segment_job(east)  # the same name is free in another region
    with pytest.raises(east.exceptions.ResourceNotFoundException):
        east.describe_batch_segment_job(batchSegmentJobArn=arn)


def test_quota_is_limit_exceeded(personalize: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.personalize_segments.quota(max_active_jobs=1)
    segment_job(personalize, name="one")
    personalize_job(personalize, name="inference-jobs-count-apart")
    once = boto3.client(
        "personalize",
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    with pytest.raises(once.exceptions.LimitExceededException) as excinfo:
        segment_job(once, name="two")
    assert error_of(excinfo)[2] == (
        "The limit of 1 batch segment jobs that are pending or in progress has been "
        "reached (1 active)."
    )
    batchjobs_fake.clock.advance(hours=1)
    segment_job(personalize, name="two")  # the first has ended


def test_faults_and_the_journal(personalize: Any, batchjobs_fake: BatchJobsFake) -> None:
    rule = batchjobs_fake.faults.fail(
        "describe_batch_segment_job", error="ThrottlingException", times=2
    )
    arn = segment_job(personalize)
    job = personalize.describe_batch_segment_job(batchSegmentJobArn=arn)  # retried twice
    assert job["batchSegmentJob"]["status"] == "CREATE PENDING"
    assert rule.fired == 2
    assert batchjobs_fake.call_count("DescribeBatchSegmentJob") == 3
    assert [call.error for call in batchjobs_fake.calls[-3:]] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]
    call = batchjobs_fake.assert_called("CreateBatchSegmentJob", jobName="weekly-segments")
    assert call.service == "personalize"
    with pytest.raises(ValueError, match="ListBatchSegmentJobs"):
        batchjobs_fake.faults.fail("ListBatchSegmentJob")
    assert "CreateBatchSegmentJob" in batchjobs_fake.faked_operations("personalize")


def test_factory_jobs_are_realistic_and_refuse_what_aws_would(
    batchjobs_fake: BatchJobsFake,
) -> None:
    segments = batchjobs_fake.personalize_segments
    jobs = segments.add_jobs(20, status={"ACTIVE": 3, "CREATE IN_PROGRESS": 1})
    assert {job["status"] for job in jobs} <= {"ACTIVE", "CREATE IN_PROGRESS"}
    for job in jobs:
        assert job["batchSegmentJobArn"].endswith(f":batch-segment-job/{job['jobName']}")
        assert ":solution/" in job["solutionVersionArn"]
        assert job["jobInput"]["s3DataSource"]["path"].startswith("s3://")
    again = BatchJobsFake(seed=batchjobs_fake.seed)
    assert again.personalize_segments.add_jobs(20, status={"ACTIVE": 3, "CREATE IN_PROGRESS": 1})
    assert "creationDateTime" in segments.override_names()
    assert "batchInferenceJobMode" not in segments.override_names()
    segments.add_job(jobName="taken")
    with pytest.raises(ValueError, match="batch segment job named 'taken' already exists"):
        segments.add_job(jobName="taken")
    with pytest.raises(ValueError, match="'IN PROGRESS' is how the Personalize API reference"):
        segments.add_job(status="IN PROGRESS")
    with pytest.raises(ValueError, match="would reject this job"):
        segments.add_job(numResults=3, roleArn="not-a-role")
    assert len(list(segments.all_jobs())) == 21
    assert list(batchjobs_fake.personalize.all_jobs()) == []


def test_factory_is_seeded(batchjobs_fake: BatchJobsFake) -> None:
    first = BatchJobsFake(seed=7).personalize_segments.add_jobs(5)
    second = BatchJobsFake(seed=7).personalize_segments.add_jobs(5)
    assert [job["solutionVersionArn"] for job in first] == [
        job["solutionVersionArn"] for job in second
    ]


# -- outputs ------------------------------------------------------------------------------


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        for bucket in ("segments-in", "segments-out"):
            client.create_bucket(Bucket=bucket)
        yield client


def put_lines(s3: Any, key: str, lines: list[Any]) -> None:
    body = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    s3.put_object(Bucket="segments-in", Key=key, Body=body.encode())


def read_lines(s3: Any, key: str) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket="segments-out", Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


def test_outputs_in_aws_segment_format_in_motos_s3(
    batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any
) -> None:
    items = [{"itemId": "105"}, {"itemId": "106"}]
    attributes = [{"itemAttributes": 'ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"'}]
    put_lines(s3, "in/items.json", items)
    put_lines(s3, "in/attributes.json", attributes)
    arn = segment_job(
        personalize, jobInput={"s3DataSource": {"path": "s3://segments-in/in/"}}, numResults=4
    )
    assert batchjobs_fake.advance_until(arn)["status"] == "ACTIVE"
    by_item = read_lines(s3, "weekly/items.json.out")
    assert [line["input"] for line in by_item] == items
    for line in by_item:
        # As the service writes them (recorded in amazon-personalize-samples' user
        # segmentation notebook): usersList, and an explicit null error.
        assert set(line) == {"input", "output", "error"}
        assert line["error"] is None
        users = line["output"]["usersList"]
        assert len(users) == len(set(users)) == 4
        assert all(isinstance(user, str) for user in users)
    by_attribute = read_lines(s3, "weekly/attributes.json.out")
    # The notebook reads x["input"]["itemAttributes"]: the expression is under input.
    assert [line["input"] for line in by_attribute] == attributes
    assert len(by_attribute[0]["output"]["usersList"]) == 4
    assert sorted(batchjobs_fake.outputs(arn)) == [
        "s3://segments-out/weekly/attributes.json.out",
        "s3://segments-out/weekly/items.json.out",
    ]


def test_responder_and_error_lines(
    batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any
) -> None:
    put_lines(s3, "items.json", [{"itemId": "1"}, {"itemId": "2"}])

    def users(line: dict[str, Any]) -> list[str]:
        if line["itemId"] == "2":
            raise ValueError("Item not found in the training data.")
        return ["u-1", "u-2", "u-3", "u-4"]

    batchjobs_fake.personalize_segments.responder(users)
    arn = segment_job(personalize)
    batchjobs_fake.advance_until(arn)
    assert read_lines(s3, "weekly/items.json.out") == [
        {"input": {"itemId": "1"}, "output": {"usersList": ["u-1", "u-2", "u-3"]}, "error": None},
        {"input": {"itemId": "2"}, "output": None, "error": "Item not found in the training data."},
    ]


def test_bad_input_fails_the_job(batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any) -> None:
    put_lines(s3, "items.json", [{"itemId": "1"}, {"userId": "2"}])
    arn = segment_job(personalize)
    job = batchjobs_fake.advance_until(arn)
    assert job["status"] == "CREATE FAILED"
    assert job["failureReason"].startswith("Input line 2 of items.json is not valid")
    assert batchjobs_fake.outputs(arn) == {}


def test_without_moto_outputs_stay_in_the_fake(
    batchjobs_fake: BatchJobsFake, personalize: Any
) -> None:
    arn = segment_job(personalize)
    assert batchjobs_fake.outputs(arn) == {}
    batchjobs_fake.advance_until(arn)
    files = batchjobs_fake.outputs(arn)
    assert list(files) == ["s3://segments-out/weekly/items.json.out"]
    lines = [
        json.loads(line)
        for line in files["s3://segments-out/weekly/items.json.out"].split("\n")
        if line
    ]
    assert len(lines) == 10
    assert all(len(line["output"]["usersList"]) == 3 for line in lines)


# -- the control API ----------------------------------------------------------------------


def post(api: ControlAPI, path: str, body: object = None) -> tuple[int, dict[str, Any]]:
    raw = b"" if body is None else json.dumps(body).encode()
    return api.handle("POST", f"/_batchjobs/{path}", raw)


def test_the_control_api_addresses_the_kind_by_its_name(
    batchjobs_fake: BatchJobsFake, personalize: Any
) -> None:
    api = ControlAPI(batchjobs_fake)
    status, document = post(
        api, "personalize_segments/jobs", {"count": 2, "status": "CREATE IN_PROGRESS"}
    )
    assert status == 200
    assert [job["status"] for job in document["jobs"]] == ["CREATE IN_PROGRESS"] * 2
    listed = personalize.list_batch_segment_jobs()["batchSegmentJobs"]
    assert {job["batchSegmentJobArn"] for job in listed} == {
        job["batchSegmentJobArn"] for job in document["jobs"]
    }
    assert personalize.list_batch_inference_jobs()["batchInferenceJobs"] == []
    status, document = post(
        api, "personalize_segments/lifecycle", {"outcome": "CREATE FAILED", "message": "no"}
    )
    assert (status, document["outcome"]) == (200, "CREATE FAILED")
    assert batchjobs_fake.personalize_segments.lifecycles[-1].outcome == "CREATE FAILED"
    assert batchjobs_fake.personalize.lifecycles == []
    assert post(api, "personalize_segments/quota", {"max_active_jobs": 3}) == (
        200,
        {"max_active_jobs": 3},
    )
    assert post(api, "personalize_segments/record_limits", {"minimum": 1}) == (
        404,
        {
            "error": "no control endpoint POST /_batchjobs/personalize_segments/record_limits: "
            "record_limits is Bedrock only; use /_batchjobs/bedrock/record_limits"
        },
    )
    status, document = post(api, "personalize_segments/jobs", {"status": "Completed"})
    assert status == 400
    assert "'Completed' is not a personalize_segments status" in document["error"]
