"""aiobotocore clients of the faked services, answered in-process through aiobotocore's
own serializer, signer, parser and retry handler.

aiobotocore's backoff (``asyncio.sleep``) and a waiter's delay sleep on the event loop,
which runs on the fake clock while a fake is active: :func:`backoffs` records what
aiobotocore asked for, and the retry tests check that fake time, not wall time, passed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

aiobotocore_session = pytest.importorskip("aiobotocore.session")

import aiobotocore.endpoint  # noqa: E402
import botocore.exceptions  # noqa: E402
from aiobotocore.config import AioConfig  # noqa: E402
from aiobotocore.waiter import create_waiter_with_client  # noqa: E402
from botocore.exceptions import ClientError, WaiterError  # noqa: E402
from botocore.waiter import WaiterModel  # noqa: E402
from jobs import bedrock_params, personalize_params, wall_seconds  # noqa: E402
from test_safety_credentials import write_profiles  # noqa: E402

from pytest_batchjobs import BatchJobsFake, UnfakedOperationError, fake_batchjobs  # noqa: E402
from pytest_batchjobs.active import DUMMY_CREDENTIALS  # noqa: E402
from pytest_batchjobs.transports import aiobotocore as aiobotocore_transport  # noqa: E402
from pytest_batchjobs.transports.botocore import DUMMY_BEARER_TOKEN  # noqa: E402

T = TypeVar("T")
MODES = ["legacy", "standard", "adaptive"]
DUMMY_SCOPE = f"Credential={DUMMY_CREDENTIALS['AWS_ACCESS_KEY_ID']}/"


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main()`` on a new event loop, as a sync test (or a script) would."""

    async def wrapped() -> T:
        return await main()

    return asyncio.run(wrapped())


def client(service: str, mode: str = "standard", retries: int = 3, **kwargs: Any) -> Any:
    """An aiobotocore client (an async context manager) of ``service``."""
    config = AioConfig(retries={"mode": mode, "max_attempts": retries})
    session = aiobotocore_session.get_session()
    return session.create_client(service, region_name="us-east-1", config=config, **kwargs)


@pytest.fixture
def backoffs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoff aiobotocore's retry handler asks for, each slept as asked (on the
    loop, in fake time)."""
    asked: list[float] = []

    async def recorded(seconds: float) -> None:
        asked.append(seconds)
        await real_sleep(seconds)

    real_sleep = asyncio.sleep
    if hasattr(aiobotocore.endpoint.AioEndpoint, "_sleep"):  # aiobotocore 3
        monkeypatch.setattr(
            aiobotocore.endpoint.AioEndpoint, "_sleep", lambda _, seconds: recorded(seconds)
        )
    else:  # aiobotocore 2 sleeps with asyncio.sleep in its retry loop
        shim = types.SimpleNamespace(**vars(asyncio))
        shim.sleep = recorded
        monkeypatch.setattr(aiobotocore.endpoint, "asyncio", shim)
    return asked


def authorizations(aio_client: Any) -> list[str]:
    """The Authorization header of each request ``aio_client`` sends from now on."""
    seen: list[str] = []

    def record(request: Any, **_: Any) -> None:
        value = request.headers["Authorization"]
        seen.append(value.decode() if isinstance(value, bytes) else value)

    aio_client.meta.events.register_first("before-send", record)
    return seen


# -- every faked operation -----------------------------------------------------------------


def test_bedrock_operations_through_aiobotocore(batchjobs_fake: BatchJobsFake) -> None:
    async def main() -> None:
        async with client("bedrock") as bedrock:
            created = await bedrock.create_model_invocation_job(
                **bedrock_params(), tags=[{"key": "team", "value": "ml"}]
            )
            arn = created["jobArn"]
            job = await bedrock.get_model_invocation_job(jobIdentifier=arn)
            assert job["status"] == "Submitted"
            assert job["submitTime"] == batchjobs_fake.clock.now()
            assert job["ResponseMetadata"]["HTTPStatusCode"] == 200
            listed = await bedrock.list_model_invocation_jobs()
            assert [s["jobArn"] for s in listed["invocationJobSummaries"]] == [arn]
            await bedrock.tag_resource(resourceARN=arn, tags=[{"key": "env", "value": "prod"}])
            await bedrock.untag_resource(resourceARN=arn, tagKeys=["team"])
            tags = await bedrock.list_tags_for_resource(resourceARN=arn)
            assert tags["tags"] == [{"key": "env", "value": "prod"}]
            await bedrock.stop_model_invocation_job(jobIdentifier=arn)
            stopping = await bedrock.get_model_invocation_job(jobIdentifier=arn)
            assert stopping["status"] == "Stopping"
            with pytest.raises(ClientError) as missing:
                await bedrock.get_model_invocation_job(jobIdentifier="abcdefghijkl")
            error = missing.value.response
            assert error["Error"]["Code"] == "ResourceNotFoundException"
            assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
            assert isinstance(missing.value, bedrock.exceptions.ResourceNotFoundException)

    run(main)
    assert {call.transport for call in batchjobs_fake.calls} == {"aiobotocore"}
    assert len(batchjobs_fake.calls) == 9


def test_stopping_a_finished_job_is_bedrocks_validation_error(
    batchjobs_fake: BatchJobsFake,
) -> None:
    done = batchjobs_fake.bedrock.add_job(status="Completed")

    async def main() -> None:
        async with client("bedrock") as bedrock:
            with pytest.raises(
                bedrock.exceptions.ValidationException, match="State was: Completed"
            ):
                await bedrock.stop_model_invocation_job(jobIdentifier=done["jobArn"])

    run(main)


def test_personalize_operations_through_aiobotocore(batchjobs_fake: BatchJobsFake) -> None:
    async def main() -> None:
        async with client("personalize") as personalize:
            arn = (await personalize.create_batch_inference_job(**personalize_params()))[
                "batchInferenceJobArn"
            ]
            job = (await personalize.describe_batch_inference_job(batchInferenceJobArn=arn))[
                "batchInferenceJob"
            ]
            assert job["status"] == "CREATE PENDING"
            assert job["creationDateTime"] == batchjobs_fake.clock.now()
            batchjobs_fake.advance_until(arn, status="ACTIVE")
            job = (await personalize.describe_batch_inference_job(batchInferenceJobArn=arn))[
                "batchInferenceJob"
            ]
            assert job["status"] == "ACTIVE"
            assert job["lastUpdatedDateTime"] == batchjobs_fake.clock.now()
            listed = await personalize.list_batch_inference_jobs()
            assert [j["batchInferenceJobArn"] for j in listed["batchInferenceJobs"]] == [arn]
            await personalize.tag_resource(
                resourceArn=arn, tags=[{"tagKey": "team", "tagValue": "recs"}]
            )
            tags = await personalize.list_tags_for_resource(resourceArn=arn)
            assert tags["tags"] == [{"tagKey": "team", "tagValue": "recs"}]
            await personalize.untag_resource(resourceArn=arn, tagKeys=["team"])
            assert (await personalize.list_tags_for_resource(resourceArn=arn))["tags"] == []
            with pytest.raises(personalize.exceptions.ResourceAlreadyExistsException):
                await personalize.create_batch_inference_job(**personalize_params())

    run(main)


def test_an_unfaked_operation_fails_at_once_naming_it(batchjobs_fake: BatchJobsFake) -> None:
    async def main() -> None:
        async with client("bedrock") as bedrock:
            with pytest.raises(UnfakedOperationError, match="bedrock ListFoundationModels"):
                await bedrock.list_foundation_models()

    run(main)


@pytest.mark.asyncio
async def test_under_pytest_asyncio(batchjobs_fake: BatchJobsFake) -> None:
    job = batchjobs_fake.bedrock.add_job(status="InProgress")
    async with client("bedrock") as bedrock:
        shown = await bedrock.get_model_invocation_job(jobIdentifier=job["jobArn"])
    assert shown["status"] == "InProgress"
    assert shown["ResponseMetadata"]["RetryAttempts"] == 0


# -- paginators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation", "member"),
    [
        ("bedrock", "list_model_invocation_jobs", "invocationJobSummaries"),
        ("personalize", "list_batch_inference_jobs", "batchInferenceJobs"),
    ],
)
def test_async_paginators_follow_every_token(
    batchjobs_fake: BatchJobsFake, service: str, operation: str, member: str
) -> None:
    controls = batchjobs_fake.bedrock if service == "bedrock" else batchjobs_fake.personalize
    made = controls.add_jobs(25)
    batchjobs_fake.pagination.max_page_size = 7

    async def main() -> list[list[str]]:
        async with client(service) as aio_client:
            pages = aio_client.get_paginator(operation).paginate()
            arn = "jobArn" if service == "bedrock" else "batchInferenceJobArn"
            return [[job[arn] for job in page[member]] async for page in pages]

    pages = run(main)
    assert [len(page) for page in pages] == [7, 7, 7, 4]
    arns = {job["jobArn" if service == "bedrock" else "batchInferenceJobArn"] for job in made}
    assert {arn for page in pages for arn in page} == arns
    batchjobs_fake.pagination.assert_exhausted(operation)
    batchjobs_fake.pagination.assert_no_token_reuse()


# -- waiters, as Airflow's deferrable triggers build them ---------------------------------

# Airflow's Bedrock waiters (providers/amazon/.../waiters/bedrock.json), written here from
# their documented acceptors: each status and the state it puts the waiter in.
AIRFLOW_ACCEPTORS = {
    "batch_inference_complete": {
        "Completed": "success",
        "Failed": "failure",
        "Stopped": "failure",
        "PartiallyCompleted": "failure",
        "Expired": "failure",
        "Stopping": "failure",
        "Submitted": "retry",
        "InProgress": "retry",
        "Validating": "retry",
        "Scheduled": "retry",
    },
    "batch_inference_scheduled": {
        "Completed": "success",
        "Failed": "failure",
        "Stopped": "failure",
        "Stopping": "retry",
        "PartiallyCompleted": "failure",
        "Expired": "failure",
        "Submitted": "retry",
        "InProgress": "retry",
        "Validating": "retry",
        "Scheduled": "success",
    },
}


def airflow_waiter_model() -> WaiterModel:
    """A waiter model of the shape Airflow loads from its ``waiters/bedrock.json``."""
    return WaiterModel(
        {
            "version": 2,
            "waiters": {
                name: {
                    "operation": "GetModelInvocationJob",
                    "delay": 120,
                    "maxAttempts": 75,
                    "acceptors": [
                        {
                            "matcher": "path",
                            "argument": "status",
                            "expected": status,
                            "state": state,
                        }
                        for status, state in acceptors.items()
                    ],
                }
                for name, acceptors in AIRFLOW_ACCEPTORS.items()
            },
        }
    )


async def wait_once(bedrock: Any, waiter_name: str, arn: str) -> str:
    """One poll of the waiter: the state its acceptors reached, as the caller tells it."""
    waiter = create_waiter_with_client(waiter_name, airflow_waiter_model(), bedrock)
    try:
        await waiter.wait(jobIdentifier=arn, WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    except WaiterError as error:
        reason = str(error)
    else:
        return "success"
    if "terminal failure state" in reason:
        return "failure"
    assert "Max attempts exceeded" in reason
    return "retry"
    return "success"


@pytest.mark.parametrize("waiter_name", sorted(AIRFLOW_ACCEPTORS))
def test_every_acceptor_state_of_airflows_waiters_is_reachable(
    batchjobs_fake: BatchJobsFake, waiter_name: str
) -> None:
    acceptors = AIRFLOW_ACCEPTORS[waiter_name]
    jobs = {status: batchjobs_fake.bedrock.add_job(status=status) for status in acceptors}

    async def main() -> dict[str, str]:
        async with client("bedrock") as bedrock:
            return {
                status: await wait_once(bedrock, waiter_name, job["jobArn"])
                for status, job in jobs.items()
            }

    assert run(main) == acceptors
    assert set(acceptors.values()) == {"success", "failure", "retry"}


def test_the_complete_waiter_follows_a_job_to_completed(batchjobs_fake: BatchJobsFake) -> None:
    # Airflow's waiter sleeps 120 s between polls; here each poll moves the fake clock
    # 20 minutes itself and the waiter's own delay is 0, so no sleep waits on the loop.
    statuses: list[str] = []

    def polled(parsed: dict[str, Any], **_: Any) -> None:
        statuses.append(parsed["status"])
        batchjobs_fake.clock.advance(minutes=20)

    async def main() -> Any:
        async with client("bedrock") as bedrock:
            arn = (await bedrock.create_model_invocation_job(**bedrock_params()))["jobArn"]
            bedrock.meta.events.register("after-call.bedrock.GetModelInvocationJob", polled)
            waiter = create_waiter_with_client(
                "batch_inference_complete", airflow_waiter_model(), bedrock
            )
            await waiter.wait(jobIdentifier=arn, WaiterConfig={"Delay": 0, "MaxAttempts": 75})
            return arn

    arn = run(main)
    assert statuses[0] == "Submitted"
    assert statuses[-1] == "Completed"
    assert set(statuses[:-1]) <= {"Submitted", "Validating", "Scheduled", "InProgress"}
    assert "InProgress" in statuses
    assert [call.operation for call in batchjobs_fake.calls].count("GetModelInvocationJob") == len(
        statuses
    )
    assert arn


# -- faults and throttling, retried by aiobotocore ----------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("error", ["ThrottlingException", "InternalServerException"])
def test_injected_errors_are_retried_in_every_mode(
    batchjobs_fake: BatchJobsFake, backoffs: list[float], mode: str, error: str
) -> None:
    # An ended job: the backoff moves the fake clock, and a running job could move on.
    job = batchjobs_fake.bedrock.add_job(status="Completed")
    batchjobs_fake.faults.fail("GetModelInvocationJob", error=error, times=2)
    before = batchjobs_fake.clock.now()

    async def main() -> Any:
        async with client("bedrock", mode, retries=3) as bedrock:
            return await bedrock.get_model_invocation_job(jobIdentifier=job["jobArn"])

    shown = run(main)
    assert shown["status"] == "Completed"
    assert shown["ResponseMetadata"]["RetryAttempts"] == 2
    assert [call.error for call in batchjobs_fake.calls] == [error, error, None]
    assert len(backoffs) == 2
    assert all(seconds > 0 for seconds in backoffs) or mode == "legacy"
    # The backoff passed in fake time (at least what was asked; the clock's resolution
    # rounds each sleep up to a microsecond).
    assert batchjobs_fake.clock.now() - before >= dt.timedelta(seconds=sum(backoffs))


@pytest.mark.parametrize("mode", MODES)
def test_the_final_error_reaches_the_caller_after_exhaustion(
    batchjobs_fake: BatchJobsFake, backoffs: list[float], mode: str
) -> None:
    batchjobs_fake.faults.fail("ListBatchInferenceJobs", error="ThrottlingException", times=None)

    async def main() -> None:
        async with client("personalize", mode, retries=4) as personalize:
            await personalize.list_batch_inference_jobs()

    with pytest.raises(ClientError) as excinfo:
        run(main)
    response = excinfo.value.response
    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["ResponseMetadata"]["RetryAttempts"] == 4
    assert len(batchjobs_fake.calls) == 5


@pytest.mark.parametrize(
    ("kind", "exception"),
    [
        ("connection_reset", botocore.exceptions.ConnectionClosedError),
        ("read_timeout", botocore.exceptions.ReadTimeoutError),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_broken_connections_are_aiobotocores_own_errors_and_retried(
    batchjobs_fake: BatchJobsFake,
    backoffs: list[float],
    kind: str,
    exception: type[Exception],
    mode: str,
) -> None:
    import aiohttp

    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind=kind, times=2)

    async def main() -> Any:
        async with client("bedrock", mode, retries=2) as bedrock:
            first = await bedrock.list_model_invocation_jobs()
            batchjobs_fake.faults.transport("ListModelInvocationJobs", kind=kind, times=None)
            with pytest.raises(exception) as excinfo:
                await bedrock.list_model_invocation_jobs()
            return first, excinfo.value

    first, error = run(main)
    assert first["ResponseMetadata"]["RetryAttempts"] == 2
    assert isinstance(error.kwargs["error"], aiohttp.ClientError)  # type: ignore[attr-defined]
    assert [call.error for call in batchjobs_fake.calls] == [kind, kind, None, kind, kind, kind]


def test_adaptive_mode_paces_a_throttle_in_fake_time(
    batchjobs_fake: BatchJobsFake, backoffs: list[float]
) -> None:
    # The adaptive token bucket waits for capacity by its clock: in fake time, at once.
    batchjobs_fake.faults.fail("ListModelInvocationJobs", error="ThrottlingException", times=3)
    started = batchjobs_fake.clock.now()
    wall = wall_seconds()

    async def main() -> list[int]:
        async with client("bedrock", "adaptive", retries=5) as bedrock:
            pages = [await bedrock.list_model_invocation_jobs() for _ in range(6)]
        return [page["ResponseMetadata"]["RetryAttempts"] for page in pages]

    attempts = run(main)
    assert attempts == [3, 0, 0, 0, 0, 0]
    assert batchjobs_fake.clock.now() - started > dt.timedelta(seconds=1)
    assert wall_seconds() - wall < 30  # the bucket never waited in real time (generous)


def test_a_throttle_is_absorbed_by_standard_retries(
    batchjobs_fake: BatchJobsFake, backoffs: list[float]
) -> None:
    batchjobs_fake.faults.throttle("ListModelInvocationJobs", per_second=1, burst=1)

    async def main() -> list[int]:
        async with client("bedrock", "standard", retries=2) as bedrock:
            first = await bedrock.list_model_invocation_jobs()
            batchjobs_fake.clock.advance(1)
            second = await bedrock.list_model_invocation_jobs()
        return [
            first["ResponseMetadata"]["RetryAttempts"],
            second["ResponseMetadata"]["RetryAttempts"],
        ]

    assert run(main) == [0, 0]
    assert [call.error for call in batchjobs_fake.calls] == [None, None]


# -- clients of every age, in any task ----------------------------------------------------


def test_a_client_made_before_the_fake_started_is_answered(batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.stop()

    async def main() -> Any:
        async with client("bedrock") as bedrock:
            batchjobs_fake.start()
            arn = (await bedrock.create_model_invocation_job(**bedrock_params()))["jobArn"]
            return await bedrock.get_model_invocation_job(jobIdentifier=arn)

    assert run(main)["status"] == "Submitted"
    assert [call.transport for call in batchjobs_fake.calls] == ["aiobotocore", "aiobotocore"]


def test_a_session_without_the_handler_is_answered_by_the_send_patch(
    batchjobs_fake: BatchJobsFake,
) -> None:
    async def main() -> Any:
        async with client("bedrock") as bedrock:
            bedrock.meta.events.unregister("before-send", aiobotocore_transport.before_send)
            arn = (await bedrock.create_model_invocation_job(**bedrock_params()))["jobArn"]
            return await bedrock.get_model_invocation_job(jobIdentifier=arn)

    assert run(main)["status"] == "Submitted"
    assert len(batchjobs_fake.calls) == 2


def test_a_client_made_in_another_task_is_answered(batchjobs_fake: BatchJobsFake) -> None:
    async def main() -> list[str]:
        context = client("personalize")
        personalize = await asyncio.create_task(context.__aenter__())
        try:
            arns = await asyncio.gather(
                *(
                    asyncio.create_task(
                        personalize.create_batch_inference_job(**personalize_params(f"job-{i}"))
                    )
                    for i in range(5)
                )
            )
        finally:
            await context.__aexit__(None, None, None)
        return sorted(arn["batchInferenceJobArn"] for arn in arns)

    arns = run(main)
    assert len(arns) == 5
    assert arns == sorted(job.arn for job in batchjobs_fake.personalize.all_jobs())


def test_moto_beside_the_fake_keeps_its_hands_off_the_faked_calls(
    batchjobs_fake: BatchJobsFake,
) -> None:
    moto = pytest.importorskip("moto")

    async def main() -> Any:
        async with client("bedrock") as bedrock:
            return await bedrock.list_model_invocation_jobs()

    with moto.mock_aws():
        assert run(main)["invocationJobSummaries"] == []
    assert len(batchjobs_fake.calls) == 1


@pytest.mark.xfail(
    raises=TypeError,
    strict=True,
    reason="moto answers aiobotocore with a body it cannot await (moto #8513: async is out "
    "of moto's scope), with or without the fake",
)
def test_moto_does_not_answer_aiobotocore_for_its_own_services(
    batchjobs_fake: BatchJobsFake,
) -> None:
    moto = pytest.importorskip("moto")

    async def main() -> Any:
        async with client("s3") as s3:
            await s3.create_bucket(Bucket="batch-in")

    with moto.mock_aws():
        run(main)


# -- credentials --------------------------------------------------------------------------


@pytest.fixture
def real_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Profiles whose credentials are resolved elsewhere (a credential process writing a
    marker file, assume-role through it), and real-looking keys in the environment."""
    for name, value in write_profiles(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALENVIRONMENT0")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-environment-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return tmp_path


@pytest.mark.parametrize("profile", ["process", "assume", "default"])
def test_real_credentials_are_never_read_nor_resolved(real_profiles: Path, profile: str) -> None:
    def signed() -> list[str]:
        async def main() -> list[str]:
            session = aiobotocore_session.AioSession(profile=profile)
            async with session.create_client("bedrock", region_name="us-east-1") as bedrock:
                seen = authorizations(bedrock)
                await bedrock.list_model_invocation_jobs()
            return seen

        return run(main)

    with fake_batchjobs() as fake:
        seen = signed()
        assert len(fake.calls) == 1
    assert len(seen) == 1
    assert DUMMY_SCOPE in seen[0]
    assert not (real_profiles / "credential_process.log").exists()


def test_explicit_real_keys_never_sign_a_faked_call(batchjobs_fake: BatchJobsFake) -> None:
    async def main() -> list[str]:
        async with client(
            "bedrock",
            aws_access_key_id="AKIAREALEXPLICITKEY0",
            aws_secret_access_key="real-explicit-secret",
        ) as bedrock:
            seen = authorizations(bedrock)
            await bedrock.list_model_invocation_jobs()
        return seen

    [signature] = run(main)
    assert DUMMY_SCOPE in signature


def test_a_real_bearer_token_never_signs_a_faked_call(
    real_profiles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "real-bedrock-api-key")

    async def main() -> list[str]:
        async with client("bedrock") as bedrock:
            seen = authorizations(bedrock)
            await bedrock.list_model_invocation_jobs()
        return seen

    with fake_batchjobs():
        seen = run(main)
    assert seen == [f"Bearer {DUMMY_BEARER_TOKEN}"]


def test_the_patches_are_undone_when_the_fake_stops() -> None:
    originals = (
        aiobotocore.endpoint.AioEndpoint.__dict__["_send"],
        aiobotocore_session.AioSession.__dict__["_create_client"],
    )
    with fake_batchjobs():
        assert aiobotocore.endpoint.AioEndpoint.__dict__["_send"] is not originals[0]
    assert (
        aiobotocore.endpoint.AioEndpoint.__dict__["_send"],
        aiobotocore_session.AioSession.__dict__["_create_client"],
    ) == originals


# -- import order ---------------------------------------------------------------------------

IMPORTED_AFTER_THE_FAKE = """
import asyncio, sys
import pytest_batchjobs
assert "aiobotocore" not in sys.modules
with pytest_batchjobs.fake_batchjobs() as fake:
    assert "aiobotocore" not in sys.modules
    from aiobotocore.session import get_session

    async def main():
        async with get_session().create_client("bedrock", region_name="us-east-1") as bedrock:
            return await bedrock.list_model_invocation_jobs()

    print(asyncio.run(main())["invocationJobSummaries"], [c.transport for c in fake.calls])
"""


def test_aiobotocore_imported_after_the_fake_started_is_covered(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(IMPORTED_AFTER_THE_FAKE)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] ['aiobotocore']"


def test_loading_the_plugin_imports_no_aiobotocore(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_lazy="""
        import sys

        def test_lazy():
            assert "aiobotocore" not in sys.modules
            assert "pytest_batchjobs.transports.aiobotocore" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.asyncio
async def test_every_job_kind_through_aiobotocore(batchjobs_fake: BatchJobsFake) -> None:
    """SageMaker transform jobs (botocore's own waiter, on fake loop time), Bedrock async
    invocations and Personalize batch segment jobs: the transport is the same for every
    kind of the registry."""
    session = aiobotocore_session.get_session()
    async with (
        session.create_client("sagemaker", region_name="us-east-1") as sm,
        session.create_client("bedrock-runtime", region_name="us-east-1") as rt,
        session.create_client("personalize", region_name="us-east-1") as p,
    ):
        await sm.create_transform_job(
            TransformJobName="t1",
            ModelName="m",
            TransformInput={
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}}
            },
            TransformOutput={"S3OutputPath": "s3://out/"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )
        waiter = sm.get_waiter("transform_job_completed_or_stopped")
        await waiter.wait(TransformJobName="t1")
        assert (await sm.describe_transform_job(TransformJobName="t1"))[
            "TransformJobStatus"
        ] == "Completed"
        arn = (
            await rt.start_async_invoke(
                modelId="amazon.nova-reel-v1:0",
                modelInput={"a": 1},
                outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://out/reel"}},
            )
        )["invocationArn"]
        while (await rt.get_async_invoke(invocationArn=arn))["status"] == "InProgress":
            await asyncio.sleep(10)
        assert (await rt.get_async_invoke(invocationArn=arn))["status"] == "Completed"
        job = batchjobs_fake.personalize_segments.add_job(status="ACTIVE")
        listed = await p.list_batch_segment_jobs()
        assert [j["batchSegmentJobArn"] for j in listed["batchSegmentJobs"]] == [
            job["batchSegmentJobArn"]
        ]
    assert {c.transport for c in batchjobs_fake.calls} == {"aiobotocore"}
