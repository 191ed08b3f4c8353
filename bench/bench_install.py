"""What installing the plugin costs: every pytest run's start-up, and pip's resolution.

Run from the repository root::

    .venv/bin/python bench/bench_install.py                  # start-up, this tree
    .venv/bin/python bench/bench_install.py --tree OTHER     # start-up, another tree
    .venv/bin/python bench/bench_install.py --resolve examples

Start-up: two fresh virtual environments, one with pytest alone, one with the same
pytest and the plugin installed as the README says (``pip install <tree>``, so
everything its dependencies bring comes too, their own pytest plugins included). A
project of one test runs ``pytest -q`` in each, in paired rounds (ABBA order); the row
is the median wall time of each side, the median of the paired differences (with the
best run against the best run, and the paired CPU time, beside it) and the ratio.
Target: under 20 ms more, judged on wall time, not CPU time: a plugin that starts a
thread or a subprocess would hide from the CPU time of the pytest process. On a loaded
machine the wall figures swing by tens of milliseconds; the CPU and min/min figures
show what is left.

Resolution: a fresh virtual environment (pip's own cache is used), timed through
``pip install --dry-run -e "<tree>[EXTRA]"``, with the count of boto3 releases pip looked
at (each one tried is a release it backtracked through).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 20.0


@dataclass(frozen=True)
class Startup:
    """Wall seconds of ``pytest -q`` with the plugin installed and without, per round,
    and the CPU seconds (user + system) of the same runs."""

    with_plugin: list[float]
    without: list[float]
    cpu_with_plugin: list[float]
    cpu_without: list[float]

    @property
    def extra(self) -> float:
        """Median of the paired differences, in seconds."""
        pairs = zip(self.with_plugin, self.without, strict=True)
        return statistics.median(a - b for a, b in pairs)

    @property
    def min_extra(self) -> float:
        """Best run against best run, in seconds: what is left when load is least."""
        return min(self.with_plugin) - min(self.without)

    @property
    def cpu_extra(self) -> float:
        """Median of the paired CPU differences, in seconds: steadier than wall time on a
        loaded machine, reported beside it."""
        pairs = zip(self.cpu_with_plugin, self.cpu_without, strict=True)
        return statistics.median(a - b for a, b in pairs)

    @property
    def ratio(self) -> float:
        return statistics.median(self.with_plugin) / statistics.median(self.without)

    def row(self) -> str:
        extra_ms = self.extra * 1000
        ok = "yes" if extra_ms < TARGET_MS else "**NO**"
        return (
            f"| pytest -q start-up (wall), plugin installed, not used "
            f"| {statistics.median(self.with_plugin) * 1000:,.0f} ms "
            f"| pytest alone: {statistics.median(self.without) * 1000:,.0f} ms "
            f"| {self.ratio:.2f} "
            f"| {extra_ms:+.0f} ms (paired; min/min {self.min_extra * 1000:+.0f} ms; "
            f"CPU {self.cpu_extra * 1000:+.0f} ms) "
            f"| < +{TARGET_MS:g} ms | {ok} |"
        )


def _clean_environment() -> dict[str, str]:
    """This process's environment without what would leak into the measured runs."""
    leaks = ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "VIRTUAL_ENV")
    return {name: value for name, value in os.environ.items() if name not in leaks}


def _venv(folder: Path, *requirements: str) -> Path:
    """A fresh virtual environment in ``folder`` with ``requirements``; its pytest."""
    env = _clean_environment()
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, env=env)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", *requirements]
    subprocess.run(pip, check=True, env=env)
    return folder / "bin" / "pytest"


def startup(tree: Path, rounds: int) -> Startup:
    """Paired rounds of ``pytest -q`` on a one-test project, plugin installed vs not."""
    pytest_pin = f"pytest=={version('pytest')}"  # the same pytest on both sides
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        alone = _venv(folder / "alone", pytest_pin)
        installed = _venv(folder / "installed", pytest_pin, str(tree))
        project = folder / "project"
        project.mkdir()
        (project / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        env = _clean_environment()

        def run(pytest: Path) -> tuple[float, float]:
            """Wall and CPU seconds of one ``pytest -q``."""
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(
                [str(pytest), "-q"], cwd=project, env=env, capture_output=True, text=True
            )
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                raise RuntimeError(f"{pytest} -q failed:\n{done.stdout}{done.stderr}")
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return seconds, cpu

        run(alone), run(installed)  # warm the file cache and write the .pyc files
        timings: dict[Path, list[tuple[float, float]]] = {alone: [], installed: []}
        for index in range(rounds):
            order = (installed, alone) if index % 2 == 0 else (alone, installed)
            for pytest in order:
                timings[pytest].append(run(pytest))
    return Startup(
        [wall for wall, _ in timings[installed]],
        [wall for wall, _ in timings[alone]],
        [cpu for _, cpu in timings[installed]],
        [cpu for _, cpu in timings[alone]],
    )


def resolve(tree: Path, extra: str) -> tuple[float, int]:
    """Seconds pip takes to resolve ``-e tree[extra]`` in a fresh venv (nothing
    installed), and how many boto3 releases it looked at."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "venv"
        env = _clean_environment()
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, env=env)
        command = [
            str(folder / "bin" / "python"),
            *("-m", "pip", "install", "--dry-run", "-e", f"{tree}[{extra}]"),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
    tried = set(re.findall(r"\bboto3-(\d[\w.]*?)(?:-py3|\.tar)", done.stdout))
    return seconds, len(tried)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the tree to install")
    parser.add_argument("--rounds", type=int, default=12, help="paired rounds (start-up)")
    parser.add_argument("--resolve", metavar="EXTRA", help="time pip's resolution of EXTRA")
    options = parser.parse_args()
    tree = options.tree.resolve()
    if options.resolve:
        seconds, tried = resolve(tree, options.resolve)
        print(
            f"pip install --dry-run -e '{tree}[{options.resolve}]': {seconds:.1f} s, "
            f"{tried} boto3 release(s) looked at"
        )
        return 0
    result = startup(tree, options.rounds)
    print(result.row())
    return 0 if result.extra * 1000 < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
