"""Safety: a faked call is never signed with the user's real credentials, and resolving
credentials for one never runs a credential process or touches the network, whatever
the client's age, session, profile or keys."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.signers
import pytest
from botocore.awsrequest import AWSResponse

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.active import DUMMY_CREDENTIALS
from pytest_batchjobs.transports.botocore import DUMMY_BEARER_TOKEN

DUMMY_SCOPE = f"Credential={DUMMY_CREDENTIALS['AWS_ACCESS_KEY_ID']}/"
SSO_START_URL = "https://real-company.awsapps.com/start"

CREDENTIAL_PROCESS = """\
import json, sys
with open(sys.argv[1], "a") as marker:
    marker.write("credential_process ran\\n")
print(json.dumps({
    "Version": 1,
    "AccessKeyId": "AKIAPROCESSREALKEY00",
    "SecretAccessKey": "process-real-secret",
}))
"""


def write_profiles(directory: Path) -> dict[str, str]:
    """An ``~/.aws`` with real-looking keys and every kind of profile whose credentials
    are resolved elsewhere; returns the environment that points botocore at it.

    ``assume`` takes its source credentials from ``process``, whose credential process
    appends a line to ``credential_process.log`` each time it runs; ``webid`` and
    ``assume`` call STS, ``sso`` the SSO portal (its token is cached under ``.aws``,
    where ``HOME`` points), ``bare`` has no credentials (the instance metadata service
    would be asked).
    """
    aws = directory / ".aws"
    (aws / "sso" / "cache").mkdir(parents=True)
    script = directory / "credential_process.py"
    script.write_text(CREDENTIAL_PROCESS)
    marker = directory / "credential_process.log"
    (directory / "web-identity-token").write_text("real-web-identity-token")
    (aws / "credentials").write_text(
        "[default]\n"
        "aws_access_key_id = AKIAREALDEFAULTKEY00\n"
        "aws_secret_access_key = real-default-secret\n"
    )
    (aws / "config").write_text(
        textwrap.dedent(
            f"""\
            [default]
            region = us-east-1
            [profile assume]
            role_arn = arn:aws:iam::123456789012:role/RealAdmin
            source_profile = process
            [profile process]
            credential_process = "{sys.executable}" "{script}" "{marker}"
            [profile webid]
            role_arn = arn:aws:iam::123456789012:role/RealWebIdentity
            web_identity_token_file = {directory / "web-identity-token"}
            [profile sso]
            sso_start_url = {SSO_START_URL}
            sso_region = us-east-1
            sso_account_id = 123456789012
            sso_role_name = RealAdmin
            [profile bare]
            region = us-east-1
            """
        )
    )
    token = hashlib.sha1(SSO_START_URL.encode()).hexdigest()
    (aws / "sso" / "cache" / f"{token}.json").write_text(
        json.dumps(
            {
                "startUrl": SSO_START_URL,
                "region": "us-east-1",
                "accessToken": "real-sso-access-token",
                "expiresAt": "2999-01-01T00:00:00Z",
            }
        )
    )
    return {
        "HOME": str(directory),
        "AWS_CONFIG_FILE": str(aws / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
    }


PROFILES = ("default", "assume", "process", "webid", "sso", "bare")


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The profiles of :func:`write_profiles` in use, and the real keys of the
    environment; the directory they are in."""
    for name, value in write_profiles(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALENVIRONMENT0")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-environment-secret")
    for name in ("AWS_PROFILE", "AWS_EC2_METADATA_DISABLED", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def signatures(client: Any) -> list[str]:
    """The Authorization header of each request ``client`` sends from now on."""
    seen: list[str] = []
    client.meta.events.register(
        "before-send",
        lambda request, **_: seen.append(request.headers["Authorization"].decode()),
    )
    return seen


# -- a client made before pytest_configure ------------------------------------------------

ROOT_CONFTEST = """
import os
import socket

import boto3

LOOKUPS = []
_resolve = socket.getaddrinfo


def _getaddrinfo(host, *args, **kwargs):
    if host not in ("localhost", "127.0.0.1", "::1"):
        LOOKUPS.append(host)
        raise socket.gaierror(socket.EAI_NONAME, f"test: no lookups ({host})")
    return _resolve(host, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo

# Made when pytest loads this conftest, before the plugin's pytest_configure: their
# sessions copied botocore's handlers before the fake's were registered.
CLIENTS = {
    profile: boto3.Session(profile_name=profile).client("bedrock", region_name="us-east-1")
    for profile in ("default", "assume", "webid", "sso")
}
CLIENTS["explicit"] = boto3.client(
    "bedrock",
    region_name="us-east-1",
    aws_access_key_id="AKIAREALEXPLICITKEY0",
    aws_secret_access_key="real-explicit-secret",
)
os.remove("credential_process.log")  # ran for "assume" when it was made, not the fake's doing
"""

ROOT_TEST = """
import os

import pytest
from conftest import CLIENTS, LOOKUPS


@pytest.mark.parametrize("profile", sorted(CLIENTS))
def test_faked_call_signed_with_dummy_keys(batchjobs_fake, profile):
    client = CLIENTS[profile]
    seen = []
    client.meta.events.register(
        "before-send", lambda request, **_: seen.append(request.headers["Authorization"])
    )
    assert client.list_model_invocation_jobs()["invocationJobSummaries"] == []
    assert seen and b"Credential=FAKEBATCHJOBSKEY0000/" in seen[0], seen
    assert LOOKUPS == []
    assert not os.path.exists("credential_process.log")
"""


def test_clients_made_in_a_root_conftest_never_sign_with_real_keys_nor_call_sts(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in write_profiles(pytester.path).items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    pytester.makeconftest(ROOT_CONFTEST)
    pytester.makepyfile(test_clients=ROOT_TEST)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


# -- clients made while the fake is active ------------------------------------------------


@pytest.mark.parametrize("service", ["bedrock", "personalize"])
@pytest.mark.parametrize("profile", PROFILES)
def test_a_client_made_during_the_fake_resolves_no_credentials_of_any_profile(
    profiles: Path, lookups: list[str], profile: str, service: str
) -> None:
    with fake_batchjobs() as fake:
        client = boto3.Session(profile_name=profile).client(service, region_name="us-east-1")
        seen = signatures(client)
        if service == "bedrock":
            client.list_model_invocation_jobs()
        else:
            client.list_batch_inference_jobs()
        assert len(fake.calls) == 1
    assert not (profiles / "credential_process.log").exists()  # never run
    assert lookups == []  # no STS, SSO portal or instance metadata
    assert DUMMY_SCOPE in seen[0]


def test_explicit_keys_never_sign_a_faked_call(profiles: Path) -> None:
    with fake_batchjobs():
        client = boto3.client(
            "bedrock",
            region_name="us-east-1",
            aws_access_key_id="AKIAREALEXPLICITKEY0",
            aws_secret_access_key="real-explicit-secret",
        )
        seen = signatures(client)
        client.list_model_invocation_jobs()
    assert DUMMY_SCOPE in seen[0]


def test_an_assume_role_client_made_before_the_fake_never_calls_sts(
    profiles: Path, lookups: list[str]
) -> None:
    client = boto3.Session(profile_name="assume").client("bedrock", region_name="us-east-1")
    (profiles / "credential_process.log").unlink()  # its source credentials, resolved now
    seen = signatures(client)
    with fake_batchjobs():
        client.list_model_invocation_jobs()
    assert lookups == []
    assert not (profiles / "credential_process.log").exists()
    assert DUMMY_SCOPE in seen[0]


def test_a_client_made_before_the_fake_signs_with_its_own_keys_again_after_it(
    profiles: Path,
) -> None:
    client = boto3.client("bedrock", region_name="us-east-1")
    seen = signatures(client)

    def answer(request: Any, **_: Any) -> AWSResponse | None:
        if "FAKEBATCHJOBSKEY" in request.headers["Authorization"].decode():
            return None  # the fake's to answer
        return AWSResponse(request.url, 200, {}, _Body(b'{"invocationJobSummaries": []}'))

    client.meta.events.register("before-send", answer)
    original = botocore.signers.RequestSigner.get_auth_instance
    with fake_batchjobs():
        client.list_model_invocation_jobs()
    client.list_model_invocation_jobs()
    assert botocore.signers.RequestSigner.get_auth_instance is original
    assert DUMMY_SCOPE in seen[0]
    assert "Credential=AKIAREALENVIRONMENT0/" in seen[1]


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        body, self._body = self._body, b""
        return body


@pytest.mark.parametrize("made", ["before", "during"])
def test_a_real_bearer_token_never_signs_a_faked_call(
    profiles: Path, monkeypatch: pytest.MonkeyPatch, made: str
) -> None:
    # botocore prefers bearer auth for Bedrock when this variable is set
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "real-bedrock-api-key")
    fake = BatchJobsFake()
    client = boto3.client("bedrock", region_name="us-east-1") if made == "before" else None
    with fake:
        client = client or boto3.client("bedrock", region_name="us-east-1")
        seen = signatures(client)
        client.list_model_invocation_jobs()
        assert len(fake.calls) == 1
    assert seen == [f"Bearer {DUMMY_BEARER_TOKEN}"]
    assert os.environ["AWS_BEARER_TOKEN_BEDROCK"] == "real-bedrock-api-key"
