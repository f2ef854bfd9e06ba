"""The layers of ADR 0001, enforced: the import-linter contracts in pyproject.toml hold, the
same check fails when fed a module that breaks one of them, and no import cycle runs through
`app/` or `ui/`. Imports inside functions and under TYPE_CHECKING count like any other (grimp,
which import-linter uses, records them all)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parent.parent
# The import-linter command line, run in a fresh interpreter from `root`, so that `app` and
# `ui` are the packages under `root` (a copy in tmp_path, or the worktree itself).
LINT = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())"
)
UI_MAY_IMPORT = {"app.services", "app.domain", "app.store.errors"}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", "--no-logo"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["importlinter"]["contracts"])


def test_the_layer_contracts_hold() -> None:
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in done.stdout


TYPE_CHECKING_QT = """from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
"""
# A module that breaks a rule; where it goes, what it says, the contracts it breaks (a ui
# module imports Qt, so importing ui from app brings Qt into app too).
BREAKING = {
    "app imports ui": (
        "app/_probe.py",
        "from ui.common import widgets\n",
        {"app-without-ui", "app-without-qt"},
    ),
    "app imports ui inside a function": (
        "app/domain/_probe.py",
        "def show() -> None:\n    import ui.app\n",
        {"app-without-ui", "app-without-qt"},
    ),
    "app imports Qt under TYPE_CHECKING": (
        "app/services/_probe.py",
        TYPE_CHECKING_QT,
        {"app-without-qt"},
    ),
    "ui imports the store's database": (
        "ui/common/_probe.py",
        "from app.store.database import open_store\n",
        {"ui-through-services"},
    ),
}


@pytest.mark.parametrize("case", list(BREAKING))
def test_the_check_fails_on_a_module_breaking_a_rule(tmp_path: Path, case: str) -> None:
    """A copy of app/ and ui/ plus one offending module: the same check, the same contracts,
    must fail on exactly the contract that module breaks."""
    where, source, broken = BREAKING[case]
    for package in ("app", "ui"):
        shutil.copytree(
            REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / where).write_text(source, encoding="utf-8")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    for contract in contracts():
        verdict = "BROKEN" if contract["id"] in broken else "KEPT"
        assert f"{contract['name']} {verdict}" in done.stdout
    kept = len(contracts()) - len(broken)
    assert f"Contracts: {kept} kept, {len(broken)} broken." in done.stdout
    probe = where.removesuffix(".py").replace("/", ".")
    assert probe in done.stdout


def _children(package: str) -> list[str]:
    folder = REPO.joinpath(*package.split("."))
    names = [p.stem for p in folder.glob("*.py") if p.stem != "__init__"]
    names += [p.name for p in folder.iterdir() if (p / "__init__.py").exists()]
    return sorted(f"{package}.{n}" for n in names)


def test_every_part_of_app_is_either_open_to_ui_or_forbidden_to_it() -> None:
    """A new package in app/ must be placed on one side of the ui rule, not slip through."""
    contract = next(c for c in contracts() if c["id"] == "ui-through-services")
    forbidden = set(contract["forbidden_modules"])  # type: ignore[call-overload]
    placed = UI_MAY_IMPORT | forbidden

    def unplaced(module: str) -> list[str]:
        if module in placed:
            return []
        if not any(p.startswith(module + ".") for p in placed):
            return [module]
        return [m for child in _children(module) for m in unplaced(child)]

    assert unplaced("app") == []
    assert not forbidden & UI_MAY_IMPORT


# ---- import cycles ---------------------------------------------------------------------------


def import_cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Every set of modules of `package` that import each other round in a loop (the strongly
    connected components of more than one module, Tarjan's algorithm), sorted."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & inside) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:  # recursion depth is bounded by the module count (a few hundred)
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for m in modules:
        if m not in index:
            visit(m)
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("app", "ui", cache_dir=None)


@pytest.mark.parametrize("package", ["app", "ui"])
def test_no_import_cycle(graph: grimp.ImportGraph, package: str) -> None:
    assert import_cycles(graph, package) == []


def test_the_cycle_check_finds_cycles_through_lazy_and_type_checking_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "cycleprobe"
    pkg.mkdir()
    files = {
        "__init__.py": "",
        "a.py": "from cycleprobe import b\n",
        "b.py": "def later() -> None:\n    from cycleprobe import a\n",  # lazy: a <-> b
        "c.py": "from cycleprobe import d\n",
        "d.py": TYPE_CHECKING_QT.replace("PySide6.QtCore import QObject", "cycleprobe import c"),
        "e.py": "from cycleprobe import a\n",  # imports into a loop, is not in one
    }
    for name, text in files.items():
        (pkg / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = grimp.build_graph("cycleprobe", cache_dir=None)
    assert import_cycles(probe, "cycleprobe") == [
        ["cycleprobe.a", "cycleprobe.b"],
        ["cycleprobe.c", "cycleprobe.d"],
    ]


# A window and who may open it: the widgets a window contains (canvases, panels, the overlay
# inside the editor, the pages inside the main window) depend on what they are given, never on
# the window itself (issue 8: the editor's canvas, layout and overlay imported it).
# ui.screens drives the finished app to a named screen (--screenshot --screen), as ui.app does.
WINDOW_OPENERS = {
    "ui.shell.main_window": {"ui.app", "ui.screens"},
    "ui.editor.editor_window": {"ui.shell.main_window", "ui.screens"},
    "ui.capture.capture_screen": {"ui.shell.main_window", "ui.screens"},
    # the overlay's panel asks whether the compare screen is installed; attach opens it
    "ui.overlay.compare_screen": {"ui.overlay.attach", "ui.overlay.panel"},
}


@pytest.mark.parametrize("window", sorted(WINDOW_OPENERS))
def test_no_module_imports_the_window_that_contains_it(
    graph: grimp.ImportGraph, window: str
) -> None:
    assert graph.find_modules_that_directly_import(window) <= WINDOW_OPENERS[window]
