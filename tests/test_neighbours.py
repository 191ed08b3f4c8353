"""The version guards of the libraries the plugin lives beside (pytest_batchjobs/neighbours):
an internal the plugin reads gone from a release is reported by name, with the installed
version and the pin that fixes it: an error for responses (the fake cannot answer
``requests`` calls without it), a warning for respx and pytest_httpx (the fake works on
and nothing reaches the network)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import requests
import responses
from pytest_httpx._httpx_mock import HTTPXMock
from respx.mocks import Mocker

from pytest_batchjobs import fake_batchjobs
from pytest_batchjobs.neighbours import pytest_httpx as beside_pytest_httpx
from pytest_batchjobs.neighbours import responses as beside_responses
from pytest_batchjobs.neighbours import respx as beside_respx
from pytest_batchjobs.neighbours.guard import (
    Guard,
    NeighbourChangedError,
    NeighbourChangedWarning,
)

BEDROCK = "https://bedrock.us-east-1.amazonaws.com"


def unchecked(monkeypatch: pytest.MonkeyPatch, guard: Guard) -> None:
    """``guard`` as before its first check in this process (a check passes once)."""
    monkeypatch.setattr(guard, "_sound", None)
    monkeypatch.setattr(guard, "_warned", set())


def test_every_guard_passes_on_the_installed_releases() -> None:
    for guard in (beside_responses.GUARD, beside_respx.GUARD, beside_pytest_httpx.GUARD):
        assert guard.missing() == [], guard.distribution


def test_a_responses_internal_gone_stops_the_fake_from_starting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unchecked(monkeypatch, beside_responses.GUARD)
    monkeypatch.delattr(responses.RequestsMock, "_parse_request_params")
    installed = version("responses")
    with pytest.raises(NeighbourChangedError) as raised, fake_batchjobs():
        pass  # pragma: no cover (the fake does not start)
    assert str(raised.value) == (
        f"pytest-batchjobs cannot stand beside responses {installed}: it reads "
        f"RequestsMock._parse_request_params, which responses {installed} no longer has.\n"
        "The fake does not start: it answers requests calls as a responses mock, which it "
        "cannot without them.\n"
        f'Fix: pin responses below this release (pip install "responses>=0.24.1,<{installed}"), '
        "and report it to pytest-batchjobs with this message (supported: responses >= "
        "0.24.1, README: Installing)."
    )
    monkeypatch.undo()
    with fake_batchjobs() as fake:  # nothing of the failed start is left behind
        assert requests.get(f"{BEDROCK}/model-invocation-jobs", timeout=5).status_code == 200
    assert fake.call_count("ListModelInvocationJobs") == 1


def test_responses_patch_that_no_longer_closes_over_its_mock_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        responses.RequestsMock, "unbound_on_send", lambda mock: lambda *args, **kwargs: None
    )
    assert beside_responses.GUARD.missing() == [
        "RequestsMock._real_send and unbound_on_send()'s closure"
    ]


def test_a_pytest_httpx_handler_gone_warns_and_the_fake_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unchecked(monkeypatch, beside_pytest_httpx.GUARD)
    monkeypatch.delattr(HTTPXMock, "_handle_async_request")
    with pytest.warns(NeighbourChangedWarning) as warned, fake_batchjobs() as fake:
        response = httpx.get(f"{BEDROCK}/model-invocation-jobs")
    assert response.status_code == 200
    assert fake.call_count("ListModelInvocationJobs") == 1
    [message] = [str(warning.message) for warning in warned]
    installed = version("pytest-httpx")
    assert message.startswith(
        f"pytest-batchjobs cannot stand beside pytest-httpx {installed}: it reads "
        f"HTTPXMock._handle_async_request, which pytest-httpx {installed} no longer has.\n"
        "Until it is fixed, httpx_mock takes every service request it sees"
    )
    assert f'pip install "pytest-httpx>=0.33,<{installed}"' in message


def test_a_changed_httpx_mock_patch_is_named_once_and_left_to_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unchecked(monkeypatch, beside_pytest_httpx.GUARD)

    def mocked_handle_request(transport: Any, request: Any) -> Any:  # no closure at all
        raise AssertionError("never called")

    monkeypatch.setattr(mocked_handle_request, "__module__", "pytest_httpx")
    request = httpx.Request("GET", f"{BEDROCK}/model-invocation-jobs")
    with pytest.warns(NeighbourChangedWarning, match="closing over mock, options") as warned:
        taken = [
            beside_pytest_httpx.mocks_below(
                mocked_handle_request, request, layer_below=lambda send: None
            )
            for _ in range(2)
        ]
    assert taken == [True, True]  # the user's mock takes it: answered or failed loudly
    assert len(warned) == 1


def test_httpx_mock_matchers_changed_leave_the_request_to_the_users_mock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unchecked(monkeypatch, beside_pytest_httpx.GUARD)
    request = httpx.Request("GET", f"{BEDROCK}/model-invocation-jobs")
    with pytest.warns(NeighbourChangedWarning, match=re.escape("HTTPXMock._callbacks")):
        assert beside_pytest_httpx.registered_response_for(object(), None, request)


@pytest.mark.parametrize(
    ("layout", "reusable"),
    [("matcher", True), ("matcher", False), ("options", True), ("options", False)],
)
def test_a_used_httpx_mock_response_answers_again_only_if_reusable(
    layout: str, reusable: bool
) -> None:
    """pytest_httpx 0.34 on asks the matcher (``is_reusable``); 0.33 asks the mock's
    ``can_send_already_matched_responses`` option."""
    matcher = SimpleNamespace(nb_calls=1, match=lambda transport, request: True)
    options = SimpleNamespace(can_send_already_matched_responses=reusable)
    if layout == "matcher":
        matcher.is_reusable = reusable
    mock = SimpleNamespace(_callbacks=[(matcher, None)], _options=options)
    request = httpx.Request("GET", f"{BEDROCK}/model-invocation-jobs")
    assert beside_pytest_httpx.registered_response_for(mock, None, request) is reusable


def test_a_respx_internal_gone_warns_and_the_fake_takes_the_services(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unchecked(monkeypatch, beside_respx.GUARD)
    monkeypatch.delattr(Mocker, "registry")
    request = httpx.Request("GET", f"{BEDROCK}/model-invocation-jobs")
    with pytest.warns(NeighbourChangedWarning, match="it reads Mocker.registry, Mocker.routers"):
        assert not beside_respx.has_route_for(request)
    assert not beside_respx.has_route_for(request)  # warned once


def test_no_guard_runs_or_loads_at_import() -> None:
    guarded = ("guard", "responses", "respx", "pytest_httpx")
    code = (
        "import sys, pytest_batchjobs.plugin, pytest_batchjobs\n"
        f"print([m for m in {guarded} if 'pytest_batchjobs.neighbours.' + m in sys.modules])"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_a_moto_without_an_internal_the_fake_reads_is_named_at_the_fakes_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import moto
    import moto.core.models

    from pytest_batchjobs import fake_batchjobs
    from pytest_batchjobs.neighbours import moto as neighbour
    from pytest_batchjobs.neighbours.guard import NeighbourChangedError

    monkeypatch.delattr(moto.core.models, "responses_mock")
    monkeypatch.setattr(neighbour.GUARD, "_sound", None)
    with pytest.raises(NeighbourChangedError) as raised, fake_batchjobs():
        pass
    assert "it reads moto.core.models.responses_mock, which moto" in str(raised.value)
    assert 'pip install "moto>=5.2,<' in str(raised.value)
    monkeypatch.undo()
    neighbour.GUARD._sound = None
    with fake_batchjobs():
        assert neighbour.GUARD.check()
