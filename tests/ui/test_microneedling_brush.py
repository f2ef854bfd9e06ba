"""A brush stroke painted over a treated area grows it (ADR 0029), driven by pen events on the
real editor: the area keeps its id, name, depth, passes and note, the saved version read back
from the SQLite file holds one area whose outline covers both strokes, and one undo puts the
area back as it was. Over areas of different depths a stroke stays a new area."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QPointF

from app.domain.microneedling import TreatedArea
from app.domain.mn_editing import contains
from app.services import charts
from app.store.database import Store
from app.store.hash_chain import content_hash
from tests.ui import editor_helpers as h
from tests.ui import test_microneedling_editor as mn_editor
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import finger, scroll_to
from ui.editor.editor_window import ChartEditor

# the microneedling visit and its editor at 1366×768, as the editor's tests make them
mn_visit = mn_editor.mn_visit
editor = mn_editor.editor


def paint(editor: ChartEditor, x0: float, x1: float, y: float) -> None:
    """One pen stroke of the brush from (x0, y) to (x1, y), photo pixels."""
    canvas = editor.canvas("front")
    n = 24
    path = [QPointF(x0 + (x1 - x0) * i / (n - 1), y + 4 * (i % 3)) for i in range(n)]
    h.pen_stroke(canvas, path, [0.7] * n)


def areas(editor: ChartEditor) -> list[TreatedArea]:
    return [a for _v, a in editor.session.content.all_areas()]


def named(editor: ChartEditor, name: str, depth: str, passes: int = 1) -> TreatedArea:
    """Name the chosen area, set its depth and passes by finger on its sheet."""
    sheet = editor.treatment.sheet
    scroll_to(sheet.name.buttons[name])
    finger(sheet.name.buttons[name])
    scroll_to(sheet.depth_choice.buttons[depth])
    finger(sheet.depth_choice.buttons[depth])
    for _ in range(passes - 1):
        scroll_to(sheet.plus)
        finger(sheet.plus)
    found = editor.treatment.edits.selected()
    assert found is not None
    return found[1]


def test_a_stroke_over_an_area_grows_it_saved_and_one_undo_restores_it(
    editor: ChartEditor, sqlite_store: Store
) -> None:
    editor.session.set_tool("brush")
    paint(editor, 700, 1200, 1900)
    named(editor, "Cheeks", "1.5", passes=3)
    sheet = editor.treatment.sheet
    sheet.note.setText("avoid the scar edge")
    sheet.note.editingFinished.emit()
    (before,) = areas(editor)
    assert before.note == "avoid the scar edge"
    half = 40.0 * editor.canvas("front").screen_px() / 2  # the brush's half width, photo px

    paint(editor, 1100, 1700, 1900)  # starts on the area, goes on past it

    (grown,) = areas(editor)  # no second area: the stroke joined the first
    assert grown.id == before.id
    assert (grown.name, grown.depth_mm, grown.passes, grown.note) == (
        "Cheeks", Decimal("1.5"), 3, "avoid the scar edge",
    )  # fmt: skip
    xs = [x for x, _y in grown.polygon]
    assert min(xs) == pytest.approx(700 - half, abs=half * 0.25)
    assert max(xs) == pytest.approx(1700 + half, abs=half * 0.25)
    assert contains(grown.polygon, 900, 1900) and contains(grown.polygon, 1500, 1900)
    assert sheet.area is not None and sheet.area.id == grown.id  # its sheet shows it
    bar = editor.widgets.message_bar
    assert bar.isVisible() and "Stroke added to Cheeks (1.5 mm)" in bar.text.text()

    info = save_and_wait(editor)
    assert info is not None
    saved = charts.load_version(sqlite_store, info.id).content
    ((view, got),) = list(saved.all_areas())
    assert view == "front" and got.id == before.id and got.depth_mm == Decimal("1.5")
    assert got.passes == 3 and got.note == "avoid the scar edge"
    assert max(x for x, _y in got.polygon) == pytest.approx(1700 + half, abs=half * 0.25)
    assert info.content_hash == content_hash(saved, "")

    finger(editor.widgets.rail.undo)  # one undo: the area as it was, and nothing else
    (back,) = areas(editor)
    assert back == before
    info2 = save_and_wait(editor)
    assert info2 is not None and info2.version_no == 2
    ((_v, again),) = list(charts.load_version(sqlite_store, info2.id).content.all_areas())
    assert again.id == before.id
    assert max(x for x, _y in again.polygon) == pytest.approx(1200 + half, abs=half * 0.25)


def test_a_stroke_over_areas_of_different_depths_stays_a_new_area(
    editor: ChartEditor, sqlite_store: Store
) -> None:
    editor.session.set_tool("brush")
    paint(editor, 700, 1200, 1700)
    named(editor, "Cheeks", "1.5")
    paint(editor, 700, 1200, 2300)
    named(editor, "Scar area", "2.5")
    first, second = areas(editor)
    canvas = editor.canvas("front")
    path = [QPointF(950 + 3 * (i % 2), 1600 + 40 * i) for i in range(20)]  # down across both
    h.pen_stroke(canvas, path, [0.7] * len(path))
    assert len(areas(editor)) == 3
    assert areas(editor)[:2] == [first, second]  # neither was touched
    text = editor.widgets.message_bar.text.text()
    assert "different depths" in text and "Cheeks (1.5 mm)" in text and "Scar area (2.5 mm)" in text
    info = save_and_wait(editor)
    assert info is not None
    saved = charts.load_version(sqlite_store, info.id).content
    assert len(list(saved.all_areas())) == 3


def test_a_stroke_inside_an_area_changes_nothing_and_adds_no_undo_step(
    editor: ChartEditor,
) -> None:
    canvas = editor.canvas("front")
    corners = [QPointF(600, 1500), QPointF(1500, 1500), QPointF(1500, 2200), QPointF(600, 2200)]
    for c in (*corners, corners[0]):  # tapped out with the Area tool, closed on the first
        h.pen_stroke(canvas, [c, c], [0.6, 0.6])
    (drawn,) = areas(editor)
    steps = editor.session.undo_stack.count()
    editor.session.set_tool("brush")
    paint(editor, 800, 1200, 1850)
    assert areas(editor) == [drawn]  # the tapped corners kept exactly
    assert editor.session.undo_stack.count() == steps
    assert "inside" in editor.widgets.message_bar.text.text()
