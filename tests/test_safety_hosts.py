"""Safety: a faked service's host is recognised however it is spelled for the resolver
(IDNA mapping: fullwidth letters, ideographic or fullwidth full stops, a soft hyphen)
and at its VPC endpoints (AWS PrivateLink's endpoint-specific DNS names): such a
request is answered where the transport answers the service, or refused before any
lookup; no name of the service reaches the resolver underneath the fake's guard."""

from __future__ import annotations

import http.client
import socket
import urllib.request
from typing import Any

import httpx
import pytest
import requests

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.transports.hosts import faked_endpoint, resolved_name
from pytest_batchjobs.transports.lookups import FakedHostLookupError
from pytest_batchjobs.wire.endpoints import ServiceEndpoint

FULLWIDTH = "".join(chr(0xFF41 + ord(letter) - ord("a")) for letter in "bedrock")
SPELLINGS = {  # each reaches the resolver as bedrock.us-east-1.amazonaws.com
    "fullwidth letters and stops": f"{FULLWIDTH}\uff0eus-east-1\uff0eamazonaws\uff0ecom",
    "ideographic stops": "bedrock\u3002us-east-1\uff61amazonaws.com",
    "soft hyphen": "bed\u00adrock.us-east-1.amazonaws.com",
    "trailing ideographic stop": "bedrock.us-east-1.amazonaws.com\u3002",
}
VPC_ENDPOINTS = {  # as AWS PrivateLink names an interface endpoint, regional and zonal
    "vpce-0a1b2c3d4e5f60789-abcdefgh.bedrock.us-east-1.vpce.amazonaws.com": (
        "bedrock",
        "us-east-1",
    ),
    "vpce-0a1b2c3d4e5f60789-abcdefgh-us-east-1a.bedrock-runtime.us-east-1.vpce.amazonaws.com": (
        "bedrock-runtime",
        "us-east-1",
    ),
    "vpce-0a1b2c3d4e5f60789-abcdefgh.personalize.eu-west-1.vpce.amazonaws.com": (
        "personalize",
        "eu-west-1",
    ),
    "vpce-0a1b2c3d4e5f60789-abcdefgh.api.sagemaker.us-west-2.vpce.amazonaws.com": (
        "sagemaker",
        "us-west-2",
    ),
    "vpce-0a1b2c3d4e5f60789-abcdefgh.bedrock.cn-north-1.vpce.amazonaws.com.cn": (
        "bedrock",
        "cn-north-1",
    ),
}
NOT_FAKED = [
    "vpce-0a1b2c3d4e5f60789-abcdefgh.runtime.sagemaker.us-east-1.vpce.amazonaws.com",
    "vpce-0a1b2c3d4e5f60789-abcdefgh.bedrock-agent.us-east-1.vpce.amazonaws.com",
    "vpce-0a1b2c3d4e5f60789-abcdefgh.s3.us-east-1.vpce.amazonaws.com",
    "bedrock.us-east-1.vpce.amazonaws.com",  # no endpoint id
    "vpce-0a1b2c3d4e5f60789-abcdefgh.bedrock.us-east-1.example.com",
    "bedrock\u3002example\uff0ecom",
]


@pytest.fixture
def underneath(socket_guard: list[Any], batchjobs_fake: BatchJobsFake) -> list[Any]:
    """What gets past the fake's lookup guard: conftest's socket guard, put in place
    before the fake so that the fake's guard sits on top of it."""
    return socket_guard


def test_hosts_are_compared_as_python_hands_them_to_the_resolver() -> None:
    for host in SPELLINGS.values():
        assert resolved_name(host) in {
            "bedrock.us-east-1.amazonaws.com",
            "bedrock.us-east-1.amazonaws.com.",
        }
        assert faked_endpoint(host) == ServiceEndpoint("bedrock", "us-east-1"), host
    for host, (service, region) in VPC_ENDPOINTS.items():
        assert faked_endpoint(host) == ServiceEndpoint(service, region), host
    for host in NOT_FAKED:
        assert faked_endpoint(host) is None, host
    assert resolved_name("a..b") is None  # the codec refuses it: no lookup is made either


@pytest.mark.parametrize("host", [*SPELLINGS.values(), *VPC_ENDPOINTS], ids=str)
def test_the_lookup_guard_refuses_every_spelling_and_vpc_endpoint(
    underneath: list[Any], host: str
) -> None:
    for lookup in (
        lambda: socket.getaddrinfo(host, 443),
        lambda: socket.gethostbyname(host),
        lambda: socket.gethostbyname_ex(host),
        lambda: http.client.HTTPSConnection(host, timeout=5).request("GET", "/"),
    ):
        with pytest.raises(FakedHostLookupError, match="refused to resolve"):
            lookup()
    assert underneath == []  # nothing reached the resolver or a socket


def test_the_refusal_names_the_host_as_written_and_as_the_resolver_sees_it() -> None:
    with fake_batchjobs(), pytest.raises(FakedHostLookupError) as refused:
        socket.getaddrinfo(SPELLINGS["ideographic stops"], 443)
    assert str(refused.value.args[1]).startswith(
        "pytest-batchjobs refused to resolve 'bedrock\u3002us-east-1\uff61amazonaws.com' "
        "(bedrock.us-east-1.amazonaws.com to the resolver), an endpoint of bedrock, "
    )


@pytest.mark.parametrize("host", [*SPELLINGS.values(), *VPC_ENDPOINTS], ids=str)
def test_urllib_answers_every_spelling_and_vpc_endpoint(
    underneath: list[Any], batchjobs_fake: BatchJobsFake, host: str
) -> None:
    found = faked_endpoint(host)
    assert found is not None
    path = {
        "bedrock": "/model-invocation-jobs",
        "bedrock-runtime": "/async-invoke",
        "personalize": "/",
        "sagemaker": "/",
    }[found.service]
    target = {"personalize": "AmazonPersonalize.ListBatchInferenceJobs"}.get(
        found.service, "SageMaker.ListTransformJobs"
    )
    headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
    if path == "/":
        request = urllib.request.Request(f"https://{host}/", data=b"{}", headers=headers)
    else:
        request = urllib.request.Request(f"https://{host}{path}")
    with urllib.request.urlopen(request, timeout=5) as answered:
        assert answered.status == 200
    assert [(call.service, call.transport) for call in batchjobs_fake.calls] == [
        (found.service, "urllib")
    ]
    assert underneath == []


@pytest.mark.parametrize("host", [host for host in VPC_ENDPOINTS if ".bedrock." in host])
def test_requests_and_httpx_answer_the_vpc_endpoints(
    underneath: list[Any], batchjobs_fake: BatchJobsFake, host: str
) -> None:
    url = f"https://{host}/model-invocation-jobs"
    assert requests.get(url, timeout=5).json() == {"invocationJobSummaries": []}
    assert httpx.get(url).json() == {"invocationJobSummaries": []}
    assert [call.transport for call in batchjobs_fake.calls] == ["responses", "httpx"]
    assert underneath == []


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_requests_and_httpx_answer_or_refuse_a_spelling_without_a_lookup(
    underneath: list[Any], batchjobs_fake: BatchJobsFake, spelling: str
) -> None:
    """requests and httpx map hosts with the ``idna`` package (IDNA 2008), which refuses
    fullwidth letters and soft hyphens as invalid URLs before any connection; what it
    maps (ideographic stops, for httpx) the fake answers."""
    url = f"https://{SPELLINGS[spelling]}/model-invocation-jobs"
    for send in (lambda: requests.get(url, timeout=5), lambda: httpx.get(url)):
        try:
            answer = send()
        except (requests.exceptions.InvalidURL, httpx.InvalidURL):
            continue
        assert answer.json() == {"invocationJobSummaries": []}
    assert underneath == []
