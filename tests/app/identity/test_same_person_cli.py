"""`python main.py same-person A B` (CONTRACTS.md), run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.app.alignment.faces import astronaut, jpeg, png, similarity, warp
from tests.app.identity.conftest import REPO, real_face

pytestmark = pytest.mark.usefixtures("models", "recognition")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "same-person", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("same-person-cli")
    face = astronaut()
    files = {
        "a": (d / "a.jpg", jpeg(face)),
        # the same person, turned, smaller and moved: another photo of her
        "b": (d / "b.png", png(warp(face, similarity(0.85, 8.0, (30.0, 20.0), (450, 250))))),
        "blank": (d / "blank.png", png(np.full((400, 500, 3), 128, np.uint8))),
        "text": (d / "notes.jpg", b"not an image at all"),
    }
    for path, data in files.values():
        path.write_bytes(data)
    return {k: p for k, (p, _) in files.items()}


def result(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1  # one JSON object, nothing else on stdout
    out = json.loads(lines[0])
    assert set(out) == {"same", "score", "threshold"}
    assert out["threshold"] == 0.4
    assert out["same"] == (out["score"] >= out["threshold"])  # same means score ≥ threshold
    return out


def test_same_person(photos: dict[str, Path]) -> None:
    out = result(run(photos["a"], photos["b"], "--db", "sqlite:////nowhere/ignored.db"))
    assert out["same"] is True and 0.4 <= out["score"] <= 1.0


def test_two_real_people_are_not_the_same() -> None:
    out = result(run(real_face("obama.jpg"), real_face("train_alex_lacamoire_img1.jpg")))
    assert out["same"] is False and out["score"] < 0.4
    again = result(run(real_face("obama.jpg"), real_face("obama2.jpg")))
    assert again["same"] is True


def test_no_face_could_not_compare(photos: dict[str, Path]) -> None:
    done = run(photos["a"], photos["blank"])
    assert result(done) == {"same": False, "score": 0.0, "threshold": 0.4}
    assert done.stderr.strip() == "could not compare: No face was found in the second photo."


@pytest.mark.parametrize(
    "args", [("a", "missing"), ("text", "a"), ("blank", "text")], ids=["missing", "text", "text-b"]
)
def test_unreadable_input_exits_2(photos: dict[str, Path], args: tuple[str, str]) -> None:
    paths = [photos.get(a, photos["a"].parent / "no-such.jpg") for a in args]
    done = run(*paths)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error:")
    assert "Traceback" not in done.stderr


def test_loads_no_qt_and_no_database(photos: dict[str, Path]) -> None:
    code = (
        "import sys\n"
        "from main import main\n"
        f"rc = main(['same-person', {str(photos['a'])!r}, {str(photos['b'])!r}, '--db', 'x'])\n"
        "assert rc == 0\n"
        "top = {m.split('.')[0] for m in sys.modules}\n"
        "bad = sorted(top & {'PySide6', 'shiboken6', 'sqlalchemy', 'alembic'})\n"
        "assert not bad, bad\n"
        "assert 'dlib' in top\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr
