"""Starting the app: the command line's screenshot form, the style sheet as a package resource,
and a clear refusal (no traceback) for a database it must not open."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.store.database import open_store, sqlite_url
from ui.app import style_sheet

ROOT = Path(__file__).resolve().parents[2]


def run_main(*args: str, scale: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QT_SCALE_FACTOR", None)
    if scale:
        env["QT_SCALE_FACTOR"] = scale
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("size", "scale", "pixels"),
    [("1366x768", None, (1366, 768)), ("1440x960", "2", (2880, 1920))],
)
def test_demo_screenshot(
    tmp_path: Path, size: str, scale: str | None, pixels: tuple[int, int]
) -> None:
    out = tmp_path / "shot.png"
    result = run_main("--demo", "--screenshot", str(out), "--size", size, scale=scale)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == pixels
    # Not a blank grab: the top bar's dark teal and the white list are both there.
    colours = {image.pixelColor(x, y).name() for x in range(0, pixels[0], 97) for y in (5, 300)}
    assert len(colours) > 2


def test_newer_database_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "newer.db"
    open_store(sqlite_url(db)).dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    result = run_main("--db", sqlite_url(db), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "newer version of FaceChart" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_style_sheet_is_a_package_resource() -> None:
    qss = style_sheet()
    assert "min-height: 56px" in qss
    assert "#patientBanner" in qss


def test_the_app_collects_garbage_on_the_gui_thread_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A worker thread's collection could free the GUI thread's Qt objects and crash it later:
    the app turns automatic collection off and collects on a GUI-thread timer instead."""
    import gc

    from ui.app import application
    from ui.common import gc_pause

    application()
    timer = gc_pause._gui_timer
    assert not gc.isenabled() and timer is not None and timer.isActive()
    assert timer.thread() is application().thread()
    assert gc_pause.collect_on_gui_thread_only(application()) is timer  # once per app
