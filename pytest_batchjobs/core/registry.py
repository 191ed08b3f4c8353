"""The registry: every faked service and job kind, and the only list of them.

A service is a folder of :mod:`pytest_batchjobs.services` whose ``__init__`` declares
its :class:`~pytest_batchjobs.services._kit.spec.Service`; its job kinds are folders
inside it, each declaring a :class:`~pytest_batchjobs.services._kit.spec.JobKind`.
Adding a service is adding its folder and its line below; everything else (hosts,
routing, faults, pagination, the fake's attributes, the control API's paths) iterates
this registry.
"""

from __future__ import annotations

from ..services import bedrock, bedrock_runtime, personalize, sagemaker
from ..services._kit.spec import JobKind, Service

SERVICES: tuple[Service, ...] = (
    personalize.SERVICE,
    bedrock.SERVICE,
    sagemaker.SERVICE,
    bedrock_runtime.SERVICE,
)

SERVICE_NAMES = tuple(service.name for service in SERVICES)
KINDS: tuple[JobKind, ...] = tuple(kind for service in SERVICES for kind in service.kinds)
KIND_NAMES = tuple(kind.name for kind in KINDS)
LIST_OPERATIONS = tuple(kind.listing for kind in KINDS)

# Each faked service by the endpoint prefix its botocore clients send to.
ENDPOINT_PREFIXES = {service.endpoint_prefix: service.name for service in SERVICES}


def control_routes() -> dict[str, tuple[str, ...]]:
    """The control API's per-kind routes (``{kind}/jobs``, ...), by their last segment,
    and the kinds each exists for: every kind has jobs, a lifecycle and a quota, and
    some have more (:attr:`~pytest_batchjobs.services._kit.spec.JobKind.extra_controls`)."""
    routes: dict[str, tuple[str, ...]] = {
        "jobs": KIND_NAMES,
        "lifecycle": KIND_NAMES,
        "quota": KIND_NAMES,
    }
    for kind in KINDS:
        for extra in kind.extra_controls:
            routes[extra] = (*routes.get(extra, ()), kind.name)
    return routes
