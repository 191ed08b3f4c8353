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
its fork aioresponses-ng (the same ``aioresponses`` module). An older one fails the
fake's start with a message naming its version (:func:`check_version`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OLDEST = (0, 7, 7)


class UnsupportedAioresponsesError(RuntimeError):
    """The installed aioresponses is older than the plugin can stand beside."""


def check_version(version: str) -> None:
    """Raise :class:`UnsupportedAioresponsesError` for a release older than 0.7.7."""
    numbers = tuple(int(part) for part in version.split(".")[:3] if part.isdigit())
    if numbers < OLDEST:
        raise UnsupportedAioresponsesError(
            "pytest-batchjobs answers aiohttp beside aioresponses 0.7.7 or later (it relies "
            f"on passthrough_unmatched), and aioresponses {version} is installed: upgrade "
            "it (pip install 'aioresponses>=0.7.7')."
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
