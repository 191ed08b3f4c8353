"""aiohttp's ClientSession: the same fake and state as boto3, answered on a connection in
memory (nothing resolved, nothing connected), beside the test's own aioresponses mock in
either order."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
import aiohttp.abc
import boto3
import httpx
import pytest
import yarl
from aioresponses import aioresponses
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from jobs import bedrock_job, bedrock_params, personalize_params

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

BEDROCK = "https://bedrock.us-east-1.amazonaws.com"
PERSONALIZE = "https://personalize.us-east-1.amazonaws.com/"
JOBS = f"{BEDROCK}/model-invocation-jobs"
CREATE = f"{BEDROCK}/model-invocation-job"
REAL_LOOKING = Credentials("AKIAIOSFODNN7REALKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALKEY")
T = TypeVar("T")


def run(session_user: Callable[[aiohttp.ClientSession], Awaitable[T]], **options: Any) -> T:
    """Run ``session_user`` with a new session (``options`` for it) on a new loop."""

    async def main() -> T:
        async with aiohttp.ClientSession(**options) as session:
            return await session_user(session)

    return asyncio.run(main())


def signed(method: str, url: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    """Signed as LiteLLM signs Bedrock batch calls (botocore's SigV4Auth), as
    ``session.request`` keyword arguments."""
    data = json.dumps(body).encode() if body is not None else None
    request = AWSRequest(method=method, url=url, data=data, headers=headers)
    service = "personalize" if "personalize" in url else "bedrock"
    SigV4Auth(REAL_LOOKING, service, "us-east-1").add_auth(request)
    return {"headers": dict(request.headers.items()), "data": data}


# -- the same state as boto3 ------------------------------------------------------------


def test_signed_requests_create_get_and_list_jobs_that_boto3_sees(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    async def drive(session: aiohttp.ClientSession) -> tuple[Any, Any, Any]:
        async with session.post(CREATE, **signed("POST", CREATE, bedrock_params("aio"))) as r:
            assert (r.status, r.content_type) == (200, "application/json")
            arn = (await r.json())["jobArn"]
        job_url = f"{BEDROCK}/model-invocation-job/{quote(arn, safe='')}"
        async with session.get(job_url, **signed("GET", job_url)) as got:
            job = await got.json()
        async with session.get(JOBS, **signed("GET", JOBS)) as listed:
            return arn, job, await listed.json()

    arn, job, listed = run(drive)
    assert (job["jobArn"], job["jobName"], job["status"]) == (arn, "aio", "Submitted")
    assert [summary["jobArn"] for summary in listed["invocationJobSummaries"]] == [arn]
    boto = boto3.client("bedrock", region_name="us-east-1")
    assert boto.get_model_invocation_job(jobIdentifier=arn)["jobName"] == "aio"
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        ("aiohttp", "CreateModelInvocationJob"),
        ("aiohttp", "GetModelInvocationJob"),
        ("aiohttp", "ListModelInvocationJobs"),
        ("botocore", "GetModelInvocationJob"),
    ]
    assert socket_guard == []  # no lookup, no connection


def test_a_personalize_call_with_its_target_header_and_the_region_from_the_signature(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    headers = {
        "X-Amz-Target": "AmazonPersonalize.CreateBatchInferenceJob",
        "Content-Type": "application/x-amz-json-1.1",
    }
    request = signed("POST", PERSONALIZE, personalize_params("aio-recs"), **headers)

    async def create(session: aiohttp.ClientSession) -> tuple[int, Any]:
        async with session.post(PERSONALIZE, **request) as created:
            return created.status, await created.json(content_type=None)

    status, created = run(create)
    assert status == 200, created
    boto = boto3.client("personalize", region_name="us-east-1")
    job = boto.describe_batch_inference_job(batchInferenceJobArn=created["batchInferenceJobArn"])
    assert job["batchInferenceJob"]["status"] == "CREATE PENDING"
    assert socket_guard == []


def test_a_response_is_read_every_way_aiohttp_reads_one(batchjobs_fake: BatchJobsFake) -> None:
    bedrock_job(boto3.client("bedrock", region_name="us-east-1"), "read-me")

    async def read(session: aiohttp.ClientSession) -> list[Any]:
        async with session.get(JOBS) as r:
            raw = await r.read()
            as_text, as_json = await r.text(), await r.json()
        async with session.get(JOBS) as streamed:
            first = await streamed.content.read(10)
            rest = await streamed.content.read()
        response = await session.get(JOBS)  # not as a context manager
        chunks = [chunk async for chunk in response.content.iter_chunked(16)]
        response.release()
        return [raw, as_text, as_json, first + rest, b"".join(chunks)]

    raw, as_text, as_json, streamed, chunked = run(read)
    assert json.loads(raw) == as_json == json.loads(as_text)
    assert as_json["invocationJobSummaries"][0]["jobName"] == "read-me"
    assert streamed == chunked == raw


class LiteLLMLikeTransport(httpx.AsyncBaseTransport):
    """httpx over aiohttp, calling aiohttp as LiteLLM's default async transport does
    (BerriAI/litellm, litellm/llms/custom_httpx/aiohttp_transport.py): the URL already
    encoded, no redirects, no decompression."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.session.request(
            method=request.method,
            url=yarl.URL(str(request.url), encoded=True),
            headers=request.headers,
            data=request.content,
            allow_redirects=False,
            auto_decompress=False,
        ).__aenter__()
        return httpx.Response(
            response.status, headers=response.headers, content=await response.read()
        )


def test_httpx_over_aiohttp_as_litellm_sends_gets_a_job_by_its_encoded_arn(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    arn = bedrock_job(boto3.client("bedrock", region_name="us-east-1"), "litellm-batch")
    job_url = f"{BEDROCK}/model-invocation-job/{quote(arn, safe='')}"

    async def get(session: aiohttp.ClientSession) -> httpx.Response:
        async with httpx.AsyncClient(transport=LiteLLMLikeTransport(session)) as client:
            return await client.get(job_url, headers=signed("GET", job_url)["headers"])

    got = run(get)
    assert got.status_code == 200, got.text
    assert got.json()["jobName"] == "litellm-batch"
    assert batchjobs_fake.calls[-1].transport == "aiohttp"
    assert batchjobs_fake.calls[-1].operation == "GetModelInvocationJob"
    assert socket_guard == []


# -- what a user sees: errors, unfaked operations, broken connections --------------------


def test_errors_are_aws_errors_and_an_unfaked_operation_answers_501(
    batchjobs_fake: BatchJobsFake,
) -> None:
    async def send(session: aiohttp.ClientSession) -> list[tuple[int, Any, Any]]:
        answers = []
        for url in (
            f"{BEDROCK}/model-invocation-job/abcdefghijkl",
            f"{JOBS}?maxResults=1001",
            f"{BEDROCK}/foundation-models",
        ):
            async with session.get(url) as r:
                answers.append((r.status, r.headers["x-amzn-ErrorType"], await r.json()))
        return answers

    missing, invalid, unfaked = run(send)
    assert (missing[0], missing[1].split(":")[0]) == (404, "ResourceNotFoundException")
    assert (invalid[0], invalid[1].split(":")[0]) == (400, "ValidationException")
    assert "maxResults" in invalid[2]["message"]
    assert unfaked[:2] == (501, "NotImplemented")
    assert "bedrock ListFoundationModels is not faked" in unfaked[2]["message"]
    assert "not sent to AWS" in unfaked[2]["message"]
    assert "mock_aws" not in unfaked[2]["message"]  # moto mocks no aiohttp

    async def raise_for_status(session: aiohttp.ClientSession) -> None:
        async with session.get(f"{BEDROCK}/model-invocation-job/abcdefghijkl"):
            pass

    with pytest.raises(aiohttp.ClientResponseError) as raised:
        run(raise_for_status, raise_for_status=True)
    assert (raised.value.status, raised.value.message) == (404, "Not Found")


def test_broken_connections_raise_what_aiohttp_raises(batchjobs_fake: BatchJobsFake) -> None:
    """Measured against a socket with aiohttp 3.14: a reset is ClientOSError(104), which
    aiohttp itself retries once for an idempotent method; a read timeout is its
    SocketTimeoutError, a ServerTimeoutError and an asyncio.TimeoutError."""
    faults = batchjobs_fake.faults

    async def status(session: aiohttp.ClientSession, method: str = "GET") -> int:
        url = CREATE if method == "POST" else JOBS
        body = json.dumps(bedrock_params("broken")) if method == "POST" else None
        async with session.request(method, url, data=body) as r:
            return r.status

    faults.transport("ListModelInvocationJobs", kind="connection_reset", times=1)
    assert run(status) == 200  # aiohttp's own retry of a GET
    faults.transport("ListModelInvocationJobs", kind="connection_reset", times=2)
    with pytest.raises(aiohttp.ClientOSError) as reset:
        run(status)
    assert (reset.value.errno, reset.value.strerror) == (104, "Connection reset by peer")
    faults.transport("CreateModelInvocationJob", kind="connection_reset", times=1)
    with pytest.raises(aiohttp.ClientOSError, match="Connection reset by peer"):
        run(lambda session: status(session, "POST"))  # a POST is not retried
    faults.transport("ListModelInvocationJobs", kind="read_timeout", times=1)
    with pytest.raises(aiohttp.ServerTimeoutError, match="Timeout on reading data from socket"):
        run(status)
    faults.transport("ListModelInvocationJobs", kind="read_timeout", times=1)
    with pytest.raises(asyncio.TimeoutError):
        run(status)
    assert run(status) == 200
    assert [(call.operation[:6], call.error) for call in batchjobs_fake.calls] == [
        ("ListMo", "connection_reset"),
        ("ListMo", None),
        ("ListMo", "connection_reset"),
        ("ListMo", "connection_reset"),
        ("Create", "connection_reset"),
        ("ListMo", "read_timeout"),
        ("ListMo", "read_timeout"),
        ("ListMo", None),
    ]


# -- whatever the session's configuration --------------------------------------------------


class NoSocketResolver(aiohttp.abc.AbstractResolver):
    """A resolver that needs no Python socket lookup (as aiodns's or uvloop's): it fails
    the test if it is ever asked."""

    async def resolve(self, host: str, port: int = 0, family: Any = 0) -> list[Any]:
        raise AssertionError(f"the resolver was asked for {host!r}")

    async def close(self) -> None:
        pass


async def chunks() -> AsyncIterator[bytes]:
    body = json.dumps(bedrock_params("chunked")).encode()
    yield body[:20]
    yield body[20:]


@pytest.mark.parametrize(
    ("connector", "request_options"),
    [
        pytest.param(lambda: None, {"proxy": "http://proxy.example.com:3128"}, id="proxy"),
        pytest.param(
            lambda: aiohttp.TCPConnector(resolver=NoSocketResolver()), {}, id="own-resolver"
        ),
        pytest.param(
            lambda: aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver()), {}, id="threaded"
        ),
        pytest.param(lambda: aiohttp.TCPConnector(force_close=True), {}, id="force-close"),
        pytest.param(lambda: None, {"data": chunks()}, id="chunked-body"),
        pytest.param(lambda: None, {"expect100": True}, id="expect-100-continue"),
        pytest.param(
            lambda: None, {"timeout": aiohttp.ClientTimeout(sock_read=0.5)}, id="sock-read"
        ),
    ],
)
def test_a_configured_session_is_answered(
    batchjobs_fake: BatchJobsFake,
    socket_guard: list[Any],
    connector: Callable[[], aiohttp.BaseConnector | None],
    request_options: dict[str, Any],
) -> None:
    async def create(session: aiohttp.ClientSession) -> int:
        options = {"data": json.dumps(bedrock_params("configured")), **request_options}
        async with session.post(CREATE, **options) as r:
            return r.status

    async def with_connector() -> int:
        async with aiohttp.ClientSession(connector=connector()) as session:
            return await create(session)

    assert asyncio.run(with_connector()) == 200
    assert batchjobs_fake.call_count("CreateModelInvocationJob") == 1
    assert socket_guard == []  # neither the proxy's name nor the service's


def test_a_base_url_and_every_spelling_of_a_host_are_answered(
    batchjobs_fake: BatchJobsFake, socket_guard: list[Any]
) -> None:
    async def get_all(session: aiohttp.ClientSession) -> list[int]:
        statuses = []
        for url in (
            "/model-invocation-jobs",
            "https://bedrock-fips.eu-west-1.amazonaws.com/model-invocation-jobs",
            "https://BEDROCK.cn-north-1.amazonaws.com.cn:443/model-invocation-jobs",
            "http://bedrock.us-west-2.api.aws./model-invocation-jobs",
        ):
            async with session.get(url) as r:
                statuses.append(r.status)
        return statuses

    assert run(get_all, base_url=BEDROCK) == [200, 200, 200, 200]
    assert [call.region for call in batchjobs_fake.calls] == [
        "us-east-1",
        "eu-west-1",
        "cn-north-1",
        "us-west-2",
    ]
    assert socket_guard == []


def test_aiobotocore_is_answered_once_by_its_own_transport(batchjobs_fake: BatchJobsFake) -> None:
    from aiobotocore.session import get_session

    async def listed() -> Any:
        async with get_session().create_client("bedrock", region_name="us-east-1") as client:
            return await client.list_model_invocation_jobs()

    assert asyncio.run(listed())["invocationJobSummaries"] == []
    assert [call.transport for call in batchjobs_fake.calls] == ["aiobotocore"]


def test_other_urls_are_untouched_and_nothing_once_the_fake_stops(local_site: str) -> None:
    async def hello(session: aiohttp.ClientSession) -> str:
        async with session.get(local_site) as r:
            return await r.text()

    original = aiohttp.TCPConnector._create_connection
    with fake_batchjobs() as fake:
        assert aiohttp.TCPConnector._create_connection is not original
        assert run(hello) == "hello"
    assert fake.calls == []
    assert aiohttp.TCPConnector._create_connection is original
    assert run(hello) == "hello"


def test_aiohttp_is_imported_only_when_the_user_imports_it() -> None:
    script = (
        "import asyncio, sys, pytest_batchjobs.plugin\n"
        "from pytest_batchjobs import fake_batchjobs\n"
        "assert 'aiohttp' not in sys.modules, 'the plugin imported aiohttp'\n"
        "with fake_batchjobs() as fake:\n"
        "    assert 'aiohttp' not in sys.modules, 'the fake imported aiohttp'\n"
        "    import aiohttp\n"
        "    async def get():\n"
        "        async with aiohttp.ClientSession() as session:\n"
        "            url = 'https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs'\n"
        "            async with session.get(url) as r:\n"
        "                return r.status\n"
        "    print(asyncio.run(get()), [call.transport for call in fake.calls])\n"
        "print(aiohttp.TCPConnector._create_connection.__module__)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert output.splitlines() == ["200 ['aiohttp']", "aiohttp.connector"]


# -- beside the test's own aioresponses mock -----------------------------------------------


@pytest.fixture(params=["fake-first", "aioresponses-first"])
def mocked(request: pytest.FixtureRequest) -> Iterator[tuple[aioresponses, BatchJobsFake]]:
    """A started aioresponses mock and the fake, started in either order."""
    if request.param == "fake-first":
        fake = request.getfixturevalue("batchjobs_fake")
        with aioresponses() as mock:
            yield mock, fake
    else:
        with aioresponses() as mock:
            yield mock, request.getfixturevalue("batchjobs_fake")


def test_a_url_the_user_mocked_is_the_mocks_and_the_other_service_urls_the_fakes(
    mocked: tuple[aioresponses, BatchJobsFake], socket_guard: list[Any]
) -> None:
    mock, fake = mocked
    job_url = f"{BEDROCK}/model-invocation-job/abcdefghijkl"
    mock.get(job_url, exception=aiohttp.ClientConnectionError("the user's mocked failure"))

    async def drive(session: aiohttp.ClientSession) -> tuple[str, int, int]:
        with pytest.raises(aiohttp.ClientConnectionError) as mine:
            await session.get(job_url)
        async with session.post(CREATE, json=bedrock_params("beside")) as created:
            assert created.status == 200, await created.text()
        async with session.get(job_url) as unmocked_now:  # the mock is used up
            return str(mine.value), created.status, unmocked_now.status

    assert run(drive) == ("the user's mocked failure", 200, 404)
    assert [call.operation for call in fake.calls] == [
        "CreateModelInvocationJob",
        "GetModelInvocationJob",
    ]
    assert mock.passthrough_unmatched is False  # the user's setting, untouched
    assert socket_guard == []


def test_a_url_no_one_mocked_is_still_refused_by_the_mock(
    mocked: tuple[aioresponses, BatchJobsFake], socket_guard: list[Any]
) -> None:
    _, fake = mocked

    async def elsewhere(session: aiohttp.ClientSession) -> None:
        await session.get("https://api.example.com/status")

    with pytest.raises(aiohttp.ClientConnectionError, match="Connection refused"):
        run(elsewhere)
    assert fake.calls == []
    assert socket_guard == []


def test_an_aioresponses_without_passthrough_unmatched_is_left_alone_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aioresponses

    from pytest_batchjobs import fake_batchjobs
    from pytest_batchjobs.neighbours import aioresponses as beside
    from pytest_batchjobs.neighbours.guard import NeighbourChangedWarning

    def old_init(self: Any, **kwargs: Any) -> None:  # 0.7.6's: no passthrough_unmatched
        self.requests = {}

    match = aioresponses.aioresponses.match
    monkeypatch.setattr(aioresponses.aioresponses, "__init__", old_init)
    monkeypatch.setattr(beside.GUARD, "_sound", None)
    monkeypatch.setattr(beside.GUARD, "_warned", set())
    warned = pytest.warns(NeighbourChangedWarning, match=r"aioresponses\(passthrough_unmatched")
    with warned, fake_batchjobs():
        assert aioresponses.aioresponses.match is match  # left alone
    monkeypatch.undo()
    beside.GUARD._sound = None
