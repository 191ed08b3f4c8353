"""Safety: with ``AWS_DEFAULTS_MODE=auto`` (in the environment or the config file),
making a client of a faked service during the fake asks nothing of the instance
metadata service (botocore resolves ``auto`` through it, at 169.254.169.254, when a
client is made), sync or async; the client is made in the mode botocore picks where
that service does not answer.

Each case runs in a subprocess whose sockets are guarded: every connection and name
lookup that is not to loopback is recorded and refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from clients import aws_env
from jobs import bedrock_params

GUARD = textwrap.dedent(
    """\
    import asyncio, json, socket, sys
    attempts = []
    LOOPBACK = ("127.0.0.1", "::1", "localhost")
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self, address):
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            attempts.append(str(address[0]))
            raise OSError(f"socket guard: a connection to {address!r}")
        return connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK:
            attempts.append(str(host))
            raise OSError(f"socket guard: a lookup of {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.getaddrinfo = guarded_getaddrinfo
    """
)

CLIENTS = GUARD + textwrap.dedent(
    """    import boto3
    from aiobotocore.session import get_session
    from botocore.config import Config
    from pytest_batchjobs import fake_batchjobs

    CALLS = {
        "bedrock": "list_model_invocation_jobs",
        "personalize": "list_batch_inference_jobs",
        "sagemaker": "list_transform_jobs",
        "bedrock-runtime": "list_async_invokes",
    }
    modes = {}

    def mode_of(client):  # what the defaults mode sets: the retry mode, the connect timeout
        return f"{client.meta.config.retries['mode']} {client.meta.config.connect_timeout}"

    async def async_calls():
        for service in ("bedrock", "personalize"):
            async with get_session().create_client(service, region_name="eu-west-1") as client:
                modes["async " + service] = mode_of(client)
                await getattr(client, CALLS[service])()

    with fake_batchjobs() as fake:
        for service, operation in CALLS.items():
            client = boto3.client(service, region_name="eu-west-1")
            modes[service] = mode_of(client)
            getattr(client, operation)()
        auto = Config(defaults_mode="auto")
        given = boto3.client("bedrock", region_name="eu-west-1", config=auto)
        modes["Config(defaults_mode='auto')"] = mode_of(given)
        given.list_model_invocation_jobs()
        asyncio.run(async_calls())
        answered = len(fake.calls)
        errors = fake.internal_errors
    seen = {"attempts": attempts, "modes": modes, "answered": answered, "errors": errors}
    print(json.dumps(seen))
    """
)


def run_guarded(
    tmp_path: Path, config: str = "", script: str = CLIENTS, **env: str
) -> dict[str, Any]:
    environment = aws_env(tmp_path, **env)
    del environment["AWS_EC2_METADATA_DISABLED"]  # the metadata service is on, as by default
    Path(environment["AWS_CONFIG_FILE"]).write_text(config)
    run = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize("where", ["environment", "config file"])
def test_defaults_mode_auto_asks_nothing_of_the_instance_metadata_service(
    tmp_path: Path, where: str
) -> None:
    if where == "environment":
        result = run_guarded(tmp_path, AWS_DEFAULTS_MODE="auto")
    else:
        result = run_guarded(tmp_path, config="[default]\ndefaults_mode = auto\n")
    assert result["attempts"] == []  # no connection, no lookup
    assert result["errors"] == []
    assert result["answered"] == 7
    # auto as botocore resolves it where the metadata service does not answer: standard
    assert set(result["modes"].values()) == {"standard 3.1"}, result["modes"]


def test_in_aws_lambda_auto_is_resolved_by_the_environment_s_region(tmp_path: Path) -> None:
    """``AWS_EXECUTION_ENV`` (Lambda, ECS) names the region botocore compares the
    client's with, without asking the metadata service: in-region or cross-region."""
    result = run_guarded(
        tmp_path,
        AWS_DEFAULTS_MODE="auto",
        AWS_EXECUTION_ENV="AWS_Lambda_python3.11",
        AWS_REGION="eu-west-1",
    )
    assert result["answered"] == 7
    assert result["attempts"] == []
    assert result["errors"] == []
    assert result["modes"] == {
        "bedrock": "standard 1.1",  # in-region: a shorter connect timeout
        "personalize": "standard 1.1",
        "sagemaker": "standard 1.1",
        "bedrock-runtime": "standard 1.1",
        "Config(defaults_mode='auto')": "standard 1.1",
        "async bedrock": "standard 1.1",
        "async personalize": "standard 1.1",
    }


INSIDE_MOTO = GUARD + textwrap.dedent(
    """\
    import json, sys
    import pytest_batchjobs  # first, as the plugin is in pytest
    import boto3
    from moto import mock_aws
    from pytest_batchjobs import fake_batchjobs

    with mock_aws(), fake_batchjobs() as fake:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="batch-in")
        s3.put_object(Bucket="batch-in", Key="records.jsonl", Body=sys.argv[1].encode())
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        arn = bedrock.create_model_invocation_job(**json.loads(sys.argv[2]))["jobArn"]
        status = bedrock.get_model_invocation_job(jobIdentifier=arn)["status"]
        errors = fake.internal_errors
    print(json.dumps({"attempts": attempts, "status": status, "errors": errors}))
    """
)


def test_inside_mock_aws_the_fake_s_own_s3_client_asks_nothing_either(tmp_path: Path) -> None:
    """The fake reads a job's input from moto's S3 with a client of its own, made
    during the call: in mode ``auto`` it is made without the metadata service too."""
    record = json.dumps({"recordId": "r1", "modelInput": {"prompt": "hi"}})
    script = INSIDE_MOTO.replace("sys.argv[1]", repr(record)).replace(
        "sys.argv[2]", repr(json.dumps(bedrock_params("inside-moto")))
    )
    result = run_guarded(tmp_path, script=script, AWS_DEFAULTS_MODE="auto")
    assert result["attempts"] == []
    assert result["errors"] == []
    assert result["status"] == "Submitted"
