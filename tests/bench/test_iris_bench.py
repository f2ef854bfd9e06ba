"""The millimetre figures: null with a reason without photos, in the adult range with them."""

from __future__ import annotations

from pathlib import Path

from tests.bench.test_alignment_bench import FACES, run_bench


def test_without_faces_the_figures_are_null_with_a_reason(tmp_path: Path) -> None:
    out = run_bench("--faces", str(tmp_path), "iris_scale")
    for key in ("iod_mm_median", "mm_scale_spread"):
        assert out[key] is None
        assert "--faces" in str(out[f"{key}_skipped"])


def test_with_faces_the_median_is_an_adults() -> None:
    if not FACES.is_dir():
        return
    out = run_bench("--faces", str(FACES), "iris_scale")
    assert isinstance(out["iod_mm_median"], float)
    assert 55 <= out["iod_mm_median"] <= 72
    assert isinstance(out["mm_scale_spread"], float) and out["mm_scale_spread"] >= 0
    spreads = out["details"]["iris_scale"]["spread_per_person"]  # type: ignore[index]
    assert all(s["photos"] >= 2 for s in spreads.values())
