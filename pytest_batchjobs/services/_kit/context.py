"""Who calls, where and when: what every handler is given with a call's params."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ...wire.regions import partition_of

DEFAULT_ACCOUNT = "123456789012"


@dataclass(slots=True)
class CallContext:
    """Who calls, where, and when: fixed for the whole of one call."""

    account: str
    region: str
    now: _dt.datetime
    transport: str = "botocore"

    @property
    def partition(self) -> str:
        """The ARN partition of the region (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
        return partition_of(self.region) or "aws"


class NotOwned(Exception):
    """The call names a resource that is not a job of this fake (a tag operation on
    another kind of resource): moto may own it, when it is active."""
