"""After a crash the next start offers the unsaved chart: the first screen names it, Open leads
to the chart with Restore, and the restored chart saves as a new version."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.domain.chart import Stroke
from app.domain.editing import add_stroke
from app.services import charts, drafts, patients, visits
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import signed_in
from ui.app import build_window
from ui.shell.hosted import HostedPage
from ui.shell.main_window import MainWindow

from .conftest import SIZE
from .helpers import finger, page_named

MARK = Stroke(samples=((100.0, 100.0, 0.8, 0.0), (180.0, 140.0, 0.9, 40.0)), color="red")


def charted_visit(store: Store) -> int:
    zoe = patients.search_patients(store, "zoe").patients[0]
    return next(
        e.visit.id for e in visits.timeline(store, zoe.id) if charts.history(store, e.visit.id)
    )


def next_start(qtbot: QtBot, store: Store) -> MainWindow:
    window = build_window(signed_in(store))
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_next_start_offers_a_kept_draft_and_it_saves(qtbot: QtBot, demo_store: Store) -> None:
    visit_id = charted_visit(demo_store)
    head = charts.load_head(demo_store, visit_id)
    assert head is not None
    drafts.write_draft(demo_store, visit_id, head.info.id, add_stroke(head.content, "frown", MARK))

    window = next_start(qtbot, demo_store)
    banner = window.patient_list.drafts
    assert banner.isVisible() and list(banner.rows) == [visit_id]
    texts = " ".join(w.text() for w in banner.findChildren(type(window.title)))
    assert "Zoë Martin" in texts and "Born 12 Mar 1984" in texts
    open_button = banner.rows[visit_id].findChild(type(window.back), "openDraftButton")
    assert open_button.height() >= 48

    finger(open_button)
    editor = page_named(window, HostedPage).screen_widget  # type: ignore[attr-defined]
    assert editor.session.pending_draft is not None  # Restore / Discard on screen
    editor.restore_draft()
    saved = save_and_wait(editor)
    assert saved is not None and saved.version_no == head.info.version_no + 1
    frown = charts.load_head(demo_store, visit_id).content.view("frown")  # type: ignore[union-attr]
    assert frown is not None and frown.strokes[-1].samples == MARK.samples
    editor.close_editor()
    window.go_home()  # Back through the visit and the patient, as the user would
    assert window.current_page() is window.patient_list
    assert not banner.isVisible() and drafts.list_drafts(demo_store) == []


def test_a_draft_of_a_visit_entered_in_error_is_not_offered(
    qtbot: QtBot, demo_store: Store
) -> None:
    visit_id = charted_visit(demo_store)
    head = charts.load_head(demo_store, visit_id)
    assert head is not None
    drafts.write_draft(demo_store, visit_id, head.info.id, add_stroke(head.content, "frown", MARK))
    who = default_practitioner(demo_store).id
    visits.mark_visit_in_error(demo_store, visit_id, who, "wrong patient")
    window = next_start(qtbot, demo_store)
    assert not window.patient_list.drafts.isVisible()
    assert drafts.load_draft(demo_store, visit_id) is not None  # kept on disk all the same
