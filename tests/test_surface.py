"""What a test can tab-complete is what the reference documents, and nothing more.

docs/reference/api.md lists, for each object handed to tests, the members it shows
(``members: [...]`` under its ``:::`` entry). Every public name of the object (``dir()``
without the names that begin with an underscore) must be listed there, and every name
listed must exist, so the page and the surface cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.core.registry import KINDS

API = Path(__file__).resolve().parents[1] / "docs" / "reference" / "api.md"
_ENTRY = re.compile(r"^::: (?P<path>[\w.]+)\n(?P<options>(?:    .*\n)*)", re.M)
_MEMBERS = re.compile(r"^      members: \[(?P<names>[^\]]*)\]$", re.M)


def documented() -> dict[str, set[str]]:
    """Each documented class's listed members, by its dotted path."""
    found = {}
    for entry in _ENTRY.finditer(API.read_text()):
        members = _MEMBERS.search(entry.group("options"))
        if members is not None:
            names = {name.strip() for name in members.group("names").split(",")}
            found[entry.group("path")] = names - {""}
    return found


def public(thing: object) -> set[str]:
    return {name for name in dir(thing) if not name.startswith("_")}


def path_of(thing: object) -> str:
    return f"{type(thing).__module__}.{type(thing).__qualname__}"


def surfaces() -> dict[str, Any]:
    """The objects a test is handed: the fake, each job kind's controls, its policies."""
    fake = BatchJobsFake()
    return {
        "fake": fake,
        **{f"fake.{kind.name}": getattr(fake, kind.name) for kind in KINDS},
        "fake.pagination": fake.pagination,
        "fake.faults": fake.faults,
        "fake.journal": fake.journal,
    }


@pytest.mark.parametrize("name", sorted(surfaces()))
def test_public_names_are_the_documented_ones(name: str) -> None:
    thing = surfaces()[name]
    listed = documented().get(path_of(thing))
    assert listed is not None, (
        f"{name}: docs/reference/api.md has no members list for {path_of(thing)}"
    )
    shown = public(thing)
    assert shown - listed == set(), f"{name} shows names the reference does not document"
    assert listed - shown == set(), f"the reference documents names {name} does not have"


def test_the_reference_documents_each_job_kind() -> None:
    types = {path_of(getattr(BatchJobsFake(), kind.name)) for kind in KINDS}
    assert types <= set(documented())
