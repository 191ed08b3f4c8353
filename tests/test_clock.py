"""Time: the fake clock, sleeping, lifecycles and their outcomes, through boto3."""

from __future__ import annotations

import datetime as dt
import re
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from time import sleep  # bound before the fixture runs, as real pollers do
from time import time as bound_time  # likewise, for the freezegun clock's module scan
from typing import Any

import pytest
from freezegun import freeze_time
from jobs import bedrock_job, personalize_job, wall_seconds
from model_members import needs_model_member

from pytest_batchjobs import BatchJobsFake

BEDROCK_ENDS = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}
PERSONALIZE_ENDS = {"ACTIVE", "CREATE FAILED"}
UTC = dt.timezone.utc


def poll_bedrock(client: Any, arn: str, interval: float = 60) -> tuple[list[str], dict[str, Any]]:
    """A plain poller: get, sleep, until an end status."""
    seen: list[str] = []
    while True:
        job = client.get_model_invocation_job(jobIdentifier=arn)
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] in BEDROCK_ENDS:
            return seen, job
        time.sleep(interval)


API_PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "api.md"


def _documented_members(name: str) -> set[str]:
    """The ``members: [...]`` of ``name``'s entry on the Python API page."""
    pattern = rf"^::: {re.escape(name)}\n(?:    .*\n)*?\s+members: \[([^\]]*)\]"
    entry = re.search(pattern, API_PAGE.read_text(), re.M)
    assert entry is not None, f"{API_PAGE.name} has no entry for {name} listing its members"
    return {member.strip() for member in entry.group(1).split(",")}


def test_the_clock_shows_only_its_documented_names(batchjobs_fake: BatchJobsFake) -> None:
    clock = batchjobs_fake.clock
    shown = {name for name in dir(clock) if not name.startswith("_")}
    assert shown == _documented_members(f"{type(clock).__module__}.{type(clock).__name__}")


def test_clock_now_and_advance(batchjobs_fake: BatchJobsFake) -> None:
    clock = batchjobs_fake.clock
    start = clock.now()
    assert start == dt.datetime(2024, 1, 1, 9, tzinfo=UTC)
    assert clock.advance(90) == start + dt.timedelta(seconds=90)
    assert clock.advance(minutes=1, hours=1, days=1) - start == dt.timedelta(
        days=1, hours=1, minutes=1, seconds=90
    )
    assert clock.advance(dt.timedelta(seconds=5)) - start == dt.timedelta(
        days=1, hours=1, minutes=1, seconds=95
    )
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    assert dt.datetime.now(UTC) == clock.now()  # the whole process sees fake time


@needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("Completed", None),
        ("PartiallyCompleted", "3 records failed"),
        ("Failed", "The role cannot read s3://batch-in/records.jsonl"),
    ],
)
def test_poller_sees_every_status_in_order_and_ends_on_each_outcome(
    batchjobs_fake: BatchJobsFake, bedrock: Any, outcome: str, message: str | None
) -> None:
    batchjobs_fake.bedrock.lifecycle(outcome=outcome, message=message)
    started = wall_seconds()
    seen, job = poll_bedrock(bedrock, bedrock_job(bedrock))
    # 70 minutes of polling in a moment (a real sleep would take the 70 minutes; the bound
    # is loose so that a loaded machine never fails it).
    assert wall_seconds() - started < 60
    assert seen == ["Submitted", "Validating", "Scheduled", "InProgress", outcome]
    assert job.get("message") == (message if outcome != "Completed" else None)
    assert job["endTime"] == job["lastModifiedTime"]
    counts = [job[f"{kind}RecordCount"] for kind in ("processed", "success", "error")]
    assert counts[0] == counts[1] + counts[2] == job["totalRecordCount"]
    assert (counts[2] > 0) == (outcome in ("PartiallyCompleted", "Failed"))
    assert (counts[1] == 0) == (outcome == "Failed")


def test_expired_outcome_keeps_the_job_queued_until_its_timeout(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    batchjobs_fake.bedrock.lifecycle(outcome="Expired")
    arn = bedrock_job(bedrock, timeoutDurationInHours=24)
    seen, job = poll_bedrock(bedrock, arn, interval=120)
    assert seen == ["Submitted", "Validating", "Scheduled", "Expired"]
    assert job["endTime"] == job["jobExpirationTime"] == job["submitTime"] + dt.timedelta(hours=24)


def test_personalize_outcomes(batchjobs_fake: BatchJobsFake, personalize: Any) -> None:
    batchjobs_fake.personalize.lifecycle(
        outcome="CREATE FAILED", message="Input is not valid JSON", match="broken-*"
    )
    good = personalize_job(personalize, name="movies-good")
    bad = personalize_job(personalize, name="broken-input")
    expected = [(good, "ACTIVE", None), (bad, "CREATE FAILED", "Input is not valid JSON")]
    for arn, end, reason in expected:
        seen: list[str] = []
        while True:
            job = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
            status = job["batchInferenceJob"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in PERSONALIZE_ENDS:
                break
            sleep(60)  # ``from time import sleep``, bound at import time
        assert seen[-1] == end
        assert job["batchInferenceJob"].get("failureReason") == reason


def test_lifecycle_durations_and_match(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 20 * 3600}, match="long-*")
    long_arn = bedrock_job(bedrock, name="long-run")
    short_arn = bedrock_job(bedrock, name="short-run")
    batchjobs_fake.clock.advance(hours=2)
    assert bedrock.get_model_invocation_job(jobIdentifier=long_arn)["status"] == "InProgress"
    assert bedrock.get_model_invocation_job(jobIdentifier=short_arn)["status"] == "Completed"
    batchjobs_fake.clock.advance(hours=19)
    assert bedrock.get_model_invocation_job(jobIdentifier=long_arn)["status"] == "Completed"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"outcome": "Done"},
            "bedrock lifecycle outcome 'Done' is not a status a job can end "
            "in; choose one of: Completed, PartiallyCompleted, Failed, Expired",
        ),
        (
            {"durations": {"Running": 5}},
            "'Running' is not a status with a duration; valid "
            "ones: Submitted, Validating, Scheduled, InProgress, Stopping",
        ),
        (
            {"durations": {"InProgress": -5}},
            "durations['InProgress'] must be a number of seconds from 0 to 3155760000 (100 years)",
        ),
    ],
)
def test_invalid_lifecycles_fail_at_once_listing_the_valid_choices(
    batchjobs_fake: BatchJobsFake, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match="lifecycle") as excinfo:
        batchjobs_fake.bedrock.lifecycle(**kwargs)
    assert message in str(excinfo.value)


def test_personalize_lifecycle_lists_its_own_statuses(batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(ValueError, match="choose one of: ACTIVE, CREATE FAILED"):
        batchjobs_fake.personalize.lifecycle(outcome="Completed")


def test_timestamps_are_consistent_at_every_instant(
    batchjobs_fake: BatchJobsFake, bedrock: Any, personalize: Any
) -> None:
    arns = [bedrock_job(bedrock, name=f"job-{i}", timeoutDurationInHours=24) for i in range(3)]
    batchjobs_fake.bedrock.lifecycle(outcome="Failed", durations={"InProgress": 30})
    arns.append(bedrock_job(bedrock, name="fails-fast"))
    batchjobs_fake.bedrock.lifecycle(outcome="Expired")
    arns.append(bedrock_job(bedrock, name="expires", timeoutDurationInHours=24))
    recs = [personalize_job(personalize, name=f"recs-{i}") for i in range(2)]
    for step in range(120):
        if step == 5:
            bedrock.stop_model_invocation_job(jobIdentifier=arns[0])
        if step == 4:
            bedrock.stop_model_invocation_job(jobIdentifier=arns[1])
        now = batchjobs_fake.clock.now()
        for arn in arns:
            job = bedrock.get_model_invocation_job(jobIdentifier=arn)
            assert job["submitTime"] <= job["lastModifiedTime"] <= now
            if "endTime" in job:
                assert job["lastModifiedTime"] <= job["endTime"] <= now
            assert ("endTime" in job) == (job["status"] in BEDROCK_ENDS)
        for arn in recs:
            job = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
            job = job["batchInferenceJob"]
            assert job["creationDateTime"] <= job["lastUpdatedDateTime"] <= now
        batchjobs_fake.clock.advance(minutes=11)


def test_the_users_own_freezegun_drives_the_jobs(bedrock: Any) -> None:
    with freeze_time("2030-01-01") as frozen:
        arn = bedrock_job(bedrock)
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
        assert job["submitTime"] == dt.datetime(2030, 1, 1, tzinfo=UTC)
        frozen.tick(dt.timedelta(hours=2))
        assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Completed"


@pytest.mark.batchjobs(sleep=False)
def test_sleep_can_be_left_alone(batchjobs_fake: BatchJobsFake) -> None:
    before = batchjobs_fake.clock.now()
    time.sleep(0.01)
    assert batchjobs_fake.clock.now() == before


def test_sleeps_in_several_threads_overlap(batchjobs_fake: BatchJobsFake, bedrock: Any) -> None:
    arns = [bedrock_job(bedrock, name=f"pool-{i}") for i in range(4)]
    start = batchjobs_fake.clock.now()

    def poll(arn: str) -> int:
        polls = 0
        while bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] not in BEDROCK_ENDS:
            polls += 1
            time.sleep(60)
        return polls

    with ThreadPoolExecutor(max_workers=4) as pool:
        polls = list(pool.map(poll, arns))
    elapsed = batchjobs_fake.clock.now() - start
    # 67.5 minutes of lifecycle, each poller sleeping 60 s per round: the clock moves
    # about 60 s a round (overlapping sleeps), not 4 x 60 s (which would leave each
    # poller about 17 polls). A thread the OS leaves unscheduled past the clock's quiet
    # window misses a round's overlap now and then on a loaded machine: hence 60, not 66.
    assert all(60 <= count <= 70 for count in polls), polls
    assert dt.timedelta(minutes=67) <= elapsed <= dt.timedelta(minutes=75), elapsed


def test_a_background_sleeper_does_not_run_the_clock_away(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    stop = threading.Event()
    beats = []

    def heartbeat() -> None:
        while not stop.is_set():
            beats.append(1)
            time.sleep(1)

    thread = threading.Thread(target=heartbeat, daemon=True)
    start = batchjobs_fake.clock.now()
    thread.start()
    for _ in range(50):  # the test's own work: calls, no sleeping
        bedrock.list_model_invocation_jobs()
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    # one fake second a beat, and the test's busy calls hold beats back
    assert batchjobs_fake.clock.now() - start <= dt.timedelta(seconds=len(beats))
    assert len(beats) < 200


def test_adaptive_retry_token_bucket_waits_in_fake_time(batchjobs_fake: BatchJobsFake) -> None:
    from botocore.retries.bucket import Clock as BucketClock
    from botocore.retries.bucket import TokenBucket

    bucket = TokenBucket(max_rate=0.5, clock=BucketClock())
    start = batchjobs_fake.clock.now()
    for _ in range(3):
        assert bucket.acquire(block=True) is True
    # Only a fake sleep moves the frozen clock: a real wait would have left it at start.
    assert batchjobs_fake.clock.now() - start >= dt.timedelta(seconds=2)


# -- the freezegun clock: names bound before activation -----------------------------------

FREEZEGUN_START = dt.datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def probe_module(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A loaded module holding the real time functions, as ``from time import time``
    and ``from datetime import datetime`` leave them."""
    module = types.ModuleType("batchjobs_clock_probe")
    module.now = dt.datetime  # type: ignore[attr-defined]
    module.stamp = time.time  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module


def freezegun_fake() -> BatchJobsFake:
    return BatchJobsFake(clock="freezegun", start=FREEZEGUN_START, sleep=False)


def test_freezegun_fakes_names_bound_before_activation_and_restores_them(
    probe_module: Any,
) -> None:
    real_datetime, real_time = dt.datetime, time.time
    fake = freezegun_fake()
    for _ in range(3):  # the second and third starts answer from the scan's cache
        with fake:
            assert fake.clock.kind == "freezegun"
            assert probe_module.stamp() == FREEZEGUN_START.timestamp()
            assert probe_module.now.now(UTC) == FREEZEGUN_START
        assert probe_module.stamp is real_time
        assert probe_module.now is real_datetime


def test_freezegun_finds_names_bound_between_activations(probe_module: Any) -> None:
    real_time = time.time
    fake = freezegun_fake()
    with fake:
        pass
    probe_module.later = time.time  # a new name: the cached scan no longer holds
    with fake:
        assert probe_module.later() == FREEZEGUN_START.timestamp()
    assert probe_module.later is real_time

    successor = types.ModuleType(probe_module.__name__)  # same name, another module
    successor.stamp = time.time  # type: ignore[attr-defined]
    sys.modules[probe_module.__name__] = successor
    with fake:
        assert successor.stamp() == FREEZEGUN_START.timestamp()
        assert probe_module.stamp is real_time  # no longer loaded: not scanned
    assert successor.stamp is real_time


def test_freezegun_scans_module_subclasses_too(monkeypatch: pytest.MonkeyPatch) -> None:
    class Lazy(types.ModuleType):
        pass

    module = Lazy("batchjobs_clock_lazy_probe")
    module.stamp = time.time  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with freezegun_fake():
        assert module.stamp() == FREEZEGUN_START.timestamp()
    assert module.stamp is time.time


@pytest.mark.batchjobs(clock="freezegun")
def test_freezegun_time_read_from_the_test_itself_is_fake(batchjobs_fake: BatchJobsFake) -> None:
    # pytest and pluggy call the test a few frames up: their packages are left out of
    # the scan, but not added to freezegun's call-stack check, which would answer any
    # function called from a test with real time.
    def deadline_passed(deadline: float) -> bool:
        return bound_time() > deadline

    now = batchjobs_fake.clock.now().timestamp()
    assert bound_time() == time.time() == now
    deadline = bound_time() + 60
    time.sleep(61)  # fake time
    assert deadline_passed(deadline)


@pytest.mark.batchjobs(clock="freezegun")
def test_freezegun_leaves_skipped_packages_bound_names_real(batchjobs_fake: BatchJobsFake) -> None:
    from _pytest import timing

    assert batchjobs_fake.clock.kind == "freezegun"
    assert timing.time() > FREEZEGUN_START.timestamp() + 365 * 86400  # real time
