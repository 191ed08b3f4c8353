"""``@pytest.mark.batchjobs_outcomes``: a run per end status, as a user's suite sees it.

Each test writes a small suite (pytester): a client module with a poller, and tests
marked with the outcomes marker; the runs are real boto3 calls against the fake.
"""

from __future__ import annotations

import pytest

from pytest_batchjobs.core.registry import KINDS

# The user's client: a poller that handles only Completed and Failed (the commonest
# bug: PartiallyCompleted and Expired never end its loop), and one that handles them
# all. Each polls every 30 minutes (real callers poll every minute or two: fewer
# calls keep the suite quick).
CLIENT = """
import time

import boto3

BEDROCK_ENDS = ("Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired")


def bedrock():
    return boto3.client("bedrock", region_name="us-east-1")


def submit(client, name="nightly"):
    return client.create_model_invocation_job(
        jobName=name,
        roleArn="arn:aws:iam::123456789012:role/NightlyBatch",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        timeoutDurationInHours=24,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://nightly-in/records.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://nightly-out/"}},
    )["jobArn"]


def naive_wait(client, arn):
    while True:
        status = client.get_model_invocation_job(jobIdentifier=arn)["status"]
        if status in ("Completed", "Failed"):
            return status
        time.sleep(1800)


def wait(client, arn):
    while True:
        status = client.get_model_invocation_job(jobIdentifier=arn)["status"]
        if status in BEDROCK_ENDS:
            return status
        time.sleep(1800)


def personalize_wait(arn):
    client = boto3.client("personalize", region_name="us-east-1")
    while True:
        job = client.describe_batch_inference_job(batchInferenceJobArn=arn)
        status = job["batchInferenceJob"]["status"]
        if status in ("ACTIVE", "CREATE FAILED"):
            return status
        time.sleep(1800)


def personalize_submit(name="weekly"):
    client = boto3.client("personalize", region_name="us-east-1")
    return client.create_batch_inference_job(
        jobName=name,
        solutionVersionArn="arn:aws:personalize:us-east-1:123456789012:solution/shop/abc",
        roleArn="arn:aws:iam::123456789012:role/Personalize",
        jobInput={"s3DataSource": {"path": "s3://weekly-in/users.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://weekly-out/"}},
    )["batchInferenceJobArn"]
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(batch_client=CLIENT)
    return pytester


def collected(pytester: pytest.Pytester, *args: str) -> list[str]:
    """The node ids a run would collect, in order."""
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:randomly", *args)
    return [line for line in result.outlines if "::" in line]


def outcomes_of(result: pytest.RunResult) -> dict[str, str]:
    """Each test's outcome, from the short summary of a run with ``-rA``."""
    found = {}
    for line in result.outlines:
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "ERROR"):
            found[rest.split(" - ")[0]] = word
    return found


def test_one_run_per_bedrock_outcome_named_by_it(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_poller="""
        import pytest

        @pytest.mark.batchjobs_outcomes("bedrock")
        def test_poller(batchjobs_fake, batchjobs_outcome):
            pass
        """
    )
    assert collected(suite) == [
        "test_poller.py::test_poller[bedrock-Completed]",
        "test_poller.py::test_poller[bedrock-PartiallyCompleted]",
        "test_poller.py::test_poller[bedrock-Failed]",
        "test_poller.py::test_poller[bedrock-Expired]",
    ]


def test_every_kind_runs_its_own_declared_outcomes(suite: pytest.Pytester) -> None:
    # Generic over the registry: each kind's runs are its declaration's outcomes.
    tests = "\n".join(
        f"@pytest.mark.batchjobs_outcomes({kind.name!r})\n"
        f"def test_{kind.name}(batchjobs_fake): pass\n"
        for kind in KINDS
    )
    suite.makepyfile(test_kinds="import pytest\n\n" + tests)
    expected = [
        f"test_kinds.py::test_{kind.name}[{kind.name}-{outcome}]"
        for kind in KINDS
        for outcome in kind.statuses.outcomes
    ]
    assert collected(suite) == expected


def test_a_naive_poller_fails_exactly_on_partially_completed_and_expired(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_poller="""
        import datetime as dt

        import pytest

        import batch_client

        pytestmark = pytest.mark.batchjobs(horizon=dt.timedelta(days=2))

        @pytest.mark.batchjobs_outcomes("bedrock")
        def test_naive(batchjobs_fake, batchjobs_outcome):
            client = batch_client.bedrock()
            assert batch_client.naive_wait(client, batch_client.submit(client)) == batchjobs_outcome

        @pytest.mark.batchjobs_outcomes("bedrock")
        def test_handles_every_end(batchjobs_fake, batchjobs_outcome):
            client = batch_client.bedrock()
            assert batch_client.wait(client, batch_client.submit(client)) == batchjobs_outcome
        """
    )
    result = suite.runpytest("-p", "no:randomly", "-rA")
    naive = {
        "Completed": "PASSED",
        "PartiallyCompleted": "FAILED",
        "Failed": "PASSED",
        "Expired": "FAILED",
    }
    assert outcomes_of(result) == {
        **{f"test_poller.py::test_naive[bedrock-{end}]": word for end, word in naive.items()},
        **{f"test_poller.py::test_handles_every_end[bedrock-{end}]": "PASSED" for end in naive},
    }
    # Each failure's own report: its "E" line. The short summary repeats the message,
    # truncated to the terminal's width, or whole when pytest sees $CI.
    failures = [
        line
        for line in result.outlines
        if line.startswith("E ") and "PollingHorizonExceeded: time.sleep()" in line
    ]
    assert len(failures) == 2, failures  # both on the horizon
    # The horizon's message names the run's outcome.
    result.stdout.fnmatch_lines(
        [
            "*past the horizon of 2 days, 0:00:00*",
            "E * This run ends bedrock jobs 'PartiallyCompleted' (@pytest.mark.batchjobs_outcomes):"
            " the client never handled that outcome, or needs more time than the horizon to "
            "reach it.",
        ]
    )


def test_a_subset_of_outcomes_in_the_order_given(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_poller="""
        import pytest

        @pytest.mark.batchjobs_outcomes("bedrock", outcomes=["Expired", "Failed", "Expired"])
        def test_two(batchjobs_fake):
            pass

        @pytest.mark.batchjobs_outcomes("bedrock", "PartiallyCompleted")
        def test_one(batchjobs_fake):
            pass

        @pytest.mark.batchjobs_outcomes(kind="personalize", outcomes=("CREATE FAILED",))
        def test_keywords(batchjobs_fake):
            pass
        """
    )
    assert collected(suite) == [
        "test_poller.py::test_two[bedrock-Expired]",
        "test_poller.py::test_two[bedrock-Failed]",
        "test_poller.py::test_one[bedrock-PartiallyCompleted]",
        "test_poller.py::test_keywords[personalize-CREATE FAILED]",
    ]


def test_personalize_runs_end_active_and_create_failed(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_report="""
        import pytest

        import batch_client

        @pytest.mark.batchjobs_outcomes("personalize")
        def test_weekly(batchjobs_fake, batchjobs_outcome):
            arn = batch_client.personalize_submit()
            assert batch_client.personalize_wait(arn) == batchjobs_outcome
            seen = batchjobs_fake.statuses_seen("personalize")
            assert seen == ["CREATE PENDING", "CREATE IN_PROGRESS", batchjobs_outcome]

        @pytest.mark.batchjobs_outcomes("personalize")
        def test_without_the_outcome_fixture(batchjobs_fake, request):
            job = batchjobs_fake.advance_until(batch_client.personalize_submit())
            assert request.node.callspec.id == "personalize-" + job["status"]
        """
    )
    result = suite.runpytest("-p", "no:randomly", "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "test_report.py::test_weekly[[]personalize-ACTIVE[]] PASSED*",
            "test_report.py::test_weekly[[]personalize-CREATE FAILED[]] PASSED*",
        ]
    )


# Bad markers, and what their collection error says.
BAD_MARKERS = [
    (
        '"bedrock", outcomes=["Stopped"]',
        "test_x: @pytest.mark.batchjobs_outcomes('bedrock', outcomes=['Stopped']): "
        "'Stopped' is not an outcome of bedrock jobs (a job ends 'Stopped' only when a "
        "client stops it, not by its lifecycle); the valid outcomes are Completed, "
        "PartiallyCompleted, Failed, Expired",
    ),
    (
        '"bedrock", outcomes=["InProgress"]',
        "*'InProgress' is not an outcome of bedrock jobs ('InProgress' is a status a job "
        "passes through, not one it ends in); the valid outcomes are Completed, *",
    ),
    (
        '"personalize", outcomes=["CREATE_FAILED"]',
        "*'CREATE_FAILED' is not an outcome of personalize jobs (the service sends "
        "'CREATE FAILED'); the valid outcomes are ACTIVE, CREATE FAILED",
    ),
    (
        '"personalize", outcomes=["Done"]',
        "*'Done' is not an outcome of personalize jobs; the valid outcomes are ACTIVE, "
        "CREATE FAILED",
    ),
    (
        '"sagemaker-ish"',
        "*'sagemaker-ish' is not a job kind (did you mean 'sagemaker'?); the kinds are "
        + ", ".join(kind.name for kind in KINDS),
    ),
    (
        "",
        "*name the job kind whose outcomes to run, e.g. "
        "@pytest.mark.batchjobs_outcomes('bedrock'); the kinds are *",
    ),
    ('"bedrock", outcomes=[]', "*outcomes must be a non-empty list of bedrock outcomes*"),
    ('"bedrock", outcome="Failed"', "*the marker takes a job kind and, optionally, outcomes*"),
]


def test_a_bad_marker_fails_collection_saying_what_is_valid(suite: pytest.Pytester) -> None:
    for number, (marker, _) in enumerate(BAD_MARKERS):
        suite.makepyfile(
            **{
                f"test_bad_{number}": f"""
                import pytest

                @pytest.mark.batchjobs_outcomes({marker})
                def test_x(batchjobs_fake):
                    pass
                """
            }
        )
    suite.makepyfile(test_fine="def test_unrelated():\n    pass\n")
    result = suite.runpytest("-p", "no:randomly", "--continue-on-collection-errors")
    result.assert_outcomes(passed=1, errors=len(BAD_MARKERS))
    for number, (_, message) in enumerate(BAD_MARKERS):
        result.stdout.fnmatch_lines([f"*ERROR collecting test_bad_{number}.py*", message])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_the_marker_without_the_fake_fails_collection(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.batchjobs_outcomes("bedrock")
        def test_x(batchjobs_outcome):
            pass
        """
    )
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["test_x: @pytest.mark.batchjobs_outcomes('bedrock'): the test uses no batchjobs_fake*"]
    )


def test_the_outcome_fixture_without_the_marker_fails_saying_so(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_bad="""
        def test_x(batchjobs_fake, batchjobs_outcome):
            pass
        """
    )
    result = suite.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*batchjobs_outcome is the outcome of a run of a test marked *; this test has no such*"]
    )


def test_it_composes_with_parametrize_classes_and_the_batchjobs_marker(
    suite: pytest.Pytester,
) -> None:
    suite.makeconftest(
        """
        def pytest_batchjobs_configure(fake):
            # A suite-wide lifecycle without an outcome keeps the run's outcome.
            fake.bedrock.lifecycle(durations={"InProgress": 600})
        """
    )
    suite.makepyfile(
        test_composed="""
        import datetime as dt

        import pytest

        import batch_client

        @pytest.mark.batchjobs_outcomes("bedrock", outcomes=["Completed", "Failed"])
        class TestNightly:
            @pytest.mark.parametrize("name", ["nightly", "hourly"])
            @pytest.mark.batchjobs(start=dt.datetime(2030, 6, 1), horizon=dt.timedelta(hours=2))
            def test_ends(self, batchjobs_fake, batchjobs_outcome, name):
                client = batch_client.bedrock()
                arn = batch_client.submit(client, name)
                assert batch_client.wait(client, arn) == batchjobs_outcome
                hour = dt.datetime(2030, 6, 1, 1, tzinfo=dt.timezone.utc)
                assert batchjobs_fake.clock.now() < hour  # the marker's start and durations

            @pytest.mark.batchjobs_outcomes("bedrock", outcomes=["Expired"])
            def test_closest_marker_wins(self, batchjobs_fake, batchjobs_outcome):
                assert batchjobs_outcome == "Expired"

            def test_explicit_lifecycle_wins(self, batchjobs_fake, batchjobs_outcome):
                batchjobs_fake.bedrock.lifecycle(outcome="Completed", durations={"InProgress": 60})
                client = batch_client.bedrock()
                assert batch_client.wait(client, batch_client.submit(client)) == "Completed"
        """
    )
    result = suite.runpytest("-p", "no:randomly", "-v")
    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(
        [
            "*::TestNightly::test_ends[[]bedrock-Completed-nightly[]] PASSED*",
            "*::TestNightly::test_ends[[]bedrock-Completed-hourly[]] PASSED*",
            "*::TestNightly::test_ends[[]bedrock-Failed-nightly[]] PASSED*",
            "*::TestNightly::test_ends[[]bedrock-Failed-hourly[]] PASSED*",
            "*::TestNightly::test_closest_marker_wins[[]bedrock-Expired[]] PASSED*",
            "*::TestNightly::test_explicit_lifecycle_wins[[]bedrock-Completed[]] PASSED*",
            "*::TestNightly::test_explicit_lifecycle_wins[[]bedrock-Failed[]] PASSED*",
        ]
    )


def test_the_status_report_lists_per_kind_what_no_client_received(
    suite: pytest.Pytester,
) -> None:
    suite.makepyfile(
        test_nightly="""
        import batch_client

        def test_completes(batchjobs_fake):
            client = batch_client.bedrock()
            assert batch_client.wait(client, batch_client.submit(client)) == "Completed"

        def test_stops(batchjobs_fake):
            client = batch_client.bedrock()
            arn = batch_client.submit(client, "stopped")
            client.stop_model_invocation_job(jobIdentifier=arn)
            client.list_model_invocation_jobs()
        """
    )
    result = suite.runpytest("-p", "no:randomly", "--batchjobs-status-report")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*= batchjobs status report =*",
            "The statuses the fake's responses carried to this session's clients, per job kind:",
        ]
    )
    # Each kind's lines (other kinds of the registry may come between them).
    result.stdout.fnmatch_lines(
        [
            "bedrock: 4 of 10 received",
            "  received: Submitted, InProgress, Completed, Stopping",
            "  never received: Validating, Scheduled, PartiallyCompleted, Failed, Expired, Stopped",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "personalize: 0 of 4 received",
            "  never received: CREATE PENDING, CREATE IN_PROGRESS, ACTIVE, CREATE FAILED",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "A status never received is one no client's handling was tested against.",
            "@pytest.mark.batchjobs_outcomes(kind) runs a test once per outcome a job can end in.",
            "A stopped job's statuses are shown once a client stops a job.",
        ],
        consecutive=True,
    )
    assert "batchjobs status report" not in suite.runpytest("-p", "no:randomly").stdout.str()


def test_under_xdist_and_randomly_runs_keep_their_outcomes_and_the_report_adds_up(
    suite: pytest.Pytester,
) -> None:
    # Two modules, one per worker (--dist loadscope gives each worker a module first):
    # the report on the controller holds what both workers' clients received.
    worker_note = """
        def note_worker(name):
            worker = os.environ["PYTEST_XDIST_WORKER"]
            pathlib.Path(f"ran-{name}-on-{worker}").touch()
    """
    suite.makepyfile(
        test_bedrock_side=f"""
        import datetime as dt
        import os
        import pathlib

        import pytest

        import batch_client

        pytestmark = pytest.mark.batchjobs(horizon=dt.timedelta(days=2))
        {worker_note}
        @pytest.mark.batchjobs_outcomes("bedrock")
        def test_naive(batchjobs_fake, batchjobs_outcome):
            note_worker("bedrock")
            client = batch_client.bedrock()
            assert batch_client.naive_wait(client, batch_client.submit(client)) == batchjobs_outcome
        """,
        test_personalize_side=f"""
        import os
        import pathlib

        import pytest

        import batch_client
        {worker_note}
        @pytest.mark.batchjobs_outcomes("personalize")
        def test_weekly(batchjobs_fake, batchjobs_outcome):
            note_worker("personalize")
            arn = batch_client.personalize_submit()
            assert batch_client.personalize_wait(arn) == batchjobs_outcome
        """,
    )
    result = suite.runpytest_subprocess(
        "-n",
        "2",
        "--dist",
        "loadscope",
        "-p",
        "randomly",
        "-p",
        "no:cacheprovider",
        "-rA",
        "--batchjobs-status-report",
        timeout=300,
    )
    result.stdout.fnmatch_lines(["Using --randomly-seed=*", "created: 2/2 workers"])
    assert outcomes_of(result) == {
        "test_bedrock_side.py::test_naive[bedrock-Completed]": "PASSED",
        "test_bedrock_side.py::test_naive[bedrock-PartiallyCompleted]": "FAILED",
        "test_bedrock_side.py::test_naive[bedrock-Failed]": "PASSED",
        "test_bedrock_side.py::test_naive[bedrock-Expired]": "FAILED",
        "test_personalize_side.py::test_weekly[personalize-ACTIVE]": "PASSED",
        "test_personalize_side.py::test_weekly[personalize-CREATE FAILED]": "PASSED",
    }
    ran = sorted(path.name for path in suite.path.glob("ran-*"))
    assert ran in (
        ["ran-bedrock-on-gw0", "ran-personalize-on-gw1"],
        ["ran-bedrock-on-gw1", "ran-personalize-on-gw0"],
    ), ran
    result.stdout.fnmatch_lines(
        [
            "bedrock: 7 of 10 received",
            "  received: Submitted, Scheduled, InProgress, Completed, PartiallyCompleted, "
            "Failed, Expired",
            "  never received: Validating, Stopping, Stopped",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [
            "personalize: 4 of 4 received",
            "  received: CREATE PENDING, CREATE IN_PROGRESS, ACTIVE, CREATE FAILED",
        ],
        consecutive=True,
    )


def test_the_marker_and_the_option_are_registered(pytester: pytest.Pytester) -> None:
    pytester.runpytest("--markers").stdout.fnmatch_lines(
        ["@pytest.mark.batchjobs_outcomes(kind, outcomes=None): run the test once per outcome*"]
    )
    pytester.runpytest("--help").stdout.fnmatch_lines(
        ["  --batchjobs-status-report", "*at the end, list per job kind the statuses the*"]
    )
    # --strict-markers: a suite using the marker needs nothing registered itself.
    pytester.makepyfile(
        test_strict="""
        import pytest

        @pytest.mark.batchjobs_outcomes("personalize", ["ACTIVE"])
        def test_x(batchjobs_fake, batchjobs_outcome):
            assert batchjobs_outcome == "ACTIVE"
        """
    )
    pytester.runpytest("--strict-markers", "-p", "no:randomly").assert_outcomes(passed=1)
