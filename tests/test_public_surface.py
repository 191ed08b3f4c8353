"""What a test can tab-complete is what the reference documents, and nothing more.

docs/reference/api.md lists, for each object handed to tests, the members it shows
(``members: [...]`` under its ``:::`` entry). For the fake, its parts, and every object
they hand out (the jobs ``jobs()`` yields and their timelines, lifecycles, fault rules,
calls, pagination sequences and pages, scheduled actions, job kinds), every public
name of the object (``dir()`` without the names that begin with an underscore) must be
listed there, and every name listed must exist, so the page and the surface cannot
drift apart. The front door, ``pytest_batchjobs``, shows its ``__all__``: the types of
those objects among them, each documented on that page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import pytest_batchjobs
from pytest_batchjobs import BatchJobsFake, FakeServer, fake_batchjobs
from pytest_batchjobs.core.registry import KINDS

API = Path(__file__).resolve().parents[1] / "docs" / "reference" / "api.md"
_ENTRY = re.compile(r"^::: (?P<path>[\w.]+)\n(?P<options>(?:    .*\n)*)", re.M)
_MEMBERS = re.compile(r"^      members: \[(?P<names>[^\]]*)\]$", re.M)


def entries() -> list[str]:
    """The dotted path of every ``:::`` entry of the page."""
    return [entry.group("path") for entry in _ENTRY.finditer(API.read_text())]


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


def path_of(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def documented_as(thing: object) -> str | None:
    """The entry documenting ``thing``: its class's, or the nearest documented base's
    (a Bedrock job is documented as a ``StoredJob``, a ``faults.fail()`` rule as a
    ``FaultRule``)."""
    listed = documented()
    return next((path_of(c) for c in type(thing).__mro__ if path_of(c) in listed), None)


def surfaces() -> Iterator[tuple[str, Any]]:
    """The objects a test is handed, each with how it got it, from a fake that has
    served calls, jobs of every kind, pages and fault rules."""
    with fake_batchjobs() as fake:
        yield "fake", fake
        yield "fake.clock", fake.clock
        yield "fake.clock.call_later()", fake.clock.call_later(60, lambda: None)
        yield "fake.pagination", fake.pagination
        yield "fake.pagination.policy", fake.pagination.policy
        yield "fake.faults", fake.faults
        yield "fake.journal", fake.journal
        for kind in KINDS:
            controls = getattr(fake, kind.name)
            yield f"fake.{kind.name}", controls
            yield f"fake.{kind.name}.kind", controls.kind
            yield f"fake.{kind.name}.kind.statuses", controls.kind.statuses
            if controls.kind.statuses.timeout is not None:
                yield f"fake.{kind.name}.kind.statuses.timeout", controls.kind.statuses.timeout
            if controls.kind.events is not None:
                yield f"fake.{kind.name}.kind.events", controls.kind.events
            yield f"fake.{kind.name}.lifecycle()", controls.lifecycle(match="never-*")
            controls.add_job()
            (job,) = controls.all_jobs()
            yield f"fake.{kind.name}.all_jobs()", job
            yield f"fake.{kind.name}.all_jobs() .timeline", job.timeline
        yield "fake.bedrock.limits", fake.bedrock.limits
        faults = fake.faults
        yield "faults.fail()", faults.fail("GetModelInvocationJob", times=1)
        yield "faults.throttle()", faults.throttle("GetModelInvocationJob", per_second=9, burst=9)
        yield "faults.chaos()", faults.chaos(0.01)
        yield "faults.transport()", faults.transport("ListBatchInferenceJobs", times=1)
        faults.clear()
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        bedrock.list_model_invocation_jobs(maxResults=1)
        yield "fake.calls[0]", fake.calls[0]
        (sequence,) = fake.pagination.sequences
        yield "fake.pagination.sequences[0]", sequence
        yield "fake.pagination.sequences[0].pages[0]", sequence.pages[0]
        yield "FakeServer(fake)", FakeServer(fake)


def test_public_names_are_the_documented_ones() -> None:
    listed = documented()
    wrong = []
    for name, thing in surfaces():
        entry = documented_as(thing)
        if entry is None:
            wrong.append(f"{name}: no members list for {path_of(type(thing))} or its bases")
            continue
        shown = public(thing)
        if extra := sorted(shown - listed[entry]):
            wrong.append(f"{name} shows names {entry} does not document: {', '.join(extra)}")
        if missing := sorted(listed[entry] - shown):
            wrong.append(f"{name} lacks names {entry} documents: {', '.join(missing)}")
    assert not wrong, f"{API.name} and the objects differ:\n" + "\n".join(wrong)


def test_hidden_names_still_work_for_the_fake() -> None:
    """``dir()`` hides the machinery; the fake's own modules still read it."""
    with fake_batchjobs() as fake:
        fake.bedrock.add_job(status="InProgress")
        (job,) = fake.jobs()
        assert "lifecycle" not in dir(job)
        assert job.lifecycle.outcome == "Completed"
        assert job.timeline.status(fake.clock.now()) == "InProgress"


def test_the_reference_documents_each_job_kind() -> None:
    types = {path_of(type(getattr(BatchJobsFake(), kind.name))) for kind in KINDS}
    assert types <= set(documented())


def test_the_front_door_shows_its_all() -> None:
    assert dir(pytest_batchjobs) == sorted(pytest_batchjobs.__all__)
    assert len(set(pytest_batchjobs.__all__)) == len(pytest_batchjobs.__all__)


@pytest.mark.parametrize("name", pytest_batchjobs.__all__)
def test_each_name_at_the_front_door_is_documented(name: str) -> None:
    value = getattr(pytest_batchjobs, name)
    assert value.__name__ == name, f"pytest_batchjobs.{name} is {value.__name__} under an alias"
    assert f"{value.__module__}.{name}" in entries(), (
        f"pytest_batchjobs.{name} has no '::: {value.__module__}.{name}' in {API.name}"
    )


def test_the_type_of_each_object_handed_out_is_at_the_front_door() -> None:
    exported = {getattr(pytest_batchjobs, name) for name in pytest_batchjobs.__all__}
    missing = sorted(
        {
            documented_as(thing) or path_of(type(thing))
            for _, thing in surfaces()
            if not any(cls in exported for cls in type(thing).__mro__)
        }
    )
    assert missing == [], f"not importable from pytest_batchjobs: {', '.join(missing)}"
