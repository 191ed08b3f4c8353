"""Which hosts are a faked service's, compared as the resolver will see them.

:mod:`..wire.endpoints` knows the hosts botocore's endpoint rules produce, in ASCII.
A client may spell the same name otherwise: Python hands a ``str`` host to the system
resolver only after its ``idna`` codec (``encodings.idna``: IDNA 2003's nameprep, then
ToASCII, label by label) has mapped it, in ``socket.getaddrinfo``,
``socket.gethostbyname`` and ``http.client``'s ``Host`` header alike. So the name
in fullwidth letters, with fullwidth, ideographic or halfwidth full stops (U+FF0E,
U+3002, U+FF61) between its labels, or with a soft hyphen (U+00AD, mapped to nothing)
inside one, reaches DNS as ``bedrock.us-east-1.amazonaws.com``. A host is compared
here after that same mapping; one the codec refuses never reaches a resolver either.

The services' VPC endpoints (AWS PrivateLink) are theirs too: an interface endpoint's
own DNS names are ``<endpoint id>.<endpoint prefix>.<region>.vpce.<DNS suffix>``
(regional) and ``<endpoint id>-<zone>.…`` (zonal), as in
``vpce-0a1b2c3d4e5f60789-abcdefgh.bedrock-runtime.us-east-1.vpce.amazonaws.com`` or
``vpce-….api.sagemaker.eu-west-1.vpce.amazonaws.com`` (the PrivateLink guide's "DNS
hostnames"; the SageMaker developer guide's "Connect to SageMaker Within your VPC").
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from ..core.registry import SERVICES, on_change
from ..wire.endpoints import ServiceEndpoint, endpoint_of_host
from ..wire.models import data_loader

_VPC_ENDPOINT_ID = "vpce-"


def endpoint_of_url(url: str) -> ServiceEndpoint | None:
    """The faked service whose endpoint ``url``'s host is, however it is spelled."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # not a URL (an unclosed IPv6 bracket, say): nobody's endpoint
        return None
    return faked_endpoint(host) if host else None


@functools.lru_cache(maxsize=1024)
def faked_endpoint(host: str) -> ServiceEndpoint | None:
    """The faked service whose endpoint (public or VPC) ``host`` names, once mapped as
    the resolver will see it (cached: clients send to the same few hosts)."""
    name = resolved_name(host)
    if name is None:
        return None
    return endpoint_of_host(name) or vpc_endpoint_of_host(name)


def resolved_name(host: str) -> str | None:
    """``host`` as Python passes it to the system resolver (through the ``idna``
    codec), or ``None`` when the codec refuses it: then no lookup is made at all."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def vpc_endpoint_of_host(host: str) -> ServiceEndpoint | None:
    """The faked service whose interface VPC endpoint's DNS name ``host`` is."""
    labels = host.rstrip(".").lower().split(".")
    if len(labels) < 5 or not labels[0].startswith(_VPC_ENDPOINT_ID):
        return None
    prefixes, suffixes = _vpc_names()
    for depth in sorted({prefix.count(".") + 1 for prefix in prefixes}):
        service = prefixes.get(".".join(labels[1 : 1 + depth]))
        rest = labels[1 + depth :]
        if service is not None and len(rest) > 1 and rest[0] and ".".join(rest[1:]) in suffixes:
            return ServiceEndpoint(service, rest[0])
    return None


@functools.cache
def _vpc_names() -> tuple[dict[str, str], frozenset[str]]:
    """The services' endpoint prefixes (``api.sagemaker`` -> ``sagemaker``), and
    ``vpce.`` before the DNS suffix of every partition in botocore's data."""
    partitions = data_loader().load_data("partitions")["partitions"]
    suffixes = frozenset(f"vpce.{partition['outputs']['dnsSuffix']}" for partition in partitions)
    return {spec.endpoint_prefix: spec.name for spec in SERVICES}, suffixes


# Worked out from the registry: forgotten when a service joins or leaves it.
on_change(_vpc_names.cache_clear)
on_change(faked_endpoint.cache_clear)
