"""The package's layers point one way: no sub-package imports another in a circle, and
every import goes down the table of layers below (drawn in docs/architecture.md, "Layers").

Every module is read with ``ast``: its imports at module level and inside functions (a
deferred import is a dependency all the same once it runs), those under
``if TYPE_CHECKING:`` left out (a type checker reads them; nothing loads them). An
import by a name in a string (``importlib.import_module``) is not seen. The graph is
between the parts of the package: its sub-packages and its top-level modules.
"""

from __future__ import annotations

import ast
import itertools
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_batchjobs"

# The layers, lowest first. A module imports its own part of the package and the
# layers below its own; never a part beside it in its layer, never one above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("neighbours", "patching"),  # what it knows of moto, responses, ...; how it patches
    ("errors", "arguments", "active", "tracebacks", "documented"),  # leaves every layer uses
    ("wire",),  # botocore's models: hosts, routing, parsing, serializing, AWS's errors
    ("policies", "time"),  # faults, pages, the journal; fake time, lifecycles, transitions
    ("services",),  # the job kinds: state, validation, handlers, factories, outputs
    ("core",),  # the registry of services and kinds; the request pipeline
    ("events", "explore"),  # EventBridge events; scenarios AWS may legally play
    ("transports",),  # the client libraries' adapters, the local server
    ("activation", "options"),  # what the process holds while fakes are active; options
    ("fake",),  # the composition root: one fake's parts, built and shown
    ("_pytest", "cli"),  # pytest's fixtures, hooks and reports; the command line
    ("plugin", "__main__", "__init__"),  # the doors: pytest's, python -m's, the public names
)

# Arrows that still point up, each with what removes it: the test below fails once one
# is gone, so the entry goes with it.
PENDING: dict[tuple[str, str], str] = {}

FIX = (
    "A module imports only its own part of the package and the layers below it "
    "(LAYERS, lowest first, in tests/test_layers.py; drawn in docs/architecture.md, "
    '"Layers"). To fix an arrow, move what both sides need down to a layer at or below '
    "the importer's, or have the upper layer hand it down: a parameter, a protocol the "
    "lower layer declares (time/transitions.py's Scheduled), a registration "
    "(core/registry.py hands its services to wire/faked.py). Moving a part to another "
    "layer changes the table and the drawing together."
)


@dataclass(frozen=True)
class Import:
    """One import of a module of the package by another: where it is, what it loads."""

    module: str
    where: str  # its file, from the folder holding the package
    line: int
    target: str


def part(module: str) -> str:
    """The part of the package a module belongs to: its sub-package, or itself for a
    top-level module (``__init__`` for the package's own)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """Every module of ``package`` by dotted name: its file, whether it is a package."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


class _Reader(ast.NodeVisitor):
    """The modules of the package one module imports (``names``: its lines, its
    targets), at any depth but under ``if TYPE_CHECKING:``."""

    def __init__(self, name: str, is_package: bool, known: set[str]) -> None:
        self.name = name
        self.here = name.split(".") if is_package else name.split(".")[:-1]
        self.known = known
        self.found: list[tuple[int, str]] = []

    def _add(self, node: ast.stmt, target: str) -> None:
        if target in self.known and target != self.name and (node.lineno, target) not in self.found:
            self.found.append((node.lineno, target))

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if not (
            (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
        ):
            self.generic_visit(node)
            return
        for statement in node.orelse:  # what runs when nothing checks types
            self.visit(statement)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self.here[: len(self.here) - node.level + 1] if node.level else []
        target = ".".join([*base, *([node.module] if node.module else [])])
        for alias in node.names:
            child = f"{target}.{alias.name}"
            self._add(node, child if child in self.known else target)


def imports(package: Path) -> list[Import]:
    """Every import of a module of ``package`` by another, at module level or inside a
    function, except those under ``if TYPE_CHECKING:``."""
    known = modules(package)
    found: list[Import] = []
    for name, (path, is_package) in known.items():
        reader = _Reader(name, is_package, set(known))
        reader.visit(ast.parse(path.read_text(), str(path)))
        where = path.relative_to(package.parent).as_posix()
        found += [Import(name, where, line, target) for line, target in reader.found]
    return found


def arrows(found: list[Import], pending: set[tuple[str, str]]) -> list[Import]:
    """The imports that cross from one part of the package to another, but the pending."""
    return [
        each
        for each in found
        if part(each.module) != part(each.target) and (each.module, each.target) not in pending
    ]


def wrong_way(found: list[Import], layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Each import up the layers, or across one, as the line that says so."""
    level = {name: index for index, names in enumerate(layers) for name in names}
    wrong = []
    for each in found:
        source, target = part(each.module), part(each.target)
        if level[target] < level[source]:
            continue
        if level[target] > level[source]:
            how = (
                f"{target} (layer {level[target]}, above it): move what it needs to layer "
                f"{level[source]} or below, or have {target} hand it down"
            )
        else:
            how = (
                f"{target} (layer {level[source]}, beside it): move what it needs below "
                f"layer {level[source]}, or put {target} in a layer below {source}'s"
            )
        wrong.append(f"{each.where}:{each.line} imports {each.target}: {source} imports {how}")
    return wrong


def circles(found: list[Import]) -> list[str]:
    """Each circle of parts importing one another, as its arrows and one import each."""
    graph: dict[str, dict[str, Import]] = {}
    for each in found:
        graph.setdefault(part(each.module), {}).setdefault(part(each.target), each)
    told: set[frozenset[str]] = set()
    result = []
    for start in sorted(graph):
        # The shortest way back to ``start``, breadth first.
        paths = {start: [start]}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for other in sorted(graph.get(node, {})):
                if other == start:
                    circle = [*paths[node], start]
                    if frozenset(circle) not in told:
                        told.add(frozenset(circle))
                        steps = [graph[a][b] for a, b in itertools.pairwise(circle)]
                        result.append(
                            " -> ".join(circle)
                            + "".join(f"\n    {s.where}:{s.line} imports {s.target}" for s in steps)
                        )
                    queue.clear()
                    break
                if other not in paths:
                    paths[other] = [*paths[node], other]
                    queue.append(other)
    return result


def test_every_part_of_the_package_has_one_layer() -> None:
    named = [name for names in LAYERS for name in names]
    parts = {part(name) for name in modules(PACKAGE)}
    assert len(named) == len(set(named)), "a part is in two layers"
    assert sorted(parts - set(named)) == [], f"place each new part in a layer. {FIX}"
    assert sorted(set(named) - parts) == [], "the table names a part the package has not"


def test_no_part_of_the_package_imports_another_in_a_circle() -> None:
    found = circles(arrows(imports(PACKAGE), set(PENDING)))
    assert not found, (
        "parts of the package import one another in a circle:\n" + "\n".join(found) + f"\n{FIX}"
    )


def test_every_import_points_down_the_layers() -> None:
    wrong = wrong_way(arrows(imports(PACKAGE), set(PENDING)), LAYERS)
    assert not wrong, "imports that point the wrong way:\n  " + "\n  ".join(wrong) + f"\n{FIX}"


def test_the_architecture_page_draws_the_layers_of_the_table() -> None:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    drawing = page.split("## Layers", 1)[1].split("```", 2)[1]
    parts = {name for names in LAYERS for name in names}
    drawn: dict[int, tuple[str, ...]] = {}
    for line in drawing.splitlines():
        words = line.split()
        if words and words[0].isdigit():  # the layer's number, its parts, what they do
            names = itertools.takewhile(parts.__contains__, words[1:])
            drawn[int(words[0])] = tuple(names)
    assert drawn == dict(enumerate(LAYERS)), "draw LAYERS in docs/architecture.md, Layers"


@pytest.mark.parametrize(("module", "target"), sorted(PENDING))
def test_each_pending_arrow_is_still_there(module: str, target: str) -> None:
    """A pending arrow once fixed leaves the table, so that it cannot come back."""
    assert (module, target) in {(each.module, each.target) for each in imports(PACKAGE)}, (
        f"{module} no longer imports {target}: remove the arrow from PENDING"
    )


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "pkg"


def test_an_import_up_the_layers_inside_a_function_is_told(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "low/__init__.py": "",
            "low/reader.py": """\
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from ..high.thing import Thing  # a type only: not an arrow

                def read() -> None:
                    from ..high import thing
                """,
            "high/__init__.py": "",
            "high/thing.py": "from ..low import reader\n",
        },
    )
    found = arrows(imports(package), set())
    assert [(each.module, each.line, each.target) for each in found] == [
        ("pkg.high.thing", 1, "pkg.low.reader"),
        ("pkg.low.reader", 7, "pkg.high.thing"),
    ]
    assert wrong_way(found, (("low",), ("high",), ("__init__",))) == [
        "pkg/low/reader.py:7 imports pkg.high.thing: low imports high (layer 1, above it): "
        "move what it needs to layer 0 or below, or have high hand it down"
    ]
    assert circles(found) == [
        "high -> low -> high"
        "\n    pkg/high/thing.py:1 imports pkg.low.reader"
        "\n    pkg/low/reader.py:7 imports pkg.high.thing"
    ]


def test_an_import_beside_in_the_same_layer_is_told(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {"__init__.py": "", "left.py": "import pkg.right\n", "right.py": "x = 1\n"},
    )
    found = arrows(imports(package), set())
    assert wrong_way(found, (("left", "right"), ("__init__",))) == [
        "pkg/left.py:1 imports pkg.right: left imports right (layer 0, beside it): "
        "move what it needs below layer 0, or put right in a layer below left's"
    ]
    assert circles(found) == []
