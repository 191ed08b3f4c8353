"""The server's bound on stored jobs: a factory request that would store more than
``job_limit`` jobs (every kind and region together) is refused with a 400 that says
the bound, how many jobs are stored, and how to raise it."""

from __future__ import annotations

import json

import boto3
import pytest
import requests
from jobs import bedrock_params

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.cli import parser
from pytest_batchjobs.transports.server import FakeServer
from pytest_batchjobs.transports.server.control import ControlAPI
from pytest_batchjobs.transports.server.control.limits import DEFAULT_JOB_LIMIT, MAX_JOBS


def add(api: ControlAPI, kind: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    return api.handle("POST", f"/_batchjobs/{kind}/jobs", json.dumps(body).encode())


def test_factory_requests_stop_at_the_job_limit_counting_every_kind_and_region(
    batchjobs_fake: BatchJobsFake,
) -> None:
    api = ControlAPI(batchjobs_fake, job_limit=10)
    assert add(api, "bedrock", {"count": 4})[0] == 200
    assert add(api, "personalize", {"count": 3, "region": "eu-west-1"})[0] == 200
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    bedrock.create_model_invocation_job(**bedrock_params("byapi"))  # counts too
    status, answer = add(api, "sagemaker", {"count": 3})
    assert status == 400
    assert answer["error"] == (
        "POST /_batchjobs/sagemaker/jobs: adding 3 jobs would store 11, over the server's "
        "job limit of 10 (8 stored now, every kind and region; each holds about 2.3 KB). "
        "Add at most 2, POST /_batchjobs/reset to forget the jobs stored, or raise the "
        "limit: batchjobs-fake serve --job-limit N (or 'none'), FakeServer(job_limit=N)"
    )
    assert len(list(batchjobs_fake.jobs())) == 8  # nothing added
    assert add(api, "sagemaker", {"count": 2})[0] == 200  # exactly up to the bound
    assert add(api, "bedrock", {"count": 0})[0] == 200  # adds nothing: always fits
    assert add(api, "bedrock", {"count": 1})[0] == 400
    assert api.handle("POST", "/_batchjobs/reset", b"")[0] == 200
    assert add(api, "bedrock", {"count": 10})[0] == 200  # reset made room


def test_no_limit_when_none(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake, job_limit=None)
    assert add(api, "bedrock", {"count": 5})[0] == 200
    assert add(api, "bedrock", {"count": 5})[0] == 200


def test_the_server_has_the_limit_by_default_and_takes_another(
    batchjobs_fake: BatchJobsFake,
) -> None:
    assert DEFAULT_JOB_LIMIT == MAX_JOBS == 1_000_000  # one request at the cap still fits
    assert FakeServer(batchjobs_fake).control.job_limit == DEFAULT_JOB_LIMIT
    with FakeServer(batchjobs_fake, job_limit=3) as server:
        url = f"{server.endpoint_url}/_batchjobs/personalize/jobs"
        assert requests.post(url, json={"count": 3}, timeout=10).status_code == 200
        refused = requests.post(url, json={"count": 1}, timeout=10)
    assert refused.status_code == 400
    assert "over the server's job limit of 3 (3 stored now" in refused.json()["error"]


@pytest.mark.parametrize("limit", [0, -1, 1.5, True, "10"])
def test_the_job_limit_is_a_positive_integer_or_none(
    batchjobs_fake: BatchJobsFake, limit: object
) -> None:
    with pytest.raises(ValueError, match="job_limit must be an integer >= 1 or None, got"):
        FakeServer(batchjobs_fake, job_limit=limit)  # type: ignore[arg-type]


def test_the_command_line_takes_the_job_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert parser().parse_args(["serve"]).job_limit == DEFAULT_JOB_LIMIT
    assert parser().parse_args(["serve", "--job-limit", "50"]).job_limit == 50
    assert parser().parse_args(["serve", "--job-limit", "none"]).job_limit is None
    for bad in ("0", "-3", "lots"):
        with pytest.raises(SystemExit):
            parser().parse_args(["serve", "--job-limit", bad])
        assert "--job-limit" in capsys.readouterr().err
