"""`scripts/pg-test-server start` beside a running test server refuses and leaves the running
server's data alone (issue #13: it used to begin with `rm -rf` of the state folder)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("FACECHART_TEST_PG")
STATE = Path(os.environ.get("TMPDIR", "/tmp")) / "facechart-pg-test"


@pytest.mark.skipif(
    not PG_URL or not (STATE / "data" / "postmaster.pid").exists(),
    reason="needs the script's own test server running (CI starts it)",
)
def test_start_refuses_while_the_server_runs() -> None:
    assert PG_URL
    started = subprocess.run(
        ["bash", str(REPO / "scripts" / "pg-test-server"), "start"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    assert "already running" in started.stderr
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1  # still serving
    finally:
        engine.dispose()
