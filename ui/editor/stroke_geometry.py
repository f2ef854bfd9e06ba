"""The drawn shape of a finished stroke, in numpy: the same Catmull-Rom curve and pressure
outline as app/domain/strokes.py (`smooth`, `outline`), computed for all points at once.

Opening a busy view built 40 strokes point by point in Python (~3 ms each); this is what a
view's first paint and every pen-up wait for. The pure-Python functions stay the reference
(tests/ui check that both agree) and still draw the live stroke, segment by segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPolygonF

from app.domain import strokes as geo
from app.domain.chart import Sample


def smooth(samples: Sequence[Sample], subdivisions: int = geo.SUBDIVISIONS) -> np.ndarray:
    """(m, 3) rows of x, y, pressure: geo.smooth's curve."""
    pts = geo._dedupe(samples)
    if len(pts) < 3:
        return np.array([(x, y, p) for x, y, p, _t in pts], np.float64).reshape(-1, 3)
    a = np.asarray(pts, np.float64)[:, :3]
    n = len(a)
    pres = (
        a[np.maximum(np.arange(n) - 1, 0), 2] + a[:, 2] + a[np.minimum(np.arange(n) + 1, n - 1), 2]
    ) / 3
    i = np.arange(n - 1)
    p0, p1, p2 = a[np.maximum(i - 1, 0)], a[i], a[i + 1]
    p3 = a[np.minimum(i + 2, n - 1)]
    t = np.arange(subdivisions) / subdivisions
    t2, t3 = t * t, t * t * t
    ca, cb = -0.5 * t3 + t2 - 0.5 * t, 1.5 * t3 - 2.5 * t2 + 1.0
    cc, cd = -1.5 * t3 + 2.0 * t2 + 0.5 * t, 0.5 * t3 - 0.5 * t2
    out = np.empty((n - 1, subdivisions, 3))
    for k in (0, 1):
        out[:, :, k] = (
            ca[None, :] * p0[:, k, None]
            + cb[None, :] * p1[:, k, None]
            + cc[None, :] * p2[:, k, None]
            + cd[None, :] * p3[:, k, None]
        )
    out[:, :, 2] = pres[:-1, None] + (pres[1:] - pres[:-1])[:, None] * t[None, :]
    last = np.array([[a[-1, 0], a[-1, 1], pres[-1]]])
    return np.concatenate([out.reshape(-1, 3), last])


def outline(curve: np.ndarray, nominal_width: float) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) edges, (m, 2) each: geo.outline's polygon."""
    m = len(curve)
    i = np.arange(m)
    ahead, behind = curve[np.minimum(i + 1, m - 1)], curve[np.maximum(i - 1, 0)]
    dx, dy = ahead[:, 0] - behind[:, 0], ahead[:, 1] - behind[:, 1]
    length = np.hypot(dx, dy)
    length[length == 0] = 1.0
    nx, ny = -dy / length, dx / length
    p = np.clip(curve[:, 2], 0.0, 1.0)
    half = nominal_width * (geo.MIN_WIDTH_SHARE + (1.0 - geo.MIN_WIDTH_SHARE) * p) / 2.0
    left = np.stack([curve[:, 0] + nx * half, curve[:, 1] + ny * half], 1)
    right = np.stack([curve[:, 0] - nx * half, curve[:, 1] - ny * half], 1)
    return left, right


@dataclass(frozen=True, slots=True)
class Shape:
    """A finished stroke's drawn shape as plain numbers (a worker may work it out ahead):
    `polygon` (n, 2) to fill, closed, with round `ends` (x, y, radius), or, for a dashed
    stroke (`filled` False), its centreline in `polygon`."""

    filled: bool
    polygon: np.ndarray
    ends: tuple[tuple[float, float, float], ...] = ()


def shape(samples: Sequence[Sample], width: float, dashed: bool = False) -> Shape:
    """What `path` draws: numpy only, no Qt object."""
    curve = smooth(samples)
    if dashed:
        return Shape(False, curve[:, :2])
    if len(curve) == 1:
        x, y, p = curve[0]
        return Shape(True, np.empty((0, 2)), ((x, y, geo.width_at(width, float(p)) / 2),))
    if not len(curve):
        return Shape(True, np.empty((0, 2)))
    left, right = outline(curve, width)
    ends = tuple(  # round ends, like a pencil tip
        (float(x), float(y), geo.width_at(width, float(p)) / 2) for x, y, p in (curve[0], curve[-1])
    )
    return Shape(True, np.concatenate([left, right[::-1]]), ends)


def path(drawn: Shape) -> QPainterPath:
    """The shape as a path: a filled polygon with round ends, or a centreline."""
    out = QPainterPath()
    if not drawn.filled:
        if len(drawn.polygon):
            out.addPolygon(polygon(drawn.polygon))  # an open polyline: moveTo, then lineTo
        return out
    out.setFillRule(Qt.FillRule.WindingFill)
    if len(drawn.polygon):
        out.addPolygon(polygon(drawn.polygon))
        out.closeSubpath()
    for x, y, r in drawn.ends:
        out.addEllipse(QPointF(x, y), r, r)
    return out


def filled_path(samples: Sequence[Sample], width: float) -> QPainterPath:
    """A pressure stroke as one polygon with round ends, like items._polygon_path."""
    return path(shape(samples, width))


def polygon(points: np.ndarray) -> QPolygonF:
    """A QPolygonF filled straight from an (n, 2) array through its memory, as pyqtgraph
    does: building it from QPointF objects cost ~1 ms per stroke, more than the geometry."""
    poly = QPolygonF()
    poly.resize(len(points))
    # PySide6's stubs type data() as a QPointF and VoidPtr as taking an int; at run time data()
    # is the vector's address, which VoidPtr wraps as a writable buffer of that many bytes.
    address: Any = poly.data()
    void_ptr: Any = shiboken6.VoidPtr
    memory = void_ptr(address, 16 * len(points), True)
    np.frombuffer(memory, np.float64).reshape(-1, 2)[:] = points
    return poly


def centre_path(samples: Sequence[Sample]) -> QPainterPath:
    """A dashed stroke's centreline."""
    return path(shape(samples, 0.0, dashed=True))
