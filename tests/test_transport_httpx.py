"""httpx clients, sync and async: the same fake and state as boto3, beside the test's own
respx routes and pytest_httpx mocks in either order."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import boto3
import httpx
import pytest
import respx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from jobs import bedrock_job, bedrock_params, personalize_params
from pytest_httpx import HTTPXMock

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

BEDROCK = "https://bedrock.us-east-1.amazonaws.com"
PERSONALIZE = "https://personalize.us-east-1.amazonaws.com/"
JOBS = f"{BEDROCK}/model-invocation-jobs"
REAL_LOOKING = Credentials("AKIAIOSFODNN7REALKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALKEY")


def signed(method: str, url: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    """Sign as LiteLLM's Bedrock batch code does: botocore's SigV4Auth, then httpx sends."""
    data = json.dumps(body).encode() if body is not None else None
    request = AWSRequest(method=method, url=url, data=data, headers=headers)
    service = "personalize" if "personalize" in url else "bedrock"
    SigV4Auth(REAL_LOOKING, service, "us-east-1").add_auth(request)
    signed = {"headers": dict(request.headers.items())}
    return signed if data is None else {**signed, "content": data}


def personalize_headers(operation: str) -> dict[str, str]:
    return {
        "X-Amz-Target": f"AmazonPersonalize.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }


# -- the same state as boto3 ------------------------------------------------------------


def test_a_sigv4_signed_sync_client_creates_jobs_that_boto3_sees(
    batchjobs_fake: BatchJobsFake, lookups: list[str]
) -> None:
    url = f"{BEDROCK}/model-invocation-job"
    with httpx.Client() as client:
        created = client.post(url, **signed("POST", url, bedrock_params("from-httpx")))
        assert created.status_code == 200, created.text
        assert created.headers["content-type"] == "application/json"
        arn = created.json()["jobArn"]
        listed = client.get(JOBS, **signed("GET", JOBS)).json()
    assert [job["jobArn"] for job in listed["invocationJobSummaries"]] == [arn]
    boto = boto3.client("bedrock", region_name="us-east-1")
    assert boto.get_model_invocation_job(jobIdentifier=arn)["jobName"] == "from-httpx"
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        ("httpx", "CreateModelInvocationJob"),
        ("httpx", "ListModelInvocationJobs"),
        ("botocore", "GetModelInvocationJob"),
    ]
    assert lookups == []


def test_an_async_client_reads_and_stops_what_boto3_created(
    batchjobs_fake: BatchJobsFake, lookups: list[str]
) -> None:
    arn = bedrock_job(boto3.client("bedrock", region_name="us-east-1"), "from-boto3")
    job_url = f"{BEDROCK}/model-invocation-job/{quote(arn, safe='')}"

    async def drive() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with httpx.AsyncClient() as client:
            seen = await client.get(job_url, **signed("GET", job_url))
            stopped = await client.post(f"{job_url}/stop")
            again = await client.get(job_url)
            return seen, stopped, again

    seen, stopped, again = asyncio.run(drive())
    assert (seen.status_code, seen.json()["status"]) == (200, "Submitted")
    assert (stopped.status_code, stopped.content) == (200, b"")
    assert again.json()["status"] == "Stopping"
    assert [call.transport for call in batchjobs_fake.calls][1:] == ["httpx"] * 3
    assert lookups == []


def test_personalize_over_async_httpx_with_the_region_from_the_signature(
    batchjobs_fake: BatchJobsFake,
) -> None:
    async def create() -> httpx.Response:
        headers = personalize_headers("CreateBatchInferenceJob")
        async with httpx.AsyncClient() as client:
            request = signed("POST", PERSONALIZE, personalize_params("async-recs"), **headers)
            return await client.post(PERSONALIZE, **request)

    created = asyncio.run(create())
    assert created.status_code == 200, created.text
    arn = created.json()["batchInferenceJobArn"]
    assert arn.startswith("arn:aws:personalize:us-east-1:")
    boto = boto3.client("personalize", region_name="us-east-1")
    described = boto.describe_batch_inference_job(batchInferenceJobArn=arn)
    assert described["batchInferenceJob"]["status"] == "CREATE PENDING"


# -- what a user sees: errors, unfaked operations, broken connections --------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_errors_are_aws_errors_and_unfaked_operations_answer_501(
    batchjobs_fake: BatchJobsFake, mode: str
) -> None:
    async def send_all() -> list[httpx.Response]:
        async with httpx.AsyncClient() as client:
            return [await client.request(*request) for request in requests]

    requests: list[tuple[str, str]] = [
        ("GET", f"{BEDROCK}/model-invocation-job/abcdefghijkl"),
        ("GET", f"{JOBS}?maxResults=1001"),
        ("GET", f"{BEDROCK}/foundation-models"),
    ]
    if mode == "sync":
        with httpx.Client() as client:
            missing, invalid, unfaked = (client.request(*request) for request in requests)
    else:
        missing, invalid, unfaked = asyncio.run(send_all())
    assert missing.status_code == 404
    assert missing.headers["x-amzn-ErrorType"].startswith("ResourceNotFoundException")
    with pytest.raises(httpx.HTTPStatusError, match="404 Not Found"):
        missing.raise_for_status()
    assert invalid.status_code == 400
    assert invalid.headers["x-amzn-ErrorType"].startswith("ValidationException")
    assert "maxResults" in invalid.json()["message"]
    assert unfaked.status_code == 501
    assert unfaked.headers["x-amzn-ErrorType"] == "NotImplemented"
    message = unfaked.json()["message"]
    assert "bedrock ListFoundationModels is not faked" in message
    assert "not sent to AWS" in message
    assert "mock_aws" not in message  # moto mocks no httpx: it could not answer it


def test_broken_connections_raise_what_httpx_raises(batchjobs_fake: BatchJobsFake) -> None:
    faults = batchjobs_fake.faults

    async def get() -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(JOBS)

    faults.fail("ListModelInvocationJobs", error="ThrottlingException")
    throttled = httpx.get(JOBS)
    assert throttled.status_code == 429
    assert throttled.headers["x-amzn-ErrorType"].startswith("ThrottlingException")
    faults.transport("ListModelInvocationJobs", kind="connection_reset", times=2)
    with pytest.raises(httpx.ReadError, match=r"\[Errno 104\] Connection reset by peer"):
        httpx.get(JOBS)
    with pytest.raises(httpx.ReadError, match="Connection reset by peer") as reset:
        asyncio.run(get())
    assert reset.value.request.url == JOBS
    faults.transport("ListModelInvocationJobs", kind="read_timeout", times=2)
    with pytest.raises(httpx.ReadTimeout, match="timed out"):
        httpx.get(JOBS)
    with pytest.raises(httpx.ReadTimeout):
        asyncio.run(get())
    assert httpx.get(JOBS).status_code == 200
    assert [call.error for call in batchjobs_fake.calls] == [
        "ThrottlingException",
        "connection_reset",
        "connection_reset",
        "read_timeout",
        "read_timeout",
        None,
    ]


# -- whatever the transport's configuration ----------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"transport": httpx.HTTPTransport(retries=3)},
        {"proxy": "http://proxy.example.com:3128"},
        {"mounts": {"https://": httpx.HTTPTransport(http2=False, verify=False)}},
        {"base_url": BEDROCK, "timeout": 0.5},
    ],
    ids=["retries", "proxy", "mounts", "base-url"],
)
def test_a_configured_client_is_answered(
    batchjobs_fake: BatchJobsFake, lookups: list[str], config: dict[str, Any]
) -> None:
    url = "/model-invocation-jobs" if "base_url" in config else JOBS
    with httpx.Client(**config) as client:
        assert client.get(url).json() == {"invocationJobSummaries": []}
    assert batchjobs_fake.call_count("ListModelInvocationJobs") == 1
    assert lookups == []  # neither the proxy's name nor the service's


def test_every_spelling_and_region_is_answered(
    batchjobs_fake: BatchJobsFake, lookups: list[str]
) -> None:
    for url in (
        "https://bedrock-fips.eu-west-1.amazonaws.com/model-invocation-jobs",
        "https://bedrock.us-west-2.api.aws/model-invocation-jobs",
        "https://BEDROCK.cn-north-1.amazonaws.com.cn:443/model-invocation-jobs",
        "http://bedrock.amazonaws.com./model-invocation-jobs",
    ):
        assert httpx.get(url).status_code == 200, url
    assert [call.region for call in batchjobs_fake.calls] == [
        "eu-west-1",
        "us-west-2",
        "cn-north-1",
        "us-east-1",
    ]
    assert lookups == []


def test_other_urls_and_replaced_transports_are_untouched(
    batchjobs_fake: BatchJobsFake, local_site: str
) -> None:
    async def fetch() -> str:
        async with httpx.AsyncClient() as client:
            return (await client.get(local_site)).text

    assert httpx.get(local_site).text == "hello"
    assert asyncio.run(fetch()) == "hello"
    own = httpx.MockTransport(lambda request: httpx.Response(418, text="mine"))
    with httpx.Client(transport=own) as client:
        assert client.get(JOBS).status_code == 418  # the caller's own transport answers
    assert batchjobs_fake.calls == []


def test_nothing_is_intercepted_once_the_fake_stops(local_site: str) -> None:
    originals = (httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request)
    with fake_batchjobs():
        assert httpx.HTTPTransport.handle_request is not originals[0]
    assert (
        httpx.HTTPTransport.handle_request,
        httpx.AsyncHTTPTransport.handle_async_request,
    ) == originals
    assert HTTPXMock._handle_request.__module__ == "pytest_httpx._httpx_mock"
    assert respx.mocks.Mocker.handler.__func__.__module__ == "respx.mocks"
    assert httpx.get(local_site).text == "hello"


def test_a_patch_put_on_after_the_fake_and_left_after_it_stops_keeps_working(
    monkeypatch: pytest.MonkeyPatch, local_site: str
) -> None:
    original = httpx.HTTPTransport.handle_request
    seen: list[str] = []
    with fake_batchjobs():
        below = httpx.HTTPTransport.handle_request

        def spy(transport: Any, request: httpx.Request) -> httpx.Response:
            seen.append(str(request.url))
            return below(transport, request)  # type: ignore[no-any-return]

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", spy)
    assert httpx.get(local_site).text == "hello"  # through the fake's layer, inert
    monkeypatch.undo()
    assert httpx.get(local_site).text == "hello"  # the inert layer takes itself out
    assert httpx.HTTPTransport.handle_request is original
    assert seen == [local_site]
    with fake_batchjobs() as again:
        assert httpx.get(JOBS).status_code == 200
        assert again.call_count("ListModelInvocationJobs") == 1


def test_httpx_is_imported_only_when_the_user_imports_it() -> None:
    script = (
        "import sys, pytest_batchjobs.plugin\n"
        "from pytest_batchjobs import fake_batchjobs\n"
        "with fake_batchjobs() as fake:\n"
        "    assert 'httpx' not in sys.modules, 'the fake imported httpx'\n"
        "    import httpx\n"
        "    url = 'https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs'\n"
        "    print(httpx.get(url).status_code, [call.transport for call in fake.calls])\n"
        "print(httpx.HTTPTransport.handle_request.__module__, "
        "any(type(f).__name__ == 'ImportWatch' for f in sys.meta_path))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert output.splitlines() == ["200 ['httpx']", "httpx._transports.default False"]


# -- beside the test's own respx routes ---------------------------------------------------


@pytest.fixture(
    params=[
        ("fake-first", "httpcore"),
        ("respx-first", "httpcore"),
        ("fake-first", "httpx"),
        ("respx-first", "httpx"),
    ],
    ids=lambda param: "-".join(param),
)
def respx_and_fake(request: pytest.FixtureRequest) -> Iterator[tuple[respx.MockRouter, Any]]:
    """A started respx router and an active fake, started in either order; the router
    patches httpcore (respx's default mocker, below the fake) or httpx's clients
    (``using="httpx"``, above it)."""
    order, using = request.param
    router = respx.mock(assert_all_called=False, using=using)
    fake = fake_batchjobs()
    first, second = (fake, router) if order == "fake-first" else (router, fake)
    with first, second:
        yield router, fake


def test_respx_routes_answer_their_urls_and_the_fake_the_services(
    respx_and_fake: tuple[respx.MockRouter, Any],
) -> None:
    router, fake = respx_and_fake
    route = router.get("https://api.example.com/status").respond(json={"ok": True})
    assert httpx.get("https://api.example.com/status").json() == {"ok": True}
    assert httpx.get(JOBS).json() == {"invocationJobSummaries": []}
    with pytest.raises(respx.models.AllMockedAssertionError, match="not mocked"):
        httpx.get("https://api.example.com/unregistered")

    async def both() -> tuple[Any, Any]:
        async with httpx.AsyncClient() as client:
            mine = await client.get("https://api.example.com/status")
            faked = await client.post(f"{BEDROCK}/model-invocation-job", json=bedrock_params())
            return mine.json(), faked.status_code

    assert asyncio.run(both()) == ({"ok": True}, 200)
    assert route.call_count == 2
    assert [call.request.url.host for call in router.calls] == ["api.example.com"] * 2
    assert fake.call_count("ListModelInvocationJobs") == 1
    assert fake.call_count("CreateModelInvocationJob") == 1


def test_a_respx_route_for_a_service_url_wins(
    respx_and_fake: tuple[respx.MockRouter, Any],
) -> None:
    router, fake = respx_and_fake
    canned = {"invocationJobSummaries": [], "nextToken": "canned"}
    router.get(JOBS).respond(json=canned)
    router.get(f"{BEDROCK}/foundation-models").pass_through()  # never to the network
    assert httpx.get(JOBS).json() == canned
    assert httpx.get(f"{BEDROCK}/model-invocation-job/abcdefghijkl").status_code == 404
    assert httpx.get(f"{BEDROCK}/foundation-models").status_code == 501
    assert fake.call_count("ListModelInvocationJobs") == 0
    assert fake.call_count("GetModelInvocationJob") == 1


# -- beside pytest_httpx's httpx_mock -------------------------------------------------------


@pytest.fixture(params=["fake-first", "httpx_mock-first"])
def mock_and_fake(request: pytest.FixtureRequest) -> tuple[HTTPXMock, BatchJobsFake]:
    """pytest_httpx's mock and the fake, set up in either order."""
    if request.param == "fake-first":
        fake = request.getfixturevalue("batchjobs_fake")
        return request.getfixturevalue("httpx_mock"), fake
    mock = request.getfixturevalue("httpx_mock")
    return mock, request.getfixturevalue("batchjobs_fake")


def test_httpx_mock_answers_its_urls_and_the_fake_the_services(
    mock_and_fake: tuple[HTTPXMock, BatchJobsFake],
) -> None:
    httpx_mock, fake = mock_and_fake
    httpx_mock.add_response(url="https://api.example.com/status", json={"ok": True})
    httpx_mock.add_response(url="https://api.example.com/async", text="async")
    assert httpx.get("https://api.example.com/status").json() == {"ok": True}
    created = httpx.post(f"{BEDROCK}/model-invocation-job", json=bedrock_params("beside"))
    assert created.status_code == 200, created.text

    async def both() -> tuple[str, int]:
        async with httpx.AsyncClient() as client:
            mine = await client.get("https://api.example.com/async")
            return mine.text, (await client.get(JOBS)).status_code

    assert asyncio.run(both()) == ("async", 200)
    assert [str(request.url) for request in httpx_mock.get_requests()] == [
        "https://api.example.com/status",
        "https://api.example.com/async",
    ]
    assert fake.call_count("CreateModelInvocationJob") == 1
    assert fake.call_count("ListModelInvocationJobs") == 1
    # httpx_mock's teardown checks that no request was unexpected: the fake's were not


def test_a_httpx_mock_response_for_a_service_url_wins(
    mock_and_fake: tuple[HTTPXMock, BatchJobsFake],
) -> None:
    httpx_mock, fake = mock_and_fake
    canned = {"invocationJobSummaries": [], "nextToken": "canned"}
    httpx_mock.add_response(url=JOBS, json=canned)
    assert httpx.get(JOBS).json() == canned
    assert httpx.get(JOBS).json() == {"invocationJobSummaries": []}  # used up: the fake's
    assert fake.call_count("ListModelInvocationJobs") == 1
    with pytest.raises(httpx.TimeoutException, match="No response can be found"):
        httpx.get("https://api.example.com/unregistered")
    httpx_mock.reset()  # the unexpected request above is this test's own doing


@pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "api.example.com")
@pytest.mark.parametrize("order", ["fake-first", "httpx_mock-first"])
def test_what_httpx_mock_does_not_mock_is_still_the_fakes(
    request: pytest.FixtureRequest, order: str, local_site: str
) -> None:
    names = ["batchjobs_fake", "httpx_mock"]
    if order == "httpx_mock-first":
        names.reverse()
    fixtures = {name: request.getfixturevalue(name) for name in names}
    fake: BatchJobsFake = fixtures["batchjobs_fake"]
    assert httpx.get(JOBS).status_code == 200
    assert fake.call_count("ListModelInvocationJobs") == 1
    assert fixtures["httpx_mock"].get_requests() == []
