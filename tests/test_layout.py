"""The package's shape: data flows one way through the stage folders, with no import cycle and no
module too long to read in one sitting. The import graph is read from the source with ``ast`` (every
``import`` statement, also those inside functions), not by importing anything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qa_bot"
MAX_LINES = 450
# Stage order: a module may import from its own stage or an earlier one, never from a later one.
STAGES = {"": 0, "ingest": 1, "index": 2, "backends": 3, "scale": 3, "retrieve": 3, "answer": 4, "library": 5,
          "evaluation": 6, "web": 6, "cli": 6}


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under the package folder ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that module ``name`` imports (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            # "from pkg import mod" imports the module pkg.mod; "from mod import name" imports mod
            targets = [f"{base_name}.{a.name}" if f"{base_name}.{a.name}" in modules else base_name
                       for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in modules and t != name)
    return out


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = module_names(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def stage(name: str) -> int:
    parts = name.split(".")[1:]  # drop "qa_bot"
    if not parts:
        return max(STAGES.values()) + 1  # the package's __init__ re-exports the public API
    return STAGES.get(parts[0], 0)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets if stage(b) > stage(a))


def test_the_checker_finds_a_cycle_and_an_upward_import(tmp_path):
    pkg = tmp_path / "qa_bot"
    (pkg / "answer").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "types.py").write_text("from .answer import cite\n")
    (pkg / "answer" / "__init__.py").write_text("")
    (pkg / "answer" / "cite.py").write_text("def f():\n    from ..types import Passage\n")
    graph = import_graph(pkg)
    assert graph["qa_bot.types"] == {"qa_bot.answer.cite"}
    assert cycles(graph) == [["qa_bot.answer.cite", "qa_bot.types"]]
    assert upward_imports(graph) == ["qa_bot.types -> qa_bot.answer.cite"]


def test_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert len(graph) > 40 and "qa_bot.answer.ask" in graph["qa_bot.library"]
    assert cycles(graph) == []


def test_data_flows_one_way_through_the_stages():
    assert upward_imports(import_graph(PACKAGE)) == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_reads_in_one_sitting(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines} lines (at most {MAX_LINES})"


def test_the_web_assets_are_package_files():
    static = PACKAGE / "web" / "static"
    assert {p.name for p in static.iterdir()} >= {"chat.css", "click.js", "viewer.js"}
    source = (PACKAGE / "web" / "app.py").read_text(encoding="utf-8")
    assert "addEventListener" not in source and ".qa-chat" not in source  # no CSS/JS held as Python strings


def test_the_readme_module_map_names_every_module_and_only_modules_that_exist():
    """The README's module map matches the code: each module of the package is named in it (a folder
    entry such as ``ingest/loaders/`` covers the modules in it), and each name in it exists."""
    import re

    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Module map"):]
    section = section[: section.index("\n## ", 4)]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    named = {n for cell in first_cells for n in re.findall(r"`([\w/]+(?:\.py|/))`", cell)}
    files = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    folders = {n for n in named if n.endswith("/")}
    missing = sorted(f for f in files if f not in named and not any(f.startswith(d) for d in folders))
    assert not missing, f"modules the README's module map does not name: {missing}"
    gone = sorted(n for n in named if not (PACKAGE / n).exists())
    assert not gone, f"the README's module map names what does not exist: {gone}"


def test_tests_share_helpers_through_conftest_not_through_other_test_modules():
    """A test module imports shared fixtures and helpers from conftest or a *kit module, never from
    another test module (test_hostile imported test_llm's endpoint and test_ui_browser's helpers, and
    patched test_llm's module globals)."""
    tests = PACKAGE.parent / "tests"
    found = []
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            found += [f"{path.name} imports {n}" for n in names if n.split(".")[-1].startswith("test_")
                      or n.startswith("tests.test_")]
    assert not found, found
