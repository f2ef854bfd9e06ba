"""`app/` is the part without a display: `check`, `align`, the benchmarks and any server use it,
so no module there may import Qt, directly, lazily inside a function, or through another."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app"
QT_PREFIXES = ("PySide6", "PySide2", "shiboken6", "shiboken2", "PyQt5", "PyQt6")

# Alembic's environment script runs only inside a migration (it needs the connection
# open_store hands over); the source scan below still covers it.
ONLY_INSIDE_ALEMBIC = {"app.store.migrations.env"}


def test_importing_every_app_module_loads_no_qt():
    code = textwrap.dedent(
        f"""
        import importlib, pkgutil, sys
        import app
        skip = {sorted(ONLY_INSIDE_ALEMBIC)!r}
        names = [m.name for m in pkgutil.walk_packages(app.__path__, "app.")]
        for name in names:
            if name not in skip:
                importlib.import_module(name)
        qt = sorted(m for m in sys.modules if m.startswith({QT_PREFIXES!r}))
        print(len(names), "modules")
        print("QT", qt)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    count, qt = result.stdout.strip().splitlines()[-2:]
    assert int(count.split()[0]) >= 20  # the walk really found the package's modules
    assert qt == "QT []"


def test_no_app_source_names_qt_in_an_import():
    offenders = []
    files = sorted(APP.rglob("*.py"))
    assert len(files) >= 20
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            where = path.relative_to(REPO)
            offenders += [f"{where}: {n}" for n in names if n.startswith(QT_PREFIXES)]
    assert offenders == []
