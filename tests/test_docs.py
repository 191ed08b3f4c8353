"""The user guide's examples run, and the docs pointers in failure messages resolve.

Every fenced block written ```` ```python title="NAME.py" ```` in ``docs/`` is a file;
the files of one section (a ``## `` heading) are written into a fresh folder together
and run with pytest, as a user who copied them would. Their names must differ from
the names of this folder's modules (they run in this process). A test may fail only if it is
listed in ``EXPECTED_FAILURES``, with a fragment of its message (the docs show those
failures on purpose).
"""

from __future__ import annotations

import re
from pathlib import Path

# The examples run in this process (pytester's in-process runs are much faster than
# subprocesses). Import what they import first, so that every run shares one copy of
# each library instead of importing, and dropping, its own.
import boto3  # noqa: F401
import freezegun  # noqa: F401
import moto  # noqa: F401
import pytest
import requests  # noqa: F401
import responses  # noqa: F401
from model_members import needs_model_member

import pytest_batchjobs.fake  # noqa: F401

DOCS = Path(__file__).resolve().parents[1] / "docs"
_FENCE = re.compile(r'^```python title="(?P<name>[\w./-]+\.py)"\n(?P<code>.*?)^```$', re.M | re.S)
_HEADING = re.compile(r"^(#{1,6}) (.+)$", re.M)

# Tests the docs show failing, and what their failure must say.
EXPECTED_FAILURES = {
    "test_the_buggy_report_is_caught": "was not paginated to the end",
    "test_a_failed_job_ends_the_wait": "past the horizon of 6:00:00",
    "test_the_poller_returns_the_end": "This run ends bedrock jobs 'Expired'",
    "test_the_buggy_count_is_caught": "batchjobs_explore: the smallest failing scenario",
    "test_the_buggy_wait_is_caught": "Replay exactly this scenario",
}


def _sections() -> dict[str, dict[str, str]]:
    """``page#section`` -> {file name: code}, for every titled python block."""
    found: dict[str, dict[str, str]] = {}
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text()
        starts = [(m.start(), m.group(2)) for m in _HEADING.finditer(text) if m.group(1) == "##"]
        for block in _FENCE.finditer(text):
            section = next((title for at, title in reversed(starts) if at < block.start()), "")
            key = f"{page.relative_to(DOCS)}#{section}"
            files = found.setdefault(key, {})
            name = block.group("name")
            assert name not in files, f"{key}: two examples are both called {name}"
            files[name] = block.group("code")
    return found


SECTIONS = _sections()


def test_the_docs_have_examples() -> None:
    assert len(SECTIONS) >= 10, sorted(SECTIONS)
    assert set(SECTIONS) >= READ_COUNTS


def test_no_example_file_is_named_as_a_test_module() -> None:
    """The examples run in-process (pytester): a file named as one of this suite's
    modules is a different module under a name already imported, and its collection
    fails with pytest's "import file mismatch" whenever that module was imported first."""
    ours = {path.name for path in Path(__file__).parent.glob("test_*.py")}
    clashing = {
        f"{key}: {name}" for key, files in SECTIONS.items() for name in files if name in ours
    }
    assert not clashing, f"rename these examples' files: {sorted(clashing)}"


# Sections whose examples read record counts from GetModelInvocationJob.
COUNTS_SHOWN = needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
READ_COUNTS = {"cookbook.md#Outputs with moto", "cookbook.md#Polling and outcomes"}


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=[COUNTS_SHOWN] if key in READ_COUNTS else [])
        for key in sorted(SECTIONS)
    ],
)
def test_examples_run(pytester: pytest.Pytester, key: str) -> None:
    for name, code in SECTIONS[key].items():
        pytester.path.joinpath(name).write_text(code)
    # hypothesis's plugin imports all of hypothesis at the end of each run: not here.
    options = ("-p", "no:randomly", "-p", "no:hypothesispytest", "-p", "no:cacheprovider")
    result = pytester.runpytest(*options, "-rfE")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) + outcomes.get("failed", 0) > 0, result.stdout.str()
    failed = {
        line.split("::", 1)[1].split(" ", 1)[0].split("[", 1)[0]
        for line in result.stdout.lines
        if line.startswith(("FAILED ", "ERROR "))
    }
    unexpected = failed - set(EXPECTED_FAILURES)
    assert not unexpected, result.stdout.str()
    output = result.stdout.str()
    for test in failed:
        assert EXPECTED_FAILURES[test] in output, output


def _anchors(page: Path) -> set[str]:
    """The anchors mkdocs gives the page's headings (its default slugify)."""
    slugs = set()
    for match in _HEADING.finditer(page.read_text()):
        title = re.sub(r"[`*]", "", match.group(2)).strip().lower()
        slugs.add(re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", title)))
    return slugs


def test_failure_messages_point_at_existing_sections() -> None:
    from pytest_batchjobs.policies import faults, journal, pagination

    cookbook = _anchors(DOCS / "cookbook.md")
    for module in (faults, journal, pagination):
        anchor = module.DOCS.rsplit("#", 1)[1]
        assert anchor in cookbook, f"{module.__name__}.DOCS points at a missing #{anchor}"


def test_every_test_the_docs_cite_as_proof_exists() -> None:
    # The fidelity page's guarantees each name the tests that prove them: a renamed or
    # deleted test must not leave a guarantee citing nothing.
    cited = set(re.findall(r"`(test_\w+)`", (DOCS / "fidelity.md").read_text()))
    tests = Path(__file__).resolve().parent
    defined = {
        name
        for path in tests.glob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.M)
    }
    assert len(cited) >= 40
    assert sorted(cited - defined) == []
