"""An earlier chart in today's photo pixels: its markings mapped for the overlay (and, through
`touchup.carry_forward`, its points carried forward as today's plan).

A mapping is either a live one (`app.alignment.mapping.Mapping`, or the `AlignmentResult`
holding it) or its saved dict (`OverlayUse.mapping`, ADR 0009 "Saved form"); all map
identically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from app.alignment.align import AlignmentResult
from app.alignment.mapping import Mapping as PixelMapping
from app.alignment.mapping import mapping_from_dict
from app.domain.chart import Stroke, ViewChart

AnyMapping = PixelMapping | Mapping[str, Any] | AlignmentResult


def live_mapping(mapping: AnyMapping) -> PixelMapping:
    """A live mapping from any of the forms the UI holds."""
    if isinstance(mapping, AlignmentResult):
        return mapping.mapping
    if isinstance(mapping, Mapping):
        return mapping_from_dict(dict(mapping))
    return mapping


def _map(mapping: PixelMapping, xy: list[tuple[float, float]]) -> np.ndarray:
    if not xy:
        return np.zeros((0, 2))
    return np.asarray(mapping.map_points(np.asarray(xy, float).reshape(-1, 2)), float)


def _scale_near(mapping: PixelMapping, xy: list[tuple[float, float]]) -> float:
    """How much the mapping enlarges lengths around the middle of `xy` (for stroke widths)."""
    cx, cy = np.mean(np.asarray(xy, float), axis=0)
    a, b, c = _map(mapping, [(cx, cy), (cx + 10, cy), (cx, cy + 10)])
    scale = (np.hypot(*(b - a)) + np.hypot(*(c - a))) / 20
    return float(scale) if np.isfinite(scale) and scale > 0 else 1.0


def map_view_chart(
    chart: ViewChart, mapping: AnyMapping, *, photo_sha256: str | None = None
) -> ViewChart:
    """The earlier chart in today's photo pixels: stroke samples, points and a microneedling
    chart's area outlines mapped (ids kept, the patient's side kept: mapping never mirrors a
    face), stroke widths scaled with the face; what the mapping cannot map is dropped (an area
    with any corner it cannot map). `photo_sha256`: today's photo, if wanted."""
    m = live_mapping(mapping)
    samples = [(s[0], s[1]) for stroke in chart.strokes for s in stroke.samples]
    positions = [(p.x, p.y) for p in chart.points]
    corners = [xy for a in chart.areas for xy in a.polygon]
    mapped = _map(m, samples + positions + corners)
    ok = np.all(np.isfinite(mapped), axis=1)
    scale = _scale_near(m, samples + positions) if samples else 1.0
    strokes: list[Stroke] = []
    i = 0
    for stroke in chart.strokes:
        kept = tuple(
            (float(mapped[i + k, 0]), float(mapped[i + k, 1]), s[2], s[3])
            for k, s in enumerate(stroke.samples)
            if ok[i + k]
        )
        i += len(stroke.samples)
        if kept:
            strokes.append(replace(stroke, samples=kept, width=stroke.width * scale))
    points = tuple(
        replace(p, x=float(mapped[i + k, 0]), y=float(mapped[i + k, 1]))
        for k, p in enumerate(chart.points)
        if ok[i + k]
    )
    i += len(chart.points)
    areas = []
    for a in chart.areas:
        n = len(a.polygon)
        if bool(np.all(ok[i : i + n])):
            moved = tuple((float(x), float(y)) for x, y in mapped[i : i + n])
            areas.append(replace(a, polygon=moved))
        i += n
    return ViewChart(chart.view, photo_sha256, tuple(strokes), points, areas=tuple(areas))
