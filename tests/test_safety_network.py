"""Safety: while a fake is active, no request for a faked service reaches the network,
however its URL is spelled."""

from __future__ import annotations

import itertools
import socket
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.endpoint_provider import EndpointProvider
from botocore.exceptions import ClientError, EndpointResolutionError, EndpointVariantError
from botocore.loaders import create_loader
from jobs import bedrock_params
from requests_aws4auth import AWS4Auth

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.wire.endpoints import ServiceEndpoint, endpoint_of_url

LOADER = create_loader()
PARTITIONS = LOADER.load_data("partitions")["partitions"]
VARIANTS = list(itertools.product((False, True), repeat=2))  # (FIPS, dual-stack)
TARGET = {
    "X-Amz-Target": "AmazonPersonalize.ListBatchInferenceJobs",
    "Content-Type": "application/x-amz-json-1.1",
}


@pytest.fixture
def lookups(batchjobs_fake: BatchJobsFake, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name looked up while the fake is active (loopback aside), refused so that
    nothing leaves the machine."""
    looked_up: list[str] = []
    resolve = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("localhost", "127.0.0.1", "::1"):
            looked_up.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, f"test: no lookups ({host})")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


def provider(service: str) -> EndpointProvider:
    return EndpointProvider(
        LOADER.load_service_model(service, "endpoint-rule-set-1"), LOADER.load_data("partitions")
    )


# -- recognition, from botocore's rules ---------------------------------------------------


@pytest.mark.parametrize("service", ["bedrock", "personalize"])
def test_every_endpoint_the_rules_produce_in_every_region_is_recognised(service: str) -> None:
    rules = provider(service)
    regions = [region for partition in PARTITIONS for region in partition["regions"]]
    checked = 0
    for region, (fips, dual_stack) in itertools.product([*regions, "xx-future-9"], VARIANTS):
        try:
            url = rules.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dual_stack).url
        except EndpointResolutionError:
            continue
        assert endpoint_of_url(url) == ServiceEndpoint(service, region), url
        checked += 1
    assert checked > 4 * len(PARTITIONS)


@pytest.mark.parametrize(
    "service",
    [
        "bedrock-runtime",
        "bedrock-agent",
        "bedrock-agent-runtime",
        "personalize-runtime",
        "personalize-events",
        "sts",
    ],
)
def test_other_services_endpoints_are_not_recognised(service: str) -> None:
    rules = provider(service)
    for partition, (fips, dual_stack) in itertools.product(PARTITIONS, VARIANTS):
        region = partition["outputs"]["implicitGlobalRegion"]
        try:
            url = rules.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dual_stack).url
        except EndpointResolutionError:
            continue
        assert endpoint_of_url(url) is None, url


# -- every URL botocore sends to, sent by requests ----------------------------------------


@pytest.mark.parametrize("partition", PARTITIONS, ids=[p["id"] for p in PARTITIONS])
def test_the_urls_botocore_sends_to_are_answered_over_requests(
    batchjobs_fake: BatchJobsFake, lookups: list[str], partition: dict[str, Any]
) -> None:
    region = sorted(partition["regions"])[-1]
    sent: list[str] = []
    for service, (fips, dual_stack) in itertools.product(("bedrock", "personalize"), VARIANTS):
        config = Config(use_fips_endpoint=fips, use_dualstack_endpoint=dual_stack)
        try:
            client = boto3.client(service, region_name=region, config=config)
        except EndpointVariantError:
            continue  # botocore makes no such client in this partition
        client.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
        try:
            if service == "bedrock":
                client.list_model_invocation_jobs()
            else:
                client.list_batch_inference_jobs()
        except ClientError:
            pass  # the fake's answer (it takes some partitions' regions for invalid)
    assert len(sent) >= 4
    answered = len(batchjobs_fake.calls)
    for url in sent:
        if "personalize" in url:
            assert requests.post(url, data="{}", headers=TARGET, timeout=5).status_code
        else:
            assert requests.get(url, timeout=5).status_code
    assert len(batchjobs_fake.calls) == answered + len(sent)
    assert lookups == []


# -- spellings that once escaped ----------------------------------------------------------

BEDROCK_SPELLINGS = [
    "https://bedrock.us-east-1.amazonaws.com./model-invocation-jobs",
    "https://someone@bedrock.us-east-1.amazonaws.com/model-invocation-jobs",
    "https://bedrock-fips.us-east-1.amazonaws.com/model-invocation-jobs",
    "https://bedrock.us-east-1.api.aws/model-invocation-jobs",
    "https://bedrock-fips.us-east-1.api.aws/model-invocation-jobs",
    "http://bedrock.us-east-1.amazonaws.com/model-invocation-jobs",
    "https://bedrock.us-east-1.amazonaws.com:443/model-invocation-jobs",
    "https://bedrock.us-east-1.amazonaws.com:8443/model-invocation-jobs",
    "https://bedrock.amazonaws.com/model-invocation-jobs",
    "https://BEDROCK.US-EAST-1.AMAZONAWS.COM/model-invocation-jobs",
    "https://bedrock.cn-north-1.amazonaws.com.cn/model-invocation-jobs",
]
PERSONALIZE_SPELLINGS = [
    "https://personalize.eu-west-1.amazonaws.com./",
    "https://personalize-fips.us-east-1.amazonaws.com/",
    "https://personalize-fips.us-gov-west-1.api.aws",
    "http://personalize.amazonaws.com:80/",
]


@pytest.mark.parametrize("url", BEDROCK_SPELLINGS + PERSONALIZE_SPELLINGS)
def test_every_spelling_of_the_endpoints_is_answered(
    batchjobs_fake: BatchJobsFake, lookups: list[str], url: str
) -> None:
    personalize = "personalize" in url
    headers = TARGET if personalize else {}
    method, body = ("POST", b"{}") if personalize else ("GET", None)
    answer = requests.request(method, url, data=body, headers=headers, timeout=5)
    status, document = answer.status_code, answer.json()
    assert status == 200
    assert "batchInferenceJobs" in document if personalize else "invocationJobSummaries" in document
    assert [call.transport for call in batchjobs_fake.calls] == ["responses"]
    assert lookups == []


def test_the_region_comes_from_the_signature_or_for_the_region_less_host_the_default(
    batchjobs_fake: BatchJobsFake, lookups: list[str]
) -> None:
    auth = AWS4Auth("AKIDEXAMPLE", "secret", "eu-west-3", "bedrock")
    created = requests.post(
        "https://bedrock-fips.amazonaws.com./model-invocation-job",
        json=bedrock_params("in-paris"),
        auth=auth,
        timeout=5,
    )
    assert created.status_code == 200, created.text
    assert ":eu-west-3:" in created.json()["jobArn"]
    unsigned = requests.get("https://bedrock.amazonaws.com/model-invocation-jobs", timeout=5)
    assert unsigned.json()["invocationJobSummaries"] == []  # the job is in eu-west-3
    assert [call.region for call in batchjobs_fake.calls] == ["eu-west-3", "us-east-1"]
    assert lookups == []
