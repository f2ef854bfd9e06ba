"""The tamper benchmark on tiny sizes: every kind caught and named, a growth figure, check's
time (the figures themselves come from `bench/run.py tamper`, docs/BENCHMARKS.md)."""

from __future__ import annotations

import os
from pathlib import Path

from bench.registry import Context
from bench.tamper import bench_tamper


def test_quick_tamper_bench_catches_every_kind(tmp_path: Path) -> None:
    before = os.environ.get("FACECHART_INTEGRITY_DIR")
    report = bench_tamper(Context(tmp=tmp_path, faces=tmp_path, quick=True))
    assert report.figures["tamper_detected_share"] == 1.0, report.details["first_lines"]
    assert report.details["kinds"] and all(report.details["kinds"].values())
    growth = report.figures["checkpoint_growth_kb_per_version"]
    assert growth is not None and 0 <= growth <= 2
    assert (tmp_path / "integrity").is_dir()  # the run's own key, not the user's
    assert os.environ.get("FACECHART_INTEGRITY_DIR") == before
