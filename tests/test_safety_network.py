"""Safety: while a fake is active, no request for a faked service reaches the network,
however its URL is spelled and whichever HTTP client sends it; not even a DNS lookup
of the service's host is made."""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
import requests
import urllib3
from botocore.config import Config
from botocore.endpoint_provider import EndpointProvider
from botocore.exceptions import EndpointResolutionError, EndpointVariantError
from botocore.loaders import create_loader
from jobs import bedrock_params, personalize_params
from requests_aws4auth import AWS4Auth

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.transports.hosts import endpoint_of_url
from pytest_batchjobs.transports.lookups import FakedHostLookupError
from pytest_batchjobs.wire.endpoints import ServiceEndpoint

LOADER = create_loader()
PARTITIONS = LOADER.load_data("partitions")["partitions"]
VARIANTS = list(itertools.product((False, True), repeat=2))  # (FIPS, dual-stack)
TARGET = {
    "X-Amz-Target": "AmazonPersonalize.ListBatchInferenceJobs",
    "Content-Type": "application/x-amz-json-1.1",
}


@pytest.fixture
def lookups(batchjobs_fake: BatchJobsFake, lookups: list[str]) -> list[str]:
    """conftest's lookup spy, put on top of the fake's own guard: it sees every lookup a
    client attempts, even one the guard would refuse."""
    return lookups


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


# -- every URL botocore sends to, sent by requests and urllib ----------------------------


@pytest.mark.parametrize("partition", PARTITIONS, ids=[p["id"] for p in PARTITIONS])
def test_the_urls_botocore_sends_to_are_answered_over_requests_and_urllib(
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
        if service == "bedrock":
            client.list_model_invocation_jobs()
        else:
            client.list_batch_inference_jobs()
    assert len(sent) >= 4
    answered = len(batchjobs_fake.calls)
    for url in sent:
        if "personalize" in url:
            assert requests.post(url, data="{}", headers=TARGET, timeout=5).status_code
            request = urllib.request.Request(url, data=b"{}", headers=TARGET)
        else:
            assert requests.get(url, timeout=5).status_code
            request = urllib.request.Request(url)
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except urllib.error.HTTPError as error:
            error.close()
    assert len(batchjobs_fake.calls) == answered + 2 * len(sent)
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


@pytest.mark.parametrize("client", ["requests", "urllib"])
@pytest.mark.parametrize("url", BEDROCK_SPELLINGS + PERSONALIZE_SPELLINGS)
def test_every_spelling_of_the_endpoints_is_answered(
    batchjobs_fake: BatchJobsFake, lookups: list[str], client: str, url: str
) -> None:
    personalize = "personalize" in url
    headers = TARGET if personalize else {}
    method, body = ("POST", b"{}") if personalize else ("GET", None)
    if client == "requests":
        answer = requests.request(method, url, data=body, headers=headers, timeout=5)
        status, document = answer.status_code, answer.json()
    else:
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=5) as answered:
            status, document = answered.status, json.load(answered)
    assert status == 200
    assert "batchInferenceJobs" in document if personalize else "invocationJobSummaries" in document
    assert [call.transport for call in batchjobs_fake.calls] == [
        "responses" if client == "requests" else "urllib"
    ]
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


@pytest.mark.parametrize("partition", PARTITIONS, ids=[p["id"] for p in PARTITIONS])
def test_every_partitions_regions_are_regions_whose_arns_name_the_partition(
    batchjobs_fake: BatchJobsFake, partition: dict[str, Any]
) -> None:
    region = sorted(name for name in partition["regions"] if name[-1].isdigit())[-1]
    bedrock = boto3.client("bedrock", region_name=region)
    personalize = boto3.client("personalize", region_name=region)
    arn = bedrock.create_model_invocation_job(**bedrock_params("everywhere"))["jobArn"]
    assert arn.startswith(f"arn:{partition['id']}:bedrock:{region}:123456789012:")
    arn = personalize.create_batch_inference_job(**personalize_params("everywhere"))[
        "batchInferenceJobArn"
    ]
    assert arn.startswith(f"arn:{partition['id']}:personalize:{region}:123456789012:")


@pytest.mark.parametrize("region", ["..", "us-east-1a", "aws-global", "moon-base-1x"])
def test_a_request_signed_for_no_region_is_refused_as_aws_refuses_it(
    batchjobs_fake: BatchJobsFake, region: str
) -> None:
    auth = AWS4Auth("AKIDEXAMPLE", "secret", region, "bedrock")
    answer = requests.get(
        "https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs", auth=auth, timeout=5
    )
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        f"Credential should be scoped to a valid region, not '{region}'."
    )


def test_an_unsigned_request_is_for_the_region_its_host_names(
    batchjobs_fake: BatchJobsFake, lookups: list[str]
) -> None:
    created = requests.post(
        "https://bedrock-fips.eu-west-1.amazonaws.com/model-invocation-job",
        json=bedrock_params("fips-in-ireland"),
        timeout=5,
    )
    assert created.status_code == 200, created.text
    assert created.json()["jobArn"].startswith("arn:aws:bedrock:eu-west-1:")
    assert lookups == []


# -- urllib.request ------------------------------------------------------------------------


def test_urllib_request_is_answered_as_aws_answers(
    batchjobs_fake: BatchJobsFake, lookups: list[str]
) -> None:
    base = "https://personalize.us-east-1.amazonaws.com/"
    create = urllib.request.Request(
        base,
        data=json.dumps(personalize_params("from-urllib")).encode(),
        headers={**TARGET, "X-Amz-Target": "AmazonPersonalize.CreateBatchInferenceJob"},
    )
    with urllib.request.urlopen(create, timeout=5) as created:
        assert (created.status, created.reason) == (200, "OK")
        assert created.headers["Content-Type"] == "application/x-amz-json-1.1"
        arn = json.load(created)["batchInferenceJobArn"]
    described = boto3.client("personalize", region_name="us-east-1").describe_batch_inference_job(
        batchInferenceJobArn=arn
    )
    assert described["batchInferenceJob"]["jobName"] == "from-urllib"

    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(
            "https://bedrock.us-east-1.amazonaws.com/model-invocation-job/abcdefghijkl", timeout=5
        )
    assert missing.value.code == 404
    assert missing.value.headers["x-amzn-ErrorType"].startswith("ResourceNotFoundException")
    assert "message" in json.load(missing.value)
    missing.value.close()

    with pytest.raises(urllib.error.HTTPError) as unfaked:
        urllib.request.urlopen("https://bedrock.us-east-1.amazonaws.com/foundation-models")
    assert unfaked.value.code == 501
    assert "bedrock ListFoundationModels is not faked" in json.load(unfaked.value)["message"]
    unfaked.value.close()
    assert lookups == []


def test_urllib_request_through_a_proxy_or_its_own_opener_is_answered(
    batchjobs_fake: BatchJobsFake, lookups: list[str]
) -> None:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": "http://proxy.example.com:3128"})
    )
    with opener.open("https://bedrock.us-west-2.amazonaws.com/model-invocation-jobs") as listed:
        assert json.load(listed) == {"invocationJobSummaries": []}
    assert batchjobs_fake.calls[0].region == "us-west-2"
    assert lookups == []  # neither the proxy's name nor the service's


def test_urllib_request_breaks_as_a_broken_connection_does(batchjobs_fake: BatchJobsFake) -> None:
    url = "https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs"
    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind="connection_reset")
    with pytest.raises(ConnectionResetError):
        urllib.request.urlopen(url, timeout=5)
    batchjobs_fake.faults.transport("ListModelInvocationJobs", kind="read_timeout")
    with pytest.raises(TimeoutError):
        urllib.request.urlopen(url, timeout=5)
    with urllib.request.urlopen(url, timeout=5) as listed:
        assert listed.status == 200


def test_other_urllib_requests_are_untouched(local_site: str) -> None:
    with fake_batchjobs() as fake, urllib.request.urlopen(local_site, timeout=5) as answer:
        assert answer.read() == b"hello"
    assert fake.calls == []


# -- the lookup guard -----------------------------------------------------------------------

FAKED_HOSTS = [
    "bedrock.us-east-1.amazonaws.com",
    "bedrock-fips.us-west-2.api.aws.",
    "PERSONALIZE.eu-west-1.amazonaws.com",
    "personalize.amazonaws.com.cn",
]


@pytest.mark.parametrize("host", FAKED_HOSTS)
def test_a_lookup_of_a_faked_host_is_refused_naming_it(host: str) -> None:
    resolvers = [getattr(socket, name) for name in ("getaddrinfo", "gethostbyname")]
    with fake_batchjobs():
        for lookup in (
            lambda: socket.getaddrinfo(host, 443),
            lambda: socket.getaddrinfo(host.encode(), 443),
            lambda: socket.gethostbyname(host),
            lambda: socket.gethostbyname_ex(host),
            lambda: http.client.HTTPSConnection(host, timeout=5).request("GET", "/"),
        ):
            with pytest.raises(FakedHostLookupError, match=f"refused to resolve '{host}'"):
                lookup()
        connection = urllib3.connection.HTTPSConnection(host, 443)  # below urllib3's pools
        with pytest.raises(urllib3.exceptions.NameResolutionError, match="refused to resolve"):
            connection.request("GET", "/")
        assert socket.getaddrinfo("localhost", 80)
    assert [getattr(socket, name) for name in ("getaddrinfo", "gethostbyname")] == resolvers


def test_a_guard_left_under_a_later_patch_lets_lookups_through_once_the_fake_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: list[str] = []

    def below(host: str, *_: Any) -> Any:
        looked_up.append(host)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", below)
    with fake_batchjobs():
        guard = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", lambda *args: guard(*args))
    socket.getaddrinfo("bedrock.us-east-1.amazonaws.com", 443)  # the guard, inert
    assert looked_up == ["bedrock.us-east-1.amazonaws.com"]
    with fake_batchjobs(), pytest.raises(FakedHostLookupError):
        socket.getaddrinfo("bedrock.us-east-1.amazonaws.com", 443)
    assert looked_up == ["bedrock.us-east-1.amazonaws.com"]
