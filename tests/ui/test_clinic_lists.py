"""The follow-up list and lot recall on the real window (issue #14), by finger: from the home
screen's buttons to the lists, the practitioner picker, a patient opened by a tap on a row,
a lot typed and found, and each list saved as CSV through Qt's file dialog."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.domain.follow_up import Reason
from app.services import charts, patients, visits
from app.services.practitioners import create_practitioner
from app.store.database import Store
from app.store.schema import AuditEvent
from tests.ui.helpers import finger, page_named
from ui.common.touch_keyboard import KeyboardController
from ui.shell.due_page import DuePage
from ui.shell.main_window import MainWindow
from ui.shell.patient_page import PatientPage
from ui.shell.recall_page import RecallPage


def _first_treatment(store: Store, given: str, who: int, days_ago: int) -> int:
    p = patients.create_patient(store, given, "Follow", date(1990, 2, 3))
    visits.start_visit(store, p.id, who, "neurotoxin", date.today() - timedelta(days=days_ago))
    return p.id


def _read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))


def _last_export(store: Store) -> tuple[int | None, str, str]:
    """(actor, subject, detail) of the newest export event."""
    q = select(AuditEvent.actor_id, AuditEvent.subject, AuditEvent.detail)
    with store.read() as s:
        found = s.execute(
            q.where(AuditEvent.kind == "export").order_by(AuditEvent.seq.desc())
        ).first()
    assert found is not None, "the export is not in the audit trail"
    return found[0], found[1], found[2]


def _save_as(dialog: object, path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    assert isinstance(dialog, QFileDialog)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own
    name = dialog.findChild(QLineEdit, "fileNameEdit")  # where a user types the file's name
    assert name is not None
    QTest.qWait(50)  # the dialog lists its folder first
    name.setText(str(path))
    dialog.accept()


def test_due_list_by_finger_filters_opens_a_patient_and_exports(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    me = window.ctx.practitioner
    other = create_practitioner(demo_store, "Dr Elsewhere")
    nora = _first_treatment(demo_store, "Nora", me.id, 14)  # due today
    _first_treatment(demo_store, "Otto", other.id, 20)
    _first_treatment(demo_store, "Early", me.id, 13)  # not yet
    home = window.patient_list
    home.refresh_due()
    assert home.due_button.text().startswith("Due · ")
    assert home.due_button.height() >= 48 and home.recall_button.height() >= 48
    finger(home.due_button)
    page = page_named(window, DuePage)
    assert isinstance(page, DuePage)
    touch = [c.item.patient for c in page.cards[Reason.TOUCH_UP]]
    assert touch == ["Otto Follow", "Nora Follow"]  # longest due first
    assert str(len(home_count := page.items)) in home.due_button.text() and home_count

    finger(page.who_button)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    pick = dialog.findChild(QPushButton, f"practitioner_{other.id}")
    assert pick is not None and pick.height() >= 48
    finger(pick)
    assert page.who_button.text() == "Dr Elsewhere"
    assert [c.item.patient for c in page.cards[Reason.TOUCH_UP]] == ["Otto Follow"]
    assert {i.practitioner for i in page.items} == {"Dr Elsewhere"}

    finger(page.export_button)
    out = tmp_path / "due.csv"
    _save_as(page.save_dialog, out)
    rows = _read_csv(out)
    assert rows[0][0] == "reason" and [r[1] for r in rows[1:]] == ["Otto Follow"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # patient names: the owner's only
    export = _last_export(demo_store)  # in the audit trail, with no patient's name
    assert export == (me.id, "list_csv:follow_up", "follow-up list to CSV, 1 rows")

    finger(page.who_button)
    everyone = page.dialog.findChild(QPushButton, "practitioner_all")  # type: ignore[union-attr]
    finger(everyone)
    card = next(c for c in page.cards[Reason.TOUCH_UP] if c.item.patient_id == nora)
    page.area.ensureWidgetVisible(card)
    finger(card)
    opened = page_named(window, PatientPage)
    assert opened.patient.id == nora  # type: ignore[attr-defined]


def _chart(store: Store, patient: str, who: int, lot: str, units: list[str]) -> int:
    p = patients.create_patient(store, patient, "Recall", date(1975, 6, 7))
    v = visits.start_visit(store, p.id, who, "neurotoxin", date.today() - timedelta(days=3))
    content = ChartContent(
        views=(
            ViewChart(
                "frown",
                None,
                points=tuple(
                    InjectionPoint(10.0 * i, 5, "botox", Decimal(u)) for i, u in enumerate(units)
                ),
            ),
        ),
        products=(ProductUse("botox", lot),),
    )
    charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=who)
    return p.id


def test_recall_by_finger_finds_a_typed_lot_opens_a_patient_and_exports(
    qtbot: QtBot, window: MainWindow, demo_store: Store, tmp_path: Path
) -> None:
    me = window.ctx.practitioner.id
    ines = _chart(demo_store, "Ines", me, "RC-77", ["4", "4", "2.5"])
    _chart(demo_store, "Jon", me, "rc77", ["5"])
    _chart(demo_store, "Kai", me, "OTHER-1", ["5"])
    finger(window.patient_list.recall_button)
    page = page_named(window, RecallPage)
    assert isinstance(page, RecallPage)
    finger(page.lot)
    keyboard = QApplication.instance().findChild(KeyboardController).keyboard  # type: ignore[union-attr]
    assert keyboard.isVisible()  # FaceChart's touch keyboard, for a lot typed by hand
    QTest.keyClicks(page.lot, "rc 77")  # as typed at the desk: case and spaces do not matter
    finger(page.find_button)
    QTest.qWait(50)
    assert not keyboard.isVisible()  # out of the way of the answer
    assert [(c.hit.patient, c.hit.units) for c in page.cards] == [
        ("Ines Recall", Decimal("10.5")),
        ("Jon Recall", Decimal(5)),
    ]
    assert "2 patients" in page.summary.text()
    assert page.scanner.photo_button.height() >= 48  # the carton scanner is on the page

    finger(page.cards[0])
    opened = page_named(window, PatientPage)
    assert opened.patient.id == ines  # type: ignore[attr-defined]
    window.go_back()
    assert window.current_page() is page and page.cards  # the answer is still there
    finger(page.export_button)
    out = tmp_path / "recall.csv"
    _save_as(page.save_dialog, out)
    rows = _read_csv(out)
    assert [r[1] for r in rows[1:]] == ["Ines Recall", "Jon Recall"]
    assert rows[1][7] == "10.5" and rows[1][10] == "newest"
    assert str(out) in page.note.text()
    assert _last_export(demo_store) == (
        me,
        "list_csv:lot_recall",
        "lot recall rc 77 to CSV, 2 rows",
    )


def test_a_scanned_carton_looks_its_lot_up(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    """The carton scanner's answer (the editor's, reused) fills the lot and looks it up."""
    _chart(demo_store, "Lia", window.ctx.practitioner.id, "SCAN-9", ["4"])
    window.open_recall()
    page = page_named(window, RecallPage)
    assert isinstance(page, RecallPage)
    page.scanner.scanned.emit(ProductUse("botox", "SCAN-9"))
    assert page.lot.text() == "SCAN-9"
    assert [c.hit.patient for c in page.cards] == ["Lia Recall"]
    assert page.lot.inputMethodHints() & Qt.InputMethodHint.ImhPreferUppercase
