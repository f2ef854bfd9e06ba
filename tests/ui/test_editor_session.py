"""Saving on a worker: the pen stays live while a save is in flight, a double tap makes one
version, closing waits for the save, a failed save keeps the chart as its draft. Then the
session's promise to the panels: each refreshes only for what it shows."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtWidgets import QLabel

from app.domain.canonical import normalise
from app.services import charts, drafts
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.ui import editor_helpers as h
from tests.ui.helpers import finger, tap
from ui.editor.editor_window import ChartEditor


@pytest.fixture
def editor(qtbot, sqlite_store: Store) -> Iterator[ChartEditor]:  # type: ignore[no-untyped-def]
    who = default_practitioner(sqlite_store).id
    visit = h.charted_visit(sqlite_store, who)
    ed = h.shown_editor(qtbot, sqlite_store, visit.visit_id, who)
    yield ed
    ed.session.journal.timer.stop()


@pytest.fixture
def held_save() -> Iterator[threading.Event]:
    """Saves stop just before their commit until the event is set: a slow clinic server."""
    go = threading.Event()
    on_worker: list[bool] = []

    def hook(step: str) -> None:
        if step == "before_commit":
            on_worker.append(threading.current_thread() is not threading.main_thread())
            assert go.wait(10), "the test never let the save go on"

    charts.save_step_hook = hook
    yield go
    go.set()
    charts.save_step_hook = None
    assert all(on_worker), "a save ran on the GUI thread"


def stroke(ed: ChartEditor, y: float) -> None:
    pts = [QPointF(600 + 40 * i, y) for i in range(8)]
    h.pen_stroke(ed.canvas(), pts, [0.6] * 8)


def versions(store: Store, ed: ChartEditor) -> int:
    return charts.version_count(store, ed.session.visit_id)


def test_the_pen_draws_while_a_save_is_in_flight_and_a_double_tap_saves_once(
    qtbot, editor: ChartEditor, sqlite_store: Store, held_save: threading.Event
) -> None:
    ed = editor
    stroke(ed, 900)
    tap(qtbot, ed.widgets.save_button)
    assert ed.session.saving and ed.widgets.status.text() == "Saving…"
    assert not ed.widgets.save_button.isEnabled()
    assert not ed.save()  # a second tap (Ctrl+S) while it runs starts nothing
    stroke(ed, 1400)  # the pen is live: the GUI thread is not waiting on the database
    frown = ed.session.content.view("frown")
    assert frown is not None and len(frown.strokes) == 2
    held_save.set()
    qtbot.waitUntil(lambda: not ed.session.saving, timeout=5000)
    assert versions(sqlite_store, ed) == 1
    saved = charts.load_head(sqlite_store, ed.session.visit_id)
    assert saved is not None
    saved_frown = saved.content.view("frown")
    assert saved_frown is not None and len(saved_frown.strokes) == 1  # what was tapped
    # The stroke drawn meanwhile is on screen and still to save, never lost or merged in.
    assert ed.session.dirty and ed.widgets.status.text() == "● Unsaved changes"
    assert ed.widgets.save_button.isEnabled()
    assert h.save_and_wait(ed) is not None and versions(sqlite_store, ed) == 2


def test_closing_waits_for_the_save_in_flight(
    qtbot, editor: ChartEditor, sqlite_store: Store, held_save: threading.Event
) -> None:
    ed = editor
    stroke(ed, 900)
    assert ed.save()
    threading.Timer(0.3, held_save.set).start()  # the server answers a moment later
    tap(qtbot, ed.widgets.close_button)
    assert not ed.session.saving
    assert versions(sqlite_store, ed) == 1
    assert (
        drafts.load_draft(sqlite_store, ed.session.visit_id, ed.session.practitioner_id) is None
    )  # nothing left over


def test_a_save_that_fails_in_the_background_keeps_the_chart_and_says_so(
    qtbot, editor: ChartEditor, sqlite_store: Store
) -> None:
    ed = editor

    def server_gone(step: str) -> None:
        if step == "parts_written":
            raise ConnectionError("the clinic server closed the connection")

    stroke(ed, 900)
    charts.save_step_hook = server_gone
    try:
        tap(qtbot, ed.widgets.save_button)
        qtbot.waitUntil(lambda: not ed.session.saving, timeout=5000)
    finally:
        charts.save_step_hook = None
    assert versions(sqlite_store, ed) == 0  # one transaction: nothing half-written
    bar = ed.widgets.message_bar
    assert bar.isVisible() and bar.text.text().startswith("Not saved")
    assert "kept as a draft" in bar.text.text()
    kept = drafts.load_draft(sqlite_store, ed.session.visit_id, ed.session.practitioner_id)
    assert kept is not None and kept.content == normalise(ed.session.content)
    assert ed.session.dirty and ed.widgets.save_button.isEnabled()
    assert h.save_and_wait(ed) is not None  # and the next tap saves it


def test_a_stroke_leaves_the_totals_alone_and_a_point_refreshes_them(
    qtbot, editor: ChartEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    ed = editor
    totals = ed.treatment.totals
    refreshed: list[bool] = []
    real = totals.refresh
    monkeypatch.setattr(totals, "refresh", lambda c: (refreshed.append(True), real(c)))
    stroke(ed, 900)
    assert refreshed == []  # a stroke changes no total: the panel is not even asked
    tap(qtbot, ed.widgets.rail.tool_buttons["point"])
    tap(qtbot, ed.canvas().viewport(), QPoint(500, 400))  # the mouse: the pen is near
    assert refreshed
    assert any("Visit: 4 U in 1 point" in line for line in next(iter(totals.lines.values())))


def test_a_hidden_totals_page_works_its_lines_out_when_shown_or_read(
    qtbot, editor: ChartEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tap brings the point's sheet to the front: the totals page behind it does not run the
    chart's soft warnings then, but says the tap's totals as soon as it is read or shown."""
    ed = editor
    totals = ed.treatment.totals
    checked: list[bool] = []
    real = totals.warnings_of
    monkeypatch.setattr(totals, "warnings_of", lambda c: (checked.append(True), real(c))[1])
    tap(qtbot, ed.widgets.rail.tool_buttons["point"])
    tap(qtbot, ed.canvas().viewport(), QPoint(500, 400))  # its sheet comes to the front
    checked.clear()
    tap(qtbot, ed.canvas().viewport(), QPoint(600, 400))
    assert not totals.isVisible() and checked == []  # behind the sheet: not worked out
    assert any("Visit: 8 U in 2 points" in line for line in next(iter(totals.lines.values())))
    assert checked == [True]  # worked out once read ...
    ed.show_panel("totals")
    qtbot.waitUntil(totals.isVisible)
    assert checked == [True]  # ... and shown without working it out again
    shown = [lab.text() for lab in totals.findChildren(QLabel) if lab.isVisible()]
    assert "Visit: 8 U in 2 points" in shown


def button(ed: ChartEditor, text: str):  # type: ignore[no-untyped-def]
    (found,) = [b for b in ed.widgets.message_bar.buttons if b.text() == text]
    assert found.isVisible() and found.height() >= 48
    return found


def test_closing_with_unsaved_changes_asks_and_keeps_the_draft(
    qtbot, editor: ChartEditor, sqlite_store: Store
) -> None:
    ed = editor
    closed: list[bool] = []
    ed.closed.connect(lambda: closed.append(True))
    stroke(ed, 900)
    finger(ed.widgets.close_button)
    assert not closed and ed.widgets.message_bar.text.text() == "This chart has unsaved changes."
    # Asked means already safe: the draft is on disk before any answer (a quit loses nothing).
    kept = drafts.load_draft(sqlite_store, ed.session.visit_id, ed.session.practitioner_id)
    assert kept is not None and kept.content == normalise(ed.session.content)
    finger(button(ed, "Keep editing"))
    assert not closed and not ed.widgets.message_bar.isVisible()
    finger(ed.widgets.close_button)
    finger(button(ed, "Close, keep draft"))
    assert closed == [True] and versions(sqlite_store, ed) == 0
    assert (
        drafts.load_draft(sqlite_store, ed.session.visit_id, ed.session.practitioner_id) is not None
    )


def test_save_and_close_saves_then_closes(qtbot, editor: ChartEditor, sqlite_store: Store) -> None:
    ed = editor
    closed: list[bool] = []
    ed.closed.connect(lambda: closed.append(True))
    stroke(ed, 900)
    finger(ed.widgets.close_button)
    finger(button(ed, "Save and close"))
    qtbot.waitUntil(lambda: bool(closed), timeout=5000)
    assert versions(sqlite_store, ed) == 1
    assert drafts.load_draft(sqlite_store, ed.session.visit_id, ed.session.practitioner_id) is None


def test_a_clean_chart_closes_without_asking(qtbot, editor: ChartEditor) -> None:
    closed: list[bool] = []
    editor.closed.connect(lambda: closed.append(True))
    finger(editor.widgets.close_button)
    assert closed == [True]


def test_a_save_carries_its_comment_into_the_history(
    qtbot, editor: ChartEditor, sqlite_store: Store
) -> None:
    ed = editor
    stroke(ed, 900)
    comment = ed.widgets.comment
    assert comment.isVisible() and comment.height() >= 48
    comment.setText("  touch-up: left corrugator still active ")  # typed: a note may use keys
    info = h.save_and_wait(ed)
    assert info is not None and info.comment == "touch-up: left corrugator still active"
    (saved,) = charts.history(sqlite_store, ed.session.visit_id)
    assert saved.comment == info.comment
    assert comment.text() == ""  # said once, with that version


def test_the_saved_note_neither_grows_the_editor_nor_covers_a_tool_nor_passes_a_tap_through(
    qtbot, editor: ChartEditor
) -> None:
    """ "Saved as version 1." is a note over the foot of the photo: the editor keeps its height
    (Fit stays on screen), the rail's top tool and the panel's tabs stay uncovered and take a
    finger's tap while it shows, and a tap on the note dismisses it without reaching the
    chart under it (a point placed there would be a silent edit)."""
    from PySide6.QtTest import QTest

    ed = editor
    fit = ed.widgets.rail.fit
    fit_at = fit.mapTo(ed, fit.rect().bottomLeft())
    stroke(ed, 900)
    assert h.save_and_wait(ed) is not None
    bar = ed.widgets.message_bar
    assert bar.isVisible() and bar.text.text().startswith("Saved as version 1")
    assert ed.height() == 768 and fit.mapTo(ed, fit.rect().bottomLeft()) == fit_at
    assert bar.buttons == []  # nothing to answer: it goes by itself, or at a tap
    stack = ed.widgets.view_stack
    area = stack.geometry().translated(stack.mapTo(ed, stack.rect().topLeft()) - stack.pos())
    assert area.contains(bar.geometry())
    win = bar.window()

    def finger_tap(widget, at: QPoint) -> None:  # type: ignore[no-untyped-def]
        pos = widget.mapTo(win, at)
        QTest.touchEvent(win, h.touch_device()).press(0, pos, win).commit()
        QTest.touchEvent(win, h.touch_device()).release(0, pos, win).commit()
        qtbot.wait(50)

    pencil = ed.widgets.rail.tool_buttons["pencil"]
    ed.widgets.rail.tool_buttons["point"].click()
    assert ed.session.tools.tool == "point"
    finger_tap(pencil, pencil.rect().center())
    assert ed.session.tools.tool == "pencil"  # the tap reached the rail's top tool
    ed.widgets.rail.tool_buttons["point"].click()
    content = ed.session.content
    panel_before = ed.widgets.panel_choice.value()
    assert bar.isVisible()
    finger_tap(bar, bar.rect().center())
    assert not bar.isVisible()
    assert ed.session.content == content and not ed.session.dirty  # no point under the note
    assert ed.widgets.panel_choice.value() == panel_before


def test_units_typed_on_the_keypad_and_an_implausible_dose_is_flagged(
    qtbot, editor: ChartEditor
) -> None:
    from decimal import Decimal

    ed = editor
    finger(ed.widgets.rail.tool_buttons["point"])
    h.finger_tap(ed.canvas(), QPoint(500, 400))
    sheet = ed.treatment.sheet
    assert sheet.point is not None and not sheet.keypad.isVisible()
    finger(sheet.keypad_button)
    qtbot.wait(20)  # the panel scrolls the keys into view
    keys = sheet.keypad.keys
    for key in ("3", "0", ".", "5"):
        assert keys[key].visibleRegion().boundingRect().height() >= 48  # on screen, whole
        finger(keys[key])
    assert sheet.keypad.set_button.text() == "Set 30.5 U"
    finger(sheet.keypad.set_button)
    (point,) = ed.session.content.view("frown").points  # type: ignore[union-attr]
    assert point.units == Decimal("30.5") and not sheet.keypad.isVisible()
    ed.session.set_zone(point.id, "procerus")  # a glabellar muscle: its label dose is 20 U
    assert sheet.dose_warning.isVisible() and "glabellar lines (20 U)" in sheet.dose_warning.text()
    ed.session.set_zone(point.id, "mentalis")  # no label dose known here: no guess
    assert not sheet.dose_warning.isVisible()
    finger(sheet.keypad_button)
    finger(keys["."])
    finger(keys["."])  # a second point is refused: never "1..5"
    assert not sheet.keypad.set_button.isEnabled()


def test_the_editor_fits_a_1280_by_720_screen_with_every_control_whole(
    qtbot, editor: ChartEditor
) -> None:
    """Windows' default for a 1080p touch laptop (150 %) is 1280×720 logical: the tightest."""
    ed = editor
    ed.resize(1280, 720)
    qtbot.wait(20)
    assert ed.height() == 720 and ed.minimumSizeHint().height() <= 720
    window = ed.rect()
    w = ed.widgets
    buttons = [*w.view_buttons.values(), *w.layer_buttons.values(), w.rail.fit, w.rail.undo]
    for b in buttons:
        box = b.rect().translated(b.mapTo(ed, b.rect().topLeft()))
        assert window.contains(box), b.text()
        assert b.height() >= 48
        text = b.fontMetrics().horizontalAdvance(b.text())
        assert text <= b.width() - 8, f"{b.text()!r} cut: {text} px of text in {b.width()} px"
