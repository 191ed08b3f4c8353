"""Safety, client by client: while a fake is active, no request for a faked service
leaves the machine, whatever the client and whatever keys it signs with.

The clients the fake answers (boto3, requests, httpx sync and async, urllib.request,
aiobotocore, urllib3's pools and aiohttp used directly, whatever resolves aiohttp's names
and through a proxy or not) are answered in-process: no name is looked up and no socket
connects. The clients it does not answer (``http.client``, a urllib3 connection used below
its pools) are refused before any connection by the lookup guard, with a message naming
the host.
``socket_guard`` (conftest) sits under the fake's lookup guard and records every lookup
and connection that gets past it: it must record none.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import urllib.request
from collections.abc import Callable
from typing import Any

import aiohttp
import aiohttp.abc
import boto3
import httpx
import pytest
import requests
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from jobs import bedrock_params
from requests_aws4auth import AWS4Auth

from pytest_batchjobs import BatchJobsFake

REGION = "us-east-1"
HOST = "bedrock.us-east-1.amazonaws.com"
CREATE = f"https://{HOST}/model-invocation-job"
JOBS = f"https://{HOST}/model-invocation-jobs"
KEY, SECRET = "AKIAIOSFODNN7REALKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALKEY"


@pytest.fixture
def guarded(socket_guard: list[Any], batchjobs_fake: BatchJobsFake) -> list[Any]:
    """The socket guard, under the fake's lookup guard (set up first, patched first)."""
    return socket_guard


def sigv4_headers(method: str, url: str, body: bytes | None) -> dict[str, str]:
    """Headers signed with the real-looking keys, as LiteLLM signs before httpx sends."""
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials(KEY, SECRET), "bedrock", REGION).add_auth(request)
    return dict(request.headers.items())


# -- the clients the fake answers: in-process ----------------------------------------------


def with_boto3() -> list[str]:
    client = boto3.client(
        "bedrock", region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET
    )
    client.create_model_invocation_job(**bedrock_params("leak-check"))
    return [job["jobName"] for job in client.list_model_invocation_jobs()["invocationJobSummaries"]]


def with_requests() -> list[str]:
    auth = AWS4Auth(KEY, SECRET, REGION, "bedrock")
    requests.post(CREATE, json=bedrock_params("leak-check"), auth=auth, timeout=5)
    listed = requests.get(JOBS, auth=auth, timeout=5).json()
    return [job["jobName"] for job in listed["invocationJobSummaries"]]


def with_httpx() -> list[str]:
    body = json.dumps(bedrock_params("leak-check")).encode()
    with httpx.Client() as client:
        client.post(CREATE, content=body, headers=sigv4_headers("POST", CREATE, body))
        listed = client.get(JOBS, headers=sigv4_headers("GET", JOBS, None)).json()
    return [job["jobName"] for job in listed["invocationJobSummaries"]]


def with_async_httpx() -> list[str]:
    async def drive() -> Any:
        body = json.dumps(bedrock_params("leak-check")).encode()
        async with httpx.AsyncClient() as client:
            await client.post(CREATE, content=body, headers=sigv4_headers("POST", CREATE, body))
            return (await client.get(JOBS, headers=sigv4_headers("GET", JOBS, None))).json()

    return [job["jobName"] for job in asyncio.run(drive())["invocationJobSummaries"]]


def with_urllib() -> list[str]:
    body = json.dumps(bedrock_params("leak-check")).encode()
    headers = {**sigv4_headers("POST", CREATE, body), "Content-Type": "application/json"}
    urllib.request.urlopen(urllib.request.Request(CREATE, data=body, headers=headers)).close()
    with urllib.request.urlopen(JOBS) as listed:
        return [job["jobName"] for job in json.load(listed)["invocationJobSummaries"]]


def with_aiobotocore() -> list[str]:
    from aiobotocore.session import get_session

    async def drive() -> Any:
        async with get_session().create_client(
            "bedrock", region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET
        ) as client:
            await client.create_model_invocation_job(**bedrock_params("leak-check"))
            return await client.list_model_invocation_jobs()

    return [job["jobName"] for job in asyncio.run(drive())["invocationJobSummaries"]]


def with_urllib3_pool_manager() -> list[str]:
    body = json.dumps(bedrock_params("leak-check")).encode()
    http = urllib3.PoolManager()
    http.request("POST", CREATE, body=body, headers=sigv4_headers("POST", CREATE, body))
    listed = http.request("GET", JOBS, headers=sigv4_headers("GET", JOBS, None)).json()
    return [job["jobName"] for job in listed["invocationJobSummaries"]]


def with_urllib3_connection_pool() -> list[str]:
    body = json.dumps(bedrock_params("leak-check")).encode()
    pool = urllib3.HTTPSConnectionPool(HOST, 443, retries=False)
    headers = sigv4_headers("POST", CREATE, body)
    pool.request("POST", "/model-invocation-job", body=body, headers=headers)
    listed = pool.request("GET", "/model-invocation-jobs", headers=sigv4_headers("GET", JOBS, None))
    return [job["jobName"] for job in listed.json()["invocationJobSummaries"]]


class OwnResolver(aiohttp.abc.AbstractResolver):
    """A resolver that needs no Python socket lookup, as aiodns's or uvloop's: it fails
    the test if it is ever asked."""

    async def resolve(self, host: str, port: int = 0, family: Any = 0) -> list[Any]:
        raise AssertionError(f"the resolver was asked for {host!r}")

    async def close(self) -> None:
        pass


def with_aiohttp(resolver: str = "default", proxy: str | None = None) -> Callable[[], list[str]]:
    def send() -> list[str]:
        async def drive() -> Any:
            chosen = {"threaded": aiohttp.ThreadedResolver, "own": OwnResolver}.get(resolver)
            connector = aiohttp.TCPConnector(resolver=chosen() if chosen else None)
            body = json.dumps(bedrock_params("leak-check")).encode()
            async with aiohttp.ClientSession(connector=connector) as session:
                headers = sigv4_headers("POST", CREATE, body)
                await session.post(CREATE, data=body, headers=headers, proxy=proxy)
                headers = sigv4_headers("GET", JOBS, None)
                async with session.get(JOBS, headers=headers, proxy=proxy) as listed:
                    return await listed.json()

        return [job["jobName"] for job in asyncio.run(drive())["invocationJobSummaries"]]

    return send


ANSWERED: list[Any] = [
    pytest.param(with_boto3, "botocore", id="boto3"),
    pytest.param(with_requests, "responses", id="requests"),
    pytest.param(with_httpx, "httpx", id="httpx"),
    pytest.param(with_async_httpx, "httpx", id="httpx-async"),
    pytest.param(with_urllib, "urllib", id="urllib.request"),
    pytest.param(with_aiobotocore, "aiobotocore", id="aiobotocore"),
    pytest.param(with_urllib3_pool_manager, "urllib3", id="urllib3-PoolManager"),
    pytest.param(with_urllib3_connection_pool, "urllib3", id="urllib3-HTTPSConnectionPool"),
    pytest.param(with_aiohttp("default"), "aiohttp", id="aiohttp"),
    pytest.param(with_aiohttp("threaded"), "aiohttp", id="aiohttp-ThreadedResolver"),
    pytest.param(with_aiohttp("own"), "aiohttp", id="aiohttp-resolver-without-sockets"),
    pytest.param(
        with_aiohttp(proxy="http://proxy.example.com:3128"), "aiohttp", id="aiohttp-proxy"
    ),
]


@pytest.mark.parametrize(("client", "transport"), ANSWERED)
def test_clients_the_fake_answers_send_nothing_even_with_real_looking_keys(
    guarded: list[Any],
    batchjobs_fake: BatchJobsFake,
    client: Callable[[], list[str]],
    transport: str,
) -> None:
    assert client() == ["leak-check"]
    assert [(call.transport, call.operation) for call in batchjobs_fake.calls] == [
        (transport, "CreateModelInvocationJob"),
        (transport, "ListModelInvocationJobs"),
    ]
    assert guarded == []  # no lookup, no connection


# -- the clients it does not answer: refused before any connection ------------------------


def by_urllib3_connection() -> None:
    """urllib3's connection used below its pools, where the fake does not answer."""
    connection = urllib3.connection.HTTPSConnection(HOST, 443)
    with pytest.raises(urllib3.exceptions.NameResolutionError) as refused:
        connection.request(
            "GET", "/model-invocation-jobs", headers=sigv4_headers("GET", JOBS, None)
        )
    raise OSError(str(refused.value)) from refused.value


def by_http_client() -> None:
    connection = http.client.HTTPSConnection(HOST, timeout=5)
    connection.request("GET", "/model-invocation-jobs", headers=sigv4_headers("GET", JOBS, None))


@pytest.mark.parametrize(
    "client",
    [
        pytest.param(by_urllib3_connection, id="urllib3-HTTPSConnection"),
        pytest.param(by_http_client, id="http.client"),
    ],
)
def test_clients_the_fake_does_not_answer_are_refused_before_any_connection(
    guarded: list[Any], client: Callable[[], None]
) -> None:
    with pytest.raises(OSError, match=f"refused to resolve '{HOST}', an endpoint of bedrock"):
        client()
    assert guarded == []  # not even a lookup got past the guard


def test_the_guard_underneath_sees_a_real_connection(guarded: list[Any]) -> None:
    """The socket guard does catch what gets past the fake: so its silence above means
    something."""
    with pytest.raises(httpx.ConnectError, match="socket guard: a name lookup"):
        httpx.get("https://example.com/", timeout=5)
    assert guarded == ["example.com"]


def test_aiohttp_connects_as_before_once_the_fake_stops() -> None:
    from pytest_batchjobs import fake_batchjobs

    original = aiohttp.connector.TCPConnector._create_connection
    with fake_batchjobs():
        assert aiohttp.connector.TCPConnector._create_connection is not original
    assert aiohttp.connector.TCPConnector._create_connection is original
