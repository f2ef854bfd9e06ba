"""`python main.py align OLD NEW [--points FILE]` (CONTRACTS.md), run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.app.alignment.faces import astronaut, jpeg, png, similarity, warp

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.usefixtures("models")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "align", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("align-cli")
    face = astronaut()
    m = similarity(0.9, 6.0, (40.0, 25.0), (450.0, 250.0))
    files = {
        "old": (d / "old.jpg", jpeg(face)),
        "new": (d / "new.png", png(warp(face, m))),
        "blank": (d / "blank.png", png(np.full((400, 500, 3), 128, np.uint8))),
        "text": (d / "notes.jpg", b"not an image at all"),
        "points": (d / "points.json", json.dumps([[430, 240], [470.5, 245.25]]).encode()),
        "badpoints": (d / "bad.json", b'[[1, 2], ["x", 3]]'),
    }
    for path, data in files.values():
        path.write_bytes(data)
    out = {k: p for k, (p, _) in files.items()}
    (d / "matrix.json").write_text(json.dumps(m.tolist()))
    out["matrix"] = d / "matrix.json"
    return out


def test_prints_one_json_object(photos: dict[str, Path]) -> None:
    done = run(photos["old"], photos["new"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert set(out) == {"confidence", "method", "map"}
    assert 0 <= out["confidence"] <= 1 and out["confidence"] > 0.6
    assert out["method"] == "mesh" and out["map"]["method"] == "mesh"


def test_points_are_mapped(photos: dict[str, Path]) -> None:
    done = run(photos["old"], photos["new"], "--points", photos["points"])
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    m = np.asarray(json.loads(photos["matrix"].read_text()))
    src = np.asarray(json.loads(photos["points"].read_text()))
    truth = src @ m[:, :2].T + m[:, 2]
    got = np.asarray(out["points"], float)
    assert got.shape == (2, 2)
    assert np.hypot(*(got - truth).T).max() < 4.0  # px; the face's IOD here is ~110 px


def test_cannot_align_prints_nulls_and_exits_0(photos: dict[str, Path]) -> None:
    done = run(photos["blank"], photos["new"], "--points", photos["points"])
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["confidence"] == 0
    assert out["method"] == "none"
    assert out["points"] == [None, None]
    assert "No face" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("missing.jpg", "new"),
        ("text", "new"),
        ("old", "text"),
        ("old", "new", "--points", "missing.json"),
        ("old", "new", "--points", "badpoints"),
    ],
)
def test_unreadable_input_exits_2(photos: dict[str, Path], args: tuple[str, ...]) -> None:
    resolved = [str(photos.get(a, a)) if a != "missing.jpg" else "/nonexistent/x.jpg" for a in args]
    resolved = [r if r != "missing.json" else "/nonexistent/p.json" for r in resolved]
    done = run(*resolved)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error:")


def test_no_qt_is_imported(photos: dict[str, Path]) -> None:
    code = (
        "import sys\n"
        "from app.cli import main\n"
        f"rc = main(['align', {str(photos['old'])!r}, {str(photos['new'])!r}])\n"
        "assert rc == 0\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_align_loads_no_database_and_no_qt(photos: dict[str, Path]) -> None:
    """The whole `python main.py align` process, as a user runs it, loads only what aligning
    uses: no SQLAlchemy or Alembic (~0.2 s of start-up), no Qt (CONTRACTS.md)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(REPO / "main.py"), "align"]
        + [str(photos["old"]), str(photos["new"])],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert {"cv2", "numpy", "app"} <= loaded  # the trace really lists what the process imported
    assert loaded & {"sqlalchemy", "alembic", "PySide6", "shiboken6"} == set()
