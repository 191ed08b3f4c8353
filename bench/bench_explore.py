"""What an exploration costs per example, against the same test body run as plain tests.

Run from the repository root::

    .venv/bin/python bench/bench_explore.py

Two typical bodies, each run 50 times in one pytest process, in interleaved rounds:

* a lister: 45 factory jobs, then every page through botocore's paginator;
* a poller: one job created through the API, polled every 30 minutes to its end.

The candidate is ``@pytest.mark.batchjobs_explore(examples=50)`` (every dimension: page
sizes, faults, outcomes and timing drawn, each example on a fake reset to a clean state);
the baseline, the same body as 50 plain tests (``parametrize``, a fixture set up and torn
down for each). The ratio is the cost of an example over the cost of the plain test;
an example does more than the plain body where the scenario makes it (short pages mean
more list calls, faults mean retries, timing means more polls).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLES = 50
ROUNDS = 3

CLIENT = """
import time

import boto3

ENDS = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}


def bedrock():
    return boto3.client("bedrock", region_name="us-east-1")


def count(client):
    pages = client.get_paginator("list_model_invocation_jobs").paginate()
    return sum(len(page["invocationJobSummaries"]) for page in pages)


def run_one(client):
    arn = client.create_model_invocation_job(
        jobName="nightly",
        roleArn="arn:aws:iam::123456789012:role/NightlyBatch",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        timeoutDurationInHours=24,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://nightly-in/records.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://nightly-out/"}},
    )["jobArn"]
    while (status := client.get_model_invocation_job(jobIdentifier=arn)["status"]) not in ENDS:
        time.sleep(1800)
    return status
"""

BODIES = {
    "lister": """
    batchjobs_fake.bedrock.add_jobs(45, status="Completed")
    assert count(bedrock()) == 45
""",
    "poller": """
    assert run_one(bedrock()) in ENDS
""",
}


def write(folder: Path) -> None:
    (folder / "client.py").write_text(CLIENT)
    for name, body in BODIES.items():
        head = "import pytest\n\nfrom client import ENDS, bedrock, count, run_one\n\n"
        (folder / f"test_{name}_plain.py").write_text(
            head
            + f"@pytest.mark.parametrize('n', range({EXAMPLES}))\n"
            + f"def test_{name}(batchjobs_fake, n):{body}"
        )
        (folder / f"test_{name}_explored.py").write_text(
            head
            + f"@pytest.mark.batchjobs_explore(examples={EXAMPLES})\n"
            + f"def test_{name}(batchjobs_fake):{body}"
        )


def seconds(folder: Path, test_file: str) -> float:
    """The test's own time (pytest's --durations for the calls, summed), not start-up."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    command += ["--durations=0", "--durations-min=0", "--batchjobs-seed", "1", test_file]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{test_file} failed:\n{result.stdout[-3000:]}")
    spent = 0.0
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].endswith("s") and parts[1] in ("call", "setup", "teardown"):
            spent += float(parts[0][:-1])
    return spent or wall


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        write(folder)
        print(f"{EXAMPLES} examples vs {EXAMPLES} plain tests, {ROUNDS} interleaved rounds")
        print("| body | explored, per example | plain, per test | ratio (median) |")
        print("|---|---|---|---|")
        for name in BODIES:
            explored, plain = [], []
            for _ in range(ROUNDS):
                explored.append(seconds(folder, f"test_{name}_explored.py") / EXAMPLES)
                plain.append(seconds(folder, f"test_{name}_plain.py") / EXAMPLES)
            ratio = statistics.median(e / p for e, p in zip(explored, plain, strict=True))
            print(
                f"| {name} | {statistics.median(explored) * 1000:,.0f} ms "
                f"| {statistics.median(plain) * 1000:,.0f} ms | {ratio:.2f} |"
            )


if __name__ == "__main__":
    main()
