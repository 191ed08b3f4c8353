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


def test_expecting_the_horizon_passes_and_a_lost_one_in_a_thread_still_fails(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import datetime as dt
        import threading
        import time
        import pytest
        from pytest_batchjobs import PollingHorizonExceeded

        def poll_forever():
            while True:
                time.sleep(60)

        @pytest.mark.batchjobs(horizon=dt.timedelta(hours=1))
        def test_expected(batchjobs_fake):
            with pytest.raises(PollingHorizonExceeded, match="past the horizon of 1:00:00"):
                poll_forever()

        @pytest.mark.batchjobs(horizon=dt.timedelta(hours=1))
        def test_lost_in_a_thread(batchjobs_fake):
            poller = threading.Thread(target=poll_forever)
            poller.start()
            poller.join()
        """
    )
    result = pytester.runpytest(
        "-p", "no:randomly", "-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning"
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_lost_in_a_thread*",
            "*time.sleep() has moved the fake clock 1:01:00 forward, past the horizon of 1:00:00*",
        ]
    )


def test_errors_the_user_caused_point_at_the_users_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import datetime as dt
        import time
        import boto3
        import pytest

        def test_unfaked(batchjobs_fake):
            bedrock = boto3.client("bedrock", region_name="us-east-1")
            bedrock.list_foundation_models()  # THE USER'S LINE

        def test_bad_argument(batchjobs_fake):
            batchjobs_fake.bedrock.add_job(status="Finished")  # THE USER'S LINE

        def poll(bedrock, arn):
            while bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] != "Done":
                time.sleep(60)  # THE USER'S LINE

        @pytest.mark.batchjobs(horizon=dt.timedelta(hours=6))
        def test_horizon(batchjobs_fake):
            job = batchjobs_fake.bedrock.add_job(status="InProgress")
            poll(boto3.client("bedrock", region_name="us-east-1"), job["jobArn"])
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "--tb=long")
    result.assert_outcomes(failed=3)
    output = result.stdout.str()
    for section in output.split("_ test_")[1:]:
        assert "site-packages" not in section
        assert "pytest_batchjobs/" not in section.replace("pytest_batchjobs/__init__", "")
        assert section.count("# THE USER'S LINE") == 1
        last_frame = section.split("# THE USER'S LINE")[1]
        assert "\nE   " in last_frame, section
    result.stdout.fnmatch_lines(
        [
            "*UnfakedOperationError: *ListFoundationModels*",
            "*ValueError: *Finished*",
            "*PollingHorizonExceeded: time.sleep() has moved the fake clock*",
        ]
    )
    full = pytester.runpytest("-p", "no:randomly", "--fulltrace", "-k", "unfaked")
    assert "botocore" in full.stdout.str()  # --fulltrace keeps every frame


def test_hooks_name_the_service_and_the_job_kind(pytester: pytest.Pytester) -> None:
    """Personalize runs two kinds of jobs: the hooks say which (``kind``), beside the
    service; an implementation that takes no ``kind`` still works."""
    pytester.makeconftest(
        """
        EVENTS = []

        def pytest_batchjobs_job_created(fake, service, kind, job):
            EVENTS.append(("created", service, kind, job["jobName"]))

        def pytest_batchjobs_status_changed(fake, service, job, new):
            EVENTS.append((service, job["jobName"], new))
        """
    )
    pytester.makepyfile(
        """
        from conftest import EVENTS

        def test_kinds(batchjobs_fake):
            batchjobs_fake.personalize_segments.add_job(jobName="seg", status="CREATE PENDING")
            batchjobs_fake.personalize.add_job(jobName="inf", status="CREATE PENDING")
            batchjobs_fake.bedrock.add_job(jobName="bed", status="InProgress")
            batchjobs_fake.clock.advance(minutes=2)

        def test_check():
            assert EVENTS[:3] == [
                ("created", "personalize", "personalize_segments", "seg"),
                ("created", "personalize", "personalize", "inf"),
                ("created", "bedrock", "bedrock", "bed"),
            ]
            # (the Bedrock job may or may not end in these two minutes: where the
            # factory places it in its hour InProgress is drawn)
            assert sorted(e for e in EVENTS[3:] if e[0] == "personalize") == [
                ("personalize", "inf", "CREATE IN_PROGRESS"),
                ("personalize", "seg", "CREATE IN_PROGRESS"),
            ]
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_hooks_report_sagemaker_transform_jobs(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        EVENTS = []

        def pytest_batchjobs_job_created(fake, service, job):
            EVENTS.append(("created", service, job["TransformJobName"], job["TransformJobStatus"]))

        def pytest_batchjobs_status_changed(fake, service, job, old, new):
            assert job["TransformJobStatus"] == new
            EVENTS.append((service, job["TransformJobName"], old, new))
        """
    )
    pytester.makepyfile(
        """
        import boto3
        from conftest import EVENTS

        PARAMS = dict(
            ModelName="churn-model",
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                            "S3Uri": "s3://in/"}}},
            TransformOutput={"S3OutputPath": "s3://out/"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )

        def test_transitions(batchjobs_fake):
            sagemaker = boto3.client("sagemaker", region_name="us-east-1")
            sagemaker.create_transform_job(TransformJobName="done", **PARAMS)
            sagemaker.create_transform_job(TransformJobName="halted", **PARAMS)
            batchjobs_fake.clock.advance(minutes=1)
            sagemaker.stop_transform_job(TransformJobName="halted")
            sagemaker.get_waiter("transform_job_completed_or_stopped").wait(
                TransformJobName="done"
            )

        def test_check():
            assert EVENTS == [
                ("created", "sagemaker", "done", "InProgress"),
                ("created", "sagemaker", "halted", "InProgress"),
                ("sagemaker", "halted", "InProgress", "Stopping"),
                ("sagemaker", "halted", "Stopping", "Stopped"),
                ("sagemaker", "done", "InProgress", "Completed"),
            ]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
