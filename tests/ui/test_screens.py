"""Every named screen at the three screen sizes of CONTRACTS.md: the picture is exactly the
screen, nothing leaves the window, no text is cut off, every touch target is at least 48 px
(issue #9). The walk runs in its own process per scale: Qt reads QT_SCALE_FACTOR once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.screen_walk import problems_in
from ui.screens import SCREENS

ROOT = Path(__file__).resolve().parents[2]

# (logical window size, scale factor, the PNG's pixel size)
SIZES = (
    ("1366x768", "1", (1366, 768)),
    ("1280x720", "1.5", (1920, 1080)),  # a 1080p touch laptop at Windows' default 150 %
    ("1440x960", "2", (2880, 1920)),
)


def _env(scale: str) -> dict[str, str]:
    return {**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"}


@pytest.mark.parametrize(("size", "scale", "pixels"), SIZES)
def test_every_screen_fits_at_each_size(
    tmp_path: Path, size: str, scale: str, pixels: tuple[int, int]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.screen_walk", size, str(tmp_path)],
        env=_env(scale),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(report) == list(SCREENS)
    for name, seen in report.items():
        assert tuple(seen["png"]) == pixels, name
        assert (tmp_path / f"{name}.png").is_file()
    assert {name: seen["problems"] for name, seen in report.items() if seen["problems"]} == {}


def test_the_walk_finds_what_a_clinician_would_run_into(qtbot: QtBot) -> None:
    """The checks themselves: a small button, a cut-off label and a widget past the window's
    edge are each reported (a walk that finds nothing must mean nothing is wrong)."""
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(400, 300)
    lay = QVBoxLayout(window)
    small = QPushButton("Go")
    small.setObjectName("small")
    small.setStyleSheet("min-height: 0; min-width: 0; padding: 0")  # the app's sheet sizes up
    small.setFixedSize(60, 30)
    lay.addWidget(small)
    cut = QLabel("A line far too long to fit in so narrow a label")
    cut.setObjectName("cut")
    cut.setFixedWidth(80)
    lay.addWidget(cut)
    fine = QPushButton("Fine")
    fine.setFixedSize(120, 48)
    lay.addWidget(fine)
    beyond = QPushButton("Beyond", window)
    beyond.setObjectName("beyond")
    beyond.setGeometry(350, 260, 120, 48)
    window.show()
    qtbot.waitExposed(window)
    found = problems_in(window, window.rect())
    assert any("#small" in p and "target 60x30" in p for p in found)
    assert any("#cut" in p and "text needs" in p for p in found)
    assert any("#beyond" in p and "leaves the window" in p for p in found)
    assert not any("[Fine]" in p for p in found)


def test_screenshot_of_a_named_screen_is_exactly_the_screen(tmp_path: Path) -> None:
    out = tmp_path / "visit.png"
    done = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(out), "--size", "1280x720"]
        + ["--screen", "visit"],
        env=_env("1.5"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    from PySide6.QtGui import QImage

    assert QImage(str(out)).size().toTuple() == (1920, 1080)


def test_an_unknown_screen_name_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(tmp_path / "x.png"), "--screen", "nope"],
        env=_env("1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no screen named 'nope'" in done.stderr
    assert "editor-products" in done.stderr  # the names it knows
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.png").exists()
