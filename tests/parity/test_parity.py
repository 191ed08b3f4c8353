"""Recorded service outputs replayed against the fake (see ``replay.py`` and ``cases/``).

Each case is the same request a public recording came from, sent through real boto3 to
the fake (its S3 objects in moto's S3); the fake's answer must have the recording's
shape: the same members, types, status words, ARN and S3 URI layouts.
"""

from __future__ import annotations

from typing import Any

import pytest
from model_members import needs_model_member
from moto import mock_aws
from replay import KINDS, load_cases, replay
from shape import differences, shape

from pytest_batchjobs import BatchJobsFake

CASES = load_cases()
SOURCES = {"recorded", "documented"}


PARAMS = [
    pytest.param(
        case,
        id=case["id"],
        marks=[needs_model_member(*member) for member in case.get("needs_members", [])],
    )
    for case in CASES
]


@pytest.mark.parametrize("case", PARAMS)
def test_the_fake_answers_as_recorded(case: dict[str, Any], batchjobs_fake: BatchJobsFake) -> None:
    with mock_aws():
        observed = replay(case, batchjobs_fake)
    recorded = case["recorded"]
    if case["observe"] == "statuses":
        assert observed.value == recorded, (
            f"{case['id']}: a client polling every minute saw {observed.value}; "
            f"the recording ({_where(case)}) shows {recorded}"
        )
        return
    found = differences(
        shape(recorded, ids=case.get("recorded_ids", ())),
        shape(observed.value, ids=observed.ids),
        subset=case["match"] == "subset",
    )
    gaps: dict[str, str] = case.get("gaps", {})
    unexpected = [line for line in found if _path(line) not in gaps]
    assert not unexpected, f"{case['id']} differs from its recording ({_where(case)}):\n" + (
        "\n".join(unexpected)
    )
    closed = set(gaps) - {_path(line) for line in found}
    assert not closed, (
        f"{case['id']}: the fake now matches the recording at {sorted(closed)}; "
        "remove them from the case's gaps (and its line on the fidelity page)"
    )
    if found:
        pytest.xfail("known gaps: " + "; ".join(f"{path}: {gaps[path]}" for path in sorted(gaps)))


def _path(difference: str) -> str:
    return difference.split(":", 1)[0]


def _where(case: dict[str, Any]) -> str:
    source = case["source"]
    if "url" in source:
        return str(source["url"])
    return f"{source['repo']}/{source['path']}@{source['commit'][:12]}"


def test_every_case_says_where_it_comes_from_and_what_produced_it() -> None:
    assert len(CASES) >= 15
    assert {case["kind"] for case in CASES} == set(KINDS)
    for case in CASES:
        source = case["source"]
        assert source["evidence"] in SOURCES, case["id"]
        assert "url" in source or {"repo", "path", "commit"} <= set(source), case["id"]
        assert "commit" not in source or len(source["commit"]) == 40, case["id"]
        assert source.get("shows"), f"{case['id']}: say what the source shows"
        assert case["request"]["call"], case["id"]
        assert "params" in case["request"], case["id"]
        assert case["request"].get("note"), f"{case['id']}: say what of the request is a stand-in"
        assert case["observe"] == "statuses" or case["match"] in ("exact", "subset"), case["id"]
