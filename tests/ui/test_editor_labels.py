"""Labels on a full-face chart: every label shown, none over another label or any marker, in
viewport pixels, at fit-to-screen and zoomed in; a change moves only the labels near it. Also
the numpy stroke shape against the domain's reference curve."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF

from app.domain import strokes as geo
from app.domain.chart import ProductUse, Stroke
from app.domain.editing import put_point, put_product_use, remove_point
from app.domain.values import Dilution
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.ui import editor_helpers as h
from ui.editor import labels as label_geometry
from ui.editor import stroke_geometry
from ui.editor.editor_window import ChartEditor
from ui.editor.labels import LabelLayout, Occupancy, forget_placements

MARKER = QRectF(-12, -12, 24, 24)  # the drawn dot and its outline, viewport pixels


@pytest.fixture
def editor(qtbot, sqlite_store: Store) -> Iterator[ChartEditor]:
    who = default_practitioner(sqlite_store).id
    visit = h.charted_visit(sqlite_store, who)
    ed = h.shown_editor(qtbot, sqlite_store, visit.visit_id, who)
    yield ed
    ed.session.journal.timer.stop()


def face_spots(w: float, h: float) -> list[tuple[float, float]]:
    """80 places on a face: a glabellar cluster a few screen pixels apart at fit, forehead
    rows, crow's-feet fans each side, and the lower face."""
    spots = [(0.50, 0.345), (0.47, 0.335), (0.53, 0.335), (0.44, 0.32), (0.56, 0.32)]
    spots += [(0.49, 0.33), (0.51, 0.33)]  # two more inside the cluster
    spots += [(0.2 + 0.1 * i, r) for r in (0.12, 0.20, 0.27) for i in range(7)]
    spots += [(u, 0.36 + 0.04 * k) for u in (0.06, 0.10, 0.90, 0.94) for k in range(4)]
    rng = random.Random(5)
    while len(spots) < 80:
        spots.append((rng.uniform(0.25, 0.75), rng.uniform(0.45, 0.95)))
    return [(0.15 * w + 0.7 * w * u, 0.05 * h + 0.85 * h * v) for u, v in spots]


def fill(ed: ChartEditor, spots: list[tuple[float, float]], dilution: bool) -> None:
    content = ed.session.model.content
    if dilution:  # labels read "4 U · 0.1 mL" rather than "4 U"
        use = ProductUse("botox", dilution=Dilution(Decimal(100), Decimal("2.5")))
        content = put_product_use(content, use)
    for x, y in spots:
        content = put_point(content, "frown", ed.session.new_point("frown", x, y))
    ed.session.apply(content, "points", "frown")


def overlaps(ed: ChartEditor) -> list[str]:
    """Each label hidden, or whose pill meets another label's pill or any marker."""
    canvas = ed.canvas()
    scene = canvas.vscene
    vt = canvas.viewportTransform()
    markers = [i.deviceTransform(vt).mapRect(MARKER) for i in scene.point_items.values()]
    pills = {}
    bad = []
    for pid, label in scene.label_items.items():
        if not label.isVisible():
            bad.append(f"{pid} hidden")
        pills[pid] = label.deviceTransform(vt).mapRect(label.pill())
    for pid, pill in pills.items():
        if any(pill.intersects(o) for q, o in pills.items() if q != pid):
            bad.append(f"{pid} over a label")
        if any(pill.intersects(m) for m in markers):
            bad.append(f"{pid} over a marker")
    return bad


@pytest.mark.parametrize(("count", "dilution"), [(80, False), (60, True)])
def test_a_full_face_is_all_labelled_none_overlapping(editor, qtbot, count, dilution) -> None:
    """80 points labelled "4 U", or 60 labelled "4 U · 0.1 mL" (as long as labels get; 80
    of those need more room than a 1366×768 window has beside a portrait photo at fit)."""
    ed = editor
    frame = ed.canvas().vscene.frame
    fill(ed, face_spots(frame.width(), frame.height())[:count], dilution)
    scene = ed.canvas().vscene
    assert len(scene.label_items) == count
    text = "4 U · 0.1 mL" if dilution else "4 U"
    assert scene.label_items[next(iter(scene.label_items))].text == text
    canvas = ed.canvas()
    cluster = [
        canvas.mapFromScene(QPointF(*s)) for s in face_spots(frame.width(), frame.height())[:7]
    ]
    assert max(abs(a.x() - b.x()) for a in cluster for b in cluster) < 60  # dense at fit
    assert overlaps(ed) == []
    # Crowded labels moved out with a leader back to their point.
    assert canvas.labels.leaders is not None and canvas.labels.leaders.lines

    # A pen tap places one more point; its label and only nearby ones move.
    ed.session.set_tool("point")
    at = canvas.mapFromScene(QPointF(frame.width() * 0.5, frame.height() * 0.97))
    h.tablet(canvas, QEvent.Type.TabletPress, QPointF(at), 0.5)
    h.tablet(canvas, QEvent.Type.TabletRelease, QPointF(at), 0.0)
    assert len(scene.label_items) == count + 1
    assert canvas.labels.layout.last_moved <= 8
    assert overlaps(ed) == []

    # Zoomed in on the glabella: placed again once the zoom pauses, still none over another.
    canvas.zoom_to(canvas.fit_scale() * 4, QPointF(canvas.viewport().rect().center()),
                   QPointF(frame.width() * 0.5, frame.height() * 0.33))  # fmt: skip
    qtbot.waitUntil(lambda: not canvas.labels.timer.isActive(), timeout=2000)
    assert overlaps(ed) == []

    # Deleting a point of the cluster and undoing it keeps the rule.
    canvas.fit()
    first = next(iter(scene.point_items))
    ed.session.apply(remove_point(ed.session.model.content, "frown", first), "delete", "frown")
    assert overlaps(ed) == []
    ed.session.undo_stack.undo()
    assert len(scene.label_items) == count + 1 and overlaps(ed) == []


def test_an_undo_that_takes_the_chosen_point_places_the_labels_once(editor, monkeypatch) -> None:
    """The undo changes the points and, its point gone, the selection: the labels are
    placed once for both, after both (the sheet's point and the scene agree)."""
    ed = editor
    canvas = ed.canvas()
    frame = canvas.vscene.frame
    fill(ed, face_spots(frame.width(), frame.height())[:20], False)
    placed: list[int] = []
    real = canvas.labels.layout.place
    monkeypatch.setattr(canvas.labels.layout, "place", lambda *a: (placed.append(1), real(*a))[1])
    point = ed.session.add_point("frown", frame.width() * 0.5, frame.height() * 0.97)
    assert placed == [1]
    canvas.open_point(point.id)
    assert ed.session.selection is not None and placed == [1, 1]
    placed.clear()
    ed.session.undo_stack.undo()  # the Undo button: no canvas event around it
    assert ed.session.selection is None and point.id not in canvas.vscene.label_items
    assert placed == [1]
    assert overlaps(ed) == []


def test_a_hidden_view_places_its_labels_when_shown(editor) -> None:
    ed = editor
    smile = ed.scenes["smile"]
    frame = smile.frame
    content = ed.session.model.content
    for x, y in face_spots(frame.width(), frame.height())[:30]:
        content = put_point(content, "smile", ed.session.new_point("smile", x, y))
    ed.session.apply(content, "points", "frown")  # the change lands while smile is hidden
    assert smile.label_items == {}  # built when shown, not before
    ed.show_view("smile")
    assert len(smile.label_items) == 30
    assert overlaps(ed) == []


def test_layout_is_incremental_and_never_overlaps() -> None:
    rng = random.Random(3)
    markers = {f"p{i}": (rng.uniform(100, 500), rng.uniform(100, 400)) for i in range(60)}
    markers.update({f"g{i}": (300 + 3 * i, 250 + 2 * i) for i in range(6)})  # a dense cluster
    sizes = {pid: (rng.choice((60.0, 110.0)), 25.0) for pid in markers}
    layout = LabelLayout(12.5, 21.5, 17.0)
    bounds = (0.0, 0.0, 900.0, 650.0)

    def check() -> None:
        rects = list(layout.rects.values())
        squares = [(x - r, y - r, x + r, y + r) for x, y, r in layout.markers.values()]
        for i, a in enumerate(rects):
            for b in rects[i + 1 :] + squares:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])

    first = layout.place(markers, sizes, None, bounds, 1.0)
    assert set(first) == set(markers)
    check()
    before = dict(layout.spots)
    far = dict(markers, new=(850.0, 40.0))
    moved = layout.place(far, dict(sizes, new=(110.0, 25.0)), None, bounds, 1.0)
    assert set(moved) == {"new"}  # nothing near it: nothing else moved
    check()
    # Selecting a point grows its marker: only labels the ring now covers move.
    moved = layout.place(far, dict(sizes, new=(110.0, 25.0)), "g0", bounds, 1.0)
    assert all(math.dist(layout.markers[pid][:2], layout.markers["g0"][:2]) < 200 for pid in moved)
    assert all(layout.spots[p] == before[p] for p in before if p not in moved)
    check()


def crowd() -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """A glabella at fit-to-screen: 24 points a few pixels apart among 40 scattered ones, so
    most labels of the cluster search for the nearest free place."""
    rng = random.Random(11)
    markers = {f"p{i}": (rng.uniform(60, 840), rng.uniform(60, 600)) for i in range(40)}
    markers.update({f"g{i}": (400 + 4 * (i % 6), 300 + 3 * (i // 6)) for i in range(24)})
    sizes = {pid: (rng.choice((58.0, 96.0)), 25.0) for pid in markers}
    return markers, sizes


def test_one_table_per_pass_places_labels_as_a_table_per_label(monkeypatch) -> None:
    """The pass's one summed-area table, with the labels placed since struck out, finds the
    very spots a table made afresh for each crowded label finds; and none overlaps."""
    markers, sizes = crowd()
    bounds = (0.0, 0.0, 900.0, 650.0)
    forget_placements()
    one = LabelLayout(12.5, 21.5, 17.0)
    fast = one.place(markers, sizes, "g3", bounds, 1.0, [(0.0, 300.0, 44.0, 352.0)])
    forget_placements()
    # no table kept: every crowded label sums its own window, as before
    monkeypatch.setattr(Occupancy, "lattice_free", lambda self, *args: None)
    each = LabelLayout(12.5, 21.5, 17.0)
    slow = each.place(markers, sizes, "g3", bounds, 1.0, [(0.0, 300.0, 44.0, 352.0)])
    assert sum(spot.leader for spot in fast.values()) >= 15  # the cluster was searched
    assert fast == slow
    rects = list(one.rects.values())
    squares = [(x - r, y - r, x + r, y + r) for x, y, r in one.markers.values()]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :] + squares:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_a_placement_made_again_is_taken_from_memory(monkeypatch) -> None:
    """A view placed afresh with the same markers, sizes, selection and screen as before (a
    chart reopened) takes its labels from the remembered placement: the same spots, and
    later changes place as they would have; anything different is searched again."""
    markers, sizes = crowd()
    bounds = (0.0, 0.0, 900.0, 650.0)
    forget_placements()
    before = LabelLayout(12.5, 21.5, 17.0)
    first = before.place(markers, sizes, None, bounds, 1.0)
    searched = []
    find = LabelLayout._find
    monkeypatch.setattr(
        LabelLayout, "_find", lambda self, pid: searched.append(pid) or find(self, pid)
    )
    again = LabelLayout(12.5, 21.5, 17.0)
    assert again.place(markers, sizes, None, bounds, 1.0) == first
    assert searched == []
    assert again.rects == before.rects and again.no_room == before.no_room
    assert (again.occ.counts == before.occ.counts).all()
    # an edit afterwards moves the same labels as on the layout that searched
    near = dict(markers, new=(410.0, 310.0))
    bigger = dict(sizes, new=(96.0, 25.0))
    assert again.place(near, bigger, "new", bounds, 1.0) == before.place(
        near, bigger, "new", bounds, 1.0
    )
    # another selection, or another screen, is not what was remembered: searched
    searched.clear()
    LabelLayout(12.5, 21.5, 17.0).place(markers, sizes, "g0", bounds, 1.0)
    assert len(searched) == len(markers)
    searched.clear()
    LabelLayout(12.5, 21.5, 17.0).place(markers, sizes, None, (0.0, 0.0, 800.0, 650.0), 2.0)
    assert len(searched) == len(markers)
    assert len(label_geometry._PLACED) <= label_geometry.KEPT_PLACEMENTS


def test_numpy_stroke_shape_is_the_domain_curve() -> None:
    rng = random.Random(8)
    for n in (1, 2, 3, 7, 60):
        samples = tuple(
            (rng.uniform(0, 500), rng.uniform(0, 500), rng.uniform(0, 1), 8.0 * i) for i in range(n)
        )
        ref = np.array(geo.smooth(samples), np.float64).reshape(-1, 3)
        got = stroke_geometry.smooth(samples)
        assert got.shape == ref.shape and np.allclose(got, ref, atol=1e-9)
        if n >= 2:
            left, right = geo.outline(geo.smooth(samples), 9.0)
            nl, nr = stroke_geometry.outline(got, 9.0)
            assert np.allclose(nl, left, atol=1e-9) and np.allclose(nr, right, atol=1e-9)
            path = stroke_geometry.filled_path(samples, 9.0)
            ring = [*left, *right[::-1]]
            assert path.elementCount() >= len(ring)
            for i in (0, len(ring) // 2, len(ring) - 1):
                e = path.elementAt(i)
                assert (e.x, e.y) == pytest.approx(ring[i], abs=1e-6)
    Stroke(((0.0, 0.0, 0.5, 0.0), (1.0, 1.0, 0.5, 8.0)))  # the shape's input type
