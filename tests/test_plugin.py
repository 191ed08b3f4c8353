"""The pytest plugin, as a user's own test suite sees it (pytester)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

HEAVY = {"botocore", "boto3", "faker", "freezegun", "responses", "time_machine"}


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import pytest
        before = set(sys.modules)
        import pytest_batchjobs.plugin
        print(" ".join(sorted({m.split(".")[0] for m in set(sys.modules) - before})))
        """
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert not HEAVY & set(loaded), loaded


def test_the_fixtures_do_not_import_the_plugin() -> None:
    # The plugin and the fixtures' bodies share their stash keys through
    # pytest_batchjobs._pytest.keys: neither imports the other's privates.
    code = (
        "import sys; import pytest_batchjobs._pytest.fixtures; "
        "print('pytest_batchjobs.plugin' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "False"


def test_the_import_hook_waits_during_the_run_and_is_gone_after(
    pytester: pytest.Pytester,
) -> None:
    # A finder left in sys.meta_path keeps every module alive through the interpreter's
    # first garbage collection at exit, which made every pytest run exit slower.
    pytester.makepyfile(
        test_hook="""
        import sys

        def test_waiting():
            assert "botocore.handlers" not in sys.modules
            assert "pytest_batchjobs.transports.botocore" not in sys.modules
            assert "ImportWatch" in [type(f).__name__ for f in sys.meta_path]
        """
    )
    code = textwrap.dedent(
        """
        import sys
        import pytest
        off = ["cacheprovider", "randomly", "hypothesispytest", "faker", "xdist"]
        code = pytest.main(["-q", *(f"-pno:{name}" for name in off)])
        left = [f for f in sys.meta_path if type(f).__name__ == "ImportWatch"]
        print("exit", int(code), "hooks left", len(left))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=pytester.path, capture_output=True, text=True
    ).stdout
    assert "exit 0 hooks left 0" in out, out


def test_module_level_client_made_at_import_is_answered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_poller="""
        import boto3
        BEDROCK = boto3.client("bedrock", region_name="us-east-1")  # at import time

        def test_uses_module_client(batchjobs_fake):
            jobs = BEDROCK.list_model_invocation_jobs()["invocationJobSummaries"]
            assert jobs == []
            assert [c.operation for c in batchjobs_fake.calls] == ["ListModelInvocationJobs"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("moto_first", [True, False])
def test_fake_answers_ahead_of_moto_whatever_the_import_order(
    pytester: pytest.Pytester, moto_first: bool
) -> None:
    imports = "import moto\nimport boto3" if moto_first else "import boto3\nimport moto"
    pytester.makepyfile(
        test_moto=imports
        + """

BEDROCK = boto3.client("bedrock", region_name="us-east-1")

def test_both(batchjobs_fake):
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="batch-in")
        s3.put_object(Bucket="batch-in", Key="records.jsonl", Body=b"{}")
        arn = BEDROCK.create_model_invocation_job(
            jobName="with-moto",
            roleArn="arn:aws:iam::123456789012:role/r",
            modelId="anthropic.claude-3-haiku-20240307-v1:0",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/"}},
        )["jobArn"]
        assert BEDROCK.get_model_invocation_job(jobIdentifier=arn)["status"] == "Submitted"
        # moto answers what the fake does not own
        assert BEDROCK.list_custom_models()["modelSummaries"] == []
        assert s3.list_objects_v2(Bucket="batch-in")["KeyCount"] == 1
    ops = [c.operation for c in batchjobs_fake.calls]
    assert ops == ["CreateModelInvocationJob", "GetModelInvocationJob"]
"""
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_fixture_undoes_everything_after_a_failing_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        import time
        import boto3
        from pytest_batchjobs.active import active_fake

        def test_fails(batchjobs_fake):
            boto3.client("bedrock", region_name="us-east-1").list_model_invocation_jobs()
            assert False, "the user's test fails"

        def test_next_starts_clean():
            assert active_fake() is None
            assert os.environ.get("AWS_ACCESS_KEY_ID") != "FAKEBATCHJOBSKEY0000"
            assert time.time() > 1.7e9 + 3e7  # real time again, not the frozen 2024 start

        def test_next_fake_is_empty(batchjobs_fake):
            bedrock = boto3.client("bedrock", region_name="us-east-1")
            assert bedrock.list_model_invocation_jobs()["invocationJobSummaries"] == []
            assert batchjobs_fake.calls[0].operation == "ListModelInvocationJobs"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)


def test_marker_and_ini_configure_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        batchjobs_start = 2030-06-01T12:00:00Z
        batchjobs_max_page_size = 2
        """
    )
    pytester.makepyfile(
        """
        import datetime as dt
        import pytest

        def test_ini(batchjobs_fake):
            assert batchjobs_fake.clock.now() == dt.datetime(2030, 6, 1, 12, tzinfo=dt.timezone.utc)
            assert batchjobs_fake.pagination.max_page_size == 2

        @pytest.mark.batchjobs(start=dt.datetime(2025, 2, 3), max_page_size=5)
        def test_marker_wins(batchjobs_fake):
            assert batchjobs_fake.clock.now() == dt.datetime(2025, 2, 3, tzinfo=dt.timezone.utc)
            assert batchjobs_fake.pagination.max_page_size == 5
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_wrong_marker_option_says_what_is_valid(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.batchjobs(page_size=3)
        def test_typo(batchjobs_fake):
            pass

        @pytest.mark.batchjobs(clock="sundial")
        def test_bad_clock(batchjobs_fake):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.batchjobs got unknown option(s) page_size; valid options are "
            "account, clock, horizon, loop_time, max_page_size, seed, sleep, start, "
            "validate_outputs*",
            "*batchjobs clock 'sundial' is not one of auto, time-machine, freezegun*",
        ]
    )
    # Once in the error's report (the short summary repeats it when the terminal is wide).
    reports = [line for line in result.stdout.lines if line.startswith("@pytest.mark.batchjobs")]
    assert len(reports) == 1, reports
    result.stdout.no_fnmatch_line("*During handling of the above exception*")


def test_the_marker_takes_every_keyword_fake_batchjobs_takes(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbatchjobs_account = 210987654321\n")
    pytester.makepyfile(
        """
        import inspect
        import boto3
        import pytest
        from pytest_batchjobs import fake_batchjobs
        from pytest_batchjobs.options import FakeOptions

        def test_same_keywords():
            fields = set(FakeOptions.__dataclass_fields__)
            assert fields == set(inspect.signature(fake_batchjobs).parameters)

        def test_ini_account(batchjobs_fake):
            assert batchjobs_fake.account == "210987654321"

        @pytest.mark.batchjobs(account="111122223333", seed=7)
        def test_marker_account_and_seed(batchjobs_fake):
            bedrock = boto3.client("bedrock", region_name="us-east-1")
            job = batchjobs_fake.bedrock.add_job(status="Completed")
            assert job["jobArn"].startswith("arn:aws:bedrock:us-east-1:111122223333:")
            assert bedrock.get_model_invocation_job(jobIdentifier=job["jobArn"])["status"]
            assert batchjobs_fake.seed == 7
            with fake_batchjobs(seed=7) as same_seed:
                assert same_seed.bedrock.add_job(status="Completed")["jobName"] == job["jobName"]

        @pytest.mark.batchjobs(account="1234")
        def test_bad_account(batchjobs_fake):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        ["*batchjobs account must be a 12-digit AWS account id, got '1234'*"]
    )


def test_the_default_account_follows_moto_while_moto_is_active(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3
    from moto import mock_aws

    from pytest_batchjobs import fake_batchjobs

    monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
    with fake_batchjobs() as fake:
        assert fake.account == "123456789012"  # no moto: MOTO_ACCOUNT_ID is moto's alone
        with mock_aws():
            sts = boto3.client("sts", region_name="us-east-1")
            bedrock = boto3.client("bedrock", region_name="us-east-1")
            assert sts.get_caller_identity()["Account"] == "444455556666"
            job = fake.bedrock.add_job(status="InProgress")
            assert job["jobArn"].startswith("arn:aws:bedrock:us-east-1:444455556666:")
            listed = bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
            assert [each["jobArn"] for each in listed] == [job["jobArn"]]
    with fake_batchjobs(account="777788889999") as fake, mock_aws():
        assert fake.account == "777788889999"  # given: it wins


def test_fixture_is_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines(["batchjobs_fake*", "*in-memory fake of Amazon Personalize*"])


def test_a_test_that_imports_nothing_of_botocore_gets_its_fake(pytester: pytest.Pytester) -> None:
    # The fixture is the first thing to import botocore here: its import hook must not
    # deadlock with the registration the fixture starts.
    pytester.makepyfile("def test_x(batchjobs_fake):\n    assert batchjobs_fake.calls == []\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly", timeout=120)
    result.assert_outcomes(passed=1)
