"""`python main.py --db URL check` (CONTRACTS.md): exit 0 intact, 1 altered (each altered row
printed), 2 when the check cannot run; it never creates a QApplication. Rows are altered with
raw SQL on a real SQLite file, the way someone editing the database behind FaceChart would."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from app import cli
from app.store.database import open_store, sqlite_url
from tests.app.fault_helpers import Charted, file_digest, make_charted

REPO = Path(__file__).resolve().parents[2]


def _check_in_process(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The same command through app.cli.main, without a new interpreter (faster)."""
    code = cli.main(["--db", url, "check"])
    out, err = capsys.readouterr()
    return code, out, err


def _check(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "--db", url, "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _charted_file(path: Path) -> Charted:
    store = open_store(sqlite_url(path))
    try:
        return make_charted(store)
    finally:
        store.dispose()


def _alter_point_units(path: Path, point_id: str, units: str) -> str:
    """Rewrite one point's units inside the stored, compressed points part; returns its sha."""
    with sqlite3.connect(path) as conn:
        sha, data = conn.execute(
            "SELECT sha256, data FROM chart_part WHERE kind = 'points'"
        ).fetchone()
        points = json.loads(zlib.decompress(data))
        point = next(p for p in points if p["id"] == point_id)
        assert point["units"] != units
        point["units"] = units
        raw = json.dumps(points, sort_keys=True, separators=(",", ":")).encode()
        conn.execute(
            "UPDATE chart_part SET data = ? WHERE sha256 = ?", (zlib.compress(raw, 6), sha)
        )
    return sha


def _alter_photo(path: Path, sha: str) -> None:
    with sqlite3.connect(path) as conn:
        (data,) = conn.execute("SELECT data FROM photo_blob WHERE sha256 = ?", (sha,)).fetchone()
        middle = len(data) // 2
        altered = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
        conn.execute("UPDATE photo_blob SET data = ? WHERE sha256 = ?", (altered, sha))


def _altered_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("ALTERED")]


def test_intact_database_exits_0(tmp_path: Path):
    path = tmp_path / "facechart.db"
    _charted_file(path)
    result = _check(sqlite_url(path))
    assert result.returncode == 0, result.stderr
    assert _altered_lines(result.stdout) == []
    assert "1 chart versions" in result.stdout and "1 photos: intact" in result.stdout


def test_altered_units_and_photo_bytes_are_each_named(tmp_path: Path):
    path = tmp_path / "facechart.db"
    charted = _charted_file(path)
    part_sha = _alter_point_units(path, "p2", "25")  # 2.5 U became 25 U
    _alter_photo(path, charted.photo_sha)

    result = _check(sqlite_url(path))
    assert result.returncode == 1, result.stdout + result.stderr
    altered = _altered_lines(result.stdout)
    assert any(f"chart_part sha256={part_sha}" in line for line in altered), altered
    assert any(
        f"chart_version id={charted.v1.id} " in line and f"visit {charted.visit_id}," in line
        for line in altered
    ), altered
    assert any(f"photo_blob sha256={charted.photo_sha}" in line for line in altered), altered
    # Exactly those three rows: the untouched stroke and products parts are not accused.
    assert len(altered) == 3, altered
    assert "3 altered row(s)" in result.stdout


def test_only_the_photo_altered(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "facechart.db"
    charted = _charted_file(path)
    _alter_photo(path, charted.photo_sha)
    code, out, _ = _check_in_process(sqlite_url(path), capsys)
    assert code == 1
    altered = _altered_lines(out)
    assert len(altered) == 1 and f"photo_blob sha256={charted.photo_sha}" in altered[0]


def test_check_changes_nothing_even_in_a_rollback_journal_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "facechart.db"
    _charted_file(path)
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    before = file_digest(path)
    assert _check_in_process(sqlite_url(path), capsys)[0] == 0
    assert file_digest(path) == before


def _newer(path: Path) -> None:
    _charted_file(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")


CANNOT_RUN = {
    "missing file": (lambda p: None, "no database|cannot be reached"),
    "not a database": (lambda p: p.write_bytes(b"%PDF-1.4 not a database\n" * 200), "error"),
    "a folder": (lambda p: p.mkdir(), "error"),
    "newer FaceChart": (_newer, "newer version"),
}


def test_check_that_cannot_run_exits_2_from_the_command_line(tmp_path: Path):
    result = _check(sqlite_url(tmp_path / "missing.db"))
    assert result.returncode == 2
    assert "no database" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.parametrize("case", list(CANNOT_RUN))
@pytest.mark.parametrize("read_only", [False, True])
def test_check_that_cannot_run_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, read_only: bool
):
    path = tmp_path / "facechart.db"
    make, message = CANNOT_RUN[case]
    make(path)
    code, out, err = _check_in_process(sqlite_url(path, read_only=read_only), capsys)
    assert code == 2, out + err
    assert re.search(message, err.lower()), err
    assert "intact" not in out
    assert (case == "missing file") == (not path.exists())  # check created nothing


def test_check_creates_no_qapplication(tmp_path: Path):
    path = tmp_path / "facechart.db"
    _charted_file(path)
    code = textwrap.dedent(
        """
        import sys
        sys.argv = ["main.py", "--db", sys.argv[1], "check"]
        import main
        rc = main.main()
        qt = sorted(m for m in sys.modules if m.startswith(("PySide", "shiboken", "PyQt")))
        print("RC", rc, "QT", qt)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code, sqlite_url(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "RC 0 QT []"
