"""Running other clients (the AWS CLI, node, the server itself) as subprocesses.

While a fake is active, ``time.sleep`` moves the fake clock, and ``subprocess.run``'s
``timeout`` sleeps while it polls: so the processes here are waited for without one,
and a watchdog thread (which waits in real time) kills a process that hangs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/BatchRole"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


def aws_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a process that must never use real credentials or config."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    config = tmp_path / "aws-config"
    credentials = tmp_path / "aws-credentials"
    config.write_text("")
    credentials.write_text("")
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLEDUMMY0000",
        AWS_SECRET_ACCESS_KEY="dummy-secret",
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
        **extra,
    )
    return env


def run(
    command: list[str], env: dict[str, str], *, timeout: float = 60, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to its end (killed after ``timeout`` real seconds)."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        stdout, stderr = process.communicate()
    finally:
        watchdog.cancel()
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {result.returncode}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        )
    return result


def aws(endpoint: str, env: dict[str, str], *arguments: str) -> Any:
    """Run the AWS CLI against ``endpoint``; its JSON output, parsed."""
    command = [
        sys.executable,
        "-m",
        "awscli",
        "--endpoint-url",
        endpoint,
        "--region",
        "us-east-1",
        "--output",
        "json",
        *arguments,
    ]
    stdout = run(command, env).stdout
    return json.loads(stdout) if stdout.strip() else None
