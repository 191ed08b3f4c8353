"""Indexed listings read fewer jobs, and their pages are the scan's.

A status filter reads only the jobs that can be in that status
(:mod:`pytest_batchjobs.services._kit.status_index`: jobs past their last transition,
by final status; every live job is checked). The tests turn it off the same way (its
``range`` answers None, as when the clock went back) and compare, with the clock moving,
jobs stopped, lifecycles that fail, between pages.

``submitTimeAfter`` / ``submitTimeBefore`` (Bedrock, Bedrock async invoke) and
``CreationTimeAfter`` / ``CreationTimeBefore`` (SageMaker) bound the creation instant,
which is the first part of every job's listing key: the store bisects to the range
(:func:`pytest_batchjobs.services._kit.store.created_window`) instead of reading every
job. These tests page through the same queries with the window and with it turned off
(the handlers' ``created_window`` replaced by one that bounds nothing, which is the scan
of before) and compare every page, at instants on job boundaries, between them, and
with the clock moving between pages (the status filter reads the clock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jobs import bedrock_params, transform_job

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.services._kit import listing
from pytest_batchjobs.services._kit.status_index import StatusIndex
from pytest_batchjobs.services._kit.store import JobStore, created_window
from pytest_batchjobs.services.bedrock.invocation_jobs import handlers as bedrock_handlers
from pytest_batchjobs.services.sagemaker.transform_jobs import handlers as sagemaker_handlers

START = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)
# Gaps between creates: none (the same millisecond), under a millisecond (cut away),
# one millisecond, seconds, hours.
GAPS = st.sampled_from([0.0, 0.0004, 0.001, 1.0, 59.9995, 3600.0])


def _no_window(after: Any, before: Any) -> tuple[None, None]:
    return None, None


def _pages(call: Callable[..., dict[str, Any]], items: str, token: str, **query: Any) -> Any:
    """Every page of a query: its items' ARNs and whether a token followed."""
    pages, params = [], dict(query)
    while True:
        answer = call(**params)
        following = answer.get(token)
        pages.append(([_arn(item) for item in answer[items]], following is not None))
        if following is None or len(pages) > 50:
            return pages
        params[token] = following


def _arn(item: dict[str, Any]) -> str:
    return str(item.get("jobArn") or item.get("TransformJobArn"))


def _both(module: Any, fetch: Callable[[], Any]) -> tuple[Any, Any]:
    """``fetch()`` with the window, the status index and the name ranking, then with
    the scan (sorted on every page)."""
    indexed = fetch()
    ordered = listing._ordered
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "created_window", _no_window)
        patch.setattr(StatusIndex, "range", lambda *args: None)
        patch.setattr(listing, "_ordered", lambda *args: ordered(*args[:-1], False))
        scanned = fetch()
    return indexed, scanned


def _bounds(instants: list[dt.datetime], data: st.DataObject) -> dict[str, dt.datetime]:
    """A filter's bounds: a job's own instant (the bound is exclusive), one millisecond
    beside it, or far outside the jobs; either bound may be left out."""
    near = st.sampled_from(instants).flatmap(
        lambda at: st.sampled_from([at, at - dt.timedelta(milliseconds=1), at + dt.timedelta(1)])
    )
    far = st.sampled_from([START - dt.timedelta(days=1), START + dt.timedelta(days=30)])
    chosen = {}
    for name in ("after", "before"):
        value = data.draw(st.none() | near | far, label=name)
        if value is not None:
            chosen[name] = value
    return chosen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gaps=st.lists(GAPS, min_size=1, max_size=25),
    data=st.data(),
)
def test_bedrock_time_filters_page_as_the_scan(gaps: list[float], data: st.DataObject) -> None:
    with BatchJobsFake(seed=4, start=START) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        instants = []
        for index, gap in enumerate(gaps):
            fake.clock.advance(gap)
            arn = client.create_model_invocation_job(**bedrock_params(f"job-{index}"))["jobArn"]
            instants.append(client.get_model_invocation_job(jobIdentifier=arn)["submitTime"])
        bounds = _bounds(instants, data)
        query: dict[str, Any] = {"maxResults": data.draw(st.integers(1, 7), label="size")}
        if "after" in bounds:
            query["submitTimeAfter"] = bounds["after"]
        if "before" in bounds:
            query["submitTimeBefore"] = bounds["before"]
        query["sortOrder"] = data.draw(st.sampled_from(["Ascending", "Descending"]))
        if data.draw(st.booleans(), label="status"):
            query["statusEquals"] = data.draw(st.sampled_from(["Submitted", "Completed"]))
        fake.clock.advance(data.draw(st.sampled_from([0, 300, 86_400]), label="wait"))

        def fetch() -> Any:
            return _pages(
                client.list_model_invocation_jobs, "invocationJobSummaries", "nextToken", **query
            )

        indexed, scanned = _both(bedrock_handlers, fetch)
        assert indexed == scanned


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gaps=st.lists(GAPS, min_size=1, max_size=20),
    sort_by=st.sampled_from(["CreationTime", "Name", "Status"]),
    data=st.data(),
)
def test_sagemaker_creation_time_filters_page_as_the_scan(
    gaps: list[float], sort_by: str, data: st.DataObject
) -> None:
    with BatchJobsFake(seed=6, start=START) as fake:
        client = boto3.client("sagemaker", region_name="us-east-1")
        instants = []
        for index, gap in enumerate(gaps):
            fake.clock.advance(gap)
            name = f"scores-{(index * 7) % 11}-{index}"
            transform_job(client, name)
            instants.append(client.describe_transform_job(TransformJobName=name)["CreationTime"])
        bounds = _bounds(instants, data)
        query: dict[str, Any] = {"MaxResults": data.draw(st.integers(1, 7), label="size")}
        if "after" in bounds:
            query["CreationTimeAfter"] = bounds["after"]
        if "before" in bounds:
            query["CreationTimeBefore"] = bounds["before"]
        query["SortBy"] = sort_by
        query["SortOrder"] = data.draw(st.sampled_from(["Ascending", "Descending"]))
        if data.draw(st.booleans(), label="status"):
            statuses = ["InProgress", "Completed", "Stopping", "Stopped", "Failed"]
            query["StatusEquals"] = data.draw(st.sampled_from(statuses))
        stopped = data.draw(st.lists(st.integers(0, len(instants) - 1), max_size=3))
        for index in stopped:
            name = f"scores-{(index * 7) % 11}-{index}"
            if client.describe_transform_job(TransformJobName=name)["TransformJobStatus"] == (
                "InProgress"
            ):
                client.stop_transform_job(TransformJobName=name)
        fake.clock.advance(data.draw(st.sampled_from([0, 30, 600, 86_400]), label="wait"))

        def fetch() -> Any:
            return _pages(client.list_transform_jobs, "TransformJobSummaries", "NextToken", **query)

        indexed, scanned = _both(sagemaker_handlers, fetch)
        assert indexed == scanned


def _name_pages(order: str) -> list[list[str]]:
    """Pages of SageMaker jobs by name, 5 a page, in a new fake with the same seed each
    time, with jobs named to sort first, last and between added before every page."""
    with BatchJobsFake(seed=6, start=START) as fake:
        client = boto3.client("sagemaker", region_name="us-east-1")
        fake.sagemaker.add_jobs(12)
        found, params = [], {"SortBy": "Name", "SortOrder": order, "MaxResults": 5}
        for round_ in range(4):
            for name in (f"A-first-{round_}", f"zz-last-{round_}", f"m-{round_}"):
                fake.sagemaker.add_job(TransformJobName=name)
            page = client.list_transform_jobs(**params)
            found.append([job["TransformJobName"] for job in page["TransformJobSummaries"]])
            if "NextToken" not in page:
                break
            params["NextToken"] = page["NextToken"]
        return found


@pytest.mark.parametrize("order", ["Ascending", "Descending"])
def test_a_name_ranking_keeps_the_jobs_added_between_pages_in_place(order: str) -> None:
    indexed, scanned = _both(sagemaker_handlers, lambda: _name_pages(order))
    assert indexed == scanned
    assert len(indexed) == 4
    last_added = "zz-last-3" if order == "Ascending" else "A-first-3"
    assert last_added in indexed[-1]  # added before the last page, and listed in it


BEDROCK_STATUSES = [
    "Submitted",
    "Validating",
    "Scheduled",
    "InProgress",
    "Completed",
    "PartiallyCompleted",
    "Failed",
    "Stopping",
    "Stopped",
    "Expired",
]
STEPS = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([1, 30, 61, 300, 3600, 86_400])),
    st.tuples(st.just("stop"), st.integers(0, 30)),
    st.tuples(st.just("list"), st.sampled_from(BEDROCK_STATUSES)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    outcomes=st.lists(
        st.sampled_from(["Completed", "Failed", "PartiallyCompleted", "Expired"]),
        min_size=1,
        max_size=12,
    ),
    steps=st.lists(STEPS, min_size=1, max_size=12),
    data=st.data(),
)
def test_bedrock_status_filters_page_as_the_scan_as_time_moves(
    outcomes: list[str], steps: list[tuple[str, Any]], data: st.DataObject
) -> None:
    with BatchJobsFake(seed=8, start=START) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        factory_status = data.draw(st.sampled_from(["Completed", "InProgress", "Scheduled"]))
        fake.bedrock.add_jobs(data.draw(st.integers(0, 15)), status=factory_status)
        arns = []
        for index, outcome in enumerate(outcomes):
            fake.bedrock.lifecycle(outcome=outcome)
            fake.clock.advance(data.draw(GAPS, label="gap"))
            params = bedrock_params(f"job-{index}")
            arns.append(client.create_model_invocation_job(**params)["jobArn"])
        for action, value in steps:
            if action == "advance":
                fake.clock.advance(value)
            elif action == "stop":
                arn = arns[value % len(arns)]
                status = client.get_model_invocation_job(jobIdentifier=arn)["status"]
                if status in ("Submitted", "Validating", "Scheduled", "InProgress"):
                    client.stop_model_invocation_job(jobIdentifier=arn)
            else:
                order = data.draw(st.sampled_from(["Ascending", "Descending"]), label="order")
                size = data.draw(st.integers(1, 5), label="size")

                def fetch(status: str = value, order: str = order, size: int = size) -> Any:
                    return _pages(
                        client.list_model_invocation_jobs,
                        "invocationJobSummaries",
                        "nextToken",
                        statusEquals=status,
                        sortOrder=order,
                        maxResults=size,
                    )

                indexed, scanned = _both(bedrock_handlers, fetch)
                assert indexed == scanned


class _Job:
    def __init__(self, micros: int, sequence: int) -> None:
        self.ident = f"job-{sequence}"
        self.key = (micros, sequence)


@given(
    micros=st.lists(st.integers(-5, 5), max_size=30),
    low=st.none() | st.integers(-6, 6),
    high=st.none() | st.integers(-6, 6),
    after=st.none() | st.tuples(st.integers(-6, 6), st.integers(-1, 31)),
    descending=st.booleans(),
)
def test_a_walk_in_a_window_is_the_walk_filtered_to_it(
    micros: list[int],
    low: int | None,
    high: int | None,
    after: tuple[int, int] | None,
    descending: bool,
) -> None:
    """The store's own contract: the window only drops jobs outside it."""
    store: JobStore[_Job] = JobStore()
    store.add_many([_Job(value, sequence) for sequence, value in enumerate(micros)])
    window = (None if low is None else (low, -1), None if high is None else (high, 99))

    def inside(job: _Job) -> bool:
        return (low is None or job.key[0] >= low) and (high is None or job.key[0] <= high)

    windowed = list(store.walk(descending=descending, after=after, accept=inside, window=window))
    scanned = list(store.walk(descending=descending, after=after, accept=inside))
    assert windowed == scanned


def test_the_window_of_an_instant_holds_every_key_at_it() -> None:
    at = dt.datetime(2025, 3, 1, 12, 0, 0, 1000, tzinfo=dt.timezone.utc)
    low, high = created_window(at, at)
    assert low is not None
    assert high is not None
    micros = int(at.timestamp() * 1_000_000)
    assert low < (micros, 0) < high
    assert created_window(None, None) == (None, None)


def test_a_job_stopped_just_before_its_end_is_listed_as_stopping_until_it_stops() -> None:
    """A stop moves a live job's end later than the end the index waited for: the
    index waits for the new one (the job is read as live until then)."""
    with BatchJobsFake(seed=1, start=START) as fake:
        client = boto3.client("bedrock", region_name="us-east-1")
        arn = client.create_model_invocation_job(**bedrock_params("late-stop"))["jobArn"]
        (stored,) = (job for job in fake.jobs() if job.arn == arn)
        planned_end = stored.timeline.at(-1)
        fake.clock.advance(planned_end - fake.clock.now() - dt.timedelta(seconds=5))
        assert (
            client.list_model_invocation_jobs(statusEquals="Completed")["invocationJobSummaries"]
            == []
        )
        client.stop_model_invocation_job(jobIdentifier=arn)
        assert stored.timeline.at(-1) > planned_end + dt.timedelta(seconds=5)
        fake.clock.advance(10)  # past the planned end, before the stop's

        def listed(status: str) -> list[str]:
            answer = client.list_model_invocation_jobs(statusEquals=status)
            return [job["jobArn"] for job in answer["invocationJobSummaries"]]

        assert listed("Stopping") == [arn]
        assert listed("Completed") == []
        fake.advance_until(arn)
        assert listed("Stopped") == [arn]
        assert listed("Stopping") == []
