"""What installing the plugin brings into a project: no other pytest plugin, no faker, and
factory jobs that are the same for the same seed on every machine.

The time a pytest run pays for the installed plugin is measured in the bench
(``bench/bench_install.py``: two virtual environments, paired rounds), never here.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import textwrap
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from pytest_batchjobs.services._kit.names import FIRST_NAMES, LAST_NAMES, WORDS, NamePools

ROOT = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")


def _required() -> list[Requirement]:
    """The plugin's required dependencies, as this tree's pyproject.toml declares them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def _closure(roots: list[Requirement]) -> dict[str, list[str]]:
    """Every installed distribution the roots need (their extras' needs left out), with
    the pytest11 entry points each registers."""
    found: dict[str, list[str]] = {}
    pending = list(roots)
    while pending:
        requirement = pending.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in found:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:  # an environment marker left it out here
            continue
        found[name] = [ep.name for ep in dist.entry_points if ep.group == "pytest11"]
        pending.extend(Requirement(line) for line in dist.requires or [])
    return found


def test_no_required_dependency_registers_a_pytest_plugin() -> None:
    # Each pytest11 entry point is imported, and its fixtures set up, in every pytest run
    # of every project that installs the plugin: faker's builds a Faker() per session.
    closure = _closure(_required())
    assert {"pytest", "botocore", "pluggy"} <= set(closure)  # the walk reached them
    plugins = {name: eps for name, eps in closure.items() if eps}
    assert plugins == {}, plugins


def test_faker_is_not_a_required_dependency() -> None:
    assert "faker" not in {requirement.name.lower() for requirement in _required()}


# A fake's factory jobs, printed as JSON, in a fresh interpreter; ``block`` names
# packages made unimportable first (as on a machine without them).
FACTORY_RUN = """
import json, sys
for name in {block!r}:
    sys.modules[name] = None
from pytest_batchjobs import BatchJobsFake
with BatchJobsFake(seed=2024) as fake:
    jobs = [fake.bedrock.add_jobs(5, status="Completed"),
            fake.personalize.add_jobs(3), fake.sagemaker.add_jobs(3)]
names = [job.get("jobName") or job.get("TransformJobName") for group in jobs for job in group]
print(json.dumps({{"names": names, "jobs": jobs, "faker": "faker" in sys.modules
                   and sys.modules["faker"] is not None}}, default=str))
"""


def _factory_jobs(*runs: tuple[tuple[str, ...], str]) -> list[dict[str, object]]:
    """The factory's jobs in one fresh interpreter per ``(block, hash_seed)``, all at once."""
    started = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(FACTORY_RUN.format(block=block))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)},
        )
        for block, hash_seed in runs
    ]
    results = []
    for process in started:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    return results


def test_factory_jobs_are_the_same_with_or_without_faker_and_any_hash_seed() -> None:
    plain, without_faker = _factory_jobs(((), "0"), (("faker",), "1"))
    assert plain["faker"] is False  # the factory never loads faker
    assert without_faker == plain
    assert len(set(plain["names"])) == 11  # type: ignore[arg-type]


def test_the_name_pools_are_valid_everywhere_they_go() -> None:
    for pool in (WORDS, FIRST_NAMES, LAST_NAMES):
        assert len(set(pool)) == len(pool), [w for w in pool if pool.count(w) > 1]
        assert all(re.fullmatch(r"[a-z]{2,12}", word) for word in pool), pool
    for seed in range(50):
        pools = NamePools.draw(random.Random(seed))
        assert pools.stems == sorted(set(pools.stems))
        # S3 bucket prefixes (the factory adds "-<purpose>") and IAM role names.
        assert all(re.fullmatch(r"[a-z0-9]{1,20}", team) for team in pools.teams), pools
        assert all(re.fullmatch(r"[A-Za-z]{1,64}", role) for role in pools.roles), pools


def _upper_bound(requirement: Requirement) -> Version | None:
    bounds = [Version(spec.version) for spec in requirement.specifier if spec.operator == "<"]
    return min(bounds, default=None)


def test_extras_with_boto3_and_aiobotocore_bound_boto3_within_aiobotocores_botocore() -> None:
    # Unbounded, pip downloads every boto3 newer than aiobotocore's botocore allows, one
    # at a time, before it finds one that fits (aiobotocore 3 dropped its boto3 extra).
    aiobotocore = distribution("aiobotocore")
    botocore = next(
        Requirement(line)
        for line in aiobotocore.requires or []
        if Requirement(line).name == "botocore" and "extra" not in line
    )
    # An aiobotocore with a boto3 extra (2.x, which aioboto3 pins with it) bounds boto3
    # there itself; the extras' bound must fit the newest aiobotocore, which has none.
    has_extra = "boto3" in (aiobotocore.metadata.get_all("Provides-Extra") or [])
    ceiling = None if has_extra else _upper_bound(botocore)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    checked = []
    for extra, lines in extras.items():
        requirements = {Requirement(line).name: Requirement(line) for line in lines}
        if {"boto3", "aiobotocore"} <= set(requirements):
            bound = _upper_bound(requirements["boto3"])
            assert bound is not None, f"[{extra}] leaves boto3 unbounded"
            # boto3 X needs botocore X exactly: the bound admits no boto3 that the
            # installed aiobotocore's botocore range refuses.
            if ceiling is not None:
                assert bound <= ceiling, f"[{extra}] boto3 <{bound}, aiobotocore: {botocore}"
            checked.append(extra)
    assert sorted(checked) == ["examples", "test"]
