"""Threads, isolation and leaks: the fake is safe to lean on."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from jobs import bedrock_job, personalize_job

from pytest_batchjobs import BatchJobsFake


def test_many_threads_at_once_lose_and_duplicate_nothing(batchjobs_fake: BatchJobsFake) -> None:
    config = Config(max_pool_connections=50)
    bedrock = boto3.client("bedrock", region_name="us-east-1", config=config)
    personalize = boto3.client("personalize", region_name="us-east-1", config=config)
    batchjobs_fake.bedrock.add_jobs(60, status=["Completed", "InProgress"])

    def work(worker: int) -> tuple[list[str], list[str], int]:
        created = [bedrock_job(bedrock, name=f"w{worker}-{n}") for n in range(6)]
        recs = [personalize_job(personalize, name=f"w{worker}-{n}") for n in range(3)]
        for arn in created[:3]:
            assert bedrock.get_model_invocation_job(jobIdentifier=arn)["jobArn"] == arn
        for arn in created[3:5]:
            bedrock.stop_model_invocation_job(jobIdentifier=arn)
        pages = bedrock.get_paginator("list_model_invocation_jobs").paginate(
            PaginationConfig={"PageSize": 40}
        )
        listed = [s["jobArn"] for page in pages for s in page["invocationJobSummaries"]]
        assert len(listed) == len(set(listed))  # pages never repeat a job
        return created, recs, len(listed)

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(work, range(24)))
    created = [arn for made, _, _ in results for arn in made]
    recs = [arn for _, made, _ in results for arn in made]
    assert len(set(created)) == 144
    assert len(set(recs)) == 72
    everything = bedrock.get_paginator("list_model_invocation_jobs").paginate()
    listed = [s["jobArn"] for page in everything for s in page["invocationJobSummaries"]]
    assert len(listed) == len(set(listed)) == 204
    assert set(created) <= set(listed)
    stopped = bedrock.list_model_invocation_jobs(statusEquals="Stopping")
    assert len(stopped["invocationJobSummaries"]) == 48
    calls = batchjobs_fake.calls
    expected = 24 * (6 + 3 + 3 + 2)
    assert sum(c.operation != "ListModelInvocationJobs" for c in calls) == expected
    assert all(c.error is None for c in calls)
    assert batchjobs_fake.internal_errors == []


def test_no_socket_is_opened_for_the_services(
    socket_guard: list[Any], batchjobs_fake: BatchJobsFake
) -> None:
    for region in ("us-east-1", "eu-west-1"):
        bedrock = boto3.client("bedrock", region_name=region)
        personalize = boto3.client("personalize", region_name=region)
        arn = bedrock_job(bedrock)
        bedrock.get_model_invocation_job(jobIdentifier=arn)
        bedrock.list_model_invocation_jobs()
        personalize_job(personalize)
        personalize.list_batch_inference_jobs()
        batchjobs_fake.faults.fail("ListBatchInferenceJobs", times=2)
        personalize.list_batch_inference_jobs()  # retried, still no socket
    import requests

    listed = requests.get("https://bedrock.us-west-2.amazonaws.com/model-invocation-jobs")
    assert listed.status_code == 200
    target = {"X-Amz-Target": "AmazonPersonalize.ListBatchInferenceJobs"}
    recs = requests.post("https://personalize.eu-west-1.amazonaws.com/", json={}, headers=target)
    assert recs.status_code == 200
    assert socket_guard == []


def test_the_guard_does_catch_a_real_connection(socket_guard: list[Any]) -> None:
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLEDUMMY0000",  # so that no earlier test's state decides
        aws_secret_access_key="dummy-secret",  # whether it gets as far as connecting
        config=Config(retries={"max_attempts": 0}),
    )
    with pytest.raises(Exception):  # noqa: PT011, B017 - botocore wraps the refusal its own way
        s3.list_buckets()
    assert socket_guard  # proves the guard sees what the fake would have leaked


def test_real_credentials_never_sign_a_faked_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAREALREALREAL\naws_secret_access_key = real-secret\n"
        "[dev]\naws_access_key_id = AKIAREALDEVPROFILE\naws_secret_access_key = dev-secret\n"
    )
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVREALKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-real-secret")
    signatures: list[str] = []

    def client(session: boto3.session.Session) -> Any:
        made = session.client("bedrock", region_name="us-east-1")
        made.meta.events.register(
            "before-send",
            lambda request, **_: signatures.append(request.headers["Authorization"].decode()),
        )
        return made

    before = client(boto3.session.Session())  # resolved the real keys: made before the fake
    with BatchJobsFake() as fake:
        fresh = boto3.session.Session()
        resolved = fresh.get_credentials()
        assert resolved is not None
        # Nothing past the environment in the credential chain runs: no file, SSO or
        # credential process is consulted for the keys.
        assert (resolved.method, resolved.access_key) == ("env", "FAKEBATCHJOBSKEY0000")
        for each in (before, client(fresh), client(boto3.session.Session(profile_name="dev"))):
            each.list_model_invocation_jobs()
        assert len(fake.calls) == 3
    assert len(signatures) == 3
    assert all("Credential=FAKEBATCHJOBSKEY0000/" in signature for signature in signatures)
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAENVREALKEY"


def test_everything_is_restored_after_a_failing_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os, socket, time
        import botocore.endpoint
        import pytest

        ORIGINAL_SLEEP = time.sleep
        ORIGINAL_SEND = botocore.endpoint.Endpoint._send
        ENV = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}

        def check_clean():
            from pytest_batchjobs.active import active_fake
            assert active_fake() is None
            assert time.sleep is ORIGINAL_SLEEP
            assert botocore.endpoint.Endpoint._send is ORIGINAL_SEND
            assert {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} == ENV
            assert time.time() > 1.75e9  # real time, not the frozen 2024 start
            import sys
            freezegun = sys.modules.get("freezegun.api")
            assert freezegun is None or not freezegun.freeze_factories
            responses = sys.modules.get("responses")
            if responses is not None:
                import requests.adapters
                assert "responses" not in type(requests.adapters.HTTPAdapter.send).__module__

        CLOCKS = [
            pytest.param(name, marks=pytest.mark.batchjobs(clock=name))
            for name in ("freezegun", "time-machine")
        ]

        @pytest.mark.parametrize("clock", CLOCKS)
        @pytest.mark.parametrize("how", ["fails", "errors"])
        def test_breaks(batchjobs_fake, how, clock):
            assert batchjobs_fake.clock.kind == clock
            import boto3
            batchjobs_fake.bedrock.add_jobs(3)
            boto3.client("bedrock", region_name="us-east-1").list_model_invocation_jobs()
            time.sleep(30)
            if how == "fails":
                assert False, "the user's test fails"
            raise RuntimeError("the user's test errors")

        def test_next_one_is_clean():
            check_clean()

        def test_next_fake_is_empty(batchjobs_fake):
            import boto3
            bedrock = boto3.client("bedrock", region_name="us-east-1")
            assert bedrock.list_model_invocation_jobs()["invocationJobSummaries"] == []
            assert len(batchjobs_fake.calls) == 1
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=4)


def test_many_threads_through_the_local_server(batchjobs_server: Any) -> None:
    import requests

    base = batchjobs_server.endpoint_url.rstrip("/")
    body = {
        "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/r.jsonl"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://batch-out/"}},
    }

    def work(worker: int) -> list[str]:
        with requests.Session() as http:
            created = []
            for n in range(5):
                answer = http.post(
                    f"{base}/model-invocation-job", json={**body, "jobName": f"s{worker}-{n}"}
                )
                assert answer.status_code == 200, answer.text
                created.append(answer.json()["jobArn"])
            for arn in created[:2]:
                assert http.get(f"{base}/model-invocation-job/{arn.rsplit('/', 1)[1]}").ok
            stopped = http.post(f"{base}/model-invocation-job/{created[4].rsplit('/', 1)[1]}/stop")
            assert stopped.status_code == 200
            seen: list[str] = []
            params: dict[str, Any] = {"maxResults": 7}
            while True:
                page = http.get(f"{base}/model-invocation-jobs", params=params).json()
                seen += [s["jobArn"] for s in page["invocationJobSummaries"]]
                if "nextToken" not in page:
                    break
                params["nextToken"] = page["nextToken"]
            assert len(seen) == len(set(seen))
            return created

    with ThreadPoolExecutor(max_workers=12) as pool:
        created = [arn for made in pool.map(work, range(12)) for arn in made]
    fake = batchjobs_server.fake
    assert len(set(created)) == 60
    assert {job.arn for job in fake.jobs()} == set(created)
    assert fake.call_count("CreateModelInvocationJob") == 60
    assert fake.call_count("StopModelInvocationJob") == 12
    assert all(call.transport == "server" and call.error is None for call in fake.calls)
