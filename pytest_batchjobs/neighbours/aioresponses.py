"""What the plugin knows of aioresponses, a user's mock of aiohttp, to stand beside it.

A started ``aioresponses()`` replaces ``ClientSession._request``, above the connection
on which the fake answers aiohttp. It answers a request with the first of its responses
that matches (its ``match``) and refuses any other ("Connection refused"), unless it was
made with ``passthrough_unmatched=True``: then it sends the request on through aiohttp.
So, while a fake is active, a request for a faked service that none of the mock's
responses matches is passed through as if ``passthrough_unmatched`` were set, for that
request alone, and the fake answers it (:func:`passing_unmatched`). A URL the user mocked
is the mock's, whether the mock started before or after the fake. The mock lists the
call among its ``requests``, as it does any request it passes on.

Supported: aioresponses 0.7.7 and later (``passthrough_unmatched`` came in 0.7.7), and
its fork aioresponses-ng (the same ``aioresponses`` module). What it reads is checked
once aioresponses is loaded beside an active fake (:data:`GUARD`, by the feature, not
the version the module reports: 0.7.7's ``__version__`` says 0.7.6). A missing one is a
warning: the user's mock then refuses the service requests it has no response for
("Connection refused"), loudly, and nothing reaches the network.

This module imports aioresponses: it is imported once aioresponses is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aioresponses import aioresponses as _Mock

from .guard import Guard


def _takes_passthrough_unmatched() -> object:
    """A mock made (not started) with ``passthrough_unmatched``, read back."""
    return _Mock(passthrough_unmatched=True).passthrough_unmatched


GUARD = Guard(
    distribution="aioresponses",
    oldest="0.7.7",
    reads={
        "aioresponses.match": lambda: _Mock.match,
        "aioresponses(passthrough_unmatched=...)": _takes_passthrough_unmatched,
    },
    fails=False,
    without=(
        "The fake leaves aioresponses alone: a started aioresponses mock refuses the "
        "faked services' requests it has no response for."
    ),
)


def passing_unmatched(answers: Callable[[str], bool]) -> Callable[[Any], Any]:
    """What wraps ``aioresponses.match``: a request no mocked response matches is passed
    through when ``answers(url)`` (the active fake answers that URL)."""

    def wrap(original: Any) -> Any:
        async def match(mock: Any, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
            response = await original(mock, method, url, *args, **kwargs)
            if response is None and answers(str(url)):
                mock.passthrough_unmatched = _ThisRequest(mock, mock.passthrough_unmatched)
            return response

        return match

    return wrap


class _ThisRequest:
    """``passthrough_unmatched`` for the one read aioresponses makes of it, right after
    ``match`` found no response (nothing runs in between: no ``await``): true, and the
    user's own value is back at once."""

    def __init__(self, mock: Any, own: object) -> None:
        self._mock = mock
        self._own: object = own._own if isinstance(own, _ThisRequest) else own

    def __bool__(self) -> bool:
        self._mock.passthrough_unmatched = self._own
        return True
