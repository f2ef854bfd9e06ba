"""The clinic's microneedling area names (ADR 0029) on screen: an admin adds and removes them by
touch in Settings, stored in the SQLite file; they are offered as tap choices on the area
sheet beside the standard areas, the chosen one saved with the chart; a typed name still
works, and a practitioner who is not an admin sees the list without changing it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.roles import Role
from app.services import area_names, charts
from app.services.practitioners import create_practitioner, default_practitioner
from app.store.database import Store
from tests.ui import editor_helpers as h
from tests.ui import test_microneedling_editor as mn_editor
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import finger, page_named, scroll_to, signed_in
from ui.app import application, build_window
from ui.common.context import AppContext
from ui.editor.editor_window import ChartEditor
from ui.shell.area_names_card import AreaNamesCard
from ui.shell.warnings_page import WarningsPage

mn_visit = mn_editor.mn_visit  # a microneedling visit with its photos (fixture)


def _stored(db_path: Path) -> dict[str, str]:
    """The setting rows of the clinic's area names, read from the file itself."""
    with sqlite3.connect(db_path) as con:
        rows = con.execute("SELECT key, value FROM setting WHERE key LIKE 'mn_area_name:%'")
        return dict(rows.fetchall())


def test_an_admin_adds_and_removes_names_in_settings_by_touch(
    qtbot: QtBot, sqlite_store: Store, db_path: Path
) -> None:
    application()
    window = build_window(signed_in(sqlite_store))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.open_settings()
    page = page_named(window, WarningsPage)
    assert isinstance(page, WarningsPage)
    card = page.area_names
    page.area.ensureWidgetVisible(card.add_button)
    for name in ("Neck folds", "Back of hands"):  # QTest types ASCII keys only
        finger(card.field)
        QTest.keyClicks(card.field, name)
        finger(card.add_button)
    assert card.names == ["Back of hands", "Neck folds"]
    assert _stored(db_path) == {
        "mn_area_name:back of hands": "Back of hands",
        "mn_area_name:neck folds": "Neck folds",
    }
    assert card.field.text() == ""
    for b in (card.add_button, *card.remove_buttons.values()):
        assert b.height() >= 48 and b.width() >= 48
    page.area.ensureWidgetVisible(card.remove_buttons["Back of hands"])
    finger(card.remove_buttons["Back of hands"])
    assert _stored(db_path) == {"mn_area_name:neck folds": "Neck folds"}
    assert card.names == ["Neck folds"] and list(card.remove_buttons) == ["Neck folds"]
    window.close()


def test_someone_not_an_admin_sees_the_list_without_changing_it(
    qtbot: QtBot, sqlite_store: Store
) -> None:
    area_names.add_area_name(sqlite_store, default_practitioner(sqlite_store).id, "Décolletage")
    injector = create_practitioner(sqlite_store, "Dr Ana Ruiz", Role.INJECTOR)
    card = AreaNamesCard(AppContext.for_practitioner(sqlite_store, injector))
    qtbot.addWidget(card)
    card.show()
    assert card.names == ["Décolletage"] and not card.remove_buttons
    assert not card.field.isVisible() and not card.add_button.isVisible()


def test_the_clinics_names_are_choices_on_the_area_sheet_and_saved(
    qtbot: QtBot, sqlite_store: Store, mn_visit: int
) -> None:
    admin = default_practitioner(sqlite_store).id
    for name in ("Décolletage", "Back of hands"):
        area_names.add_area_name(sqlite_store, admin, name)
    ed = ChartEditor(sqlite_store, mn_visit, admin)
    qtbot.addWidget(ed)
    ed.resize(1366, 768)
    ed.show()
    qtbot.waitExposed(ed)
    ed.show_view("front")
    ed.canvas().fit()
    ed.session.set_tool("brush")
    canvas = ed.canvas("front")
    h.pen_stroke(canvas, [QPointF(700 + 25 * i, 1900) for i in range(20)], [0.7] * 20)
    h.pen_stroke(canvas, [QPointF(700 + 25 * i, 600) for i in range(20)], [0.7] * 20)
    first, second = (a.id for _v, a in ed.session.content.all_areas())
    sheet = ed.treatment.sheet
    assert sheet.area is not None and sheet.area.id == second
    # offered beside the standard areas, in the list's order, each a touch target
    assert list(sheet.clinic.buttons) == ["Back of hands", "Décolletage"]
    assert sheet.clinic.isVisible() and sheet.name.buttons["Cheeks"].isVisible()
    for b in sheet.clinic.buttons.values():
        assert b.height() >= 48 and b.width() >= 48
    scroll_to(sheet.clinic.buttons["Décolletage"])
    finger(sheet.clinic.buttons["Décolletage"])
    assert sheet.clinic.value() == "Décolletage" and sheet.name.value() is None
    assert sheet.other.text() == ""  # chosen, not typed

    ed.session.select(None)  # the first area: a name the list does not hold, typed
    at = QPointF(900, 1900)
    h.pen_stroke(canvas, [at, at], [0.6, 0.6])  # a pen tap on it opens its sheet
    assert sheet.area is not None and sheet.area.id == first
    scroll_to(sheet.other)
    finger(sheet.other)
    QTest.keyClicks(sheet.other, "Neck folds")
    QTest.keyClick(sheet.other, Qt.Key.Key_Return)
    assert sheet.clinic.value() is None and sheet.other.text() == "Neck folds"

    info = save_and_wait(ed)
    assert info is not None
    saved = {
        a.id: a.name for _v, a in charts.load_version(sqlite_store, info.id).content.all_areas()
    }
    assert saved == {second: "Décolletage", first: "Neck folds"}
    ed.session.journal.timer.stop()
