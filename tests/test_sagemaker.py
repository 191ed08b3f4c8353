"""SageMaker transform jobs through a real boto3 client."""

from __future__ import annotations

import datetime as _dt
import datetime as dt
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, WaiterError
from jobs import error_of
from seam import handle

from pytest_batchjobs import BatchJobsFake, UnfakedOperationError
from pytest_batchjobs.wire.messages import WireRequest

ARN = "arn:aws:sagemaker:us-east-1:123456789012:transform-job/"


def transform_params(name: str = "Nightly-Scores", **overrides: Any) -> dict[str, Any]:
    """Realistic CreateTransformJob parameters (API casing, as on the wire)."""
    return {
        "TransformJobName": name,
        "ModelName": "churn-xgboost-v7",
        "TransformInput": {
            "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://scoring-in/2024/01/"}
            },
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {"S3OutputPath": "s3://scoring-out/nightly", "AssembleWith": "Line"},
        "TransformResources": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
        **overrides,
    }


@pytest.fixture
def sagemaker(batchjobs_fake: BatchJobsFake) -> Any:
    return boto3.client("sagemaker", region_name="us-east-1")


def test_create_and_describe(sagemaker: Any, batchjobs_fake: BatchJobsFake) -> None:
    params = transform_params(Tags=[{"Key": "team", "Value": "growth"}], MaxPayloadInMB=6)
    arn = sagemaker.create_transform_job(**params)["TransformJobArn"]
    assert arn == ARN + "Nightly-Scores"  # the name as written, as SageMaker answers it
    job = sagemaker.describe_transform_job(TransformJobName="nightly-scores")
    assert job["TransformJobName"] == "Nightly-Scores"
    assert job["TransformJobArn"] == arn
    assert job["TransformJobStatus"] == "InProgress"
    assert job["ModelName"] == "churn-xgboost-v7"
    assert job["MaxPayloadInMB"] == 6
    assert job["TransformInput"] == {**params["TransformInput"], "CompressionType": "None"}
    assert job["CreationTime"] == job["TransformStartTime"] == batchjobs_fake.clock.now()
    assert "TransformEndTime" not in job
    assert "FailureReason" not in job


def test_default_lifecycle_fits_botocores_waiter(
    sagemaker: Any, batchjobs_fake: BatchJobsFake
) -> None:
    sagemaker.create_transform_job(**transform_params())
    start = batchjobs_fake.clock.now()
    sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName="Nightly-Scores"
    )
    job = sagemaker.describe_transform_job(TransformJobName="Nightly-Scores")
    assert job["TransformJobStatus"] == "Completed"
    assert job["TransformEndTime"] - job["CreationTime"] == _dt.timedelta(minutes=10)
    assert batchjobs_fake.clock.now() - start == _dt.timedelta(minutes=10)
    summary = sagemaker.list_transform_jobs()["TransformJobSummaries"][0]
    assert summary["LastModifiedTime"] == summary["TransformEndTime"] == job["TransformEndTime"]


def test_a_failed_job_fails_the_waiter_with_its_reason(
    sagemaker: Any, batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.sagemaker.lifecycle("Failed", message="AlgorithmError: bad CSV header")
    sagemaker.create_transform_job(**transform_params())
    with pytest.raises(WaiterError, match="Failed"):
        sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
            TransformJobName="Nightly-Scores"
        )
    job = sagemaker.describe_transform_job(TransformJobName="Nightly-Scores")
    assert (job["TransformJobStatus"], job["FailureReason"]) == (
        "Failed",
        "AlgorithmError: bad CSV header",
    )


def test_repeated_name_in_any_case_is_resource_in_use(sagemaker: Any) -> None:
    sagemaker.create_transform_job(**transform_params())
    with pytest.raises(sagemaker.exceptions.ResourceInUse) as excinfo:
        sagemaker.create_transform_job(**transform_params("nightly-scores"))
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ResourceInUse", 400)
    assert message.endswith(f"a transform job with this name already exists ({ARN}Nightly-Scores)")


def test_names_keep_their_case_in_arns_and_match_in_any_case(
    sagemaker: Any, batchjobs_fake: BatchJobsFake
) -> None:
    arn = sagemaker.create_transform_job(**transform_params())["TransformJobArn"]
    assert arn == ARN + "Nightly-Scores"
    (summary,) = sagemaker.list_transform_jobs()["TransformJobSummaries"]
    assert summary["TransformJobArn"] == arn
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == []
    with pytest.raises(ClientError) as excinfo:  # an ARN names a job in its own case only
        sagemaker.list_tags(ResourceArn=arn.lower())
    assert error_of(excinfo) == ("ValidationException", 400, "Resource does not exist")
    sagemaker.stop_transform_job(TransformJobName="NIGHTLY-SCORES")
    assert (
        sagemaker.describe_transform_job(TransformJobName="nightly-scores")["TransformJobStatus"]
        == "Stopping"
    )
    made = batchjobs_fake.sagemaker.add_job(TransformJobName="Weekly-Scores")
    assert made["TransformJobArn"] == ARN + "Weekly-Scores"
    with pytest.raises(ValueError, match="'weekly-scores' already exists"):
        batchjobs_fake.sagemaker.add_job(TransformJobName="weekly-scores")
    with pytest.raises(sagemaker.exceptions.ResourceInUse, match="Weekly-Scores"):
        sagemaker.create_transform_job(**transform_params("WEEKLY-scores"))


def test_describe_fills_in_sagemakers_defaults(sagemaker: Any) -> None:
    sagemaker.create_transform_job(**transform_params("plain"))
    plain = transform_params("plain")
    job = sagemaker.describe_transform_job(TransformJobName="plain")
    assert job["TransformInput"] == {**plain["TransformInput"], "CompressionType": "None"}
    assert job["TransformOutput"] == {**plain["TransformOutput"], "KmsKeyId": ""}
    assert job["DataProcessing"] == {"InputFilter": "$", "OutputFilter": "$", "JoinSource": "None"}
    given = transform_params(
        "given",
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}},
            "CompressionType": "Gzip",
        },
        TransformOutput={"S3OutputPath": "s3://out/", "KmsKeyId": "alias/scores"},
        DataProcessing={"InputFilter": "$.features", "JoinSource": "Input"},
    )
    sagemaker.create_transform_job(**given)
    job = sagemaker.describe_transform_job(TransformJobName="given")
    assert job["TransformInput"] == {**given["TransformInput"], "SplitType": "None"}
    assert job["TransformOutput"] == {**given["TransformOutput"], "AssembleWith": "None"}
    assert job["DataProcessing"] == {
        "InputFilter": "$.features",
        "OutputFilter": "$",
        "JoinSource": "Input",
    }


def test_unknown_job_is_a_validation_exception(sagemaker: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sagemaker.describe_transform_job(TransformJobName="missing-job")
    assert error_of(excinfo) == (
        "ValidationException",
        400,
        "Could not find requested job with name missing-job",
    )
    with pytest.raises(WaiterError, match="ValidationException"):
        sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
            TransformJobName="missing-job"
        )
    with pytest.raises(ClientError, match="Could not find requested job with name missing-job"):
        sagemaker.stop_transform_job(TransformJobName="missing-job")


def test_errors_are_named_in_sagemakers_namespace(batchjobs_fake: BatchJobsFake) -> None:
    body = json.dumps({"TransformJobName": "missing-job"}).encode()
    request = WireRequest.build(
        "POST",
        "https://api.sagemaker.eu-west-1.amazonaws.com/",
        {"X-Amz-Target": "SageMaker.DescribeTransformJob"},
        body,
    )
    response = handle(batchjobs_fake, request)
    assert response.status == 400
    assert json.loads(response.body)["__type"] == "com.amazonaws.sagemaker#ValidationException"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        (transform_params("under_score"), "at 'TransformJobName' failed to satisfy constraint"),
        (transform_params("x" * 64), "Member must have length less than or equal to 63"),
        (
            transform_params(BatchStrategy="AllAtOnce"),
            "Member must satisfy enum value set: [MultiRecord, SingleRecord]",
        ),
    ],
)
def test_create_is_validated_as_sagemaker_does(
    sagemaker: Any, params: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        sagemaker.create_transform_job(**params)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert fragment in message


def test_list_max_results_over_100_is_refused(sagemaker: Any) -> None:
    with pytest.raises(ClientError, match="less than or equal to 100"):
        sagemaker.list_transform_jobs(MaxResults=101)


def test_stop_goes_through_stopping_to_stopped(
    sagemaker: Any, batchjobs_fake: BatchJobsFake
) -> None:
    sagemaker.create_transform_job(**transform_params())
    batchjobs_fake.clock.advance(minutes=2)
    sagemaker.stop_transform_job(TransformJobName="Nightly-Scores")
    sagemaker.stop_transform_job(TransformJobName="Nightly-Scores")  # again: no change
    job = sagemaker.describe_transform_job(TransformJobName="Nightly-Scores")
    assert job["TransformJobStatus"] == "Stopping"
    sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName="Nightly-Scores"
    )
    job = sagemaker.describe_transform_job(TransformJobName="Nightly-Scores")
    assert job["TransformJobStatus"] == "Stopped"
    assert job["TransformEndTime"] - job["CreationTime"] == _dt.timedelta(minutes=3)
    with pytest.raises(ClientError) as excinfo:
        sagemaker.stop_transform_job(TransformJobName="Nightly-Scores")
    assert error_of(excinfo)[0] == "ValidationException"
    assert "in status Stopped" in error_of(excinfo)[2]


def _all(sagemaker: Any, **params: Any) -> list[dict[str, Any]]:
    paginator = sagemaker.get_paginator("list_transform_jobs")
    pages = paginator.paginate(**params, PaginationConfig={"PageSize": 3})
    return [job for page in pages for job in page["TransformJobSummaries"]]


def test_list_sorts_and_filters(sagemaker: Any, batchjobs_fake: BatchJobsFake) -> None:
    made = batchjobs_fake.sagemaker.add_jobs(
        12, status=["Completed", "Failed", "InProgress", "Stopped"]
    )
    newest_first = sorted(made, key=lambda job: job["CreationTime"], reverse=True)
    assert [j["TransformJobName"] for j in _all(sagemaker)] == [
        j["TransformJobName"] for j in newest_first
    ]
    by_name = _all(sagemaker, SortBy="Name", SortOrder="Ascending")
    assert [j["TransformJobName"] for j in by_name] == sorted(
        (j["TransformJobName"] for j in made), key=str.lower
    )
    by_status = [j["TransformJobStatus"] for j in _all(sagemaker, SortBy="Status")]
    assert by_status == sorted(by_status, reverse=True)
    failed = _all(sagemaker, StatusEquals="Failed")
    assert len(failed) == 3
    assert all(j["FailureReason"] for j in failed)
    name = made[0]["TransformJobName"]
    assert [j["TransformJobName"] for j in _all(sagemaker, NameContains=name.upper())] == [name]
    # A whole second just after the sixth newest job: botocore before 1.42 sends JSON 1.1
    # timestamps in whole seconds (it drops the milliseconds), later ones keep them.
    sixth = newest_first[5]["CreationTime"]
    middle = sixth.replace(microsecond=0) + dt.timedelta(seconds=1)
    assert newest_first[4]["CreationTime"] > middle
    assert len(_all(sagemaker, CreationTimeBefore=middle)) == 7
    assert len(_all(sagemaker, CreationTimeAfter=middle)) == 5
    changed = sorted(j["LastModifiedTime"] for j in _all(sagemaker))
    pivot = changed[5].replace(microsecond=0) + dt.timedelta(seconds=1)  # whole, as above
    after = _all(sagemaker, LastModifiedTimeAfter=pivot)
    before = _all(sagemaker, LastModifiedTimeBefore=pivot)
    assert len(after) == sum(1 for c in changed if c > pivot)
    assert len(before) == sum(1 for c in changed if c < pivot)
    batchjobs_fake.pagination.assert_exhausted("ListTransformJobs")
    batchjobs_fake.pagination.assert_no_token_reuse()


def test_a_token_is_bound_to_its_query(sagemaker: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.sagemaker.add_jobs(5)
    token = sagemaker.list_transform_jobs(MaxResults=2)["NextToken"]
    with pytest.raises(ClientError) as excinfo:
        sagemaker.list_transform_jobs(MaxResults=2, SortBy="Name", NextToken=token)
    code, _, message = error_of(excinfo)
    assert code == "ValidationException"
    assert "The NextToken is not valid (it was issued for a different request)" in message


def test_tags(sagemaker: Any) -> None:
    params = transform_params(Tags=[{"Key": "team", "Value": "growth"}])
    arn = sagemaker.create_transform_job(**params)["TransformJobArn"]
    added = sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "cost", "Value": "ml"}])
    assert added["Tags"] == [{"Key": "cost", "Value": "ml"}]
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team"])
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "cost", "Value": "ml"}]
    with pytest.raises(ClientError) as excinfo:
        sagemaker.list_tags(ResourceArn=ARN + "gone")
    assert error_of(excinfo) == ("ValidationException", 400, "Resource does not exist")


def test_other_sagemaker_operations_are_not_faked(sagemaker: Any) -> None:
    with pytest.raises(UnfakedOperationError, match="sagemaker DescribeTrainingJob is not faked"):
        sagemaker.describe_training_job(TrainingJobName="train")


def test_throttling_is_retried(sagemaker: Any, batchjobs_fake: BatchJobsFake) -> None:
    sagemaker.create_transform_job(**transform_params())
    batchjobs_fake.faults.fail("DescribeTransformJob", error="ThrottlingException", times=2)
    job = sagemaker.describe_transform_job(TransformJobName="Nightly-Scores")
    assert job["ResponseMetadata"]["RetryAttempts"] == 2
    assert batchjobs_fake.call_count("describe_transform_job") == 3


def test_quota_is_resource_limit_exceeded(sagemaker: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.sagemaker.quota(1)
    sagemaker.create_transform_job(**transform_params("first"))
    with pytest.raises(sagemaker.exceptions.ResourceLimitExceeded, match="is 1 Jobs"):
        sagemaker.create_transform_job(**transform_params("second"))


def test_factory_jobs_are_consistent_with_their_status(
    sagemaker: Any, batchjobs_fake: BatchJobsFake
) -> None:
    for status in ("InProgress", "Completed", "Failed", "Stopping", "Stopped"):
        job = batchjobs_fake.sagemaker.add_job(status=status)
        described = sagemaker.describe_transform_job(TransformJobName=job["TransformJobName"])
        described.pop("ResponseMetadata")
        assert described == job
        assert described["TransformJobArn"] == ARN + job["TransformJobName"]
        assert ("TransformEndTime" in job) == (status in ("Completed", "Failed", "Stopped"))
    with pytest.raises(ValueError, match="valid statuses: InProgress, Completed, Failed"):
        batchjobs_fake.sagemaker.add_job(status="Running")


# -- outputs, and moto's SageMaker ----------------------------------------------------------


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Any:
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        for bucket in ("scoring-in", "scoring-out"):
            client.create_bucket(Bucket=bucket)
        yield client


def test_outputs_are_written_as_sagemaker_writes_them(
    s3: Any, batchjobs_fake: BatchJobsFake
) -> None:
    s3.put_object(Bucket="scoring-in", Key="2024/01/part-1.csv", Body=b"1,2\n3,4\n")
    s3.put_object(Bucket="scoring-in", Key="2024/01/part-2.csv", Body=b"5,6\n")
    batchjobs_fake.sagemaker.responder(lambda record: sum(map(int, record.split(","))))
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    sagemaker.create_transform_job(**transform_params())
    listed = s3.list_objects_v2(Bucket="scoring-out").get("KeyCount")
    assert listed == 0  # nothing until the job completes
    sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
        TransformJobName="Nightly-Scores"
    )
    first = s3.get_object(Bucket="scoring-out", Key="nightly/part-1.csv.out")["Body"].read()
    second = s3.get_object(Bucket="scoring-out", Key="nightly/part-2.csv.out")["Body"].read()
    assert (first, second) == (b"3\n7\n", b"11\n")


def test_no_input_objects_refuse_the_job(s3: Any) -> None:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    with pytest.raises(ClientError) as excinfo:
        sagemaker.create_transform_job(**transform_params())
    code, _, message = error_of(excinfo)
    assert code == "ValidationException"
    assert message.startswith('No S3 objects found under S3 URL "s3://scoring-in/2024/01/"')


def test_a_record_the_model_fails_on_fails_the_job(s3: Any, batchjobs_fake: BatchJobsFake) -> None:
    s3.put_object(Bucket="scoring-in", Key="2024/01/part-1.csv", Body=b"1,2\nx,y\n")
    batchjobs_fake.sagemaker.responder(lambda record: sum(map(int, record.split(","))))
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    sagemaker.create_transform_job(**transform_params())
    with pytest.raises(WaiterError):
        sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
            TransformJobName="Nightly-Scores"
        )
    job = sagemaker.describe_transform_job(TransformJobName="Nightly-Scores")
    assert job["TransformJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: See job logs for more information.")
    assert "record 2 of part-1.csv" in job["FailureReason"]
    assert s3.list_objects_v2(Bucket="scoring-out").get("KeyCount") == 0


def test_inside_mock_aws_moto_keeps_the_rest_of_sagemaker(
    s3: Any, batchjobs_fake: BatchJobsFake
) -> None:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    model = sagemaker.create_model(
        ModelName="churn-xgboost-v7",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
    )["ModelArn"]
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == ["churn-xgboost-v7"]
    # A tag of a resource that is no transform job is moto's too.
    sagemaker.add_tags(ResourceArn=model, Tags=[{"Key": "team", "Value": "growth"}])
    assert sagemaker.list_tags(ResourceArn=model)["Tags"] == [{"Key": "team", "Value": "growth"}]
    s3.put_object(Bucket="scoring-in", Key="2024/01/part-1.csv", Body=b"1,2\n")
    sagemaker.create_transform_job(**transform_params())
    job = sagemaker.describe_transform_job(TransformJobName="Nightly-Scores")
    assert job["TransformJobStatus"] == "InProgress"  # the fake's lifecycle, not moto's
    # moto answered the model's calls: the fake saw only the transform job's.
    assert [call.operation for call in batchjobs_fake.calls] == [
        "CreateTransformJob",
        "DescribeTransformJob",
    ]
