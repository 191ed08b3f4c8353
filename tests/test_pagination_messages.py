"""The failure messages a user sees when a pagination or journal assertion fails (pytester).

Each test runs a small user suite whose client code has one of the usual bugs, and checks
the lines pytest shows for it. Tokens are random per fake, so they are matched with ``*``.
"""

from __future__ import annotations

import textwrap

import pytest

E = "E       "  # how pytest prefixes the lines of an AssertionError message
PREAMBLE = """
import boto3

SOLUTION = "arn:aws:personalize:us-east-1:123456789012:solution/movies/0123abcd"
ROLE = "arn:aws:iam::123456789012:role/BatchRole"


def personalize_with(count):
    client = boto3.client("personalize", region_name="us-east-1")
    for index in range(count):
        client.create_batch_inference_job(
            jobName=f"job-{index}",
            solutionVersionArn=SOLUTION,
            jobInput={"s3DataSource": {"path": "s3://recs-in/users.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://recs-out/"}},
            roleArn=ROLE,
        )
    return client


def bedrock_with(count):
    client = boto3.client("bedrock", region_name="us-east-1")
    for index in range(count):
        client.create_model_invocation_job(
            jobName=f"job-{index}",
            roleArn=ROLE,
            modelId="anthropic.claude-3-haiku-20240307-v1:0",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/a.jsonl"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/"}},
        )
    return client
"""
PAGINATION_DOCS = E + "See *#pagination"
CALLS_DOCS = E + "See https://pytest-batchjobs.readthedocs.io/en/latest/cookbook/#calls"
CREATE_PARAMS = (
    "solutionVersionArn='arn:aws:personalize:us-east-1:123456789012:solution/movies/0123abcd', "
    "jobInput={'s3DataSource': {'path': 's3://recs-in/users.json'}}, "
    "jobOutput={'s3DataDestination': {'path': 's3://recs-out/'}}, "
    "roleArn='arn:aws:iam::123456789012:role/BatchRole')"
)


def run(pytester: pytest.Pytester, body: str, failed: int = 1) -> pytest.RunResult:
    """Run ``body`` (tests using the preamble's helpers) as a user's suite, where
    ``failed`` tests fail and the others pass."""
    pytester.makepyfile(test_user=PREAMBLE + textwrap.dedent(body))
    result = pytester.runpytest("-p", "no:randomly")
    total = textwrap.dedent(body).count("\ndef test_")
    result.assert_outcomes(failed=failed, passed=total - failed)
    return result


def test_a_client_that_pages_right_passes_every_assertion(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_lists_everything(batchjobs_fake):
            client = personalize_with(5)
            batchjobs_fake.pagination.empty_pages = True
            paginator = client.get_paginator("list_batch_inference_jobs")
            pages = paginator.paginate(PaginationConfig={"PageSize": 2})
            assert sum(len(page["batchInferenceJobs"]) for page in pages) == 5
            batchjobs_fake.pagination.assert_exhausted("list_batch_inference_jobs")
            batchjobs_fake.pagination.assert_no_token_reuse()
            batchjobs_fake.pagination.assert_max_results("list_batch_inference_jobs", 2)
            batchjobs_fake.assert_called("ListBatchInferenceJobs", maxResults=2)
            batchjobs_fake.assert_not_called("describe_batch_inference_job")
        """,
        failed=0,
    )
    result.stdout.no_fnmatch_line("E  *")


def test_assert_exhausted_shows_the_pages_and_the_token_never_followed(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        def test_stops_after_two_pages(batchjobs_fake):
            client = personalize_with(5)
            page = client.list_batch_inference_jobs(maxResults=2)
            client.list_batch_inference_jobs(maxResults=2, nextToken=page["nextToken"])
            batchjobs_fake.pagination.assert_exhausted()
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: ListBatchInferenceJobs was not paginated to "
            "the end: 1 of 1 sequence(s) stopped while the last page still had a nextToken.",
            E + "Sequence 1 of ListBatchInferenceJobs (personalize, us-east-1): 2 page(s) "
            "fetched, 4 item(s) seen",
            E + "  page 1: first call, maxResults=2, 2 item(s), nextToken '*...*'",
            E + "  page 2: nextToken '*...*', maxResults=2, 2 item(s), nextToken '*...*' "
            "-> never followed",
            E + "Expected: every nextToken a response carries is sent back, until a response "
            "has none (a page may be empty and still have one).",
            E + "Fix the client: loop while the response has a nextToken, passing it as "
            "nextToken in the next call, or use "
            "client.get_paginator('list_batch_inference_jobs').",
            PAGINATION_DOCS,
        ]
    )
    result.stdout.no_fnmatch_line("*page 1: first call*-> never followed")


def test_assert_exhausted_shows_an_empty_page_taken_for_the_end(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        def test_stops_on_an_empty_page(batchjobs_fake):
            client = bedrock_with(3)
            batchjobs_fake.pagination.empty_pages = True
            page = client.list_model_invocation_jobs(maxResults=2, statusEquals="Submitted")
            assert page["invocationJobSummaries"] == []  # the client thinks it is done
            batchjobs_fake.pagination.assert_exhausted("list_model_invocation_jobs")
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: ListModelInvocationJobs was not paginated "
            "to the end: 1 of 1 sequence(s) stopped while the last page still had a nextToken.",
            E + "Sequence 1 of ListModelInvocationJobs (bedrock, us-east-1, "
            "statusEquals='Submitted', sortBy='CreationTime'): 1 page(s) fetched, 0 item(s) seen",
            E + "  page 1: first call, maxResults=2, 0 item(s) (an empty page, as AWS may send), "
            "nextToken '*...*' -> never followed",
            E + "Fix the client: * client.get_paginator('list_model_invocation_jobs').",
        ]
    )


def test_assert_exhausted_when_the_operation_was_never_called(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        def test_never_lists(batchjobs_fake):
            personalize_with(1)
            batchjobs_fake.pagination.assert_exhausted("list_batch_inference_jobs")
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: expected ListBatchInferenceJobs to be "
            "paginated, but it was never called.",
            PAGINATION_DOCS,
        ]
    )


def test_assert_exhausted_names_the_paginator_of_each_unfinished_operation(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        def test_both_stop_early(batchjobs_fake):
            personalize_with(3).list_batch_inference_jobs(maxResults=1)
            bedrock_with(3).list_model_invocation_jobs(maxResults=1)
            batchjobs_fake.pagination.assert_exhausted()
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: ListBatchInferenceJobs and "
            "ListModelInvocationJobs were not paginated to the end: 2 of 2 sequence(s) "
            "stopped *",
            E + "Fix the client: *get_paginator('list_batch_inference_jobs')*",
        ]
    )
    result.stdout.fnmatch_lines(
        [E + "Fix the client: *get_paginator('list_model_invocation_jobs')*"]
    )


def test_assert_no_token_reuse_shows_the_token_and_how_often(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_resends(batchjobs_fake):
            client = personalize_with(5)
            token = client.list_batch_inference_jobs(maxResults=2)["nextToken"]
            for _ in range(3):  # the bug: the token is never replaced
                client.list_batch_inference_jobs(maxResults=2, nextToken=token)
            batchjobs_fake.pagination.assert_no_token_reuse()
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: a nextToken was sent more than once:",
            E + "  ListBatchInferenceJobs token '*...*' was sent 3 times (sequence 1, us-east-1)",
            E + "Sequence 1 of ListBatchInferenceJobs (personalize, us-east-1): 4 page(s) "
            "fetched, 8 item(s) seen",
            E + "  page 1: first call, maxResults=2, 2 item(s), nextToken '*...*'",
            E + "  page 2: nextToken '*...*', maxResults=2, 2 item(s), nextToken '*...*' "
            "-> never followed",
            E + "Expected each token to be sent once (boto3's paginator may send one twice to "
            "resume a page it cut short): a resent token re-reads a page, so the client sees "
            "its items twice (or loops for ever).",
            E + "Fix the client: replace the token with the nextToken of the newest response "
            "before each call.",
            PAGINATION_DOCS,
        ]
    )


def test_assert_max_results_shows_each_page_that_asked_for_too_many(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        def test_asks_for_too_many(batchjobs_fake):
            client = personalize_with(3)
            client.list_batch_inference_jobs(maxResults=100)
            client.list_batch_inference_jobs(maxResults=10)
            client.list_batch_inference_jobs()
            batchjobs_fake.pagination.assert_max_results("list_batch_inference_jobs", 10)
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: expected every ListBatchInferenceJobs call "
            "to ask for at most 10 items (maxResults <= 10), but 2 did not:",
            E + "  sequence 1, page 1: maxResults=100",
            E + "  sequence 3, page 1: maxResults=not set (the service default)",
            E + "Fix the client: pass maxResults=10 (or PaginationConfig={'PageSize': 10} to a "
            "paginator).",
            PAGINATION_DOCS,
        ]
    )
    result.stdout.no_fnmatch_line("*sequence 2, page 1*")


def test_assert_called_shows_the_calls_that_did_happen(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_other_parameters(batchjobs_fake):
            personalize_with(1)
            batchjobs_fake.assert_called("create_batch_inference_job", jobName="nightly")

        def test_other_operation(batchjobs_fake):
            personalize_with(1).list_batch_inference_jobs(maxResults=5)
            batchjobs_fake.clock.advance(minutes=90)
            try:
                bedrock_with(0).list_model_invocation_jobs(nextToken="stale")
            except Exception:
                pass  # ValidationException: the token is not valid
            batchjobs_fake.assert_called("DescribeBatchInferenceJob")

        def test_no_call_at_all(batchjobs_fake):
            batchjobs_fake.assert_called("list_model_invocation_jobs", maxResults=10)
        """,
        failed=3,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: expected a call to "
            "CreateBatchInferenceJob(jobName='nightly').",
            E + "It was called 1 time(s), never with those parameters:",
            E + "  09:00:00 personalize CreateBatchInferenceJob(jobName='job-0', " + CREATE_PARAMS,
            CALLS_DOCS,
            E + "AssertionError: pytest-batchjobs: expected a call to DescribeBatchInferenceJob().",
            E + "It was never called.",
            E + "Calls the fake answered:",
            E + "  09:00:00 personalize CreateBatchInferenceJob(jobName='job-0', " + CREATE_PARAMS,
            E + "  09:00:00 personalize ListBatchInferenceJobs(maxResults=5)",
            E + "  10:30:00 bedrock ListModelInvocationJobs(nextToken='stale') "
            "-> ValidationException",
            CALLS_DOCS,
            E + "AssertionError: pytest-batchjobs: expected a call to "
            "ListModelInvocationJobs(maxResults=10).",
            E + "It was never called. The fake answered no call at all.",
            CALLS_DOCS,
        ]
    )


def test_assert_called_shows_only_the_last_ten_calls(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_many_calls(batchjobs_fake):
            client = personalize_with(0)
            for size in range(1, 13):
                client.list_batch_inference_jobs(maxResults=size)
            batchjobs_fake.assert_called("create_batch_inference_job")
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "Calls the fake answered (last 10 of 12):",
            E + "  09:00:00 personalize ListBatchInferenceJobs(maxResults=3)",
            E + "  09:00:00 personalize ListBatchInferenceJobs(maxResults=12)",
        ]
    )
    result.stdout.no_fnmatch_line("*ListBatchInferenceJobs(maxResults=2)")


def test_assert_called_with_a_service_says_which_service(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_tagged_the_other_service(batchjobs_fake):
            client = bedrock_with(1)
            arn = client.list_model_invocation_jobs()["invocationJobSummaries"][0]["jobArn"]
            client.tag_resource(resourceARN=arn, tags=[{"key": "team", "value": "ml"}])
            batchjobs_fake.assert_called("tag_resource", service="personalize")
        """,
    )
    result.stdout.fnmatch_lines([E + "AssertionError: pytest-batchjobs: expected a *personalize*"])
    result.stdout.no_fnmatch_line(E + "It was never called.*")


def test_assert_not_called_shows_each_call(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_lists_twice(batchjobs_fake):
            client = personalize_with(0)
            client.list_batch_inference_jobs()
            batchjobs_fake.clock.advance(seconds=75)
            client.list_batch_inference_jobs(solutionVersionArn=SOLUTION)
            batchjobs_fake.assert_not_called("list_batch_inference_jobs")
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "AssertionError: pytest-batchjobs: expected no call to ListBatchInferenceJobs, "
            "but it was called 2 time(s):",
            E + "  09:00:00 personalize ListBatchInferenceJobs()",
            E + "  09:01:15 personalize ListBatchInferenceJobs(solutionVersionArn="
            "'arn:aws:personalize:us-east-1:123456789012:solution/movies/0123abcd')",
            CALLS_DOCS,
        ]
    )


def test_a_wrong_operation_name_lists_the_valid_ones(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_typo(batchjobs_fake):
            batchjobs_fake.pagination.assert_exhausted("list_batch_jobs")
        """,
    )
    result.stdout.fnmatch_lines(
        [
            E + "ValueError: 'list_batch_jobs' is not a list operation pytest-batchjobs fakes "
            "(did you mean 'list_batch_segment_jobs' or 'list_batch_inference_jobs'?); "
            "valid ones: ListAsyncInvokes (list_async_invokes), "
            "ListBatchInferenceJobs (list_batch_inference_jobs), "
            "ListBatchSegmentJobs (list_batch_segment_jobs), "
            "ListModelInvocationJobs (list_model_invocation_jobs)*",
        ]
    )


def test_pagination_messages_link_to_the_published_docs(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_stops(batchjobs_fake):
            personalize_with(2).list_batch_inference_jobs(maxResults=1)
            batchjobs_fake.pagination.assert_exhausted()
        """,
    )
    result.stdout.fnmatch_lines(
        [E + "See https://pytest-batchjobs.readthedocs.io/en/latest/cookbook/#pagination"]
    )
