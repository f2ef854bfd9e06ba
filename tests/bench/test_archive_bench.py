"""The archive benchmark's shape on tiny sizes (the figure itself comes from `bench/run.py`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_archive_bench_reports_the_ratio_and_what_it_measured() -> None:
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--json", "archive"],
        cwd=REPO,
        env={**os.environ, "FACECHART_BENCH_QUICK": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["export_ratio_vs_copy"] > 0
    sizes = out["details"]["archive"]
    assert sizes["photos"] == 4 * sizes["charted"] and sizes["patients"] > sizes["charted"]
    assert sizes["export_ms"] > 0 and sizes["copy_ms"] > 0
