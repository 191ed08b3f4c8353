"""The plugin's hooks and the polling horizon, as a user's suite sees them (pytester)."""

from __future__ import annotations

import pytest


def test_hooks_report_creation_and_every_transition_once_in_order(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        EVENTS = []

        def pytest_batchjobs_configure(fake):
            fake.bedrock.lifecycle(outcome="Failed", message="no access", match="doomed-*")

        def pytest_batchjobs_job_created(fake, service, job):
            EVENTS.append(("created", service, job.get("jobName"), job["status"]))

        def pytest_batchjobs_status_changed(fake, service, job, old, new):
            assert job["status"] == new
            EVENTS.append((service, job["jobName"], old, new, job.get("message")))
        """
    )
    pytester.makepyfile(
        """
        import time
        import boto3
        from freezegun import freeze_time
        from conftest import EVENTS

        PARAMS = dict(
            roleArn="arn:aws:iam::123456789012:role/r",
            modelId="anthropic.claude-3-haiku-20240307-v1:0",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/a.jsonl"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/"}},
        )

        def test_transitions(batchjobs_fake):
            bedrock = boto3.client("bedrock", region_name="us-east-1")
            ok = bedrock.create_model_invocation_job(jobName="fine", **PARAMS)["jobArn"]
            batchjobs_fake.clock.advance(seconds=40)          # advance
            bedrock.create_model_invocation_job(jobName="doomed-1", **PARAMS)
            time.sleep(200)                                   # sleep
            bedrock.stop_model_invocation_job(jobIdentifier=ok)
            with freeze_time(batchjobs_fake.clock.now()) as frozen:
                frozen.tick(3 * 3600)                         # the user's own clock
                bedrock.list_model_invocation_jobs()
            batchjobs_fake.clock.advance(hours=1)             # reported at teardown

        def test_check():
            assert EVENTS == [
                ("created", "bedrock", "fine", "Submitted"),
                ("bedrock", "fine", "Submitted", "Validating", None),
                ("created", "bedrock", "doomed-1", "Submitted"),
                ("bedrock", "doomed-1", "Submitted", "Validating", None),
                ("bedrock", "fine", "Validating", "Scheduled", None),
                ("bedrock", "doomed-1", "Validating", "Scheduled", None),
                ("bedrock", "fine", "Scheduled", "Stopping", None),
                ("bedrock", "fine", "Stopping", "Stopped", None),
                ("bedrock", "doomed-1", "Scheduled", "InProgress", None),
                ("bedrock", "doomed-1", "InProgress", "Failed", "no access"),
            ], EVENTS
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_horizon_guard_fails_a_client_that_polls_forever(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import datetime as dt
        import time
        import boto3
        import pytest

        @pytest.mark.batchjobs(horizon=dt.timedelta(hours=6))
        def test_poll_forever(batchjobs_fake):
            batchjobs_fake.bedrock.lifecycle(outcome="Expired")
            bedrock = boto3.client("bedrock", region_name="us-east-1")
            arn = bedrock.create_model_invocation_job(
                jobName="never-checked",
                roleArn="arn:aws:iam::123456789012:role/r",
                modelId="anthropic.claude-3-haiku-20240307-v1:0",
                inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/a.jsonl"}},
                outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/"}},
            )["jobArn"]
            while bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] != "Completed":
                try:
                    time.sleep(60)
                except Exception:  # a careless retry loop cannot swallow the guard
                    pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)  # once: teardown does not repeat the horizon
    result.stdout.fnmatch_lines(
        [
            "*time.sleep() has moved the fake clock 6:01:00 forward, past the horizon of "
            "6:00:00: the client seems to poll forever*",
            "*Last calls:*",
            "*2024-01-01 14:59:00 bedrock GetModelInvocationJob*",
            "*raise the horizon with @pytest.mark.batchjobs(horizon=...)*",
        ]
    )
