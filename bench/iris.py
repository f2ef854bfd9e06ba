"""Millimetre figures (issue #10): the iris scale on the real photos of `--faces`.

Each photo goes through `app.alignment.photo_face.measure_face` (what the editor and
`locate` call) from its stored bytes. The inter-ocular distance (IOD) is the distance between
the eye centres of the independent reference points (faces/README.md: mean of 36–41 and of
42–47), so the figure scores the scale alone, not our eye centres; it is converted to mm with
the photo's iris scale. Adults measure 55–72 mm.

`iod_mm_median`: median of that IOD over the photos. `mm_scale_spread`: per person, the same
IOD over their different photos, max/min − 1; the figure is the largest over the people, with
the photo counts under "details" (the irises there are only 12–28 px wide).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from app.alignment.photo_face import measure_face
from bench._align_data import iod, load_faces
from bench.registry import Benchmark, Context, Goal, Report, median


@dataclass(frozen=True, slots=True)
class Between(Goal):
    """The figure should lie in [value, high]."""

    high: float = math.inf

    def met(self, figure: float) -> bool:
        return self.value <= figure <= self.high

    def __str__(self) -> str:
        return f"{self.value:g}–{self.high:g}"


def bench_iris_scale(ctx: Context) -> Report:
    report = Report()
    faces = load_faces(ctx.faces)
    keys = ("iod_mm_median", "mm_scale_spread")
    if not faces:
        for key in keys:
            report.skip(key, f"no face photos with landmarks68.json in --faces {ctx.faces}")
        return report
    per_photo: dict[str, dict[str, object]] = {}
    by_person: dict[str, list[float]] = defaultdict(list)
    for face in faces:
        measured = measure_face(face.data)
        scale = measured.scale
        row: dict[str, object] = {"person": face.person, "message": measured.message}
        if scale is not None:
            iod_mm = iod(face.ref) * scale.mm_per_px
            row.update(
                iod_mm=round(iod_mm, 2),
                mm_per_px=round(scale.mm_per_px, 5),
                confidence=scale.confidence,
                iris_px=[round(i.width_px, 1) for i in (scale.right, scale.left) if i],
                note=scale.note,
            )
            if scale.eye_centres is not None:
                (rx, ry), (lx, ly) = scale.eye_centres
                row["iod_mm_iris_centres"] = round(
                    math.hypot(lx - rx, ly - ry) * scale.mm_per_px, 2
                )
            by_person[face.person].append(iod_mm)
        per_photo[face.name] = row
    values = [v for vs in by_person.values() for v in vs]
    if not values:
        for key in keys:
            report.skip(key, "no photo got an iris scale")
    else:
        report.put("iod_mm_median", round(median(values), 2), len(values))
        spreads = {p: max(vs) / min(vs) - 1 for p, vs in by_person.items() if len(vs) >= 2}
        if spreads:
            report.put("mm_scale_spread", round(max(spreads.values()), 4), len(values))
            report.notes.append(
                (
                    "mm_scale_spread",
                    ", ".join(
                        f"{p}: {s:.1%} over {len(by_person[p])} photos"
                        for p, s in sorted(spreads.items())
                    ),
                )
            )
        else:
            report.skip("mm_scale_spread", "no person with two photos that got a scale")
    report.notes.append(("photos", f"{len(values)} of {len(faces)} got an iris scale"))
    report.details["photos"] = per_photo
    report.details["spread_per_person"] = {
        p: {"spread": round(max(vs) / min(vs) - 1, 4), "photos": len(vs),
            "iod_mm": [round(v, 2) for v in vs]}
        for p, vs in by_person.items()
    }  # fmt: skip
    report.details["iod_mm_all"] = sorted(round(v, 2) for v in values)
    report.details["iod_mm_spread_all"] = float(np.ptp(values)) if values else None
    return report


BENCHMARKS = (
    Benchmark(
        "iris_scale",
        ("iod_mm_median", "mm_scale_spread"),
        bench_iris_scale,
        {"iod_mm_median": Between(55, high=72)},
        "iris scale on the real photos: eye-centre distance in mm, and its spread per person",
    ),
)
