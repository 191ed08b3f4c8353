"""Injected faults through botocore's real retry handler, in every retry mode."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from jobs import bedrock_job, personalize_job, wall_seconds

from pytest_batchjobs import BatchJobsFake

MODES = ["legacy", "standard", "adaptive"]


def client(service: str, mode: str = "standard", retries: int = 3) -> Any:
    config = Config(retries={"mode": mode, "max_attempts": retries})
    return boto3.client(service, region_name="us-east-1", config=config)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("ThrottlingException", 429),
        ("InternalServerException", 500),
        ("ServiceUnavailableException", 503),
    ],
)
def test_retried_errors_are_retried_as_botocore_promises(
    batchjobs_fake: BatchJobsFake, mode: str, error: str, status: int
) -> None:
    bedrock = client("bedrock", mode, retries=3)
    arn = bedrock_job(bedrock)
    batchjobs_fake.faults.fail("GetModelInvocationJob", error=error, times=2)
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert job["ResponseMetadata"]["RetryAttempts"] == 2
    gets = [c for c in batchjobs_fake.calls if c.operation == "GetModelInvocationJob"]
    assert [(c.error, c.status) for c in gets] == [(error, status), (error, status), (None, 200)]
    assert gets[0].fault == f"faults.fail('GetModelInvocationJob', error={error!r}, times=2)"


@pytest.mark.parametrize("mode", MODES)
def test_the_final_error_reaches_the_caller_after_exhaustion(
    batchjobs_fake: BatchJobsFake, mode: str
) -> None:
    bedrock = client("bedrock", mode, retries=4)
    batchjobs_fake.faults.fail("ListModelInvocationJobs", times=None)  # every call
    with pytest.raises(ClientError) as excinfo:
        bedrock.list_model_invocation_jobs()
    response = excinfo.value.response
    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["ResponseMetadata"]["RetryAttempts"] == 4
    assert batchjobs_fake.call_count("list_model_invocation_jobs") == 5  # 1 + 4 retries


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("error", ["ValidationException", "AccessDeniedException"])
def test_errors_botocore_does_not_retry_are_sent_once(
    batchjobs_fake: BatchJobsFake, mode: str, error: str
) -> None:
    bedrock = client("bedrock", mode, retries=5)
    batchjobs_fake.faults.fail("ListModelInvocationJobs", error=error, message="no way")
    with pytest.raises(ClientError) as excinfo:
        bedrock.list_model_invocation_jobs()
    assert excinfo.value.response["Error"] == {"Code": error, "Message": "no way"}
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert batchjobs_fake.call_count("ListModelInvocationJobs") == 1


@pytest.mark.parametrize("mode", MODES)
def test_personalize_json_errors_are_retried_too(batchjobs_fake: BatchJobsFake, mode: str) -> None:
    personalize = client("personalize", mode, retries=3)
    batchjobs_fake.faults.fail("DescribeBatchInferenceJob", error="ThrottlingException", times=1)
    batchjobs_fake.faults.fail("ListBatchInferenceJobs", error="InternalFailure", times=1)
    arn = personalize_job(personalize)
    described = personalize.describe_batch_inference_job(batchInferenceJobArn=arn)
    assert described["ResponseMetadata"]["RetryAttempts"] == 1
    listed = personalize.list_batch_inference_jobs()
    assert listed["ResponseMetadata"]["RetryAttempts"] == 1
    errors = [(c.operation, c.error, c.status) for c in batchjobs_fake.calls if c.error]
    assert errors == [
        ("DescribeBatchInferenceJob", "ThrottlingException", 400),
        ("ListBatchInferenceJobs", "InternalFailure", 500),
    ]


def test_five_retries_with_backoff_take_no_wall_time(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = client("bedrock", "standard", retries=5)
    batchjobs_fake.faults.fail("ListModelInvocationJobs", times=5)
    before_fake, before_wall = batchjobs_fake.clock.now(), wall_seconds()
    response = bedrock.list_model_invocation_jobs()
    assert response["ResponseMetadata"]["RetryAttempts"] == 5
    assert wall_seconds() - before_wall < 1.0
    assert batchjobs_fake.clock.now() > before_fake  # botocore's backoff slept, in fake time


def test_when_limits_a_fault_to_matching_calls(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    first, second = bedrock_job(bedrock, name="first"), bedrock_job(bedrock, name="second")
    batchjobs_fake.faults.fail(
        "get_model_invocation_job",
        error="AccessDeniedException",
        times=None,
        when={"jobIdentifier": second},
    )
    batchjobs_fake.faults.fail(
        "StopModelInvocationJob",
        error="ConflictException",
        when=lambda params: params["jobIdentifier"].endswith(first[-12:]),
    )
    assert bedrock.get_model_invocation_job(jobIdentifier=first)["jobName"] == "first"
    with pytest.raises(bedrock.exceptions.AccessDeniedException):
        bedrock.get_model_invocation_job(jobIdentifier=second)
    with pytest.raises(bedrock.exceptions.ConflictException):
        bedrock.stop_model_invocation_job(jobIdentifier=first)
    bedrock.stop_model_invocation_job(jobIdentifier=first)  # times=1: spent


def test_an_error_the_operation_cannot_return_fails_at_configuration(
    batchjobs_fake: BatchJobsFake,
) -> None:
    with pytest.raises(ValueError, match="bedrock GetModelInvocationJob cannot return") as excinfo:
        batchjobs_fake.faults.fail("GetModelInvocationJob", error="ServiceQuotaExceededException")
    assert "choose one of: AccessDeniedException, InternalServerException" in str(excinfo.value)
    with pytest.raises(ValueError, match="not an operation pytest-batchjobs fakes"):
        batchjobs_fake.faults.fail("GetFoundationModel")
    with pytest.raises(ValueError, match="times must be a positive integer"):
        batchjobs_fake.faults.fail("GetModelInvocationJob", times=0)


def test_tag_resource_faults_apply_to_the_service_named(batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.faults.fail("TagResource", error="TooManyTagsException", service="personalize")
    bedrock, personalize = client("bedrock"), client("personalize")
    arn = bedrock_job(bedrock)
    bedrock.tag_resource(resourceARN=arn, tags=[{"key": "a", "value": "b"}])
    with pytest.raises(personalize.exceptions.TooManyTagsException):
        personalize.tag_resource(
            resourceArn=personalize_job(personalize), tags=[{"tagKey": "a", "tagValue": "b"}]
        )


def test_a_client_that_ignores_throttling_is_caught(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = client("bedrock", "standard", retries=0)
    batchjobs_fake.faults.throttle("ListModelInvocationJobs", per_second=1, burst=2)
    bedrock.list_model_invocation_jobs()
    bedrock.list_model_invocation_jobs()
    with pytest.raises(ClientError, match="ThrottlingException"):
        bedrock.list_model_invocation_jobs()  # a tight loop: the bucket is empty


def test_a_client_with_backoff_passes_the_throttle(batchjobs_fake: BatchJobsFake) -> None:
    bedrock = client("bedrock", "standard", retries=0)
    batchjobs_fake.faults.throttle("ListModelInvocationJobs", per_second=2, burst=2)
    done = 0
    delay = 0.1
    while done < 20:
        try:
            bedrock.list_model_invocation_jobs()
            done += 1
            delay = 0.1
        except bedrock.exceptions.ThrottlingException:
            time.sleep(delay)
            delay *= 2
    throttled = [c for c in batchjobs_fake.calls if c.error == "ThrottlingException"]
    assert throttled  # the bucket did push back
    assert batchjobs_fake.clock.now() - throttled[0].time < dt.timedelta(seconds=30)


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_botocore_retries_absorb_a_throttle(batchjobs_fake: BatchJobsFake, mode: str) -> None:
    bedrock = client("bedrock", mode, retries=8)
    batchjobs_fake.faults.throttle("GetModelInvocationJob", per_second=1, burst=1)
    arn = bedrock_job(bedrock)
    started = wall_seconds()
    for _ in range(6):
        bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert wall_seconds() - started < 2.0
    assert batchjobs_fake.call_count("GetModelInvocationJob") > 6  # some were throttled


def test_chaos_is_reproducible_from_its_seed(batchjobs_fake: BatchJobsFake) -> None:
    def run(seed: int) -> list[str | None]:
        batchjobs_fake.reset()
        batchjobs_fake.faults.chaos(rate=0.4, seed=seed)
        bedrock = client("bedrock", "standard", retries=0)
        for _ in range(30):
            with contextlib.suppress(ClientError):
                bedrock.list_model_invocation_jobs()
        return [call.error for call in batchjobs_fake.calls]

    first, again, other = run(7), run(7), run(8)
    assert first == again
    assert first != other
    assert set(first) <= {
        None,
        "ThrottlingException",
        "InternalServerException",
        "ServiceUnavailableException",
    }
    assert 3 < sum(error is not None for error in first) < 25


@pytest.mark.parametrize(
    ("kind", "exception"),
    [
        ("connection_reset", botocore.exceptions.ConnectionClosedError),
        ("read_timeout", botocore.exceptions.ReadTimeoutError),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_broken_connections_are_retried_like_real_ones(
    batchjobs_fake: BatchJobsFake, kind: str, exception: type[Exception], mode: str
) -> None:
    bedrock = client("bedrock", mode, retries=2)
    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind=kind, times=2)
    response = bedrock.list_model_invocation_jobs()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind=kind, times=None)
    with pytest.raises(exception):
        bedrock.list_model_invocation_jobs()
    errors = [c.error for c in batchjobs_fake.calls]
    assert errors == [kind, kind, None, kind, kind, kind]


def test_a_load_balancer_502_page_is_retried_and_then_surfaces(
    batchjobs_fake: BatchJobsFake,
) -> None:
    bedrock = client("bedrock", "standard", retries=1)
    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind="bad_gateway", times=1)
    assert bedrock.list_model_invocation_jobs()["ResponseMetadata"]["RetryAttempts"] == 1
    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind="bad_gateway", times=None)
    with pytest.raises(ClientError) as excinfo:
        bedrock.list_model_invocation_jobs()
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert excinfo.value.response["Error"]["Code"] == "502"


def test_bedrock_quota_on_unfinished_jobs(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.bedrock.quota(max_active_jobs=2)
    bedrock_job(bedrock, name="one")
    bedrock_job(bedrock, name="two")
    with pytest.raises(bedrock.exceptions.ServiceQuotaExceededException) as excinfo:
        bedrock_job(bedrock, name="three")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "quota of 2" in excinfo.value.response["Error"]["Message"]
    batchjobs_fake.clock.advance(hours=2)  # both complete
    bedrock_job(bedrock, name="three")


def test_personalize_quota_is_retried_as_throttling_by_standard_mode(
    batchjobs_fake: BatchJobsFake,
) -> None:
    personalize = client("personalize", "standard", retries=2)
    batchjobs_fake.personalize.quota(max_active_jobs=1)
    personalize_job(personalize, name="first")
    with pytest.raises(personalize.exceptions.LimitExceededException) as excinfo:
        personalize_job(personalize, name="second")
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    legacy = client("personalize", "legacy", retries=2)
    with pytest.raises(legacy.exceptions.LimitExceededException) as excinfo:
        personalize_job(legacy, name="second")
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_clear_removes_every_fault(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.faults.fail("ListModelInvocationJobs", error="AccessDeniedException", times=None)
    batchjobs_fake.faults.throttle("ListModelInvocationJobs", per_second=1)
    assert len(batchjobs_fake.faults.rules) == 2
    batchjobs_fake.faults.clear()
    assert batchjobs_fake.faults.rules == []
    bedrock.list_model_invocation_jobs()


def test_assert_all_fired_names_each_rule_that_never_fired(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    fired = batchjobs_fake.faults.fail("ListModelInvocationJobs", error="ThrottlingException")
    batchjobs_fake.faults.fail("GetModelInvocationJob", error="AccessDeniedException")
    batchjobs_fake.faults.throttle("StopModelInvocationJob", per_second=1)
    client("bedrock").list_model_invocation_jobs()  # retried past the one throttle
    assert fired.fired == 1

    with pytest.raises(AssertionError) as raised:
        batchjobs_fake.faults.assert_all_fired()
    message = str(raised.value)
    assert message.startswith("2 of 3 fault rule(s) never fired:\n")
    assert "  faults.fail('GetModelInvocationJob', error='AccessDeniedException', times=1)\n" in (
        message
    )
    assert "  faults.throttle('StopModelInvocationJob', per_second=1, burst=1)\n" in message
    assert "ListModelInvocationJobs" not in message


def test_assert_all_fired_passes_once_every_rule_answered_a_call(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    batchjobs_fake.faults.assert_all_fired()  # no rules: nothing to prove
    batchjobs_fake.faults.fail("ListModelInvocationJobs", times=2)
    client("bedrock", retries=3).list_model_invocation_jobs()
    batchjobs_fake.faults.assert_all_fired()


@pytest.mark.parametrize(
    ("per_second", "burst"),
    [(float("nan"), 1), (float("inf"), 1), (0, 1), (1, 0), (1, 1.5), (True, 1)],
)
def test_a_throttle_that_could_never_work_is_refused(
    batchjobs_fake: BatchJobsFake, per_second: Any, burst: Any
) -> None:
    with pytest.raises(ValueError, match="finite per_second > 0 and an integer burst >= 1"):
        batchjobs_fake.faults.throttle(
            "ListModelInvocationJobs", per_second=per_second, burst=burst
        )
    assert batchjobs_fake.faults.rules == []


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), 0, 1.5, True])
def test_a_chaos_rate_outside_zero_to_one_is_refused(
    batchjobs_fake: BatchJobsFake, rate: Any
) -> None:
    with pytest.raises(ValueError, match=r"chaos rate must be a number in \(0, 1\]"):
        batchjobs_fake.faults.chaos(rate=rate)
