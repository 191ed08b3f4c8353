"""The option table: every place that takes the fake's options is derived from it, or
mirrors it exactly, and the docs' option tables are what it renders.

Run this file as a script to rewrite the docs' tables from the table::

    python tests/test_options.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_batchjobs import BatchJobsFake, cli, fake_batchjobs, plugin
from pytest_batchjobs.options import PREFIX, ROWS, FakeOptions, ini_help, marker_line

ROOT = Path(__file__).resolve().parents[1]
# Each table sits between "<!-- options:NAME -->" and "<!-- /options -->", blank lines
# around it (a Markdown table right after an HTML comment would be part of the comment).
BLOCKS = [
    ("pytest_batchjobs/plugin.py", "plugin"),
    ("README.md", "readme"),
    ("docs/reference/pytest.md", "marker"),
    ("docs/reference/pytest.md", "ini"),
    ("docs/reference/pytest.md", "cli"),
]
TABLE = [
    (field.name, inspect.Parameter.KEYWORD_ONLY, field.default, field.type)
    for field in dataclasses.fields(FakeOptions)
]


def markdown(table: str) -> str:
    """One of the docs' option tables, rendered from the option table."""
    if table == "marker":
        lines = ["| keyword | ini option | values | default |", "| --- | --- | --- | --- |"]
        lines += [
            f"| `{name}` | `{PREFIX}{name}` | {row.help}: {row.values} | {row.default} |"
            for name, row in ROWS.items()
        ]
    elif table == "ini":
        lines = ["| option | value |", "| --- | --- |"]
        lines += [f"| `{PREFIX}{name}` | {row.ini} |" for name, row in ROWS.items()]
    elif table == "cli":  # the flags of batchjobs-fake serve
        lines = ["| option | |", "| --- | --- |"]
        lines += [
            f"| `{' '.join(['--' + name.replace('_', '-'), row.cli]).strip()}` "
            f"| {row.with_default()} |"
            for name, row in ROWS.items()
            if row.cli is not None
        ]
    else:  # README.md's
        lines = ["| marker keyword / ini option | meaning |", "| --- | --- |"]
        lines += [
            f"| `{name}` / `{PREFIX}{name}` | {row.help}: {row.values} (default: {row.default}) |"
            for name, row in ROWS.items()
        ]
    return "\n".join(lines)


def python() -> str:
    """The plugin's copy of what pytest needs of the table when it starts, as source
    formatted as ruff format writes it."""
    lines = ["_INI_HELP = {"]
    for name, text in ini_help().items():
        line = f'    "{name}": {_quoted(text)},'
        if len(line) <= 100:  # ruff format writes what fits on a line as one literal
            lines.append(line)
            continue
        first, *rest = _chunks(text, 80 - len(name))
        lines.append(f'    "{name}": {first}')
        lines += [f"    {chunk}" for chunk in rest]
        lines[-1] += ","
    lines += ["}", "_MARKER = ("]
    lines += [f"    {chunk}" for chunk in _chunks(marker_line(), 76)]
    lines.append(")")
    return "\n".join(lines)


def _chunks(text: str, width: int) -> list[str]:
    """``text`` as double-quoted literals of about ``width`` characters, cut at spaces."""
    chunks = [""]
    for word in text.split(" "):
        if chunks[-1] and len(chunks[-1]) + len(word) > width:
            chunks.append("")
        chunks[-1] += (" " if chunks[-1] else "") + word
    return [_quoted(chunk + " ") for chunk in chunks[:-1]] + [_quoted(chunks[-1])]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _from_flags(*flags: str) -> FakeOptions:
    """The options ``batchjobs-fake serve`` reads from ``flags``."""
    return cli.fake_options(cli.parser().parse_args(["serve", *flags]))


def _pattern(table: str) -> re.Pattern[str]:
    if table == "plugin":
        return re.compile(r"(# <options:plugin>\n)(.*?)(# </options:plugin>)", re.S)
    return re.compile(rf"(<!-- options:{table} -->\n)(.*?)(<!-- /options -->)", re.S)


def _rendered(table: str) -> str:
    if table == "plugin":
        return python() + "\n"
    return f"\n{markdown(table)}\n\n"


def test_the_plugin_registers_what_the_table_renders() -> None:
    assert ini_help() == plugin._INI_HELP
    assert marker_line() == plugin._MARKER


@pytest.mark.parametrize(("path", "table"), BLOCKS)
def test_the_docs_tables_are_what_the_table_renders(path: str, table: str) -> None:
    found = _pattern(table).search((ROOT / path).read_text())
    assert found is not None, f"{path} has no <!-- options:{table} --> block"
    assert found.group(2) == _rendered(table), (
        f"{path}'s {table} table is not the option table's: run python tests/test_options.py"
    )


def _keywords(function: Callable[..., Any], *besides: str) -> list[tuple[Any, ...]]:
    parameters = inspect.signature(function).parameters.values()
    return [
        (parameter.name, parameter.kind, parameter.default, parameter.annotation)
        for parameter in parameters
        if parameter.name not in besides
    ]


def test_fake_batchjobs_takes_the_tables_keywords_typed_and_in_order() -> None:
    assert _keywords(fake_batchjobs) == TABLE


def test_batchjobs_fake_takes_the_tables_keywords_typed_and_in_order() -> None:
    assert _keywords(BatchJobsFake.__init__, "self", "hook") == TABLE


# One value per option, as Python (the marker, fake_batchjobs()) and as text (an ini
# file, a flag), and what the options hold then.
EXAMPLES: dict[str, tuple[Any, str, Any]] = {
    "start": (dt.date(2030, 6, 1), "2030-06-01T00:00:00", dt.datetime(2030, 6, 1)),
    "clock": ("freezegun", "freezegun", "freezegun"),
    "account": ("210987654321", "210987654321", "210987654321"),
    "max_page_size": (7, "7", 7),
    "validate_outputs": (True, "yes", True),
    "sleep": (False, "off", False),
    "loop_time": (False, "no", False),
    "horizon": (3600, "3600", dt.timedelta(hours=1)),
    "seed": (7, "7", 7),
}


def test_every_option_has_an_example() -> None:
    assert list(EXAMPLES) == list(ROWS)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_option_reads_alike_from_the_marker_the_ini_and_fake_batchjobs(name: str) -> None:
    python, text, held = EXAMPLES[name]
    from_marker = FakeOptions.merge({}, {name: python})
    from_ini = FakeOptions.merge({name: text}, {})
    assert getattr(from_marker, name) == getattr(from_ini, name) == held
    assert FakeOptions.of(**{name: python}) == from_marker
    fake = fake_batchjobs(**{name: python})
    assert isinstance(fake, BatchJobsFake)
    if name == "seed":
        assert fake.seed == held


@pytest.mark.parametrize("name", [name for name, row in ROWS.items() if row.cli is not None])
def test_every_server_option_is_a_flag_of_batchjobs_fake_serve(name: str) -> None:
    _, text, held = EXAMPLES[name]
    flag = "--" + name.replace("_", "-")
    assert getattr(_from_flags(*([flag] if isinstance(held, bool) else [flag, text])), name) == held
    assert _from_flags() == FakeOptions()


def test_one_name_per_option_no_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["serve", "--clock-backend", "freezegun"])
    assert "unrecognized arguments: --clock-backend" in capsys.readouterr().err
    with pytest.raises(TypeError, match="clock_backend"):
        BatchJobsFake(clock_backend="freezegun")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="clock_backend"):
        fake_batchjobs(clock_backend="freezegun")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"clock": "sundial"}, "batchjobs clock 'sundial' is not one of auto, time-machine"),
        ({"account": "1234"}, "batchjobs account must be a 12-digit AWS account id, got '1234'"),
        ({"max_page_size": 0}, "batchjobs max_page_size must be a positive integer, got 0"),
        ({"horizon": -1}, "batchjobs horizon must be a positive number of seconds"),
        ({"seed": 1.5}, "batchjobs seed must be an integer, got 1.5"),
        ({"start": "noon"}, "batchjobs start 'noon' is not an ISO 8601 instant"),
    ],
)
def test_fake_batchjobs_checks_its_keywords_as_the_marker_does(
    keywords: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        fake_batchjobs(**keywords)
    with pytest.raises(ValueError, match=re.escape(message)):
        FakeOptions.merge({}, keywords)


def test_a_bad_flag_of_batchjobs_fake_serve_is_refused_in_the_tables_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["serve", "--account", "1234"])
    assert "batchjobs account must be a 12-digit AWS account id" in capsys.readouterr().err


def test_the_ini_options_and_the_marker_are_registered_with_help(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [f"  batchjobs_{name} (string):*" for name in ROWS], consecutive=False
    )
    markers = pytester.runpytest("--markers")
    markers.stdout.fnmatch_lines(
        [
            "@pytest.mark.batchjobs(start=None, clock='auto', account=None, max_page_size=None, "
            "validate_outputs=False, sleep=True, loop_time=True, horizon=timedelta(days=3), "
            "seed=None): "
            "configure the batchjobs_fake fixture"
        ]
    )


def test_the_ini_takes_the_seed_and_no_horizon(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbatchjobs_seed = 7\nbatchjobs_horizon = none\n")
    pytester.makepyfile(
        """
        import time

        def test_ini(batchjobs_fake):
            assert batchjobs_fake.seed == 7
            time.sleep(30 * 86400)  # past the default horizon of three days
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def _rewrite() -> None:
    """Put the option table's rendering in every block of the docs."""
    for path, table in BLOCKS:
        file = ROOT / path
        text = file.read_text()
        rendered = _rendered(table)
        new, count = _pattern(table).subn(
            lambda found, rendered=rendered: found.group(1) + rendered + found.group(3), text
        )
        if count != 1:
            sys.exit(f"{path}: expected one <!-- options:{table} --> block, found {count}")
        if new != text:
            file.write_text(new)
            print(f"rewrote {path}'s {table} table")


if __name__ == "__main__":
    _rewrite()
