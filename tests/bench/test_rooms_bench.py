"""The eight-rooms benchmark (issue #13) on tiny sizes: its keys are there, null with a reason
without a server, and figures with no error on one (FACECHART_TEST_PG). The figures
themselves come from `bench/run.py --pg URL`, never from a test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KEYS = ("rooms8_save_p99_ms", "rooms8_vs_1room_p50_ratio", "rooms8_errors")
PG_URL = os.environ.get("FACECHART_TEST_PG")


def _run(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--json", "--quick", *args, "rooms8"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def test_without_a_server_the_figures_are_null_and_say_why() -> None:
    out = _run()
    for key in KEYS:
        assert out[key] is None and "--pg" in str(out[f"{key}_skipped"])


@pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")
def test_eight_room_processes_save_on_the_server_without_an_error() -> None:
    assert PG_URL
    out = _run("--pg", PG_URL)
    assert out["rooms8_errors"] == 0, out["details"]
    assert isinstance(out["rooms8_save_p99_ms"], float) and out["rooms8_save_p99_ms"] > 0
    assert isinstance(out["rooms8_vs_1room_p50_ratio"], float)
    details = out["details"]
    assert isinstance(details, dict)
    rooms = details["rooms8"]
    assert rooms["rooms"] == 8 and len(rooms["per_room_median_ms"]) == 8
    assert rooms["import_ms"], "the photo room imported no photo"
