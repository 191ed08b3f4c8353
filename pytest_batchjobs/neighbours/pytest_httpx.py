"""pytest_httpx: what the plugin knows of ``httpx_mock``, to answer httpx requests beside it.

The ``httpx_mock`` fixture patches httpx's two transport methods with closures over its
``mock`` (an ``HTTPXMock``), its ``options`` (whose ``should_mock`` says which requests
it takes) and the method it patched over (``real_handle_request`` /
``real_handle_async_request``). The mock answers through ``HTTPXMock._handle_request``
/ ``_handle_async_request``, which the fake wraps while active, and picks a response
as its ``_get_callback`` does: the first matcher in ``_callbacks`` that matches and has
not been used, else the last that matches if it may be reused (``is_reusable``, or the
``can_send_already_matched_responses`` option before 0.34).

A missing internal is a warning (:data:`GUARD`), not an error: pytest_httpx registers
its plugin in every pytest run where it is installed, so failing would fail every test
that uses the fake, even those that never use ``httpx_mock``; and without these
internals the user's mock simply takes the service requests it sees, answering or
failing them loudly as unexpected, so nothing reaches the network.

This module imports pytest_httpx: it is imported once pytest_httpx's mock is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_httpx._httpx_mock import HTTPXMock

from .guard import Guard

GUARD = Guard(
    distribution="pytest-httpx",
    oldest="0.33",
    reads={
        "HTTPXMock._handle_request": lambda: HTTPXMock._handle_request,
        "HTTPXMock._handle_async_request": lambda: HTTPXMock._handle_async_request,
    },
    fails=False,
    without=(
        "Until it is fixed, httpx_mock takes every service request it sees: one it has "
        "no response for fails as unexpected instead of being answered by the fake."
    ),
)

MOCK = HTTPXMock
HANDLERS = ("_handle_request", "_handle_async_request")
"""The methods of :data:`MOCK` every ``httpx_mock`` answers through."""

_PATCHES = {  # the fixture's patches, and the variables each closes over
    "mocked_handle_request": ("mock", "options", "real_handle_request"),
    "mocked_handle_async_request": ("mock", "options", "real_handle_async_request"),
}


def mocks_below(send: Any, request: Any, *, layer_below: Callable[[Any], Any]) -> bool:
    """Whether ``send`` (what the fake's layer patched over) is ``httpx_mock``'s patch
    and takes ``request`` (its ``should_mock`` says so). A patch that does not passes
    the request on to what it patched over, which is looked at in turn; layers of the
    fake's left inert are looked through (``layer_below``: what a layer passes calls
    to, ``None`` for anything else)."""
    while send is not None:
        below = layer_below(send)
        if below is not None:
            send = below
            continue
        if not str(getattr(send, "__module__", "")).startswith("pytest_httpx"):
            return False
        name = getattr(send, "__name__", "")
        cells = _closure_of(send)
        required = _PATCHES.get(name, ("mock", "options", "real_handle_request"))
        missing = [variable for variable in required if variable not in cells]
        should_mock = getattr(cells.get("options"), "should_mock", None)
        if missing or should_mock is None or not isinstance(cells["mock"], HTTPXMock):
            GUARD.changed(
                [f"the httpx_mock fixture's patch {name!r} closing over {', '.join(required)}"]
            )
            return True  # the user's mock takes it: answered or failed loudly
        if should_mock(request):
            return True
        send = cells[required[2]]
    return False


def registered_response_for(mock: Any, transport: Any, request: Any) -> bool:
    """Whether ``mock`` has a response to send ``request``, decided as its own
    ``_get_callback`` decides, without counting the match.

    If these internals are missing, the user's mock is assumed to answer: it then
    answers or fails loudly as unexpected, and nothing leaves the machine.
    """
    try:
        matched = [matcher for matcher, _ in mock._callbacks if matcher.match(transport, request)]
        if not matched:
            return False
        if any(not matcher.nb_calls for matcher in matched):
            return True
        return bool(_reusable(mock, matched[-1]))
    except AttributeError as error:
        GUARD.changed([f"HTTPXMock._callbacks and its matchers ({error})"])
        return True


def _reusable(mock: Any, matcher: Any) -> object:
    """Whether an already used ``matcher`` may answer again: its own ``is_reusable``
    (0.34 on), else the mock's ``can_send_already_matched_responses`` option."""
    if hasattr(matcher, "is_reusable"):
        return matcher.is_reusable
    return mock._options.can_send_already_matched_responses


def _closure_of(function: Any) -> dict[str, Any]:
    """The free variables of ``function`` by name (empty cells left out)."""
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None) or ()
    if code is None:
        return {}
    values: dict[str, Any] = {}
    for name, cell in zip(code.co_freevars, closure, strict=False):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # an empty cell
            continue
    return values
