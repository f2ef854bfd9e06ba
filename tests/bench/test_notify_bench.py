"""The notify benchmark runs end to end on tiny sizes and reports its figure (the figure itself
comes from `bench/run.py notify`, never from a timed test)."""

from __future__ import annotations

import json

from tests.bench.test_bench_runner import run_bench


def test_notify_figure_is_reported() -> None:
    done = run_bench("--json", "notify")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(out["notify_ms_p95"], float | int), out.get("notify_ms_p95_skipped")
    assert 0 < out["notify_ms_p95"] < 10000
