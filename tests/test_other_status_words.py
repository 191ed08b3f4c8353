"""A kind whose service says other status words is a folder: the kit reads its words.

The kind is defined in this suite only (``tests/kinds/comprehend_like``: Amazon
Comprehend's dominant language detection jobs on botocore's own model, whose jobs are
``SUBMITTED``, ``IN_PROGRESS``, ``COMPLETED``, ``FAILED``, ``STOP_REQUESTED``,
``STOPPED``) and registered for each test. Everything here goes through real boto3.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from kinds.comprehend_like import SERVICE
from kinds.comprehend_like.factory import FAILURES

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.core import registry
from pytest_batchjobs.services._kit.spec import Service
from pytest_batchjobs.time.lifecycles import ServiceStatuses
from pytest_batchjobs.transports.hosts import faked_endpoint
from pytest_batchjobs.transports.server.control import ControlAPI
from pytest_batchjobs.wire.endpoints import ServiceEndpoint, endpoint_of_host

KIND = "comprehend_language"
ROLE = "arn:aws:iam::123456789012:role/ComprehendData"
HOST = "comprehend.us-east-1.amazonaws.com"


@pytest.fixture
def comprehend_kind() -> Iterator[Service]:
    with registry.registered(SERVICE) as service:
        yield service


@pytest.fixture
def batchjobs_fake(comprehend_kind: Service, batchjobs_fake: BatchJobsFake) -> BatchJobsFake:
    """The plugin's fake, built once the test's kind is registered."""
    return batchjobs_fake


def comprehend() -> Any:
    return boto3.client("comprehend", region_name="us-east-1")


def start(client: Any, name: str = "reviews") -> str:
    return str(
        client.start_dominant_language_detection_job(
            JobName=name,
            InputDataConfig={"S3Uri": "s3://reviews-in/docs/", "InputFormat": "ONE_DOC_PER_LINE"},
            OutputDataConfig={"S3Uri": "s3://reviews-out/languages/"},
            DataAccessRoleArn=ROLE,
        )["JobId"]
    )


def described(client: Any, job_id: str) -> dict[str, Any]:
    found = client.describe_dominant_language_detection_job(JobId=job_id)
    return dict(found["DominantLanguageDetectionJobProperties"])


def test_stop_requested_then_stopped(batchjobs_fake: BatchJobsFake) -> None:
    client = comprehend()
    job_id = start(client)
    assert described(client, job_id)["JobStatus"] == "SUBMITTED"
    batchjobs_fake.clock.advance(seconds=60)
    assert described(client, job_id)["JobStatus"] == "IN_PROGRESS"

    stopped = client.stop_dominant_language_detection_job(JobId=job_id)
    assert stopped["JobStatus"] == "STOP_REQUESTED"
    # Asked again while it stops: the same answer, the same timeline.
    again = client.stop_dominant_language_detection_job(JobId=job_id)
    assert again["JobStatus"] == "STOP_REQUESTED"
    batchjobs_fake.clock.advance(seconds=44)
    job = described(client, job_id)
    assert job["JobStatus"] == "STOP_REQUESTED"
    assert "EndTime" not in job
    batchjobs_fake.clock.advance(seconds=1)
    job = described(client, job_id)
    assert job["JobStatus"] == "STOPPED"
    assert job["EndTime"] == job["SubmitTime"] + _dt.timedelta(seconds=105)

    with pytest.raises(ClientError) as ended:
        client.stop_dominant_language_detection_job(JobId=job_id)
    assert ended.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "is STOPPED and can no longer be stopped" in ended.value.response["Error"]["Message"]
    assert batchjobs_fake.statuses_seen(KIND) == [
        "SUBMITTED",
        "IN_PROGRESS",
        "STOP_REQUESTED",
        "STOPPED",
    ]


def test_the_list_filters_on_the_kinds_words(batchjobs_fake: BatchJobsFake) -> None:
    client = comprehend()
    kept, stopping = start(client, "kept"), start(client, "stopping")
    batchjobs_fake.clock.advance(seconds=60)
    client.stop_dominant_language_detection_job(JobId=stopping)
    listed = client.list_dominant_language_detection_jobs(Filter={"JobStatus": "STOP_REQUESTED"})
    jobs = listed["DominantLanguageDetectionJobPropertiesList"]
    assert [job["JobId"] for job in jobs] == [stopping]
    paginator = client.get_paginator("list_dominant_language_detection_jobs")
    every = [
        job["JobId"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 1})
        for job in page["DominantLanguageDetectionJobPropertiesList"]
    ]
    assert sorted(every) == sorted([kept, stopping])


def test_a_lifecycle_ending_failed(batchjobs_fake: BatchJobsFake) -> None:
    controls = getattr(batchjobs_fake, KIND)
    with pytest.raises(ValueError, match="choose one of: COMPLETED, FAILED"):
        controls.lifecycle("Failed")
    with pytest.raises(ValueError, match="valid ones: SUBMITTED, IN_PROGRESS, STOP_REQUESTED"):
        controls.lifecycle(durations={"Stopping": 5})
    controls.lifecycle("FAILED", message="The input documents are not UTF-8.")
    client = comprehend()
    job_id = start(client)
    batchjobs_fake.clock.advance(seconds=629)
    assert described(client, job_id)["JobStatus"] == "IN_PROGRESS"
    batchjobs_fake.clock.advance(seconds=1)
    job = described(client, job_id)
    assert job["JobStatus"] == "FAILED"
    assert job["Message"] == "The input documents are not UTF-8."


def test_the_factory_in_the_kinds_words(batchjobs_fake: BatchJobsFake) -> None:
    controls = getattr(batchjobs_fake, KIND)
    words = ["SUBMITTED", "IN_PROGRESS", "COMPLETED", "FAILED", "STOP_REQUESTED", "STOPPED"]
    made = controls.add_jobs(6, status=words)
    client = comprehend()
    for job, word in zip(made, words, strict=True):
        shown = described(client, str(job["JobId"]))
        assert shown["JobStatus"] == word
        assert ("EndTime" in shown) == (word in ("COMPLETED", "FAILED", "STOPPED"))
        assert ("Message" in shown) == (word == "FAILED")
    assert made[3]["Message"] in FAILURES
    # A STOP_REQUESTED job becomes STOPPED within the kind's STOP_REQUESTED duration.
    batchjobs_fake.clock.advance(seconds=45)
    assert described(client, str(made[4]["JobId"]))["JobStatus"] == "STOPPED"

    valid = "SUBMITTED, IN_PROGRESS, COMPLETED, FAILED, STOP_REQUESTED, STOPPED"
    with pytest.raises(ValueError, match=f"unknown status 'Stopping'; valid statuses: {valid}$"):
        controls.add_job(status="Stopping")
    recent = batchjobs_fake.clock.now() - _dt.timedelta(seconds=10)
    too_early = (
        r"^a STOPPED job needs at least 45 s between submission and now \(STOP_REQUESTED "
        r"lasts that long\); it was submitted 10 s ago$"
    )
    with pytest.raises(ValueError, match=too_early):
        controls.add_job(status="STOPPED", SubmitTime=recent)


def test_the_control_api_takes_the_kinds_words(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    body = b'{"count": 2, "status": "STOP_REQUESTED"}'
    status, answer = api.handle("POST", f"/_batchjobs/{KIND}/jobs", body)
    assert status == 200, answer
    jobs: Any = answer["jobs"]
    assert {job["JobStatus"] for job in jobs} == {"STOP_REQUESTED"}
    status, answer = api.handle("POST", f"/_batchjobs/{KIND}/jobs", b'{"status": "Stopped"}')
    assert status == 400
    assert "valid statuses: SUBMITTED, IN_PROGRESS, COMPLETED, FAILED, STOP_REQUESTED" in str(
        answer
    )


def test_the_kind_is_gone_after_its_block() -> None:
    before = tuple(registry.KIND_NAMES)
    assert endpoint_of_host(HOST) is None
    assert faked_endpoint(HOST) is None
    with registry.registered(SERVICE):
        assert KIND in registry.KIND_NAMES
        assert registry.ENDPOINT_PREFIXES["comprehend"] == "comprehend"
        assert endpoint_of_host(HOST) == ServiceEndpoint("comprehend", "us-east-1")
        assert faked_endpoint(HOST) == ServiceEndpoint("comprehend", "us-east-1")
        clash = pytest.raises(ValueError, match="already has its service 'comprehend'")
        with clash, registry.registered(SERVICE):
            pass  # pragma: no cover
        with BatchJobsFake() as inside:
            assert hasattr(inside, KIND)
    assert tuple(registry.KIND_NAMES) == before
    assert "comprehend" not in registry.ENDPOINT_PREFIXES
    assert endpoint_of_host(HOST) is None  # the hosts' tables are worked out again
    assert faked_endpoint(HOST) is None
    with BatchJobsFake() as after:
        assert not hasattr(after, KIND)


def test_a_kind_declares_both_stop_words_or_neither() -> None:
    with pytest.raises(ValueError, match="stopping and stopped are both a status, or both None"):
        ServiceStatuses(
            service="Half",
            running=("RUNNING",),
            outcomes=("DONE",),
            default_durations={"RUNNING": 1.0, "HALTING": 1.0},
            working="RUNNING",
            stopping="HALTING",
        )
    with pytest.raises(ValueError, match="failed 'ERROR' not among outcomes"):
        ServiceStatuses(
            service="Stray",
            running=("RUNNING",),
            outcomes=("DONE",),
            default_durations={"RUNNING": 1.0},
            working="RUNNING",
            failed=("ERROR",),
        )


OUTCOMES_SUITE = """
import boto3
import pytest


def wait(fake, job_id):
    client = boto3.client("comprehend", region_name="us-east-1")
    while True:
        job = client.describe_dominant_language_detection_job(JobId=job_id)
        status = job["DominantLanguageDetectionJobProperties"]["JobStatus"]
        if status in ("COMPLETED", "FAILED", "STOPPED"):
            return status
        fake.clock.advance(minutes=5)


@pytest.mark.batchjobs_outcomes("comprehend_language")
def test_every_outcome(batchjobs_fake, batchjobs_outcome):
    client = boto3.client("comprehend", region_name="us-east-1")
    job_id = client.start_dominant_language_detection_job(
        InputDataConfig={"S3Uri": "s3://docs-in/docs/"},
        OutputDataConfig={"S3Uri": "s3://docs-out/"},
        DataAccessRoleArn="arn:aws:iam::123456789012:role/Data",
    )["JobId"]
    assert wait(batchjobs_fake, job_id) == batchjobs_outcome
"""

# Each refused marker in a module of its own: a collection error fails its module.
REFUSED = """
import pytest


@pytest.mark.batchjobs_outcomes("comprehend_language", outcomes=[{outcome!r}])
def test_refused(batchjobs_fake):
    pass
"""

REGISTERING_CONFTEST = """
import contextlib

from kinds.comprehend_like import SERVICE

from pytest_batchjobs.core.registry import registered

_registration = contextlib.ExitStack()


def pytest_sessionstart(session):
    _registration.enter_context(registered(SERVICE))


def pytest_sessionfinish(session):
    _registration.close()
"""


def test_the_outcomes_marker_lists_the_kinds_outcomes(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(REGISTERING_CONFTEST)
    pytester.makepyfile(
        test_words=OUTCOMES_SUITE,
        test_stopped=REFUSED.format(outcome="STOPPED"),
        test_stop_requested=REFUSED.format(outcome="STOP_REQUESTED"),
        test_failed=REFUSED.format(outcome="Failed"),
    )
    result = pytester.runpytest("-p", "no:randomly", "-v", "--continue-on-collection-errors")
    result.assert_outcomes(passed=2, errors=3)
    result.stdout.fnmatch_lines(
        [
            "*test_every_outcome?comprehend_language-COMPLETED? PASSED*",
            "*test_every_outcome?comprehend_language-FAILED? PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*'STOPPED' is not an outcome of comprehend_language jobs (a job ends 'STOPPED' "
            "only when a client stops it, not by its lifecycle); the valid outcomes are "
            "COMPLETED, FAILED",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*'STOP_REQUESTED' is not an outcome of comprehend_language jobs "
            "('STOP_REQUESTED' is a status a job passes through, not one it ends in)*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*'Failed' is not an outcome of comprehend_language jobs (the service sends 'FAILED')*"]
    )
    assert KIND not in registry.KIND_NAMES
