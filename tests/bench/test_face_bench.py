"""The face-aware charting figures' output shape on tiny sizes (figures come from bench/run.py
only): measured with ../shared/faces, null with a reason without it."""

from __future__ import annotations

from pathlib import Path

from tests.bench.test_alignment_bench import FACES, run_bench

KEYS = ("side_accuracy", "locate_ms_24mp")


def test_without_faces_the_figures_are_null_with_a_reason(tmp_path: Path) -> None:
    out = run_bench("--faces", str(tmp_path), "face_side", "face_locate")
    for key in KEYS:
        assert out[key] is None
        assert "--faces" in str(out[f"{key}_skipped"])


def test_with_faces_both_figures_are_measured() -> None:
    if not FACES.is_dir():
        return  # CI has ../shared/faces; the test above covers the other case
    out = run_bench("--faces", str(FACES), "face_side", "face_locate")
    assert isinstance(out["side_accuracy"], float) and 0.9 <= out["side_accuracy"] <= 1.0
    assert isinstance(out["locate_ms_24mp"], float) and out["locate_ms_24mp"] > 0
