"""The alignment benchmarks' output shape on tiny sizes (figures come from bench/run.py only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FACES = REPO.parent / "shared" / "faces"
ACCURACY = (
    "align_synth_median_iod",
    "align_synth_p90_iod",
    "align_real_median_iod",
    "align_real_p90_iod",
    "align_real_upper_median_iod",
    "align_confidence_auc",
)


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


def test_without_faces_real_figures_are_null_with_a_reason(tmp_path: Path) -> None:
    out = run_bench("--faces", str(tmp_path), "align_accuracy")
    for key in ACCURACY:
        assert out[key] is None
        assert "--faces" in str(out[f"{key}_skipped"])


def test_with_faces_every_figure_is_measured() -> None:
    """CI has ../shared/faces; without it only the speed figure (astronaut photo) is measured."""
    out = run_bench("--faces", str(FACES), "align_accuracy", "align_speed")
    for key in (*ACCURACY, "align_ms_24mp") if FACES.is_dir() else ("align_ms_24mp",):
        value = out[key]
        assert isinstance(value, float | int), (key, out.get(f"{key}_skipped"))
        assert value >= 0


def test_align_cli_times_the_real_command(tmp_path: Path) -> None:
    """The figure is the whole `main.py align` process on a same-person pair that aligns;
    without photos of one person it is null with a reason, never invented."""
    assert run_bench("--faces", str(tmp_path), "align_cli")["align_cli_ms_24mp_skipped"]
    if not FACES.is_dir():
        return
    out = run_bench("--faces", str(FACES), "align_cli")
    assert isinstance(out["align_cli_ms_24mp"], float), out.get("align_cli_ms_24mp_skipped")
    details = out["details"]["align_cli"]  # type: ignore[index]
    assert details["method"] == "mesh"  # the command found both faces: a real alignment
    assert len(details["times_ms"]) == 2  # quick mode: two timed runs after the warm-up
