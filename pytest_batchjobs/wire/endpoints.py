"""Which hosts are a faked service's endpoints, read from botocore's endpoint rules.

botocore builds a service's URL from its endpoint ruleset
(``<service>/<version>/endpoint-rule-set-1.json``) and the partitions
(``partitions.json``): ``https://bedrock.us-east-1.amazonaws.com``, the FIPS host
``bedrock-fips.…``, the dual-stack suffix ``api.aws``, ``amazonaws.com.cn`` in China,
and so on for every partition. Each of those URLs is ``<label>.<region>.<suffix>``.
Resolving the ruleset of each faked service (:mod:`.faked`) once per process for one
region of each partition, with FIPS and dual-stack on and off, gives every (label,
suffix) pair botocore can produce for the faked services (a label has as many parts as
the service's endpoint prefix: ``bedrock``, ``api.sagemaker``); a host is a faked
service's endpoint when it is ``<label>.<any region>.<suffix>`` or the region-less
``<label>.<suffix>``, however the URL spells it (any scheme, port, user info, letter
case, or a trailing dot).

Recognition runs on every request a transport sees, faked or not: it costs a URL split
and, for a host seen before, a cache lookup.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from urllib.parse import urlsplit

from .faked import FAKED
from .models import data_loader


@dataclass(frozen=True)
class ServiceEndpoint:
    """A faked service's endpoint, as a host names it."""

    service: str
    region: str | None  # None for the region-less host (``bedrock.amazonaws.com``)


@functools.lru_cache(maxsize=1024)
def endpoint_of_host(host: str) -> ServiceEndpoint | None:
    """The faked service whose endpoint ``host`` is, if it is one (cached: a client
    sends to the same few hosts again and again)."""
    labels = host.rstrip(".").lower().split(".")
    table, depths = _endpoint_table()
    for depth in depths:  # how many labels the service's own part of the host has
        label, rest = ".".join(labels[:depth]), labels[depth:]
        service = table.get((label, ".".join(rest)))
        if service is not None:
            return ServiceEndpoint(service, None)
        service = table.get((label, ".".join(rest[1:])))
        if service is not None and rest and rest[0]:
            return ServiceEndpoint(service, rest[0])
    return None


@functools.cache
def _endpoint_table() -> tuple[dict[tuple[str, str], str], tuple[int, ...]]:
    """(label, suffix) -> service, for every endpoint the rules can produce, and the
    numbers of labels the services' own parts of their hosts have (one for
    ``bedrock``, two for an endpoint prefix like ``api.sagemaker``).

    A region of each partition (its ``implicitGlobalRegion``) stands for all of them:
    the rules put the region in the host as it is given, and choose the suffix by the
    region's partition.
    """
    from botocore.endpoint_provider import EndpointProvider
    from botocore.exceptions import EndpointResolutionError

    loader = data_loader()
    partitions = loader.load_data("partitions")
    table: dict[tuple[str, str], str] = {}
    for spec in FAKED.services:
        ruleset = loader.load_service_model(spec.name, "endpoint-rule-set-1")
        rules = EndpointProvider(ruleset, partitions)
        for partition, (fips, dual_stack) in itertools.product(
            partitions["partitions"], itertools.product((False, True), repeat=2)
        ):
            region = partition["outputs"]["implicitGlobalRegion"]
            try:
                endpoint = rules.resolve_endpoint(
                    Region=region, UseFIPS=fips, UseDualStack=dual_stack
                )
            except EndpointResolutionError:  # this partition has no such endpoint
                continue
            host = str(urlsplit(endpoint.url).hostname)
            label, _, suffix = host.partition(f".{region}.")
            table[(label, suffix)] = spec.name
    depths = tuple(sorted({spec.endpoint_prefix.count(".") + 1 for spec in FAKED.services}))
    return table, depths


# Worked out from the faked services: forgotten when a service joins or leaves them.
FAKED.on_change(_endpoint_table.cache_clear)
FAKED.on_change(endpoint_of_host.cache_clear)
