"""The benchmark runner's output contract (CONTRACTS.md, "Benchmarks"), on tiny sizes.

Checks the shape of the JSON only: figures come from `bench/run.py`, never from timed tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STORE_KEYS = (
    "save_growth_kb",
    "save_ratio_24mp_vs_1mp",
    "search_100k_median_ms",
    "search_100k_p95_ms",
    "history_500_ms",
)


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FACECHART_BENCH_QUICK": "1"}
    return subprocess.run(
        [sys.executable, "bench/run.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_last_line_has_every_store_figure() -> None:
    done = run_bench("--json", "store")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for key in STORE_KEYS:
        assert isinstance(out[key], float | int), (key, out.get(f"{key}_skipped"))
        assert out[key] >= 0
    machine = out["machine"]
    for field in ("cpu", "cores", "python", "qt", "opencv", "sqlalchemy", "sqlite"):
        assert machine[field], field
    assert out["when"].endswith("+00:00")
    assert out["details"]["mode"] == "quick"


def test_names_select_benchmarks_and_unknown_names_fail() -> None:
    done = run_bench("--json", "history_500_ms")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert "history_500_ms" in out and "save_growth_kb" not in out

    assert run_bench("--json", "no_such_figure_ms").returncode != 0
