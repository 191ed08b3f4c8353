"""What a request says about itself before it is routed: its service, its region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.registry import SERVICE_NAMES
from .models import service_model

if TYPE_CHECKING:
    from .messages import WireRequest


def guess_service(request: WireRequest) -> str:
    """The faked service a request that routes to no operation is most likely for, to
    answer it in that service's error format: a JSON 1.1 service when it names a target
    (the one whose target prefix it names, if any), else a REST-JSON one."""
    target = request.headers.get("x-amz-target")
    wanted = "rest-json" if target is None else "json"
    candidates = [name for name in SERVICE_NAMES if service_model(name).protocol == wanted]
    for name in candidates:
        prefix = service_model(name).metadata.get("targetPrefix")
        if target is not None and prefix and target.startswith(prefix + "."):
            return name
    return candidates[0] if candidates else SERVICE_NAMES[0]
