"""Every benchmark in one table, each figure against its anchor measured in the same run.

Run from the repository root (about two minutes)::

    .venv/bin/python bench/run.py

Rows (the ratio is candidate / baseline, median of interleaved rounds):

1. GetModelInvocationJob through the fake vs a bare ``before-send`` handler returning
   the same bytes (the floor of any botocore-level fake): target <= 1.15.
2. The same call vs moto answering its closest operation (GetModelCustomizationJob,
   another Bedrock job getter) inside ``mock_aws``: target <= 0.67 (1.5x faster).
3. Fixture activate + reset with each clock backend vs moto's ``mock_aws`` start +
   stop: time-machine target <= 0.2 (5x faster); freezegun target <= 1.0.
4. pytest start-up (collecting one test; CPU time, paired rounds) with the plugin
   installed but unused vs the same run with the plugin disabled
   (``-p no:batchjobs``): target under 20 ms more.
4b. Installed-plugin start-up: ``pytest -q`` on a one-test project (wall time, paired
   rounds) in a fresh venv with pytest and the plugin installed (everything its
   dependencies bring, their pytest plugins included) vs a fresh venv with the same
   pytest alone: target under 20 ms more (``bench_install.py``; it needs the package
   index to build the two venvs).
5. A 100-item page at 100,000 stored jobs vs at 1,000: target <= 2.
5b. Filtered pages at 100,000 stored jobs vs the unfiltered first page of the same
   store (``bench_filters.py``): a submitTime range, a range that matches nothing,
   statusEquals matching nothing and filling a page: target <= 2; nameContains that
   matches nothing is not indexed and reads every job (reported, no target).
6. Factory inserts per second, vs creating jobs one by one through boto3.
7. Memory per completed Bedrock job: the bytes a job created through boto3 still holds
   once it ended, against the bytes of the outputs it wrote (tracemalloc; without moto
   and inside ``mock_aws``, moto's copy of the outputs counted): target <= 2
   (``bench_memory.py``).
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import botocore
from bench_core import (
    Comparison,
    alternate,
    bench_get,
    bench_list,
    interleaved,
    job_params,
    per_call,
    table,
)
from bench_factory import COUNT, api_rate, factory_seconds
from bench_filters import bench_filtered
from bench_install import ROOT, TARGET_MS, startup
from bench_memory import TARGET as MEMORY_TARGET
from bench_memory import rows as memory_rows

from pytest_batchjobs import BatchJobsFake, fake_batchjobs


def bench_moto(rounds: int) -> Comparison:
    """Our Get vs moto's closest job getter, each in its own fake, in alternating rounds.

    Only one of the two is active at a time (each would otherwise see the other's
    calls), so each round starts one, times 100 calls, stops it, then does the same
    with the other (ABBA order): the machine's drift hits both alike.
    """
    import moto

    fake = BatchJobsFake()
    mock = moto.mock_aws()

    def ours() -> float:
        fake.start()
        try:
            client = boto3.client("bedrock", region_name="us-east-1")
            arn = client.create_model_invocation_job(**job_params("bench"))["jobArn"]
            return per_call(lambda: client.get_model_invocation_job(jobIdentifier=arn), 100)
        finally:
            fake.stop()
            fake.reset()

    def theirs() -> float:
        mock.start()
        try:
            client = boto3.client("bedrock", region_name="us-east-1")
            client.create_model_customization_job(
                jobName="bench",
                customModelName="bench-model",
                roleArn="arn:aws:iam::123456789012:role/Bench",
                baseModelIdentifier="amazon.titan-text-express-v1",
                trainingDataConfig={"s3Uri": "s3://bench-in/train.jsonl"},
                outputDataConfig={"s3Uri": "s3://bench-out/"},
                hyperParameters={},
            )
            return per_call(lambda: client.get_model_customization_job(jobIdentifier="bench"), 100)
        finally:
            mock.stop()

    ours(), theirs()  # warm both paths
    candidate, baseline = alternate(ours, theirs, rounds)
    return Comparison(
        "GetModelInvocationJob vs moto",
        "fake",
        "moto GetModelCustomizationJob",
        1 / 1.5,
        candidate,
        baseline,
    )


def bench_activation(clock: str, target: float, rounds: int) -> Comparison:
    """Activate + deactivate + reset of the fake vs moto's mock_aws start + stop."""
    import moto

    fake = BatchJobsFake(clock=clock, start=dt.datetime(2024, 1, 1))
    mock = moto.mock_aws()

    def ours() -> None:
        fake.start()
        fake.stop()
        fake.reset()

    def theirs() -> None:
        mock.start()
        mock.stop()

    cand, base = interleaved(ours, theirs, rounds=rounds, repeat=20)
    return Comparison(
        f"activate + reset ({clock})", "fake", "moto mock_aws start + stop", target, cand, base
    )


def bench_startup(rounds: int) -> tuple[float, float, float]:
    """pytest start-up (collecting one test) with the plugin and without it.

    Answers the median CPU seconds of each arm and the median of the paired
    differences. CPU time (user + system) of the pytest process, not wall time: on a
    shared machine, wall time swings by tens of milliseconds with other jobs' load.
    """
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_one.py").write_text("def test_one():\n    pass\n")
        # The test environment's other plugins (hypothesis and faker take over 2 s
        # together) are off in both arms, so the difference is this plugin's alone.
        others = ("cacheprovider", "randomly", "hypothesispytest", "faker", "xdist", "timeout")
        base = [sys.executable, "-m", "pytest", "--co", "-q", folder]
        for plugin in others:
            base += ["-p", f"no:{plugin}"]

        def cpu_seconds(command: list[str]) -> float:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(command, check=True, capture_output=True, cwd=folder)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

        runs: dict[bool, list[float]] = {True: [], False: []}
        for index in range(rounds * 2):
            with_plugin = index % 4 in (0, 3)  # ABBA order
            command = base if with_plugin else [*base, "-p", "no:batchjobs"]
            runs[with_plugin].append(cpu_seconds(command))
    paired = [a - b for a, b in zip(runs[True], runs[False], strict=True)]
    return statistics.median(runs[True]), statistics.median(runs[False]), statistics.median(paired)


def machine_speed() -> float:
    """Seconds this machine takes for a fixed pure-Python loop (best of five): a yardstick
    for the absolute times in the table, which only mean something next to it."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10**7))
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> int:
    started = time.perf_counter()
    rows: list[Comparison] = []
    with fake_batchjobs() as fake:
        kind = fake.clock.kind
        rows.append(bench_get(fake, rounds=15, repeat=150))
    rows.append(bench_moto(rounds=15))
    rows.append(bench_activation("time-machine", 0.2, rounds=15))
    rows.append(bench_activation("freezegun", 1.0, rounds=15))
    with fake_batchjobs() as fake:
        list_rows, _ = bench_list(fake, rounds=9, repeat=5)
        rows.extend(list_rows)
    rows.extend(bench_filtered(rounds=5, repeat=5))
    with_plugin, without, extra = bench_startup(rounds=40)
    installed = startup(ROOT, rounds=12)
    api = api_rate()
    seconds = factory_seconds()
    memory = memory_rows(jobs=100)

    versions = (
        f"python {sys.version.split()[0]}, botocore {botocore.__version__}, "
        f"boto3 {boto3.__version__}"
    )
    try:
        import moto

        versions += f", moto {moto.__version__}"
    except ImportError:  # pragma: no cover - the test extra installs it
        pass
    print(f"{dt.date.today().isoformat()}: {versions}; default clock: {kind}")
    print(
        f"machine: sum(range(10**7)) takes {machine_speed() * 1000:.0f} ms "
        "(absolute times scale with it)\n"
    )
    print(table(rows))
    extra_ms = extra * 1000
    print(
        f"| pytest start-up (CPU), plugin installed but unused | {with_plugin * 1000:,.0f} ms "
        f"| with -p no:batchjobs: {without * 1000:,.0f} ms | {with_plugin / without:.2f} "
        f"| {extra_ms:+.0f} ms (paired) | < +20 ms | {'yes' if extra_ms < 20 else '**NO**'} |"
    )
    print(installed.row())
    print(
        f"| factory inserts, {COUNT:,} Bedrock jobs | {COUNT / seconds:,.0f} jobs/s "
        f"({seconds:.1f} s) | boto3 creates: {api:,.0f} jobs/s | {COUNT / seconds / api:.0f}x "
        f"faster | - | a few seconds | {'yes' if seconds < 5 else '**NO**'} |"
    )
    for held in memory:
        print(held.row())
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    ok = (
        all(row.median_ratio <= row.target for row in rows)
        and extra_ms < 20
        and installed.extra * 1000 < TARGET_MS
        and all(held.ratio <= MEMORY_TARGET for held in memory)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
