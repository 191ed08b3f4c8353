"""Pagination through real boto3 clients (paginators, hand-written loops, tokens), the
assertions that catch the usual bugs of code that lists, and the call journal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from jobs import ROLE, SOLUTION, bedrock_job, personalize_job

from pytest_batchjobs import BatchJobsFake

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SPECS: dict[str, dict[str, Any]] = {
    "personalize": {
        "operation": "list_batch_inference_jobs", "api": "ListBatchInferenceJobs",
        "key": "batchInferenceJobs", "arn": "batchInferenceJobArn", "other": "bedrock",
        "token_error": "InvalidNextTokenException", "token_message": "The token is not valid",
        "max_token": 1500, "final": "ACTIVE", "other_queries": [{"solutionVersionArn": SOLUTION}],
    },
    "bedrock": {
        "operation": "list_model_invocation_jobs", "api": "ListModelInvocationJobs",
        "key": "invocationJobSummaries", "arn": "jobArn", "other": "personalize",
        "token_error": "ValidationException", "token_message": "Invalid pagination token",
        "max_token": 2048, "final": "Completed",
        "other_queries": [{"statusEquals": "Submitted"}, {"nameContains": "job"},
                          {"sortOrder": "Ascending"}],
    },
}  # fmt: skip


@dataclass
class Listing:
    """One service's list operation, as a client's code sees it."""

    service: str
    client: Any
    fake: BatchJobsFake
    made: int = 0
    statuses: list[set[str]] = field(default_factory=list)  # per page served

    def __getattr__(self, name: str) -> Any:
        return SPECS[self.service][name]

    def page(self, **params: Any) -> tuple[list[str], Any]:
        response = getattr(self.client, self.operation)(**params)
        self.statuses.append({job["status"] for job in response[self.key]})
        return [job[self.arn] for job in response[self.key]], response.get("nextToken")

    def paginate(self, **config: Any) -> tuple[list[str], Any]:
        paginator = self.client.get_paginator(self.operation)
        result = paginator.paginate(PaginationConfig=config).build_full_result()
        return [job[self.arn] for job in result[self.key]], result.get("NextToken")

    def create(self, count: int, *, step: float = 1.0) -> list[str]:
        """``count`` new jobs, ``step`` seconds apart; their ARNs newest first."""
        make = personalize_job if self.service == "personalize" else bedrock_job
        arns: list[str] = []
        for _ in range(count):
            arns.insert(0, make(self.client, name=f"job-{self.made:04d}"))
            self.made += 1
            self.fake.clock.advance(seconds=step)
        return arns


def make_listing(service: str, fake: BatchJobsFake, region: str = "us-east-1") -> Listing:
    return Listing(service, boto3.client(service, region_name=region), fake)


@pytest.fixture
def fake(batchjobs_fake: BatchJobsFake) -> BatchJobsFake:
    return batchjobs_fake


@pytest.fixture(params=["personalize", "bedrock"])
def listing(request: pytest.FixtureRequest, batchjobs_fake: BatchJobsFake) -> Listing:
    return make_listing(request.param, batchjobs_fake)


def walk(listing: Listing, between: Callable[[], object] = list, **params: Any) -> list[str]:
    """The right loop: follow every nextToken until a response has none."""
    seen: list[str] = []
    for _ in range(1000):  # a guard against a listing that never ends
        items, params["nextToken"] = listing.page(**params)
        seen += items
        if params["nextToken"] is None:
            return seen
        between()
    raise AssertionError(f"{listing.api} still had a nextToken after 1000 pages")


def assert_rejected(listing: Listing, token: Any, client: Any = None, **params: Any) -> str:
    """``token`` gets the service's own token error, status 400; returns the message."""
    client = client or listing.client
    with pytest.raises(getattr(client.exceptions, listing.token_error)) as excinfo:
        getattr(client, listing.operation)(nextToken=token, **params)
    response = excinfo.value.response
    assert response["Error"]["Code"] == listing.token_error
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message = str(response["Error"]["Message"])
    assert re.fullmatch(re.escape(listing.token_message) + r" \([a-z ,]+\)\.", message), message
    return message


# -- boto3 paginators ---------------------------------------------------------------


def test_paginator_page_size_and_full_result(listing: Listing, fake: BatchJobsFake) -> None:
    arns = listing.create(25)
    paginator = listing.client.get_paginator(listing.operation)
    pages = paginator.paginate(PaginationConfig={"PageSize": 10})
    arns_by_page = [[job[listing.arn] for job in page[listing.key]] for page in pages]
    assert arns_by_page == [arns[:10], arns[10:20], arns[20:]]
    [sequence] = fake.pagination.sequences
    assert (sequence.service, sequence.operation, sequence.region) == (
        listing.service, listing.api, "us-east-1",
    )  # fmt: skip
    assert (sequence.items, sequence.exhausted, sequence.reused) == (arns, True, {})
    assert [(page.number, page.max_results, page.items) for page in sequence.pages] == [
        (number, 10, items) for number, items in enumerate(arns_by_page)
    ]
    tokens = [page.token_out for page in sequence.pages]
    assert [page.token_in for page in sequence.pages] == [None, *tokens[:-1]]
    assert tokens[-1] is None
    fake.pagination.assert_exhausted()
    fake.pagination.assert_no_token_reuse()
    fake.pagination.assert_max_results(listing.operation, 10)
    with pytest.raises(AssertionError, match=r"at most 9 items \(maxResults <= 9\), but 3 did"):
        fake.pagination.assert_max_results(listing.api, 9)
    assert listing.paginate(PageSize=7) == (arns, None)
    assert [len(page.items) for page in fake.pagination.sequences[1].pages] == [7, 7, 7, 4]


def test_max_items_then_starting_token_resumes(listing: Listing, fake: BatchJobsFake) -> None:
    arns = listing.create(25)
    head, resume = listing.paginate(PageSize=5, MaxItems=10)
    assert head == arns[:10]
    with pytest.raises(AssertionError, match="was not paginated to the end: 1 of 1 sequence"):
        fake.pagination.assert_exhausted()
    fake.clock.advance(minutes=10)  # later, within the token lifetime
    assert listing.paginate(PageSize=5, StartingToken=resume) == (arns[10:], None)
    [sequence] = fake.pagination.sequences
    assert sequence.items == arns
    assert [page.number for page in sequence.pages] == [0, 1, 2, 3, 4]
    fake.pagination.assert_exhausted(listing.operation)
    fake.pagination.assert_no_token_reuse()


@pytest.mark.parametrize("max_items", [5, 15])
def test_resuming_inside_a_page(listing: Listing, fake: BatchJobsFake, max_items: int) -> None:
    # boto3 resumes a page it cut short by sending that page's token again (none: the
    # first page) and skipping the items it returned already: the paginator the fix
    # messages recommend, used right. It reads every job once; no assertion may fail.
    arns = listing.create(25)
    head, resume = listing.paginate(PageSize=10, MaxItems=max_items)
    assert head + listing.paginate(PageSize=10, StartingToken=resume)[0] == arns
    fake.pagination.assert_exhausted()
    fake.pagination.assert_no_token_reuse()


# -- hand-written loops, right and wrong --------------------------------------------


def stops_after_the_first_page(listing: Listing) -> list[str]:
    return listing.page(maxResults=10)[0]


def resends_the_same_token(listing: Listing) -> list[str]:
    seen, token = listing.page(maxResults=10)
    for _ in range(2):  # the bug: the token is never replaced by the newest one
        seen += listing.page(maxResults=10, nextToken=token)[0]
    return seen


def restarts_from_the_top(listing: Listing) -> list[str]:
    return [arn for _ in range(3) for arn in listing.page(maxResults=10)[0]]  # token unsent


def stops_on_an_empty_page(listing: Listing) -> list[str]:
    seen: list[str] = []
    params: dict[str, Any] = {"maxResults": 10}
    while True:
        items, params["nextToken"] = listing.page(**params)
        seen += items
        if not items or params["nextToken"] is None:  # the bug: an empty page is no end
            return seen


def asks_for_too_many(listing: Listing) -> list[str]:
    return walk(listing, maxResults=100)


CHECKS: dict[str, Callable[[BatchJobsFake, str], None]] = {
    "exhausted": lambda fake, operation: fake.pagination.assert_exhausted(operation),
    "no_token_reuse": lambda fake, _: fake.pagination.assert_no_token_reuse(),
    "max_results": lambda fake, operation: fake.pagination.assert_max_results(operation, 25),
}


@pytest.mark.parametrize("empty_pages", [False, True])
def test_right_loop_passes_all(listing: Listing, fake: BatchJobsFake, empty_pages: bool) -> None:
    fake.pagination.empty_pages = empty_pages
    arns = listing.create(25)
    assert walk(listing, maxResults=10) == arns
    [sequence] = fake.pagination.sequences
    sizes = [0, 10, 0, 10, 0, 5] if empty_pages else [10, 10, 5]
    assert [len(page.items) for page in sequence.pages] == sizes
    assert [page.empty_on_purpose for page in sequence.pages] == [size == 0 for size in sizes]
    for check in CHECKS.values():
        check(fake, listing.operation)


@pytest.mark.parametrize(
    ("client", "caught_by", "message"),
    [
        (stops_after_the_first_page, "exhausted", "1 of 1 sequence"),
        (resends_the_same_token, "no_token_reuse", "was sent 2 times"),
        (restarts_from_the_top, "exhausted", "3 of 3 sequence"),
        (stops_on_an_empty_page, "exhausted", "an empty page, as AWS may send"),
        (asks_for_too_many, "max_results", "page 1: maxResults=100"),
    ],
)
def test_wrong_loop_is_caught(
    listing: Listing, fake: BatchJobsFake, client: Any, caught_by: str, message: str
) -> None:
    fake.pagination.empty_pages = client is stops_on_an_empty_page
    arns = listing.create(25)
    assert (client(listing) == arns) is (client is asks_for_too_many)
    with pytest.raises(AssertionError, match=message):
        CHECKS[caught_by](fake, listing.api)
    if client is not resends_the_same_token:
        fake.pagination.assert_no_token_reuse()  # no false alarm


# -- max_page_size ------------------------------------------------------------------


def test_max_page_size_caps_every_page(listing: Listing, fake: BatchJobsFake) -> None:
    arns = listing.create(20)
    fake.pagination.max_page_size = 7
    assert [len(listing.page(**params)[0]) for params in ({}, {"maxResults": 100})] == [7, 7]
    assert len(listing.page(maxResults=3)[0]) == 3
    assert walk(listing, maxResults=50) == arns
    assert [len(page.items) for page in fake.pagination.sequences[-1].pages] == [7, 7, 6]
    fake.pagination.max_page_size = None
    assert len(listing.page()[0]) == 20
    for wrong, error in ((0, ValueError), (-1, ValueError), (True, TypeError), ("7", TypeError)):
        with pytest.raises(error, match=r"max_page_size must be an integer from 1 to .* or None"):
            fake.pagination.max_page_size = wrong


@pytest.mark.batchjobs(max_page_size=7)
def test_max_page_size_marker(listing: Listing, fake: BatchJobsFake) -> None:
    assert fake.pagination.max_page_size == 7
    arns = listing.create(15)
    pages = list(listing.client.get_paginator(listing.operation).paginate())
    assert [len(page[listing.key]) for page in pages] == [7, 7, 1]
    assert [job[listing.arn] for page in pages for job in page[listing.key]] == arns


# -- jobs created or finished between pages -----------------------------------------


@pytest.mark.parametrize("step", [1.0, 0.0], ids=["one-second-apart", "same-instant"])
def test_jobs_created_between_pages(listing: Listing, step: float) -> None:
    before = listing.create(500, step=step)
    assert walk(listing, lambda: listing.create(3, step=step), maxResults=100) == before
    if listing.service == "bedrock":  # oldest first: the new jobs come after the old ones
        seen = walk(
            listing, lambda: listing.create(3, step=step), maxResults=100, sortOrder="Ascending"
        )
        assert seen[:500] == before[::-1]
        assert len(seen) == len(set(seen)) > 500


def test_jobs_that_finish_between_pages(listing: Listing, fake: BatchJobsFake) -> None:
    before = listing.create(500)
    assert walk(listing, lambda: fake.clock.advance(hours=3), maxResults=100) == before
    assert listing.final not in listing.statuses[0]
    assert listing.statuses[1:] == [{listing.final}] * 4


# -- tokens -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["garbage", "a", "bm90IGEgdG9rZW4", "not.a.token", "eyJ9." + "A" * 16, "x" * 1400]
)
def test_garbage_tokens_get_the_services_token_error(listing: Listing, token: str) -> None:
    listing.create(3)
    assert "not a token this service issued" in assert_rejected(listing, token)


def test_tokens_fit_the_model_and_any_altered_character_is_rejected(listing: Listing) -> None:
    listing.create(40)
    issued = [listing.page(maxResults=1)[1]]
    while issued[-1] is not None and len(issued) < 100:
        issued.append(listing.page(maxResults=1, nextToken=issued[-1])[1])
    issued.pop()
    assert len(set(issued)) == len(issued) == 39
    assert all(0 < len(token) <= listing.max_token for token in issued)
    assert all(token.isascii() and token.isprintable() and " " not in token for token in issued)
    altered = [  # each with the lowest of one character's six bits flipped
        token[:index] + B64[B64.index(char) ^ 1] + token[index + 1 :]
        for token in issued[:5]
        for index, char in enumerate(token)
        if char in B64
    ]
    assert [token for token in altered if accepted(listing, token)] == []


def accepted(listing: Listing, token: str) -> bool:
    try:
        listing.page(maxResults=1, nextToken=token)
    except ClientError:
        return False
    return True


def test_tokens_of_another_query(listing: Listing, fake: BatchJobsFake) -> None:
    listing.create(5)
    _, token = listing.page(maxResults=2)
    for query in listing.other_queries:
        assert "issued for a different request" in assert_rejected(listing, token, **query)
        _, filtered = listing.page(maxResults=1, **query)
        if filtered is not None:
            assert_rejected(listing, filtered)
    abroad = make_listing(listing.service, fake, "eu-west-1")
    abroad.create(3)
    assert "different request" in assert_rejected(listing, token, abroad.client)
    other = make_listing(listing.other, fake)
    other.create(3)
    assert_rejected(other, token)
    assert_rejected(listing, other.page(maxResults=1)[1])
    assert len(listing.page(maxResults=50, nextToken=token)[0]) == 3  # maxResults may change


def test_tokens_expire_after_the_token_lifetime(listing: Listing, fake: BatchJobsFake) -> None:
    assert fake.pagination.token_lifetime == dt.timedelta(hours=24)
    fake.pagination.token_lifetime = 60
    assert fake.pagination.token_lifetime == dt.timedelta(seconds=60)
    listing.create(5)
    _, token = listing.page(maxResults=2)
    fake.clock.advance(seconds=60)
    assert len(listing.page(maxResults=2, nextToken=token)[0]) == 2
    _, token = listing.page(maxResults=2)
    fake.clock.advance(seconds=61)
    assert "it has expired" in assert_rejected(listing, token, maxResults=2)
    fake.pagination.token_lifetime = None
    _, token = listing.page(maxResults=2)
    fake.clock.advance(days=30)
    assert len(listing.page(maxResults=2, nextToken=token)[0]) == 2


def test_token_lives_its_whole_lifetime(listing: Listing, fake: BatchJobsFake) -> None:
    fake.pagination.token_lifetime = 60
    listing.create(5)
    fake.clock.advance(seconds=0.5)
    _, token = listing.page(maxResults=2)
    fake.clock.advance(seconds=59.9)  # 0.1 s of its lifetime left
    assert len(listing.page(maxResults=2, nextToken=token)[0]) == 2


# -- operation names ----------------------------------------------------------------


def test_either_casing_works(personalize: Any, bedrock: Any, fake: BatchJobsFake) -> None:
    with pytest.raises(AssertionError, match="expected ListModelInvocationJobs to be paginated"):
        fake.pagination.assert_exhausted("list_model_invocation_jobs")
    personalize_job(personalize)
    bedrock_job(bedrock)
    bedrock_job(bedrock, name="second")
    personalize.list_batch_inference_jobs()
    bedrock.list_model_invocation_jobs(maxResults=1)  # stops with a nextToken
    for name in ("list_batch_inference_jobs", "ListBatchInferenceJobs"):
        fake.pagination.assert_exhausted(name)
    for other in ("list_model_invocation_jobs", "ListModelInvocationJobs", None):
        with pytest.raises(AssertionError, match="ListModelInvocationJobs was not paginated"):
            fake.pagination.assert_exhausted(other)
    fake.pagination.assert_max_results("list_model_invocation_jobs", 1)
    with pytest.raises(AssertionError, match=r"maxResults=not set \(the service default\)"):
        fake.pagination.assert_max_results("ListBatchInferenceJobs", 100)


@pytest.mark.parametrize("name", ["list_jobs", "ListBatchInferenceJob", "list-batch-jobs"])
def test_a_wrong_name_lists_the_valid_ones(fake: BatchJobsFake, name: str) -> None:
    lists = re.escape("ListModelInvocationJobs (list_model_invocation_jobs)")
    for wrong in (name, "TagResource", "tag_resource"):
        with pytest.raises(ValueError, match=f"^{re.escape(repr(wrong))} .*{lists}"):
            fake.pagination.assert_exhausted(wrong)
        with pytest.raises(ValueError, match=lists):
            fake.pagination.assert_max_results(wrong, 10)
    for method in (fake.assert_called, fake.assert_not_called, fake.call_count):
        with pytest.raises(ValueError, match=re.escape("TagResource (tag_resource), Untag")):
            method(name)


# -- the call journal ---------------------------------------------------------------


def test_calls_are_journaled_in_order(personalize: Any, bedrock: Any, fake: BatchJobsFake) -> None:
    start = fake.clock.now()
    arn = personalize_job(personalize)
    later = fake.clock.advance(minutes=5)  # == start + 5 min
    with pytest.raises(bedrock.exceptions.ValidationException):
        bedrock.list_model_invocation_jobs(nextToken="garbage", maxResults=5)
    personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
    assert [(c.service, c.operation, c.error, c.time, c.transport) for c in fake.calls] == [
        ("personalize", "CreateBatchInferenceJob", None, start, "botocore"),
        ("bedrock", "ListModelInvocationJobs", "ValidationException", later, "botocore"),
        ("personalize", "DescribeBatchInferenceJob", None, later, "botocore"),
    ]
    created, listed, described = fake.calls
    assert (created.params["jobName"], created.params["roleArn"]) == ("movies-batch", ROLE)
    assert listed.params == {"nextToken": "garbage", "maxResults": 5}
    assert described.params == {"batchInferenceJobArn": arn}
    for operation in ("CreateBatchInferenceJob", "create_batch_inference_job"):
        assert fake.assert_called(operation, jobName="movies-batch", roleArn=ROLE) == created
        assert fake.call_count(operation) == 1
    fake.assert_called("list_model_invocation_jobs", nextToken="garbage")
    with pytest.raises(AssertionError, match="never with those parameters"):
        fake.assert_called("create_batch_inference_job", jobName="other")
    fake.assert_not_called("list_batch_inference_jobs")
    fake.assert_not_called("StopModelInvocationJob")
    with pytest.raises(AssertionError, match="expected no call to DescribeBatchInferenceJob"):
        fake.assert_not_called("describe_batch_inference_job")
    assert fake.call_count("ListBatchInferenceJobs") == 0


def test_tag_resource_by_service(personalize: Any, bedrock: Any, fake: BatchJobsFake) -> None:
    recs, batch = personalize_job(personalize), bedrock_job(bedrock)
    bedrock.tag_resource(resourceARN=batch, tags=[{"key": "team", "value": "ml"}])
    assert fake.call_count("TagResource") == 1
    fake.assert_called("tag_resource", service="bedrock", resourceARN=batch)
    fake.assert_not_called("TagResource", service="personalize")
    with pytest.raises(AssertionError):
        fake.assert_called("TagResource", service="personalize")
    personalize.tag_resource(resourceArn=recs, tags=[{"tagKey": "team", "tagValue": "recs"}])
    assert fake.call_count("tag_resource") == 2
    assert fake.call_count("TagResource", service="personalize") == 1
    call = fake.assert_called("TagResource", service="personalize", resourceArn=recs)
    assert call.service == "personalize"
    assert call.params["tags"] == [{"tagKey": "team", "tagValue": "recs"}]
    with pytest.raises(AssertionError, match="never with those parameters"):
        fake.assert_called("TagResource", service="bedrock", resourceArn=recs)
    with pytest.raises(
        AssertionError, match="no call to bedrock TagResource, but it was called 1 time"
    ):
        fake.assert_not_called("tag_resource", service="bedrock")
