"""The factory: realistic, reproducible jobs in bulk, as boto3 then sees them."""

from __future__ import annotations

import collections
import datetime as dt
import math
import re
from typing import Any

import boto3
import pytest
from botocore.validate import ParamValidator
from model_members import needs_model_member

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.wire.constraints import violations
from pytest_batchjobs.wire.models import service_model
from tests.jobs import bedrock_job

BEDROCK_MIX = {
    "Completed": 40,
    "InProgress": 15,
    "Failed": 10,
    "PartiallyCompleted": 8,
    "Submitted": 5,
    "Validating": 5,
    "Scheduled": 5,
    "Stopping": 4,
    "Stopped": 4,
    "Expired": 4,
}


def problems(
    service: str, operation: str, job: dict[str, Any], member: str | None = None
) -> list[str]:
    """Everything wrong with ``job`` as the operation's output shape sees it."""
    shape = service_model(service).operation_model(operation).output_shape
    if member is not None:
        shape = shape.members[member]
    report = ParamValidator().validate(job, shape)
    found = violations(shape, job)
    return ([report.generate_report()] if report.has_errors() else []) + found


def test_250_mixed_bedrock_jobs_list_with_the_right_counts(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    jobs = batchjobs_fake.bedrock.add_jobs(250, status=list(BEDROCK_MIX))
    expected = collections.Counter(job["status"] for job in jobs)
    assert expected == {status: 25 for status in BEDROCK_MIX}
    paginator = bedrock.get_paginator("list_model_invocation_jobs")
    listed = [
        s
        for page in paginator.paginate(PaginationConfig={"PageSize": 30})
        for s in page["invocationJobSummaries"]
    ]
    assert collections.Counter(s["status"] for s in listed) == expected
    assert len({s["jobArn"] for s in listed}) == 250
    for status in ("Failed", "Expired", "Stopping"):
        filtered = [
            s
            for page in paginator.paginate(statusEquals=status)
            for s in page["invocationJobSummaries"]
        ]
        assert len(filtered) == 25
    assert [s["submitTime"] for s in listed] == sorted(
        (s["submitTime"] for s in listed), reverse=True
    )


def test_250_personalize_jobs_by_weight(batchjobs_fake: BatchJobsFake, personalize: Any) -> None:
    weights = {"ACTIVE": 7, "CREATE FAILED": 2, "CREATE IN_PROGRESS": 1}
    jobs = batchjobs_fake.personalize.add_jobs(250, status=weights)
    counts = collections.Counter(job["status"] for job in jobs)
    assert set(counts) == set(weights)
    # Each count is a binomial draw: within 6 standard deviations of its mean whatever
    # the session's seed (an order such as FAILED > IN_PROGRESS fails for about 1 seed
    # in 300); a uniform draw (about 83 each) is far outside ACTIVE's band.
    for status, weight in weights.items():
        share = weight / sum(weights.values())
        mean, spread = 250 * share, 6 * math.sqrt(250 * share * (1 - share))
        assert abs(counts[status] - mean) < spread, (status, counts)
    paginator = personalize.get_paginator("list_batch_inference_jobs")
    listed = [j for page in paginator.paginate() for j in page["batchInferenceJobs"]]
    assert collections.Counter(j["status"] for j in listed) == counts
    assert all("failureReason" in j for j in listed if j["status"] == "CREATE FAILED")


def test_every_factory_job_satisfies_the_models(batchjobs_fake: BatchJobsFake) -> None:
    for job in batchjobs_fake.bedrock.add_jobs(200, status=list(BEDROCK_MIX)):
        assert problems("bedrock", "GetModelInvocationJob", job) == [], job
        assert job["modelId"].count(".") >= 1
        assert job["roleArn"].startswith("arn:aws:iam::123456789012:role/")
        assert job["inputDataConfig"]["s3InputDataConfig"]["s3Uri"].startswith("s3://")
    for job in batchjobs_fake.personalize.add_jobs(100, status=["ACTIVE", "CREATE FAILED"]):
        assert problems("personalize", "DescribeBatchInferenceJob", job, "batchInferenceJob") == []
        assert job["solutionVersionArn"].startswith("arn:aws:personalize:us-east-1:123456789012:")
    names = [j["jobName"] for j in batchjobs_fake.bedrock.add_jobs(500)]
    assert len(set(names)) == 500


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_timelines_are_consistent_with_the_status(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    now = batchjobs_fake.clock.now()
    done = batchjobs_fake.bedrock.add_job(status="Completed")
    assert done["submitTime"] < done["endTime"] == done["lastModifiedTime"] <= now
    assert done["processedRecordCount"] == done["totalRecordCount"]
    running = batchjobs_fake.bedrock.add_job(status="InProgress")
    assert "endTime" not in running
    assert 0 <= running["processedRecordCount"] < running["totalRecordCount"]
    expired = batchjobs_fake.bedrock.add_job(status="Expired")
    assert expired["endTime"] == expired["jobExpirationTime"] <= now
    stopped = batchjobs_fake.bedrock.add_job(status="Stopped")
    assert stopped["submitTime"] < stopped["endTime"] <= now
    batchjobs_fake.clock.advance(hours=2)
    assert (
        bedrock.get_model_invocation_job(jobIdentifier=running["jobArn"])["status"] == "Completed"
    )
    assert bedrock.get_model_invocation_job(jobIdentifier=done["jobArn"])["status"] == "Completed"


def test_running_factory_jobs_follow_the_lifecycle_set_for_their_name(
    batchjobs_fake: BatchJobsFake, bedrock: Any, personalize: Any
) -> None:
    batchjobs_fake.bedrock.lifecycle(
        "Failed", message="quota of tokens exceeded", durations={"InProgress": 600}, match="risky-*"
    )
    risky = batchjobs_fake.bedrock.add_job(status="InProgress", jobName="risky-1")
    eight_minutes_ago = batchjobs_fake.clock.now() - dt.timedelta(minutes=8)
    safe = batchjobs_fake.bedrock.add_job(  # the default lifecycle: in progress for an hour
        status="InProgress", jobName="safe-1", submitTime=eight_minutes_ago
    )
    ended = batchjobs_fake.bedrock.add_job(status="Completed", jobName="risky-2")
    assert "message" not in ended
    batchjobs_fake.clock.advance(minutes=11)  # past the lifecycle's 10 minutes in progress
    got = bedrock.get_model_invocation_job(jobIdentifier=risky["jobArn"])
    assert (got["status"], got["message"]) == ("Failed", "quota of tokens exceeded")
    assert got["endTime"] - risky["submitTime"] <= dt.timedelta(minutes=10 + 2 + 5 + 1)
    assert bedrock.get_model_invocation_job(jobIdentifier=safe["jobArn"])["status"] == "InProgress"
    batchjobs_fake.personalize.lifecycle("CREATE FAILED", message="no such solution")
    pending = batchjobs_fake.personalize.add_job(status="CREATE PENDING")
    batchjobs_fake.clock.advance(hours=1)
    described = personalize.describe_batch_inference_job(
        batchInferenceJobArn=pending["batchInferenceJobArn"]
    )["batchInferenceJob"]
    assert (described["status"], described["failureReason"]) == (
        "CREATE FAILED",
        "no such solution",
    )


def test_overrides_in_api_casing(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    submitted = batchjobs_fake.clock.now() - dt.timedelta(minutes=20)
    job = batchjobs_fake.bedrock.add_job(
        status="InProgress",
        jobName="my-job",
        submitTime=submitted,
        modelId="amazon.nova-pro-v1:0",
        region="eu-west-1",
        timeoutDurationInHours=48,
    )
    assert job["jobName"] == "my-job"
    assert job["submitTime"] == submitted
    assert job["jobArn"].startswith("arn:aws:bedrock:eu-west-1:")
    assert job["timeoutDurationInHours"] == 48
    west = boto3.client("bedrock", region_name="eu-west-1")
    assert west.get_model_invocation_job(jobIdentifier=job["jobArn"])["status"] == "InProgress"
    failed = batchjobs_fake.bedrock.add_job(status="Failed", message="role cannot read input")
    assert failed["message"] == "role cannot read input"
    recs = batchjobs_fake.personalize.add_job(
        status="CREATE FAILED",
        jobName="nightly-recs",
        failureReason="bad input",
        creationDateTime=batchjobs_fake.clock.now() - dt.timedelta(days=2),
    )
    assert (recs["jobName"], recs["failureReason"]) == ("nightly-recs", "bad input")


def test_a_long_ago_running_job_stretches_its_timeline(batchjobs_fake: BatchJobsFake) -> None:
    submitted = batchjobs_fake.clock.now() - dt.timedelta(hours=20)
    job = batchjobs_fake.bedrock.add_job(status="InProgress", submitTime=submitted)
    assert job["status"] == "InProgress"
    assert job["submitTime"] == submitted


def test_impossible_and_unknown_overrides_say_why(batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(ValueError, match=r"valid overrides: .*jobName.*status"):
        batchjobs_fake.bedrock.add_job(name="x")
    with pytest.raises(ValueError, match="at 'jobName' failed to satisfy constraint"):
        batchjobs_fake.bedrock.add_job(jobName="under_score")
    with pytest.raises(ValueError, match="unknown status 'Running'; valid statuses: Submitted"):
        batchjobs_fake.bedrock.add_job(status="Running")
    with pytest.raises(ValueError, match="cannot be InProgress"):
        batchjobs_fake.bedrock.add_job(
            status="InProgress",
            timeoutDurationInHours=24,
            submitTime=batchjobs_fake.clock.now() - dt.timedelta(days=3),
        )
    with pytest.raises(ValueError, match="must have been submitted at least"):
        batchjobs_fake.bedrock.add_job(status="Expired", submitTime=batchjobs_fake.clock.now())
    with pytest.raises(ValueError, match="already exists in this region"):
        batchjobs_fake.personalize.add_jobs(2, jobName="same-name")


def test_the_same_seed_gives_the_same_jobs() -> None:
    def jobs(seed: int) -> list[dict[str, Any]]:
        with BatchJobsFake(seed=seed) as fake:
            return fake.bedrock.add_jobs(20, status={"Completed": 3, "Failed": 1}) + (
                fake.personalize.add_jobs(5)
            )

    assert jobs(11) == jobs(11)
    assert jobs(11) != jobs(12)


def test_job_ids_created_through_the_api_follow_the_seed_after_every_reset() -> None:
    def arns(fake: BatchJobsFake) -> list[str]:
        client = boto3.client("bedrock", region_name="us-east-1")
        return [bedrock_job(client, name=f"seeded-{index}") for index in range(3)]

    with BatchJobsFake(seed=11) as fake:
        first = arns(fake)
        fake.reset()
        again = arns(fake)
        fake.reset()
        fake.personalize.add_jobs(2)  # another kind's draws take nothing from Bedrock's
        third = arns(fake)
    with BatchJobsFake(seed=12) as other:
        different = arns(other)
    assert first == again == third
    assert len(set(first)) == 3
    assert different != first


def test_the_session_seed_replays_a_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json
        import pathlib

        def test_dump(batchjobs_fake):
            jobs = batchjobs_fake.bedrock.add_jobs(5, status=["Completed", "Failed"])
            pathlib.Path("jobs.json").write_text(json.dumps(jobs, default=str, sort_keys=True))
        """
    )

    def run(*args: str) -> tuple[str, str]:
        result = pytester.runpytest(*args)
        result.assert_outcomes(passed=1)
        header = next(line for line in result.outlines if line.startswith("batchjobs: seed"))
        return header, (pytester.path / "jobs.json").read_text()

    header, first = run("--batchjobs-seed", "1234")
    assert header == "batchjobs: seed 1234 (replay with --batchjobs-seed 1234)"
    assert run("--batchjobs-seed", "1234")[1] == first
    assert run("--batchjobs-seed", "4321")[1] != first
    random_header, _ = run()
    replay = random_header.split()[2]
    assert run("--batchjobs-seed", replay)[1] == run("--batchjobs-seed", replay)[1]


@pytest.mark.parametrize("status", list(BEDROCK_MIX))
def test_add_job_returns_exactly_what_get_shows(
    batchjobs_fake: BatchJobsFake, bedrock: Any, status: str
) -> None:
    batchjobs_fake.clock.advance(seconds=39.407596)  # a "now" with microseconds
    made = batchjobs_fake.bedrock.add_job(status=status)
    got = bedrock.get_model_invocation_job(jobIdentifier=made["jobArn"])
    del got["ResponseMetadata"]
    assert made == got


@pytest.mark.parametrize(
    "status", ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE", "CREATE FAILED"]
)
def test_add_job_returns_exactly_what_describe_shows(
    batchjobs_fake: BatchJobsFake, personalize: Any, status: str
) -> None:
    batchjobs_fake.clock.advance(seconds=39.407596)
    made = batchjobs_fake.personalize.add_job(status=status)
    described = personalize.describe_batch_inference_job(
        batchInferenceJobArn=made["batchInferenceJobArn"]
    )
    assert made == described["batchInferenceJob"]
    given = batchjobs_fake.clock.now() - dt.timedelta(days=1)  # 09:00:39.407596
    made = batchjobs_fake.personalize.add_job(status=status, creationDateTime=given)
    assert made["creationDateTime"] == given.replace(microsecond=407_000)  # as sent


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_factory_counts_add_up_in_every_status(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    jobs = batchjobs_fake.bedrock.add_jobs(300, status=list(BEDROCK_MIX))
    batchjobs_fake.clock.advance(minutes=30)  # running jobs move on; the counts still add up
    for made in jobs:
        for job in (made, bedrock.get_model_invocation_job(jobIdentifier=made["jobArn"])):
            if "totalRecordCount" not in job:
                assert job["status"] in ("Submitted", "Validating", "Stopping", "Stopped")
                continue
            total, processed = job["totalRecordCount"], job["processedRecordCount"]
            success, errors = job["successRecordCount"], job["errorRecordCount"]
            assert processed == success + errors
            assert 0 <= success <= processed <= total
            assert errors >= 0
            if job["status"] in ("Completed", "PartiallyCompleted", "Failed"):
                assert processed == total
            if job["status"] in ("Scheduled", "Expired"):
                assert processed == 0
            if job["status"] == "PartiallyCompleted":
                assert errors >= 1
    expired = [job for job in jobs if job["status"] == "Expired"]
    assert expired
    assert all(job["processedRecordCount"] == 0 for job in expired)


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        # Read by the member's shape in the model, as the control API reads it.
        ({"totalRecordCount": -1}, "Value '-1' at 'totalRecordCount' failed to satisfy"),
        ({"errorRecordCount": -3}, "Value '-3' at 'errorRecordCount' failed to satisfy"),
        ({"totalRecordCount": 1.5}, "must be an integer, not float 1.5"),
        (
            {"totalRecordCount": 100, "errorRecordCount": 101},
            "errorRecordCount 101 is more than the job's records (100, its totalRecordCount)",
        ),
        ({"errorRecordCount": 50_001}, "give errorRecordCount <= 50000"),
        (
            {"status": "Expired", "errorRecordCount": 5},
            "an Expired job never began (it timed out while queued)",
        ),
        (
            {"status": "PartiallyCompleted", "errorRecordCount": 0},
            "needs errorRecordCount >= 1",
        ),
        ({"status": "PartiallyCompleted", "totalRecordCount": 0}, "totalRecordCount >= 1"),
        (
            {"status": ["Completed", "Failed"], "totalRecordCount": 100, "errorRecordCount": 5},
            "a Failed job reports every record it processed as an error record",
        ),
    ],
)
def test_counts_the_api_could_never_return_are_refused(
    batchjobs_fake: BatchJobsFake, overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=re.escape(fragment)):
        batchjobs_fake.bedrock.add_jobs(4, **overrides)
    assert list(batchjobs_fake.bedrock.all_jobs()) == []


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
def test_given_counts_are_kept(batchjobs_fake: BatchJobsFake) -> None:
    done = batchjobs_fake.bedrock.add_job(totalRecordCount=500, errorRecordCount=7)
    assert (done["processedRecordCount"], done["successRecordCount"]) == (500, 493)
    partial = batchjobs_fake.bedrock.add_jobs(20, status="PartiallyCompleted", errorRecordCount=40)
    assert all(job["errorRecordCount"] == 40 <= job["totalRecordCount"] for job in partial)
    failed = batchjobs_fake.bedrock.add_job(
        status="Failed", totalRecordCount=300, errorRecordCount=300
    )
    assert (failed["processedRecordCount"], failed["errorRecordCount"]) == (300, 300)
