"""Outputs where clients look for them: a missing output bucket fails the job at the
instant the service checks it, and async invocations report their own folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from jobs import ROLE, SOLUTION, bedrock_job, error_of
from moto import mock_aws
from test_outputs import put_lines, records
from test_sagemaker import transform_params

from pytest_batchjobs import BatchJobsFake

SEGMENTS = "arn:aws:personalize:us-east-1:123456789012:solution/segments/0a1b2c3d"


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Iterator[Any]:
    """moto's S3 with every input bucket, and no output bucket."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        for bucket in ("batch-in", "recs-in", "segments-in", "scoring-in"):
            client.create_bucket(Bucket=bucket)
        yield client


def test_bedrock_job_fails_while_validating(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    put_lines(s3, "batch-in", "records.jsonl", records(120))
    arn = bedrock_job(bedrock)
    job = batchjobs_fake.advance_until(arn)
    assert job["status"] == "Failed"
    assert "batch-out" in job["message"]
    assert "does not exist" in job["message"]
    # It failed when it checked its data, not after running.
    statuses = [event["detail"]["status"] for event in batchjobs_fake.events]
    assert statuses == ["Submitted", "Validating", "Failed"]
    assert batchjobs_fake.outputs(arn) == {}
    assert batchjobs_fake.internal_errors == []


def test_bad_input_is_reported_before_the_missing_output_bucket(
    batchjobs_fake: BatchJobsFake, s3: Any, bedrock: Any
) -> None:
    put_lines(s3, "batch-in", "records.jsonl", records(5))
    job = batchjobs_fake.advance_until(bedrock_job(bedrock))
    assert job["status"] == "Failed"
    assert "fewer than the minimum" in job["message"]


def test_personalize_batch_inference_job_fails(
    batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any
) -> None:
    put_lines(s3, "recs-in", "users.json", [{"userId": "u-1"}])
    arn = personalize.create_batch_inference_job(
        jobName="weekly-recs",
        solutionVersionArn=SOLUTION,
        jobInput={"s3DataSource": {"path": "s3://recs-in/users.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://recs-out/weekly/"}},
        roleArn=ROLE,
    )["batchInferenceJobArn"]
    job = batchjobs_fake.advance_until(arn)
    assert job["status"] == "CREATE FAILED"
    assert "recs-out" in job["failureReason"]
    described = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
    assert described["batchInferenceJob"]["failureReason"] == job["failureReason"]
    assert batchjobs_fake.internal_errors == []


def test_personalize_batch_segment_job_fails(
    batchjobs_fake: BatchJobsFake, s3: Any, personalize: Any
) -> None:
    put_lines(s3, "segments-in", "items.json", [{"itemId": "105"}])
    arn = personalize.create_batch_segment_job(
        jobName="weekly-segments",
        solutionVersionArn=SEGMENTS,
        jobInput={"s3DataSource": {"path": "s3://segments-in/items.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://segments-out/weekly/"}},
        roleArn=ROLE,
    )["batchSegmentJobArn"]
    job = batchjobs_fake.advance_until(arn)
    assert job["status"] == "CREATE FAILED"
    assert "segments-out" in job["failureReason"]
    assert batchjobs_fake.internal_errors == []


def test_sagemaker_transform_job_fails_with_a_client_error(
    batchjobs_fake: BatchJobsFake, s3: Any
) -> None:
    s3.put_object(Bucket="scoring-in", Key="2024/01/part-1.csv", Body=b"1,2\n")
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    arn = sagemaker.create_transform_job(**transform_params())["TransformJobArn"]
    job = batchjobs_fake.advance_until(arn)
    assert job["TransformJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: ")
    assert "scoring-out" in job["FailureReason"]
    assert batchjobs_fake.internal_errors == []


def test_async_invoke_is_refused_when_it_starts(batchjobs_fake: BatchJobsFake, s3: Any) -> None:
    runtime = boto3.client("bedrock-runtime", region_name="us-east-1")
    with pytest.raises(ClientError) as excinfo:
        runtime.start_async_invoke(
            modelId="amazon.nova-reel-v1:1",
            modelInput={"taskType": "TEXT_VIDEO", "textToVideoParams": {"text": "a fox"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://videos-out/reels"}},
        )
    assert error_of(excinfo) == ("ValidationException", 400, "Invalid Output Config/Credentials")
    assert list(batchjobs_fake.bedrock_async.all_jobs()) == []


def test_without_moto_nothing_is_checked(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    job = batchjobs_fake.advance_until(bedrock_job(bedrock))
    assert job["status"] == "Completed"


# -- async invocations: the invocation's folder ------------------------------------------


@pytest.fixture
def runtime(batchjobs_fake: BatchJobsFake, s3: Any) -> Any:
    s3.create_bucket(Bucket="videos-out")
    return boto3.client("bedrock-runtime", region_name="us-east-1")


REEL_INPUT = {
    "taskType": "TEXT_VIDEO",
    "textToVideoParams": {"text": "A lighthouse in a storm"},
    "videoGenerationConfig": {"durationSeconds": 6, "fps": 24, "dimension": "1280x720"},
}


@pytest.mark.parametrize("given", ["s3://videos-out/reels", "s3://videos-out/reels/"])
def test_aws_samples_find_the_video_at_s3uri_slash_output_mp4(
    batchjobs_fake: BatchJobsFake, runtime: Any, s3: Any, given: str
) -> None:
    arn = runtime.start_async_invoke(
        modelId="amazon.nova-reel-v1:1",
        modelInput=REEL_INPUT,
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": given}},
    )["invocationArn"]
    invocation_id = arn.rsplit("/", 1)[1]
    batchjobs_fake.advance_until(arn)
    job = runtime.get_async_invoke(invocationArn=arn)
    # What AWS's sample (aws-doc-sdk-examples, amazon_nova_reel/text_to_video.py) does:
    bucket_uri = job["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"]
    assert bucket_uri == f"s3://videos-out/reels/{invocation_id}"
    bucket, _, key = f"{bucket_uri}/output.mp4".removeprefix("s3://").partition("/")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read().startswith(b"pytest-batchjobs")
    listed = runtime.list_async_invokes()["asyncInvokeSummaries"]
    assert listed[0]["outputDataConfig"] == job["outputDataConfig"]
    names = sorted(
        item["Key"].rsplit("/", 1)[1]
        for item in s3.list_objects_v2(Bucket="videos-out", Prefix=f"reels/{invocation_id}/")[
            "Contents"
        ]
    )
    assert names == ["generation-status.json", "manifest.json", "output.mp4"]


def read_output_json(runtime: Any, s3: Any, arn: str) -> Any:
    uri = runtime.get_async_invoke(invocationArn=arn)["outputDataConfig"]["s3OutputDataConfig"]
    bucket, _, key = f"{uri['s3Uri']}/output.json".removeprefix("s3://").partition("/")
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_marengo_writes_output_json_with_data(
    batchjobs_fake: BatchJobsFake, runtime: Any, s3: Any
) -> None:
    output = {"s3OutputDataConfig": {"s3Uri": "s3://videos-out/embeddings/"}}
    text = runtime.start_async_invoke(
        modelId="twelvelabs.marengo-embed-2-7-v1:0",
        modelInput={"inputType": "text", "inputText": "people hiking at dawn"},
        outputDataConfig=output,
    )["invocationArn"]
    video = runtime.start_async_invoke(
        modelId="twelvelabs.marengo-embed-3-0-v1:0",
        modelInput={
            "inputType": "video",
            "mediaSource": {"s3Location": {"uri": "s3://videos-in/ad.mp4"}},
            "embeddingOption": ["visual-text", "audio"],
            "lengthSec": 10,
            "useFixedLengthSec": 5,
        },
        outputDataConfig=output,
    )["invocationArn"]
    batchjobs_fake.advance_until(text)
    batchjobs_fake.advance_until(video)
    (embedded,) = read_output_json(runtime, s3, text)["data"]
    assert len(embedded["embedding"]) == 1024
    assert all(-1.0 <= number < 1.0 for number in embedded["embedding"])
    clips = read_output_json(runtime, s3, video)["data"]
    assert [(c["embeddingOption"], c["startSec"], c["endSec"]) for c in clips] == [
        ("visual-text", 0.0, 5.0),
        ("visual-text", 5.0, 10.0),
        ("audio", 0.0, 5.0),
        ("audio", 5.0, 10.0),
    ]
    assert {len(clip["embedding"]) for clip in clips} == {512}
    # What a helper reading the last clip's end (garystafford's demo) gets:
    assert clips[-1]["endSec"] == 10.0
