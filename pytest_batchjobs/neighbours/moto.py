"""moto, when a test uses it beside the fake: is its ``mock_aws`` active?

While it is, moto answers what the fake does not own (operations it does not fake,
tags of resources that are no job of its), its S3 holds jobs' inputs and outputs, and
its account id is the fake's default. Only ``sys.modules`` is read: moto is never
imported here.
"""

from __future__ import annotations

import sys
from typing import Any


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active."""
    moto = sys.modules.get("moto.core.models")
    return moto is not None and bool(getattr(moto.botocore_stubber, "enabled", False))


def responses_mock() -> Any:
    """moto's own ``responses`` mock (``mock_aws`` mocks ``requests`` with it), if moto
    is loaded; ``None`` otherwise."""
    moto = sys.modules.get("moto.core.models")
    return None if moto is None else getattr(moto, "responses_mock", None)
