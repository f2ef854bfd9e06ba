"""`report`, `visits --json` and `demo --db URL` from the command line (CONTRACTS.md): no
QApplication, one clear line and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.store.database import open_store, sqlite_url
from tests.app.fault_helpers import make_charted

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args], cwd=REPO, capture_output=True, text=True, timeout=180
    )


def test_visits_then_report_of_one_without_a_display(tmp_path: Path) -> None:
    db = tmp_path / "facechart.db"
    store = open_store(sqlite_url(db))
    try:
        charted = make_charted(store)
    finally:
        store.dispose()
    url = sqlite_url(db)
    listed = _run("--db", url, "visits", "--json")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert json.loads(line) == {
        "id": charted.visit_id,
        "patient_id": charted.patient_id,
        "patient": "Ada Lovelace",
        "date": json.loads(line)["date"],
        "treatment": "neurotoxin",
    }
    out = tmp_path / "visit.pdf"
    # PySide6 importable but not imported: a report needs no QApplication (nor Qt at all)
    code = (
        "import sys; from app import cli; rc = cli.main(sys.argv[1:]); "
        "assert 'PySide6' not in sys.modules, 'Qt loaded'; sys.exit(rc)"
    )
    made = subprocess.run(
        [sys.executable, "-c", code, "--db", url, "report", str(charted.visit_id), str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert made.returncode == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF-") and "NOT SIGNED" in made.stdout

    missing = _run("--db", url, "report", "999", str(tmp_path / "x.pdf"))
    assert missing.returncode == 2 and missing.stderr.strip() == "error: no visit 999"
    no_version = _run("--db", url, "report", str(charted.visit_id), "--version", "7", str(out))
    assert no_version.returncode == 2 and "no version 7" in no_version.stderr
    no_folder = _run("--db", url, "report", str(charted.visit_id), str(tmp_path / "a" / "b.pdf"))
    assert no_folder.returncode == 2 and "Traceback" not in no_folder.stderr


def test_demo_fills_an_empty_database_only(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "demo.db")
    first = _run("demo", "--db", url)
    assert first.returncode == 0, first.stderr
    listed = _run("--db", url, "visits", "--json")
    assert len(listed.stdout.splitlines()) >= 3
    again = _run("demo", "--db", url)
    assert again.returncode == 2 and "not empty" in again.stderr
