"""``@pytest.mark.batchjobs_explore``: scenarios of what AWS may legally do, as a user's
suite meets them.

Each test writes a small suite (pytester) with a client of the kind real code has (a
lister, a poller, a client with retries off) and runs it; the calls are real boto3
calls against the fake. The buggy clients must be caught, with the scenario in words
and a replay line that fails the same way; the correct ones must pass every example.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from pytest_batchjobs.explore.strategies import Drawing
from pytest_batchjobs.services.bedrock.invocation_jobs.job import BEDROCK

CLIENT = """
import time

import boto3
from botocore.config import Config

ROLE = "arn:aws:iam::123456789012:role/NightlyBatch"


def bedrock(**config):
    return boto3.client("bedrock", region_name="us-east-1", config=Config(**config))


def list_all_short_page_ends(client):
    # The bug: a page shorter than asked is taken for the last one.
    jobs, token = [], None
    while True:
        asked = {"maxResults": 50, **({"nextToken": token} if token else {})}
        page = client.list_model_invocation_jobs(**asked)
        jobs += page["invocationJobSummaries"]
        token = page.get("nextToken")
        if not token or len(page["invocationJobSummaries"]) < 50:
            return jobs


def list_all(client):
    pages = client.get_paginator("list_model_invocation_jobs").paginate()
    return [job for page in pages for job in page["invocationJobSummaries"]]


def job_request(name):
    return dict(
        jobName=name,
        timeoutDurationInHours=24,
        roleArn=ROLE,
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://nightly-in/records.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://nightly-out/"}},
    )


def submit(client, name):
    return client.create_model_invocation_job(**job_request(name))["jobArn"]


def wait_for_completed(client, arn):
    # The bug: only Completed ends the loop.
    while True:
        status = client.get_model_invocation_job(jobIdentifier=arn)["status"]
        if status == "Completed":
            return status
        time.sleep(1800)


ENDS = ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired")


def wait(client, arn):
    while True:
        status = client.get_model_invocation_job(jobIdentifier=arn)["status"]
        if status in ENDS:
            return status
        time.sleep(1800)
"""

LISTER_TEST = """
import pytest

from client import bedrock, list_all, list_all_short_page_ends


@pytest.mark.batchjobs_explore(examples=30, dimensions=["pages"])
def test_buggy_lister(batchjobs_fake):
    batchjobs_fake.bedrock.add_jobs(45, status="Completed")
    assert len(list_all_short_page_ends(bedrock())) == 45


@pytest.mark.batchjobs_explore(examples=30, dimensions=["pages"])
def test_paginator(batchjobs_fake):
    batchjobs_fake.bedrock.add_jobs(45, status="Completed")
    assert len(list_all(bedrock())) == 45
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(client=CLIENT)
    pytester.syspathinsert()
    return pytester


def test_a_lister_that_stops_on_a_short_page_is_caught_and_the_report_names_the_pages(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(test_lister=LISTER_TEST)
    result = suite.runpytest("-p", "no:randomly", "--batchjobs-seed", "7")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*def test_buggy_lister(batchjobs_fake):*",
            "E       assert * == 45",
            "E       batchjobs_explore: the smallest failing scenario, in words:",
            "E         pages: at most * items (AWS may send fewer than maxResults asks; 0 is an "
            "empty page with a nextToken)",
            "E       Replay exactly this scenario: "
            "@pytest.mark.batchjobs_explore(replay={'pages': *})",
            "E       Or replay the whole exploration: --batchjobs-seed 7",
        ]
    )
    # The test fails once: one failure, one assertion shown, not one per example.
    assert len([line for line in result.outlines if line.startswith("E       assert ")]) == 1


def test_the_printed_replay_line_fails_the_same_way(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_lister=LISTER_TEST)
    explored = suite.runpytest("-p", "no:randomly", "-k", "buggy")
    replay = re.search(r"@pytest\.mark\.batchjobs_explore\(replay=.*\)", explored.stdout.str())
    assert replay is not None, explored.stdout.str()
    failed_with = re.search(r"E       (assert \d+ == 45)", explored.stdout.str())
    assert failed_with is not None
    suite.makepyfile(
        test_replay=f"""
import pytest

from client import bedrock, list_all_short_page_ends


{replay.group(0)}
def test_replayed(batchjobs_fake):
    batchjobs_fake.bedrock.add_jobs(45, status="Completed")
    assert len(list_all_short_page_ends(bedrock())) == 45
"""
    )
    result = suite.runpytest("-p", "no:randomly", "test_replay.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"E       {failed_with.group(1)}",
            "E       batchjobs_explore: the replayed scenario, in words:",
            "E         pages: at most * items *",
        ]
    )


def test_a_poller_that_only_knows_completed_is_caught_and_the_report_names_the_outcome(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_poller="""
import pytest

from client import bedrock, submit, wait, wait_for_completed


@pytest.mark.batchjobs(horizon=2 * 24 * 3600)
@pytest.mark.batchjobs_explore(examples=15, dimensions=["outcomes"])
def test_naive_poller(batchjobs_fake):
    client = bedrock()
    assert wait_for_completed(client, submit(client, "nightly")) == "Completed"


@pytest.mark.batchjobs(horizon=2 * 24 * 3600)
@pytest.mark.batchjobs_explore(examples=15, dimensions=["outcomes"])
def test_poller(batchjobs_fake):
    client = bedrock()
    assert wait(client, submit(client, "nightly")) in ("Completed", "PartiallyCompleted",
                                                      "Failed", "Expired")
"""
    )
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*PollingHorizonExceeded*",
            "E*batchjobs_explore: the smallest failing scenario, in words:",
            "E*bedrock job 1 (nightly): ends * after 30 s in Submitted, 2 min in "
            "Validating, 5 min in Scheduled, 1 h in InProgress",
            "E*Replay exactly this scenario: @pytest.mark.batchjobs_explore(replay="
            "{'jobs': {'bedrock': *}})",
        ]
    )
    ended = re.search(r"bedrock job 1 \(nightly\): ends (\w+)", result.stdout.str())
    assert ended is not None
    assert ended.group(1) != "Completed"


def test_faults_catch_a_client_with_retries_off_and_spare_one_with_default_retries(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_retries="""
import pytest

from client import bedrock, list_all


@pytest.mark.batchjobs_explore(examples=25, dimensions=["faults"])
def test_retries_off(batchjobs_fake):
    batchjobs_fake.bedrock.add_jobs(3, status="Completed")
    client = bedrock(retries={"total_max_attempts": 1})
    for _ in range(5):
        assert len(list_all(client)) == 3


@pytest.mark.batchjobs_explore(examples=25, dimensions=["faults"])
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_default_retries(batchjobs_fake, mode):
    batchjobs_fake.bedrock.add_jobs(3, status="Completed")
    client = bedrock(retries={"mode": mode})
    for _ in range(5):
        assert len(list_all(client)) == 3
"""
    )
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*: An error occurred (*) when calling the ListModelInvocationJobs operation "
            "(reached max retries: 0)*",
            "E*batchjobs_explore: the smallest failing scenario, in words:",
            "E*faults: call 1 (bedrock ListModelInvocationJobs) answered *",
            "E*Replay exactly this scenario: @pytest.mark.batchjobs_explore(replay={'faults': *})",
        ]
    )


def test_every_dimension_at_once_passes_correct_clients_async_ones_too(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_all="""
import asyncio

import pytest
from aiobotocore.session import get_session

from client import ENDS, bedrock, job_request, list_all, submit, wait


@pytest.mark.batchjobs_explore(examples=12)
def test_lister_and_poller(batchjobs_fake):
    batchjobs_fake.bedrock.add_jobs(12, status="Completed")
    client = bedrock()
    arn = submit(client, "nightly")
    assert wait(client, arn) in ENDS
    assert len(list_all(client)) == 13


@pytest.mark.asyncio
@pytest.mark.batchjobs_explore(examples=6, dimensions=["outcomes", "timing", "faults"])
async def test_async_poller(batchjobs_fake):
    async with get_session().create_client("bedrock", region_name="us-east-1") as client:
        arn = (await client.create_model_invocation_job(**job_request("nightly")))["jobArn"]
        while (await client.get_model_invocation_job(jobIdentifier=arn))["status"] not in ENDS:
            await asyncio.sleep(3600)
"""
    )
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_an_async_poller_that_only_knows_completed_is_caught(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_async="""
import asyncio

import pytest
from aiobotocore.session import get_session

from client import job_request


@pytest.mark.asyncio
@pytest.mark.batchjobs(horizon=2 * 24 * 3600)
@pytest.mark.batchjobs_explore(examples=10, dimensions=["outcomes"])
async def test_async_naive_poller(batchjobs_fake):
    async with get_session().create_client("bedrock", region_name="us-east-1") as client:
        arn = (await client.create_model_invocation_job(**job_request("nightly")))["jobArn"]
        while (await client.get_model_invocation_job(jobIdentifier=arn))["status"] != "Completed":
            await asyncio.sleep(1800)
"""
    )
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E*bedrock job 1 (nightly): ends *"])


def test_an_expired_job_is_told_as_queued_until_its_timeout(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_expired="""
import pytest

from client import bedrock, submit, wait


@pytest.mark.batchjobs_explore(replay={"jobs": {"bedrock": [["Expired", {}]]}})
def test_poller(batchjobs_fake):
    client = bedrock()
    assert wait(client, submit(client, "nightly")) == "Completed"
"""
    )
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*assert 'Expired' == 'Completed'",
            "E*bedrock job 1 (nightly): ends Expired after 30 s in Submitted, 2 min in "
            "Validating, then Scheduled until its timeout (timeoutDurationInHours)",
        ]
    )


def test_a_given_seed_replays_the_same_examples(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_lister=LISTER_TEST)
    reports = []
    for _ in range(2):
        result = suite.runpytest("-p", "no:randomly", "-k", "buggy", "--batchjobs-seed", "42")
        reports.append(
            [line for line in result.outlines if line.startswith("E  ") and " at 0x" not in line]
        )
    assert reports[0] == reports[1]
    assert any("Replay exactly this scenario" in line for line in reports[0])


def test_outcomes_runs_fix_the_outcome_and_exploration_varies_the_rest(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_both="""
import pytest

from client import bedrock, submit, wait


@pytest.mark.batchjobs_outcomes("bedrock", outcomes=["Failed", "Expired"])
@pytest.mark.batchjobs_explore(examples=8, dimensions=["outcomes", "timing"])
def test_poller(batchjobs_fake, batchjobs_outcome):
    client = bedrock()
    assert wait(client, submit(client, "nightly")) == batchjobs_outcome
"""
    )
    # 68315107 drew 12 h Scheduled + 12 h InProgress for the Failed run, once: its
    # client's 24-hour timeout ended the job PartiallyCompleted before its outcome.
    result = suite.runpytest("-p", "no:randomly", "-v", "--batchjobs-seed", "68315107")
    result.assert_outcomes(passed=2)


def test_drawn_timing_ends_a_job_before_its_kinds_shortest_timeout() -> None:
    def times_out(data: st.DataObject) -> bool:
        plan = Drawing(data, ["timing"]).job("bedrock", BEDROCK)
        assert plan is not None
        return sum(seconds for _, seconds in plan.durations) >= 24 * 3600

    with pytest.raises(NoSuchExample):
        find(st.data(), times_out, settings=settings(max_examples=300, database=None))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("examples=0", "examples must be an integer >= 1, got 0"),
        ("'pages'", "the marker takes keyword arguments only*"),
        (
            "dimensions=['pages', 'latency']",
            "'latency' is not a dimension; the dimensions are pages, faults, outcomes, timing",
        ),
        ("dimensions='pages'", "dimensions must be a non-empty list of *, got 'pages'"),
        (
            "replay={'pages': [-1]}",
            "replay pages must be a list of page sizes >= 0 or None, got [[]-1]",
        ),
        ("replay={'jobs': {'bedrock': [['Done', {}]]}}", "*'Done' is not an outcome of bedrock*"),
        ("seed=3", "the marker takes keyword arguments only*"),
    ],
)
def test_a_wrong_marker_fails_collection_saying_what_is_valid(
    pytester: pytest.Pytester, arguments: str, message: str
) -> None:
    pytester.makepyfile(
        f"""
import pytest

@pytest.mark.batchjobs_explore({arguments})
def test_x(batchjobs_fake):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*test_x: @pytest.mark.batchjobs_explore(*): {message}"])


def test_the_marker_needs_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.batchjobs_explore(examples=3)
def test_x():
    pass
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the test uses no batchjobs_fake, so no scenario can reach it*"])


def test_without_hypothesis_the_marker_says_what_to_install(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import sys\nsys.modules['hypothesis'] = None\n")
    pytester.makepyfile(
        test_drawn="""
import pytest

@pytest.mark.batchjobs_explore(examples=3)
def test_x(batchjobs_fake):
    pass
""",
        test_replayed="""
import pytest

@pytest.mark.batchjobs_explore(replay={'pages': [1]})
def test_replay_needs_no_hypothesis(batchjobs_fake):
    pass
""",
    )
    result = pytester.runpytest(
        "-p", "no:randomly", "-p", "no:hypothesispytest", "--continue-on-collection-errors"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*test_x: @pytest.mark.batchjobs_explore(examples=3) draws its scenarios with "
            "Hypothesis, which is not installed: pip install 'pytest-batchjobs?explore?'*"
        ]
    )


def test_examples_default_comes_from_the_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbatchjobs_explore_examples = 7\n")
    pytester.makepyfile(
        """
import pytest

RUNS = []

@pytest.mark.batchjobs_explore(dimensions=["pages"])
def test_counted(batchjobs_fake):
    RUNS.append(1)

def test_after():
    assert 1 <= len(RUNS) <= 7
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_each_example_starts_at_the_same_instant_and_monotonic_never_goes_back(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import asyncio
import time

import boto3
import pytest

SEEN = []

@pytest.mark.asyncio
@pytest.mark.batchjobs_explore(examples=5, dimensions=["pages"])
async def test_examples(batchjobs_fake):
    SEEN.append((batchjobs_fake.clock.now(), time.monotonic(), asyncio.get_running_loop().time()))
    boto3.client("bedrock", region_name="us-east-1").list_model_invocation_jobs()
    await asyncio.sleep(7200)

def test_after():
    starts = {now for now, _, _ in SEEN}
    assert len(SEEN) >= 2
    assert len(starts) == 1
    for (_, mono, loop), (_, mono2, loop2) in zip(SEEN, SEEN[1:]):
        # never back: on by at least the example's sleep (to a float's rounding)
        assert mono2 - mono >= 7200 - 1e-6
        assert loop2 - loop >= 7200 - 1e-6
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)
