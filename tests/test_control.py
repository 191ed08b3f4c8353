"""The control API without any server: a method, a path and a body in, JSON out."""

from __future__ import annotations

import json

import pytest

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.control import ControlAPI


def post(api: ControlAPI, path: str, body: object = None) -> tuple[int, dict[str, object]]:
    raw = b"" if body is None else json.dumps(body).encode()
    return api.handle("POST", f"/_batchjobs/{path}", raw)


def test_paths_under_the_reserved_prefix_only() -> None:
    assert ControlAPI.owns("/_batchjobs/clock")
    assert ControlAPI.owns("/_batchjobs?x=1")
    assert not ControlAPI.owns("/model-invocation-jobs")
    assert not ControlAPI.owns("/_batchjobsx/clock")


def test_the_same_state_as_the_python_api(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    status, _ = post(api, "personalize/jobs", {"count": 2, "status": "IN PROGRESS"})
    assert status == 200
    assert len(list(batchjobs_fake.personalize.all_jobs())) == 2
    assert post(api, "clock/advance", {"days": 1}) == (200, {"now": "2024-01-02T09:00:00Z"})
    assert post(api, "personalize/quota", {"max_active_jobs": 3}) == (200, {"max_active_jobs": 3})
    assert batchjobs_fake.personalize.max_active_jobs == 3
    status, _ = post(api, "faults/transport", {"operation": "ListBatchInferenceJobs"})
    assert status == 200
    assert batchjobs_fake.faults.rules[0].description.startswith("faults.transport(")
    status, _ = api.handle(
        "PUT", "/_batchjobs/pagination", b'{"empty_pages": true, "token_lifetime": null}'
    )
    assert status == 200
    assert batchjobs_fake.pagination.empty_pages is True
    assert batchjobs_fake.pagination.token_lifetime is None


def test_submit_times_in_iso_8601(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    status, added = post(api, "bedrock/jobs", {"submitTime": "2023-12-31T09:00:00Z"})
    assert status == 200, added
    jobs = added["jobs"]
    assert isinstance(jobs, list)
    assert jobs[0]["submitTime"] == "2023-12-31T09:00:00Z"


def test_a_failure_of_the_fake_is_a_500_without_traceback(
    batchjobs_fake: BatchJobsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = ControlAPI(batchjobs_fake)

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(batchjobs_fake, "reset", broken)
    status, document = post(api, "reset")
    assert status == 500
    assert document == {
        "error": "pytest-batchjobs failed to answer POST /_batchjobs/reset (a bug in the "
        "fake; please report it): RuntimeError: boom"
    }
    assert len(api.errors) == 1
    assert "Traceback" in api.errors[0]  # kept for the test's report, not sent
