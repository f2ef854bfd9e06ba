"""Pure edits of chart content: each returns new content and never changes the old one, so an
undo step is just the content before and after (ui/editor/commands.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from app.domain.catalogue import BUILTIN_VIEWS, EXTRA_ZONES
from app.domain.chart import ChartContent, InjectionPoint, ProductUse, Stroke, ViewChart
from app.domain.values import Side

MIDLINE_SHARE = 0.04  # within 4 % of the photo's width of its centre a point is on the midline

# Muscles suggested for a point on the midline. The frontalis is not among them: it is a muscle
# of both sides with a central part, so a forehead point is "frontalis" with a side of its own
# (right, left or midline) like any other.
_CENTRAL = {"procerus", "mentalis", "nasalis", "platysma"}


def _view(content: ChartContent, view: str) -> ViewChart:
    return content.view(view) or ViewChart(view=view)


def add_stroke(content: ChartContent, view: str, stroke: Stroke) -> ChartContent:
    v = _view(content, view)
    return content.with_view(replace(v, strokes=(*v.strokes, stroke)))


def replace_strokes(
    content: ChartContent, view: str, removed: Iterable[str], added: Sequence[Stroke]
) -> ChartContent:
    """Remove strokes by id and add others (a partial erase: a stroke becomes its pieces)."""
    gone = set(removed)
    v = _view(content, view)
    kept = tuple(s for s in v.strokes if s.id not in gone)
    return content.with_view(replace(v, strokes=(*kept, *added)))


def put_point(content: ChartContent, view: str, point: InjectionPoint) -> ChartContent:
    """Add a point, or replace the point with the same id (it keeps its place in the order)."""
    v = _view(content, view)
    if any(p.id == point.id for p in v.points):
        points = tuple(point if p.id == point.id else p for p in v.points)
    else:
        points = (*v.points, point)
    return content.with_view(replace(v, points=points))


def remove_point(content: ChartContent, view: str, point_id: str) -> ChartContent:
    v = _view(content, view)
    return content.with_view(replace(v, points=tuple(p for p in v.points if p.id != point_id)))


def find_point(content: ChartContent, point_id: str) -> tuple[str, InjectionPoint] | None:
    return next(((v, p) for v, p in content.all_points() if p.id == point_id), None)


def put_product_use(content: ChartContent, use: ProductUse) -> ChartContent:
    others = tuple(u for u in content.products if u.product != use.product)
    return replace(content, products=(*others, use))


def product_use(content: ChartContent, product: str) -> ProductUse | None:
    return next((u for u in content.products if u.product == product), None)


def side_of(x: float, photo_width: float) -> Side:
    """The patient's own side of a frontal photo: their left is on the viewer's right."""
    mid = photo_width / 2.0
    if abs(x - mid) <= photo_width * MIDLINE_SHARE:
        return Side.MIDLINE
    return Side.LEFT if x > mid else Side.RIGHT


def zones_for_view(view: str) -> tuple[str, ...]:
    """The muscles a view shows first, then the other zones clinics use (DOMAIN.md)."""
    seed = next((v for v in BUILTIN_VIEWS if v.code == view), None)
    own = seed.muscles if seed else ()
    extra = tuple(z for z in EXTRA_ZONES if z not in own)
    # Forehead and crow's feet belong on any view's list: clinics chart them from "rest" too.
    common = tuple(
        z
        for z in (
            "frontalis",
            "procerus",
            "corrugator supercilii",
            "depressor supercilii",
            "orbicularis oculi (lateral)",
        )
        if z not in own
    )
    return own + common + extra


def suggest_zone(view: str, side: Side) -> str:
    """The likeliest muscle for a new point: a central one on the midline, a paired one on a
    side, from the view's own list; empty when the view names none."""
    own = zones_for_view(view)
    seed = next((v for v in BUILTIN_VIEWS if v.code == view), None)
    candidates = seed.muscles if seed and seed.muscles else ()
    if not candidates:
        return ""
    central = [z for z in candidates if z in _CENTRAL]
    paired = [z for z in candidates if z not in _CENTRAL]
    if side is Side.MIDLINE:
        return (central or paired)[0]
    return (paired or central or list(own))[0]
