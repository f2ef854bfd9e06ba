"""The wrong-patient photo check (issue 10): does the face-recognition embedding tell the two
people of `--faces DIR` apart?

`same_person_auc`: over every unordered pair of the real photos, P(a same-person pair is
closer than a different-person pair), ties counted half. A smoke test on 7 photos of 2 people:
the pair counts are reported beside it, with the false warnings (same person, distance > 0.6:
the app would warn) and misses (two people, distance ≤ 0.6: it would stay quiet) at the app's
threshold. `same_person_embed_ms`: one photo's embedding as the check computes it (decode of the
file at working size, face search, 5-point placement, ResNet), median over the photos after a
warm-up. Who is who comes from the file name (faces/README.md).
"""

from __future__ import annotations

from functools import partial
from itertools import combinations
from pathlib import Path

from app.identity.compare import MAX_DISTANCE, THRESHOLD, distances, embed
from bench.registry import Benchmark, Context, Goal, Report, median, repeat_ms

SUFFIXES = {".jpg", ".jpeg", ".png"}


def person(name: str) -> str:
    return "obama" if "obama" in name else "alex" if "alex" in name else name


def load(folder: Path) -> list[tuple[str, bytes]]:
    if not folder.is_dir():
        return []
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.suffix in SUFFIXES]


def auc(pos: list[float], neg: list[float]) -> float:
    """P(a same-person pair's similarity > a different-person pair's), ties counted half."""
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return float(wins / (len(pos) * len(neg)))


def bench_same_person(ctx: Context) -> Report:
    r = Report()
    photos = load(ctx.faces)
    people = {person(n) for n, _ in photos}
    if len(people) < 2 or len(photos) < 3:
        why = "needs real face photos of at least two people (--faces DIR)"
        r.skip("same_person_auc", why)
        r.skip("same_person_embed_ms", why)
        return r
    try:
        matrix = distances([data for _, data in photos])
    except Exception as exc:  # models or dlib missing: say so, never invent a figure
        r.skip("same_person_auc", f"could not embed: {exc}")
        r.skip("same_person_embed_ms", f"could not embed: {exc}")
        return r
    same: list[float] = []
    other: list[float] = []
    no_face = [photos[i][0] for i in range(len(photos)) if matrix[i][i] is None]
    for i, j in combinations(range(len(photos)), 2):
        d = matrix[i][j]
        if d is None:
            continue
        (same if person(photos[i][0]) == person(photos[j][0]) else other).append(1.0 - d)
    false_warnings = sum(1 for s in same if s < THRESHOLD)
    misses = sum(1 for s in other if s >= THRESHOLD)
    r.put("same_person_auc", auc(same, other), 1)
    r.details["pairs"] = {
        "photos": len(photos),
        "people": len(people),
        "same_pairs": len(same),
        "different_pairs": len(other),
        "no_face": no_face,
        "max_distance": MAX_DISTANCE,
        "false_warnings": false_warnings,
        "misses": misses,
        "same_distance_max": round(1.0 - min(same), 3),
        "different_distance_min": round(1.0 - max(other), 3),
    }
    r.notes.append(
        (
            "pairs",
            f"{len(same)} same-person, {len(other)} different-person pairs of {len(photos)} "
            f"photos ({len(people)} people); at distance ≤ {MAX_DISTANCE}: {false_warnings} false "
            f"warnings, {misses} misses; same-person distances ≤ {1.0 - min(same):.3f}, "
            f"different-person ≥ {1.0 - max(other):.3f}",
        )
    )
    reps = ctx.size(5, 1)
    times = [t for _, data in photos for t in repeat_ms(partial(embed, data), reps, 1)]
    r.put("same_person_embed_ms", median(times), len(times))
    return r


BENCHMARKS = (
    Benchmark(
        "same_person",
        ("same_person_auc", "same_person_embed_ms"),
        bench_same_person,
        {"same_person_auc": Goal(0.98, at_least=True)},
        "wrong-patient check: same vs different person over every pair of the real photos",
    ),
)
