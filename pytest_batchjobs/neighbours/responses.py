"""responses: what the plugin knows of its mocks, to answer ``requests`` calls beside them.

The fake's own layer on ``HTTPAdapter.send`` is a ``RequestsMock`` started over the send
below it (``real_adapter_send``, responses' own parameter), whose ``_on_request`` the
fake overrides; a user's mock is found by its patch (``unbound_on_send()`` closes over
it), and asked whether it answers a request the way its registry asks its responses
(``registered()``, ``BaseResponse.matches``, after ``_parse_request_params``), without
taking one out of the registry.

A missing internal is an error (:data:`GUARD`): responses is the plugin's own
dependency, and without these the fake cannot answer ``requests`` calls at all (every
service request would be refused by responses, or find its way below), so the fake
refuses to start, with the pin that works, rather than fail each call obscurely.

This module imports responses: it is imported when a fake starts.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from responses import BaseResponse, RequestsMock

from .guard import Guard


def _constructor_takes_real_send() -> object:
    return inspect.signature(RequestsMock.__init__).parameters["real_adapter_send"]


def _patch_closes_over_its_mock() -> object:
    mock = RequestsMock(assert_all_requests_are_fired=False)
    if mock_in_closure(mock.unbound_on_send()) is not mock:
        raise AttributeError("unbound_on_send() no longer closes over its RequestsMock")
    return mock._real_send


GUARD = Guard(
    distribution="responses",
    oldest="0.24.1",
    reads={
        "RequestsMock(real_adapter_send=...)": _constructor_takes_real_send,
        "RequestsMock._on_request": lambda: RequestsMock._on_request,
        "RequestsMock._real_send and unbound_on_send()'s closure": _patch_closes_over_its_mock,
        "RequestsMock._parse_request_params": lambda: RequestsMock._parse_request_params,
        "RequestsMock.registered": lambda: RequestsMock.registered,
        "BaseResponse.matches": lambda: BaseResponse.matches,
        "BaseResponse.passthrough": lambda: BaseResponse.passthrough,
    },
    fails=True,
    without=(
        "The fake does not start: it answers requests calls as a responses mock, "
        "which it cannot without them."
    ),
)


def send_below(mock: RequestsMock) -> Callable[..., Any]:
    """The send ``mock`` was started over: what it passes requests down to."""
    send: Callable[..., Any] = mock._real_send
    return send


def mock_in_closure(send: Callable[..., Any]) -> RequestsMock | None:
    """The ``RequestsMock`` whose patch ``send`` is, if it is one (responses patches
    ``HTTPAdapter.send`` with a closure over the mock)."""
    return next(
        (
            cell.cell_contents
            for cell in getattr(send, "__closure__", None) or ()
            if isinstance(cell.cell_contents, RequestsMock)
        ),
        None,
    )


def user_mock_of(send: Callable[..., Any], *, layer_below: Callable[[Any], Any]) -> Any:
    """The user's ``RequestsMock`` whose patch ``send`` is, if it is one.

    Layers of the fake's left inert in the chain are looked through (``layer_below``
    tells what a layer passes calls to, ``None`` for anything else). Anything else (the
    real send, another library's patch) is no user mock: the fake answers.
    """
    while (below := layer_below(send)) is not None:
        send = below
    return mock_in_closure(send)


def answers_itself(mock: RequestsMock, request: Any, kwargs: dict[str, Any]) -> bool:
    """Whether ``mock`` has a response of its own (not a passthrough) for ``request``.

    Asks each registered response, as responses' registry does, without taking one out
    of the registry; first sets the request attributes responses' matchers read, as
    its ``_on_request`` does (a file-like body is read, as responses >= 0.25 reads it).
    """
    request.params = mock._parse_request_params(request.path_url)
    request.req_kwargs = kwargs
    if hasattr(request.body, "read"):
        request.body = request.body.read()
    return any(
        not registered.passthrough and registered.matches(request)[0]
        for registered in mock.registered()
    )
