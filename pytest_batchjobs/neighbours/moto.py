"""moto, when a test uses it beside the fake: is its ``mock_aws`` active?

While it is, moto answers what the fake does not own (operations it does not fake,
tags of resources that are no job of its), its S3 holds jobs' inputs and outputs, and
its account id is the fake's default. Only ``sys.modules`` is read: moto is never
imported here.

What the plugin reads of moto (:data:`GUARD`, checked once moto is loaded beside an
active fake): ``moto.core.models``' ``botocore_stubber`` (its ``enabled``) and
``responses_mock``, and ``BotocoreStubber.__call__``, the ``before-send`` handler told
to skip the fake's answers. A missing one is an error: without it the fake cannot tell
whether ``mock_aws`` is active, and would answer what moto should, or leave it to
nothing.
"""

from __future__ import annotations

import sys
from typing import Any

from .guard import Guard


def _models() -> Any:
    return sys.modules["moto.core.models"]


GUARD = Guard(
    distribution="moto",
    oldest="5.2",
    reads={
        "moto.core.models.botocore_stubber.enabled": lambda: _models().botocore_stubber.enabled,
        "moto.core.models.responses_mock": lambda: _models().responses_mock,
        "moto.core.botocore_stubber.BotocoreStubber.__call__": lambda: (
            sys.modules["moto.core.botocore_stubber"].BotocoreStubber.__call__
        ),
    },
    fails=True,
    without="The fake cannot tell whether moto's mock_aws is active.",
)


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active."""
    moto = sys.modules.get("moto.core.models")
    return moto is not None and bool(getattr(moto.botocore_stubber, "enabled", False))


def responses_mock() -> Any:
    """moto's own ``responses`` mock (``mock_aws`` mocks ``requests`` with it), if moto
    is loaded; ``None`` otherwise."""
    moto = sys.modules.get("moto.core.models")
    return None if moto is None else getattr(moto, "responses_mock", None)
