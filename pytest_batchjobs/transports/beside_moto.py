"""moto's ``before-send`` handler leaves alone what the fake answered.

botocore emits ``before-send`` to every handler, even after one has answered, so
moto's handler (``BotocoreStubber``) would still run, and raise for the operations
moto does not implement. While a fake is active, once moto is loaded, its handler skips
the requests the botocore adapter marked as answered (:data:`.botocore.ANSWERED`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from ..neighbours import moto
from .botocore import ANSWERED
from .interceptor import Interceptor, Patch


class BesideMoto(Interceptor):
    """Not a client: moto's botocore stubber, told to skip the fake's answers."""

    def patches(self) -> Iterable[Patch]:
        moto.GUARD.check()
        stubber = import_module("moto.core.botocore_stubber").BotocoreStubber
        return [Patch(stubber, "__call__", _skipping_answered)]


def _skipping_answered(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __call__(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if getattr(request, ANSWERED, False):
            return None
        return original(stubber, event_name, request, **kwargs)

    return __call__


INTERCEPTOR = BesideMoto()
