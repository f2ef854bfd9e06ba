"""The wrong-patient check's benchmark: its shape without the real photos, and its counts with
them (skipped when ../shared/faces is absent)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FACES = REPO.parent / "shared" / "faces"


def run_bench(*args: str) -> dict[str, object]:
    env = {**os.environ, "FACECHART_BENCH_QUICK": "1"}
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--json", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_faces_the_figures_are_null_with_a_reason(tmp_path: Path) -> None:
    out = run_bench("--faces", str(tmp_path), "same_person")
    for key in ("same_person_auc", "same_person_embed_ms"):
        assert out[key] is None and "--faces" in str(out[f"{key}_skipped"])


def test_on_the_real_photos_every_pair_is_counted() -> None:
    if not FACES.is_dir():
        pytest.skip(f"needs the real face photos in {FACES}")
    out = run_bench("--faces", str(FACES), "same_person")
    pairs = out["details"]["same_person"]["pairs"]  # type: ignore[index]  # JSON of a known shape
    n = pairs["photos"]
    assert not pairs["no_face"]  # every photo has a face: every pair is compared
    assert pairs["same_pairs"] + pairs["different_pairs"] == n * (n - 1) // 2
    assert isinstance(out["same_person_auc"], float) and 0.0 <= out["same_person_auc"] <= 1.0
    assert pairs["false_warnings"] >= 0 and pairs["misses"] >= 0
