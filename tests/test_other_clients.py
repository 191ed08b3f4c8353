"""Clients that are not boto3, against the server: the AWS CLI and the JavaScript SDK
(over HTTP/1.1, and over HTTP/2 as its Bedrock Runtime client speaks by default)."""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clients import MODEL, ROLE, aws, aws_env, run

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.transports.server import FakeServer

ROOT = Path(__file__).resolve().parents[1]
JS = Path(__file__).with_name("js")
NPM_CACHE = ROOT / ".cache" / "npm-sdk"


def pages_via_cli(url: str, env: dict[str, str], *command: str) -> list[list[dict[str, Any]]]:
    """Every page the CLI prints, following its NextToken with --starting-token."""
    keys = {
        "list-model-invocation-jobs": "invocationJobSummaries",
        "list-batch-inference-jobs": "batchInferenceJobs",
        "list-batch-segment-jobs": "batchSegmentJobs",
    }
    key = keys[command[1]]
    pages: list[list[dict[str, Any]]] = []
    token: list[str] = []
    while True:
        output = aws(url, env, *command, *token)
        pages.append(output[key])
        if "NextToken" not in output:
            return pages
        token = ["--starting-token", output["NextToken"]]


# -- the AWS CLI --------------------------------------------------------------------------


def test_aws_cli_creates_and_pages_bedrock_jobs(
    batchjobs_server: FakeServer, tmp_path: Path
) -> None:
    url, env, fake = batchjobs_server.endpoint_url, aws_env(tmp_path), batchjobs_server.fake
    seeded = fake.bedrock.add_jobs(3, status="Completed")
    created = aws(
        url,
        env,
        "bedrock",
        "create-model-invocation-job",
        "--job-name",
        "from-the-cli",
        "--role-arn",
        ROLE,
        "--model-id",
        MODEL,
        "--input-data-config",
        json.dumps({"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}}),
        "--output-data-config",
        json.dumps({"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}}),
    )
    fake.assert_called("CreateModelInvocationJob", jobName="from-the-cli")

    pages = pages_via_cli(url, env, "bedrock", "list-model-invocation-jobs", "--max-items", "2")
    assert [len(page) for page in pages] == [2, 2]
    listed = [job["jobArn"] for page in pages for job in page]
    assert listed[0] == created["jobArn"]  # newest first
    assert set(listed) == {created["jobArn"], *(job["jobArn"] for job in seeded)}
    assert {job["status"] for page in pages for job in page} == {"Submitted", "Completed"}
    fake.pagination.assert_no_token_reuse()
    assert {call.transport for call in fake.calls} == {"server"}


def test_aws_cli_pages_personalize_jobs(batchjobs_server: FakeServer, tmp_path: Path) -> None:
    url, env, fake = batchjobs_server.endpoint_url, aws_env(tmp_path), batchjobs_server.fake
    seeded = fake.personalize.add_jobs(5, status=["ACTIVE", "CREATE FAILED"])
    command = ("personalize", "list-batch-inference-jobs", "--max-items", "3", "--page-size", "2")
    pages = pages_via_cli(url, env, *command)
    assert [len(page) for page in pages] == [3, 2]
    listed = [job["batchInferenceJobArn"] for page in pages for job in page]
    assert sorted(listed) == sorted(job["batchInferenceJobArn"] for job in seeded)
    statuses = [job["status"] for page in pages for job in page]
    assert sorted(statuses) == ["ACTIVE"] * 3 + ["CREATE FAILED"] * 2
    fake.pagination.assert_exhausted("ListBatchInferenceJobs")
    fake.pagination.assert_max_results("ListBatchInferenceJobs", at_most=2)


def test_aws_cli_creates_and_pages_personalize_segment_jobs(
    batchjobs_server: FakeServer, tmp_path: Path
) -> None:
    url, env, fake = batchjobs_server.endpoint_url, aws_env(tmp_path), batchjobs_server.fake
    solution = "arn:aws:personalize:us-east-1:123456789012:solution/movies-item-affinity/0a1b2c3d"
    seeded = fake.personalize_segments.add_jobs(4, status="ACTIVE", solutionVersionArn=solution)
    fake.personalize.add_jobs(3, solutionVersionArn=solution)  # another resource: not listed
    created = aws(
        url,
        env,
        "personalize",
        "create-batch-segment-job",
        "--job-name",
        "from-the-cli",
        "--solution-version-arn",
        solution,
        "--job-input",
        json.dumps({"s3DataSource": {"path": "s3://segments-in/items.json"}}),
        "--job-output",
        json.dumps({"s3DataDestination": {"path": "s3://segments-out/"}}),
        "--role-arn",
        ROLE,
    )
    arn = created["batchSegmentJobArn"]
    assert arn.endswith(":batch-segment-job/from-the-cli")
    command = (
        "personalize",
        "list-batch-segment-jobs",
        "--solution-version-arn",
        solution,
        "--max-items",
        "2",
        "--page-size",
        "2",
    )
    pages = pages_via_cli(url, env, *command)
    assert [len(page) for page in pages] == [2, 2, 1]
    listed = [job["batchSegmentJobArn"] for page in pages for job in page]
    assert listed[0] == arn  # newest first
    assert set(listed) == {arn, *(job["batchSegmentJobArn"] for job in seeded)}
    described = aws(
        url, env, "personalize", "describe-batch-segment-job", "--batch-segment-job-arn", arn
    )
    assert described["batchSegmentJob"]["status"] == "CREATE PENDING"
    fake.pagination.assert_exhausted("ListBatchSegmentJobs")
    fake.pagination.assert_no_token_reuse()
    assert {call.transport for call in fake.calls} == {"server"}


def test_aws_cli_follows_a_sagemaker_transform_job(
    batchjobs_server: FakeServer, tmp_path: Path
) -> None:
    url, env, fake = batchjobs_server.endpoint_url, aws_env(tmp_path), batchjobs_server.fake
    aws(
        url,
        env,
        "sagemaker",
        "create-transform-job",
        "--transform-job-name",
        "Scores-From-The-CLI",
        "--model-name",
        "churn-xgboost-v7",
        "--transform-input",
        json.dumps(
            {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}}}
        ),
        "--transform-output",
        json.dumps({"S3OutputPath": "s3://out/"}),
        "--transform-resources",
        json.dumps({"InstanceType": "ml.m5.large", "InstanceCount": 1}),
    )
    command = ("sagemaker", "describe-transform-job", "--transform-job-name", "Scores-From-The-CLI")
    job = aws(url, env, *command)
    assert job["TransformJobStatus"] == "InProgress"
    assert job["TransformJobArn"].endswith(":transform-job/Scores-From-The-CLI")
    fake.clock.advance(minutes=10)
    assert aws(url, env, *command)["TransformJobStatus"] == "Completed"
    missing = run_failing(
        url, env, "sagemaker", "describe-transform-job", "--transform-job-name", "nope"
    )
    assert "(ValidationException)" in missing
    assert "Could not find requested job with name nope" in missing


def run_failing(url: str, env: dict[str, str], *arguments: str) -> str:
    """The AWS CLI's error output for a command that fails."""
    command = [sys.executable, "-m", "awscli", "--endpoint-url", url, "--region", "us-east-1"]
    done = subprocess.run(
        [*command, *arguments], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0, done.stdout
    return done.stderr


# -- the AWS SDK for JavaScript v3 --------------------------------------------------------


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    """``node_modules`` with the SDK clients of tests/js/package-lock.json, installed
    once into .cache/npm-sdk and reused by later runs."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the AWS SDK for JavaScript tests")
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    lock = (JS / "package-lock.json").read_text()
    with (NPM_CACHE.parent / "npm-sdk.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # another run may be installing right now
        installed = NPM_CACHE / "node_modules" / ".package-lock.json"
        if not installed.exists() or (NPM_CACHE / "package-lock.json").read_text() != lock:
            shutil.copy(JS / "package.json", NPM_CACHE / "package.json")
            shutil.copy(JS / "package-lock.json", NPM_CACHE / "package-lock.json")
            command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
            run([*command, "--prefix", str(NPM_CACHE)], dict(os.environ), timeout=600)
    return NPM_CACHE / "node_modules"


def test_javascript_sdk_paginators_and_error_classes(
    batchjobs_server: FakeServer, js_sdk: Path, tmp_path: Path
) -> None:
    env = aws_env(tmp_path, NODE_PATH=str(js_sdk), NODE_NO_WARNINGS="1")
    node = shutil.which("node")
    assert node is not None
    script = str(JS / "batch_clients.cjs")
    result = json.loads(run([node, script, batchjobs_server.endpoint_url], env).stdout)
    fake = batchjobs_server.fake

    bedrock_jobs = {job.ident for job in fake.bedrock.all_jobs()}
    assert [len(page) for page in result["bedrockPages"]] == [4, 4, 3]
    assert {arn for page in result["bedrockPages"] for arn in page} == bedrock_jobs
    assert result["bedrockPages"][0][0] == result["created"]
    assert result["createdStatus"] == 200
    assert [len(page) for page in result["personalizePages"]] == [3, 3, 1]
    assert {arn for page in result["personalizePages"] for arn in page} == {
        job.ident for job in fake.personalize.all_jobs()
    }
    assert [len(page) for page in result["segmentPages"]] == [2, 2, 1]
    assert {arn for page in result["segmentPages"] for arn in page} == {
        job.ident for job in fake.personalize_segments.all_jobs()
    }
    assert result["segmentMissing"]["name"] == "ResourceNotFoundException"
    assert result["segmentMissing"]["isInstance"] is True
    fake.pagination.assert_exhausted()
    fake.pagination.assert_no_token_reuse()

    assert result["throttling"] == {
        "name": "ThrottlingException",
        "isInstance": True,
        "status": 429,
        "attempts": 1,
        "fault": "client",
        "message": "Rate exceeded",
    }
    assert result["validation"]["name"] == "ValidationException"
    assert result["validation"]["isInstance"] is True
    assert result["validation"]["message"] == "injected through the control API"
    assert result["tooMany"]["isInstance"] is True
    assert "less than or equal to 1000" in result["tooMany"]["message"]
    assert result["personalizeThrottling"]["name"] == "ThrottlingException"
    assert result["personalizeThrottling"]["isInstance"] is True
    assert result["recovered"] == {"status": "Submitted", "attempts": 2}
    assert {call.transport for call in fake.calls} == {"server"}


def test_javascript_sdk_follows_a_sagemaker_transform_job(
    batchjobs_server: FakeServer, js_sdk: Path, tmp_path: Path
) -> None:
    env = aws_env(tmp_path, NODE_PATH=str(js_sdk), NODE_NO_WARNINGS="1")
    node = shutil.which("node")
    assert node is not None
    script = str(JS / "sagemaker_transform.cjs")
    result = json.loads(run([node, script, batchjobs_server.endpoint_url], env).stdout)
    fake = batchjobs_server.fake

    assert result["created"].endswith(":transform-job/From-JavaScript")
    assert (result["statusAtFirst"], result["statusLater"]) == ("InProgress", "Completed")
    assert result["creationIsDate"] is True
    assert result["ended"] == 10 * 60 * 1000
    assert [len(page) for page in result["pages"]] == [3, 3, 1]
    assert {arn for page in result["pages"] for arn in page} == {
        job.ident for job in fake.sagemaker.all_jobs()
    }
    fake.pagination.assert_exhausted("ListTransformJobs")
    assert result["inUse"]["name"] == "ResourceInUse"
    assert result["inUse"]["isInstance"] is True
    assert result["missing"] == {
        "name": "ValidationException",
        "isInstance": True,
        "status": 400,
        "attempts": 1,
        "fault": "client",
        "message": "Could not find requested job with name missing",
    }


def test_javascript_sdk_bedrock_runtime_client_as_it_comes_speaks_http2(
    batchjobs_fake: BatchJobsFake, js_sdk: Path, tmp_path: Path
) -> None:
    """BedrockRuntimeClient's default handler is NodeHttp2Handler: HTTP/2 with prior
    knowledge. A Nova Reel client failed with "Protocol error" against an HTTP/1.1-only
    server unless it swapped in NodeHttpHandler; here it runs as it comes."""
    env = aws_env(tmp_path, NODE_PATH=str(js_sdk), NODE_NO_WARNINGS="1")
    node = shutil.which("node")
    assert node is not None
    log = io.StringIO()
    with FakeServer(batchjobs_fake, log=log) as server:
        script = str(JS / "bedrock_async_invoke.cjs")
        result = json.loads(run([node, script, server.endpoint_url], env).stdout)
    assert server.errors == []

    assert result["handler"] == "NodeHttp2Handler"
    sdk_calls = [line for line in log.getvalue().splitlines() if "/async-invoke" in line]
    assert len(sdk_calls) == 17  # every call answered (the reset one is not)
    assert all(' HTTP/2" ' in line for line in sdk_calls), sdk_calls
    arn = result["started"]
    assert (result["statusAtFirst"], result["statusLater"]) == ("InProgress", "Completed")
    assert result["outputUri"] == f"s3://videos-out/reels/{arn.rsplit('/', 1)[1]}"
    assert [len(page) for page in result["pages"]] == [2, 2, 1]
    assert {arn for page in result["pages"] for arn in page} == {
        job.ident for job in batchjobs_fake.bedrock_async.all_jobs()
    }
    batchjobs_fake.pagination.assert_exhausted("ListAsyncInvokes")
    assert result["concurrent"] == [True] * 8
    assert result["missing"]["isInstance"] is True
    assert "was not found" in result["missing"]["message"]
    assert result["invalid"]["isInstance"] is True
    assert "'no such model!' at 'modelId'" in result["invalid"]["message"]
    # A connection_reset fault resets the TCP connection, as under HTTP/1.1: the SDK
    # retries ECONNRESET (it would not retry a session closed with INTERNAL_ERROR).
    assert result["recovered"] == {"status": "Completed", "attempts": 2}
    assert [call.error for call in batchjobs_fake.calls][-2:] == ["connection_reset", None]
    assert {call.transport for call in batchjobs_fake.calls} == {"server"}
