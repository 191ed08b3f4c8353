"""A nightly batch-scoring job on SageMaker batch transform, as a team would write it.

It writes the night's customers to S3 as CSV parts, starts one transform job over the
prefix (a rerun of the same night finds the job it already started: transform job
names are unique), waits with botocore's own waiter, then reads every
``<output path>/<part>.out`` back and joins each score to its input line by position.
Nothing here knows about tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, WaiterError

MODEL = "churn-xgboost-v7"


@dataclass
class Scores:
    """A night's outcome: the job's end status, and the score of each customer."""

    job_name: str
    status: str
    failure: str | None = None
    scores: dict[str, float] = field(default_factory=dict)  # customer id -> score


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` -> (``bucket``, ``a/b``)."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def write_parts(s3: Any, prefix: str, rows: dict[str, list[float]], per_part: int) -> None:
    """Write ``rows`` (customer id -> features) as CSV parts of ``per_part`` lines; the
    ids stay out of the model's input, in a sidecar listing each part's ids in order."""
    bucket, key = split_s3(prefix)
    ids = list(rows)
    for number, start in enumerate(range(0, len(ids), per_part), start=1):
        chunk = ids[start : start + per_part]
        body = "".join(",".join(map(str, rows[i])) + "\n" for i in chunk)
        s3.put_object(Bucket=bucket, Key=f"{key}part-{number:03d}.csv", Body=body.encode())
        sidecar = f"ids/{key}part-{number:03d}.csv"
        s3.put_object(Bucket=bucket, Key=sidecar, Body="\n".join(chunk).encode())


def start(sagemaker: Any, *, night: str, input_prefix: str, output_path: str) -> str:
    """Start tonight's job, or find the one a previous run of tonight started."""
    name = f"churn-scores-{night}"
    try:
        sagemaker.create_transform_job(
            TransformJobName=name,
            ModelName=MODEL,
            BatchStrategy="MultiRecord",
            TransformInput={
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_prefix}},
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            TransformOutput={"S3OutputPath": output_path, "AssembleWith": "Line"},
            TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
            Tags=[{"Key": "pipeline", "Value": "churn-nightly"}],
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUse":
            raise
    return name


def wait(sagemaker: Any, name: str) -> dict[str, Any]:
    """Wait for the job to end (botocore's waiter polls once a minute for an hour)."""
    try:
        sagemaker.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName=name)
    except WaiterError as error:
        if "TransformJobStatus" not in error.last_response:
            raise  # no such job, or the waiter gave up: not an end status
    job: dict[str, Any] = sagemaker.describe_transform_job(TransformJobName=name)
    return job


def collect(s3: Any, job: dict[str, Any]) -> Scores:
    """The night's scores, joined to the customers by line position in each part."""
    scores = Scores(job["TransformJobName"], job["TransformJobStatus"], job.get("FailureReason"))
    if scores.status != "Completed":
        return scores
    bucket, prefix = split_s3(job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"])
    out_bucket, out_key = split_s3(job["TransformOutput"]["S3OutputPath"])
    out_key = out_key if out_key.endswith("/") else out_key + "/"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    for item in listed:
        part = item["Key"].rsplit("/", 1)[-1]
        ids = s3.get_object(Bucket=bucket, Key=f"ids/{item['Key']}")["Body"].read().decode()
        body = s3.get_object(Bucket=out_bucket, Key=f"{out_key}{part}.out")["Body"].read()
        for customer, line in zip(ids.split("\n"), body.decode().splitlines(), strict=True):
            scores.scores[customer] = float(line)
    return scores
