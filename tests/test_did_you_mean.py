"""A misspelt name is refused at once, naming the nearest valid one ("did you mean").

Through the Python API (faults, the journal's helpers, pagination's assertions) and
the control API (its fault routes), with one function behind them all
(``policies/operations.py``): names are compared case-insensitively and across
snake_case and PascalCase, and the suggestion is written in the casing the user wrote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.arguments import did_you_mean, nearest
from pytest_batchjobs.transports.server.control import ControlAPI

BEDROCK = (
    "CreateModelInvocationJob (create_model_invocation_job), "
    "GetModelInvocationJob (get_model_invocation_job), "
    "ListModelInvocationJobs (list_model_invocation_jobs), "
    "ListTagsForResource (list_tags_for_resource), "
    "StopModelInvocationJob (stop_model_invocation_job), "
    "TagResource (tag_resource), UntagResource (untag_resource)"
)


def refused(call: Callable[[], Any]) -> str:
    """The message of the ValueError ``call`` raises, which names the valid choices."""
    valid = r"valid ones|its operations|choose|the services are|its members"
    with pytest.raises(ValueError, match=valid) as excinfo:
        call()
    return str(excinfo.value)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("GetModelInvocationJobs", "'GetModelInvocationJob'"),
        ("getModelInvocationJob", "'GetModelInvocationJob'"),
        ("get_model_invocation_jobs", "'get_model_invocation_job'"),
        ("getmodelinvocationjob", "'get_model_invocation_job'"),
        ("DescribeBatchInferenceJobs", "'DescribeBatchInferenceJob'"),
        ("list_async_invoke", "'list_async_invokes'"),
    ],
)
def test_a_misspelt_operation_names_the_nearest_in_the_users_casing(
    batchjobs_fake: BatchJobsFake, typed: str, meant: str
) -> None:
    message = refused(lambda: batchjobs_fake.faults.fail(typed))
    assert message.startswith(
        f"{typed!r} is not an operation pytest-batchjobs fakes (did you mean {meant}?); "
        "valid ones: "
    )


def test_a_name_near_none_lists_the_valid_ones_only(batchjobs_fake: BatchJobsFake) -> None:
    message = refused(lambda: batchjobs_fake.faults.fail("GetFoundationModel"))
    assert "did you mean" not in message
    assert message.startswith(
        "'GetFoundationModel' is not an operation pytest-batchjobs fakes; valid ones: "
    )


def test_every_helper_that_takes_an_operation_suggests(batchjobs_fake: BatchJobsFake) -> None:
    fake = batchjobs_fake
    helpers: dict[str, Callable[[], Any]] = {
        "faults.fail": lambda: fake.faults.fail("GetModelInvocationJobs"),
        "faults.throttle": lambda: fake.faults.throttle("GetModelInvocationJobs", per_second=1),
        "faults.transport": lambda: fake.faults.transport("GetModelInvocationJobs"),
        "assert_called": lambda: fake.assert_called("GetModelInvocationJobs"),
        "assert_not_called": lambda: fake.assert_not_called("GetModelInvocationJobs"),
        "call_count": lambda: fake.call_count("GetModelInvocationJobs"),
    }
    for helper, call in helpers.items():
        assert "(did you mean 'GetModelInvocationJob'?)" in refused(call), helper


def test_pagination_suggests_among_the_list_operations(batchjobs_fake: BatchJobsFake) -> None:
    pagination = batchjobs_fake.pagination
    for call in (
        lambda: pagination.assert_exhausted("ListModelInvocationJob"),
        lambda: pagination.assert_max_results("ListModelInvocationJob", 10),
    ):
        message = refused(call)
        assert message.startswith(
            "'ListModelInvocationJob' is not a list operation pytest-batchjobs fakes "
            "(did you mean 'ListModelInvocationJobs'?); valid ones: ListAsyncInvokes"
        )
    # A real operation that lists nothing is named as what it is not.
    message = refused(lambda: pagination.assert_exhausted("GetModelInvocationJob"))
    assert message.startswith("'GetModelInvocationJob' is not a list operation")


def test_a_named_service_suggests_among_its_own_operations(
    batchjobs_fake: BatchJobsFake,
) -> None:
    faults = batchjobs_fake.faults
    message = refused(lambda: faults.fail("GetModelInvocationJobs", service="bedrock"))
    assert message == (
        "bedrock has no operation 'GetModelInvocationJobs' (did you mean "
        f"'GetModelInvocationJob'?); its operations: {BEDROCK}"
    )
    message = refused(lambda: faults.valid_errors("bedrock", "stop_model_invocation_jobs"))
    assert message.startswith(
        "bedrock has no operation 'stop_model_invocation_jobs' (did you mean "
        "'stop_model_invocation_job'?); its operations: "
    )
    message = refused(lambda: faults.fail("TagResource", service="Bedrock"))
    assert message.startswith("'Bedrock' is not a faked service (did you mean 'bedrock'?); ")
    message = refused(lambda: faults.valid_errors("personalise", "TagResource"))
    assert message == (
        "valid_errors(): 'personalise' is not a faked service (did you mean 'personalize'?); "
        "the services are personalize, bedrock, sagemaker, bedrock-runtime"
    )


def test_other_names_a_rule_takes_suggest_too(batchjobs_fake: BatchJobsFake) -> None:
    faults = batchjobs_fake.faults
    message = refused(lambda: faults.fail("GetModelInvocationJob", error="ThrottlingError"))
    assert message.startswith(
        "bedrock GetModelInvocationJob cannot return 'ThrottlingError' (did you mean "
        "'ThrottlingException'?); choose one of: AccessDeniedException, "
    )
    message = refused(lambda: faults.transport("GetModelInvocationJob", kind="connection-reset"))
    assert message == (
        "unknown transport fault 'connection-reset' (did you mean 'connection_reset'?); "
        "choose one of: connection_reset, read_timeout, bad_gateway"
    )
    message = refused(lambda: faults.chaos(0.5, errors=["InternalServerError"]))
    assert message.startswith(
        "chaos errors InternalServerError are returned by no faked operation (did you mean "
        "'InternalServerException'?); choose among: "
    )
    message = refused(
        lambda: faults.fail("GetModelInvocationJob", when={"jobIdentifer": "x"}),
    )
    assert message.startswith(
        "faults.fail() when: key 'jobIdentifer' is not a member of GetModelInvocationJob's "
        "request, so the rule would never fire (did you mean 'jobIdentifier'?); "
    )


def post(api: ControlAPI, path: str, body: dict[str, Any]) -> tuple[int, str]:
    status, answer = api.handle("POST", f"/_batchjobs/{path}", json.dumps(body).encode())
    return status, str(answer.get("error"))


@pytest.mark.parametrize("route", ["faults/fail", "faults/throttle", "faults/transport"])
def test_the_control_api_suggests_as_python_does(batchjobs_fake: BatchJobsFake, route: str) -> None:
    api = ControlAPI(batchjobs_fake)
    body: dict[str, Any] = {"operation": "list_model_invocation_job"}
    if route == "faults/throttle":
        body["per_second"] = 1
    status, error = post(api, route, body)
    assert status == 400
    assert error.startswith(
        "'list_model_invocation_job' is not an operation pytest-batchjobs fakes "
        "(did you mean 'list_model_invocation_jobs'?); valid ones: "
    )
    status, error = post(api, route, {**body, "service": "bedrock"})
    assert status == 400
    assert error == (
        "bedrock has no operation 'list_model_invocation_job' (did you mean "
        f"'list_model_invocation_jobs'?); its operations: {BEDROCK}"
    )


def test_the_control_api_suggests_an_error_code(batchjobs_fake: BatchJobsFake) -> None:
    api = ControlAPI(batchjobs_fake)
    status, error = post(
        api, "faults/fail", {"operation": "ListBatchInferenceJobs", "error": "InvalidNextToken"}
    )
    assert status == 400
    assert re.match(
        r"personalize ListBatchInferenceJobs cannot return 'InvalidNextToken' \(did you mean "
        r"'InvalidNextTokenException'\?\); choose one of: ",
        error,
    ), error


@pytest.mark.parametrize(
    ("typed", "choices", "meant"),
    [
        ("CREATE_FAILED", ["ACTIVE", "CREATE FAILED", "CREATE PENDING"], ["CREATE FAILED"]),
        ("Bedrock", ["bedrock", "bedrock_async", "personalize"], ["bedrock"]),
        ("personalize-segments", ["personalize", "personalize_segments"], ["personalize_segments"]),
        ("in progress", ["InProgress", "Completed", "Failed"], ["InProgress"]),
        ("Running", ["InProgress", "Completed", "Failed"], []),
    ],
)
def test_one_function_serves_kinds_and_status_words(
    typed: str, choices: list[str], meant: list[str]
) -> None:
    assert nearest(typed, choices) == meant


def test_a_typo_names_its_one_nearest_not_every_similar_name() -> None:
    operations = [
        "CreateModelInvocationJob",
        "GetModelInvocationJob",
        "ListModelInvocationJobs",
        "StopModelInvocationJob",
    ]
    assert nearest("GetModelInvocationJobs", operations) == ["GetModelInvocationJob"]
    assert did_you_mean("x is not a kind", 3, ["a"], "the kinds are a") == (
        "x is not a kind; the kinds are a"
    )


def test_kinds_services_options_and_clocks_are_suggested_too(
    batchjobs_fake: BatchJobsFake,
) -> None:
    from pytest_batchjobs import fake_batchjobs
    from pytest_batchjobs.explore.scenario import from_replay
    from pytest_batchjobs.options import FakeOptions

    with pytest.raises(ValueError, match=r"'Bedrock' is not a faked service \(did you mean "):
        batchjobs_fake.faked_operations("Bedrock")
    with pytest.raises(
        ValueError, match=r"'sagemakr' is not a job kind \(did you mean 'sagemaker'"
    ):
        batchjobs_fake.statuses_seen("sagemakr")
    with pytest.raises(TypeError, match=r"unknown option\(s\) horizn \(did you mean 'horizon'\?\)"):
        FakeOptions.of(horizn=60)
    with pytest.raises(
        ValueError, match=r"'freezgun' is not one of .* \(did you mean 'freezegun'\?\)$"
    ):
        fake_batchjobs(clock="freezgun")
    with pytest.raises(ValueError, match=r"'bedrok' is not a job kind \(did you mean 'bedrock'"):
        from_replay({"jobs": {"bedrok": []}}, {"bedrock": ("Completed",)})


def test_a_misspelt_event_status_is_refused_not_waited_for(batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(ValueError, match=r"status='Complete' .* \(did you mean 'Completed'\?\)"):
        batchjobs_fake.assert_event(status="Complete")
    with pytest.raises(ValueError, match=r"status='in progress' .* \(did you mean 'InProgress'"):
        batchjobs_fake.on_event(lambda event: None, status="in progress")


def test_the_journal_refuses_a_service_it_never_records(batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(ValueError, match=r"service='Bedrock' .* \(did you mean 'bedrock'\?\)"):
        batchjobs_fake.assert_not_called("TagResource", service="Bedrock")
    batchjobs_fake.assert_not_called("TagResource", service="bedrock")


def test_the_control_api_suggests_the_nearest_kind(batchjobs_fake: BatchJobsFake) -> None:
    control = ControlAPI(batchjobs_fake)
    status, document = control.handle("POST", "/_batchjobs/bedrok/jobs", b"{}")
    assert status == 404
    assert "unknown job kind 'bedrok' in /_batchjobs/bedrok/jobs (did you mean 'bedrock'" in (
        json.dumps(document)
    )
