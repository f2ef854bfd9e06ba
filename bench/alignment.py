"""Alignment figures (issue #5): error in inter-ocular distances (IOD), confidence, time.

Every figure calls `app.alignment.align_images` (what `main.py align` calls) with images
only; the reference points of `--faces DIR/landmarks68.json` are used only to score. The error
of one pair is the mean, over the 68 reference points of OLD mapped into NEW, of the distance
to where they truly are in NEW, divided by NEW's eye-centre distance (faces/README.md); a pair
that could not be aligned counts as an infinite error in medians and 90th percentiles.

Synthetic pairs: each real photo against a copy of itself warped by a known transform (levels
in SYNTH and docs/BENCHMARKS.md); the truth is the transform. Real pairs: every ordered pair of
different photos of the same person. The confidence AUC adds STRESS trials (the same recipe
with harsher levels) so that the pool holds failures to separate, and scores the confidence
the user would see (0 for a refused pair) against the error of the mesh mapping that was found.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from app.alignment.align import AlignmentResult, align_images
from bench._align_data import (
    STRESS,
    SYNTH,
    Face,
    Levels,
    camera_jpeg,
    load_faces,
    pair_error,
    rgb_small,
    warp_trial,
)
from bench.registry import Benchmark, Context, Goal, Report, median, repeat_ms

REPO = Path(__file__).resolve().parent.parent

TRIALS_PER_FACE = 16  # 7 photos → 112 synthetic trials
STRESS_PER_FACE = 8


@dataclass(frozen=True, slots=True)
class Trial:
    kind: str  # "synth", "stress", "real"
    label: str
    error: float  # mean IOD over the 68 points; inf if it could not align
    upper: float  # the same over points 17–47 (brows, nose bridge, eyes)
    confidence: float
    candidate_error: float | None  # error of the mesh mapping found, even when refused
    residual: float | None


def score(
    kind: str, label: str, result: AlignmentResult, ref_old: np.ndarray, truth: np.ndarray
) -> Trial:
    cand = None
    if result.candidate is not None:
        cand = float(pair_error(result.candidate.map_points(ref_old), truth).mean())
    if result.method == "none":
        return Trial(kind, label, math.inf, math.inf, result.confidence, cand, result.residual_iod)
    e = pair_error(result.mapping.map_points(ref_old), truth)
    return Trial(
        kind,
        label,
        float(e.mean()),
        float(e[17:48].mean()),
        result.confidence,
        cand,
        result.residual_iod,
    )


def synthetic_trials(
    faces: list[Face], per_face: int, lv: Levels, kind: str, seed: int
) -> list[Trial]:
    trials = []
    for fi, face in enumerate(faces):
        rgb, ref = rgb_small(face)
        for t in range(per_face):
            rng = np.random.default_rng([seed, fi, t])
            warped, truth = warp_trial(rgb, ref, rng, lv)
            result = align_images(rgb, warped)
            trials.append(score(kind, f"{face.name}#{t}", result, ref, truth))
    return trials


def real_trials(faces: list[Face]) -> list[Trial]:
    """Every ordered pair of different photos of the same person, as the CLI reads them."""
    trials = []
    for a in faces:
        for b in faces:
            if a is b or a.person != b.person:
                continue
            result = align_images(a.data, b.data)
            trials.append(score("real", f"{a.name}→{b.name}", result, a.ref, b.ref))
    return trials


def p90(values: list[float]) -> float:
    return float(np.percentile(np.asarray(values, float), 90, method="higher"))


def auc(scores_pos: list[float], scores_neg: list[float]) -> float:
    """P(confidence of a good pair > that of a bad pair), ties counted half (Mann–Whitney)."""
    pos, neg = np.asarray(scores_pos)[:, None], np.asarray(scores_neg)[None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


def spearman(x: list[float], y: list[float]) -> float:
    rx = np.argsort(np.argsort(x)).astype(float)
    ry = np.argsort(np.argsort(y)).astype(float)
    return float(np.corrcoef(rx, ry)[0, 1])


# ---- benchmarks ------------------------------------------------------------------------------

_NO_FACES = "needs the real face photos and landmarks68.json (--faces DIR)"


def bench_accuracy(ctx: Context) -> Report:
    r = Report()
    keys = (
        "align_synth_median_iod",
        "align_synth_p90_iod",
        "align_real_median_iod",
        "align_real_p90_iod",
        "align_real_upper_median_iod",
        "align_confidence_auc",
    )
    faces = load_faces(ctx.faces)
    if len({f.person for f in faces}) < 1 or len(faces) < 3:
        for k in keys:
            r.skip(k, _NO_FACES)
        return r
    per_face = ctx.size(TRIALS_PER_FACE, 1)
    synth = synthetic_trials(faces, per_face, SYNTH, "synth", seed=5)
    stress = synthetic_trials(faces, ctx.size(STRESS_PER_FACE, 1), STRESS, "stress", seed=55)
    real = real_trials(faces)
    e = [t.error for t in synth]
    r.put("align_synth_median_iod", median(e), len(e))
    r.put("align_synth_p90_iod", p90(e), len(e))
    er = [t.error for t in real]
    r.put("align_real_median_iod", median(er), len(er))
    r.put("align_real_p90_iod", p90(er), len(er))
    r.put("align_real_upper_median_iod", median([t.upper for t in real]), len(er))
    # (trial, error of its candidate mapping), for the trials that found one
    pool = [(t, t.candidate_error) for t in synth + stress + real if t.candidate_error is not None]
    good = [t.confidence for t, err in pool if err <= 0.05]
    bad = [t.confidence for t, err in pool if err > 0.10]
    if good and bad:
        r.put("align_confidence_auc", auc(good, bad), len(good) + len(bad))
    else:
        r.skip(
            "align_confidence_auc",
            f"needs pairs on both sides ({len(good)} ≤0.05, {len(bad)} >0.10)",
        )
    rho_pool = [(t.residual, err) for t, err in pool if t.residual is not None]
    fails = {
        k: sum(math.isinf(t.error) for t in ts)
        for k, ts in (("synth", synth), ("stress", stress), ("real", real))
    }
    r.notes += [
        (
            "trials",
            f"{len(synth)} synthetic on {len(faces)} photos, {len(real)} real pairs, "
            f"{len(stress)} stress",
        ),
        ("could not align", ", ".join(f"{k} {v}" for k, v in fails.items())),
        ("auc pool", f"{len(good)} pairs ≤0.05 IOD vs {len(bad)} pairs >0.10 IOD"),
        (
            "rank corr.",
            "residual vs true error "
            f"{spearman([r for r, _ in rho_pool], [err for _, err in rho_pool]):.2f}",
        ),
    ]
    r.details = {
        "trials": [
            {
                "kind": t.kind,
                "pair": t.label,
                "error_iod": None if math.isinf(t.error) else round(t.error, 4),
                "upper_iod": None if math.isinf(t.upper) else round(t.upper, 4),
                "confidence": round(t.confidence, 4),
                "candidate_error_iod": None
                if t.candidate_error is None
                else round(t.candidate_error, 4),
                "residual_iod": None if t.residual is None else round(t.residual, 4),
            }
            for t in synth + stress + real
        ],
        "levels": {"synth": _levels(SYNTH), "stress": _levels(STRESS)},
    }
    return r


def _levels(lv: Levels) -> dict[str, object]:
    return {k: getattr(lv, k) for k in Levels.__dataclass_fields__}


def _photo_24mp(face: bytes, width: int, height: int) -> bytes:
    """A camera-sized JPEG with the face filling the frame's height, like a clinic photo."""
    img = Image.open(io.BytesIO(face)).convert("RGB")
    img = img.resize((round(img.width * height / img.height), height), Image.Resampling.BICUBIC)
    canvas = Image.new("RGB", (width, height), (128, 128, 128))
    canvas.paste(img, ((width - img.width) // 2, 0))
    buf = io.BytesIO()
    canvas.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def bench_speed(ctx: Context) -> Report:
    from app.services import patients, photos
    from app.services.alignment import align_photos
    from app.store.database import open_store, sqlite_url

    r = Report()
    faces = load_faces(ctx.faces)
    sources = [f.data for f in faces[:2]]
    if len(sources) < 2:
        try:
            from skimage.data import astronaut

            buf = io.BytesIO()
            Image.fromarray(astronaut()).save(buf, "PNG")
            sources = [buf.getvalue(), buf.getvalue()]
        except ImportError:
            r.skip("align_ms_24mp", _NO_FACES + " or scikit-image's astronaut")
            return r
    w, h = (6000, 4000) if not ctx.quick else (1200, 800)
    store = open_store(sqlite_url(ctx.tmp / "align.db"))
    try:
        patient = patients.create_patient(store, "Ada", "Lovelace", date(1980, 1, 2))
        recs = [
            photos.add_photo_bytes(store, patient.id, "rest", _photo_24mp(src, w, h + k))
            for k, src in enumerate(sources)
        ]
        reps = ctx.size(15, 2)
        times = repeat_ms(lambda: align_photos(store, recs[0], recs[1]), reps, warmup=2)
        result = align_photos(store, recs[0], recs[1])
    finally:
        store.dispose()
    r.put("align_ms_24mp", median(times), reps)
    r.notes.append(
        (
            "24 MP pair",
            f"{w}×{h} JPEGs via their stored display images → {result.method}, "
            f"confidence {result.confidence:.2f}",
        )
    )
    r.details = {"times_ms": [round(t, 1) for t in times], "method": result.method}
    return r


def _children_cpu_ms() -> float | None:
    """CPU time used so far by finished child processes; None where unknown (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000.0


def _cli_ms(old: Path, new: Path) -> tuple[float, float | None, dict[str, object]]:
    """One whole `python main.py align OLD NEW` process, start to exit: its wall time, the CPU
    time it used (user + system, all threads; less sensitive to a shared machine's load than
    the wall time, so a loaded run can still be read) and its answer."""
    before = _children_cpu_ms()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "align", str(old), str(new)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    ms = (time.perf_counter() - start) * 1000.0
    after = _children_cpu_ms()
    cpu = after - before if after is not None and before is not None else None
    if done.returncode != 0:
        raise RuntimeError(f"main.py align exited {done.returncode}: {done.stderr.strip()}")
    return ms, cpu, json.loads(done.stdout)


def bench_cli(ctx: Context) -> Report:
    """What a script or a clinic's other software waits for: a new interpreter, its imports,
    two camera-sized JPEGs decoded, the faces found and the mapping printed."""
    r = Report()
    faces = load_faces(ctx.faces)
    pair = next(
        ([a, b] for i, a in enumerate(faces) for b in faces[i + 1 :] if a.person == b.person),
        None,
    )
    if pair is None:
        r.skip("align_cli_ms_24mp", "needs two real photos of one person (--faces DIR)")
        return r
    size = (4000, 6000) if not ctx.quick else (800, 1200)
    paths = []
    for k, face in enumerate(pair):
        path = ctx.tmp / f"{'old' if k == 0 else 'new'}.jpg"
        path.write_bytes(camera_jpeg(face.data, size, seed=k))
        paths.append(path)
    _cli_ms(*paths)  # warm-up: the page cache holds Python, the libraries and the models
    reps = ctx.size(5, 2)
    runs = [_cli_ms(*paths) for _ in range(reps)]
    times = [ms for ms, _, _ in runs]
    out = runs[-1][2]
    r.put("align_cli_ms_24mp", median(times), reps)
    mb = sum(p.stat().st_size for p in paths) / 2**20
    r.notes.append(
        (
            "24 MP pair",
            f"{pair[0].name} → {pair[1].name} at {size[0]}×{size[1]} ({mb:.1f} MB of JPEG) → "
            f"{out['method']}, confidence {out['confidence']:.2f}",
        )
    )
    r.details = {
        "times_ms": [round(t, 1) for t in times],
        "cpu_ms": [None if c is None else round(c, 1) for _, c, _ in runs],
        "pair": [f.name for f in pair],
        "method": out["method"],
    }
    return r


BENCHMARKS = (
    Benchmark(
        "align_accuracy",
        (
            "align_synth_median_iod",
            "align_synth_p90_iod",
            "align_real_median_iod",
            "align_real_p90_iod",
            "align_real_upper_median_iod",
            "align_confidence_auc",
        ),
        bench_accuracy,
        {
            "align_synth_median_iod": Goal(0.025),
            "align_synth_p90_iod": Goal(0.045),
            "align_real_median_iod": Goal(0.07),
            "align_real_p90_iod": Goal(0.13),
            "align_real_upper_median_iod": Goal(0.06),
            "align_confidence_auc": Goal(0.9, at_least=True),
        },
        "earlier photo → today's: error in inter-ocular distances, and the confidence",
    ),
    Benchmark(
        "align_speed",
        ("align_ms_24mp",),
        bench_speed,
        {"align_ms_24mp": Goal(300)},
        "two stored 24 MP photos to the mapping, as the app does it",
    ),
    Benchmark(
        "align_cli",
        ("align_cli_ms_24mp",),
        bench_cli,
        {"align_cli_ms_24mp": Goal(600)},
        "the whole `python main.py align OLD NEW` process on two 24 MP JPEGs",
    ),
)
