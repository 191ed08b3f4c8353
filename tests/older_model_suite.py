"""Run by ``test_botocore_models.py`` in a fresh process whose botocore models lack the
members botocore 1.40.61's lack (not collected here: its name is no test module's)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore
import pytest
from botocore.exceptions import ParamValidationError

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.transports.server.control import ControlAPI
from pytest_batchjobs.wire.members import has_member

COUNTS = {"totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount"}
LACKED = [
    *[("bedrock", "GetModelInvocationJobResponse", member) for member in COUNTS],
    *[("bedrock", "ModelInvocationJobSummary", member) for member in COUNTS],
    ("bedrock", "CreateModelInvocationJobRequest", "modelInvocationType"),
    ("bedrock", "GetModelInvocationJobResponse", "modelInvocationType"),
    ("personalize", "BatchInferenceJobConfig", "rankingInfluence"),
]
INSTALLED = f"the installed botocore {botocore.__version__}"


def refused(field: str, kind: str, member: str, shape: str, release: str) -> str:
    return (
        f"cannot set {field} on {kind} jobs: the {kind} model of {INSTALLED} has no member "
        f"'{member}' in {shape}, so a client on that botocore never sends or sees it; "
        f"botocore {release} adds it: upgrade botocore (pip install 'botocore>={release}'), "
        f"or leave {member} out"
    )


def test_the_loaded_models_lack_the_newer_members() -> None:
    assert [lacked for lacked in LACKED if has_member(*lacked)] == []


def test_get_and_list_answer_without_the_counts(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    statuses = ["InProgress", "Completed", "PartiallyCompleted"]
    made = batchjobs_fake.bedrock.add_jobs(3, status=statuses)
    assert [job["status"] for job in made] == statuses
    assert all(not COUNTS & set(job) for job in made)
    for job in made:
        got = bedrock.get_model_invocation_job(jobIdentifier=job["jobArn"])
        assert got["status"] == job["status"]
        assert not COUNTS & set(got)
    summaries = bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
    assert sorted(summary["status"] for summary in summaries) == sorted(statuses)
    assert all(not COUNTS & set(summary) for summary in summaries)
    assert batchjobs_fake.internal_errors == []


def test_a_created_job_keeps_its_counts_for_its_outputs(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock.create_model_invocation_job(
        jobName="nightly-batch",
        roleArn="arn:aws:iam::123456789012:role/BatchRole",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}},
    )["jobArn"]
    batchjobs_fake.advance_until(arn, status="Completed")
    got = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert got["status"] == "Completed"
    assert not COUNTS & set(got)
    outputs = batchjobs_fake.outputs(arn)
    manifest = json.loads(
        outputs[f"s3://batch-out/results/{arn.rsplit('/', 1)[1]}/manifest.json.out"]
    )
    assert (manifest["totalRecordCount"], manifest["successRecordCount"]) == (100, 100)


def test_the_client_cannot_send_a_newer_member(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    with pytest.raises(
        ParamValidationError, match='Unknown parameter in input: "modelInvocationType"'
    ):
        bedrock.create_model_invocation_job(
            jobName="nightly-batch",
            roleArn="arn:aws:iam::123456789012:role/BatchRole",
            modelId="anthropic.claude-3-haiku-20240307-v1:0",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}},
            modelInvocationType="Converse",
        )
    assert batchjobs_fake.calls == []


TOTAL = refused(
    "totalRecordCount", "bedrock", "totalRecordCount", "GetModelInvocationJobResponse", "1.42.81"
)
ERRORS = refused(
    "errorRecordCount", "bedrock", "errorRecordCount", "GetModelInvocationJobResponse", "1.42.81"
)
INVOCATION_TYPE = refused(
    "modelInvocationType",
    "bedrock",
    "modelInvocationType",
    "CreateModelInvocationJobRequest",
    "1.42.59",
)
RANKING = refused(
    "batchInferenceJobConfig.rankingInfluence",
    "personalize",
    "rankingInfluence",
    "BatchInferenceJobConfig",
    "1.41.6",
)


@pytest.mark.parametrize(
    ("kind", "overrides", "message"),
    [
        ("bedrock", {"totalRecordCount": 500}, TOTAL),
        ("bedrock", {"errorRecordCount": 5, "status": "PartiallyCompleted"}, ERRORS),
        ("bedrock", {"modelInvocationType": "Converse"}, INVOCATION_TYPE),
        (
            "personalize",
            {"batchInferenceJobConfig": {"rankingInfluence": {"FRESHNESS": 0.5}}},
            RANKING,
        ),
    ],
)
def test_the_factory_and_the_control_api_refuse_a_newer_member(
    batchjobs_fake: BatchJobsFake, kind: str, overrides: dict[str, Any], message: str
) -> None:
    controls = getattr(batchjobs_fake, kind)
    with pytest.raises(ValueError, match="adds it") as said:
        controls.add_job(**overrides)
    assert str(said.value) == message
    body = json.dumps(overrides).encode()
    answer = ControlAPI(batchjobs_fake).handle("POST", f"/_batchjobs/{kind}/jobs", body)
    assert answer == (400, {"error": message})
    assert list(controls.all_jobs()) == []
    newer = set(overrides) - {"status", "batchInferenceJobConfig"}
    assert not newer & set(controls.override_names())
