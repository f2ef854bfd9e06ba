"""The visit page: photos, version history, the read-only viewer and entered-in-error."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.services import charts, patients, photos, visits
from app.store.database import Store
from ui.shell.main_window import MainWindow
from ui.shell.patient_page import PatientPage
from ui.shell.version_viewer import VersionViewerPage
from ui.shell.visit_page import VisitPage

from .helpers import finger, page_named, tap, tap_row


def open_first_visit(window: MainWindow, store: Store) -> VisitPage:
    zoe = patients.search_patients(store, "zoe").patients[0]
    window.open_patient(zoe.id)
    first = window.current_page().cards[1].entry.visit  # type: ignore[attr-defined]
    window.open_visit(first.id)
    return page_named(window, VisitPage)  # type: ignore[return-value]


def test_visit_page_shows_patient_photos_and_history(window: MainWindow, demo_store: Store) -> None:
    page = open_first_visit(window, demo_store)
    assert page.banner.name.text() == "Zoë Martin"
    assert page.banner.dob.text() == "Born 12 Mar 1984"
    assert "Neurotoxin" in page.heading.text()
    assert [t.photo.view_name for t in page.tiles] == ["Rest", "Frown", "Brow raise", "Smile"]
    assert page.version_labels() == ["Version 2", "Version 1"]
    rows = [page.history.itemWidget(page.history.item(i)) for i in range(2)]
    texts = [[lab.text() for lab in r.findChildren(QLabel)] for r in rows]
    assert "Latest" in texts[0] and "Latest" not in texts[1]
    assert "Botox Cosmetic 45 U" in texts[0]
    assert "Botox Cosmetic 40 U" in texts[1]
    assert "“Plan before injecting”" in texts[1]
    assert "10 points" in texts[1]
    assert any(t.startswith("Saved ") for t in texts[1])


def test_older_version_opens_read_only(qtbot: QtBot, window: MainWindow, demo_store: Store) -> None:
    page = open_first_visit(window, demo_store)
    tap_row(qtbot, page.history, 1)
    viewer = page_named(window, VersionViewerPage)
    assert viewer.patient_banner.name.text() == "Zoë Martin"
    assert viewer.patient_banner.dob.text() == "Born 12 Mar 1984"
    assert viewer.patient_banner.dob.isVisible()
    assert viewer.banner.text().startswith("Read-only: version 1 of 2")
    assert viewer.loaded.info.version_no == 1
    assert [viewer.tabs.tabText(i) for i in range(viewer.tabs.count())] == ["Frown", "Brow raise"]

    frown = viewer.views[0]
    chart = frown.chart
    width, height = photos.photo_size(demo_store, chart.photo_sha256 or "")
    # The display image is laid over the ORIGINAL's pixel frame: chart coordinates fit as saved.
    assert frown.photo_item is not None
    shown = frown.photo_item.sceneBoundingRect()
    assert round(shown.width()) == width and round(shown.height()) == height
    assert [(p.pos().x(), p.pos().y()) for p in frown.point_items] == [
        (p.x, p.y) for p in chart.points
    ]
    assert {i.point.units for i in frown.point_items} == {4}
    assert len(frown.stroke_items) == len(chart.strokes) == 3
    dashed = [i for i in frown.stroke_items if i.pen().style().name == "DashLine"]
    assert len(dashed) == 1
    # The patient's right is on the viewer's left.
    assert frown.right_marker.pos().x() < width / 2 < frown.left_marker.pos().x()
    # Fitted: the whole photo is inside the viewport.
    mapped = frown.mapFromScene(frown.frame).boundingRect()
    assert frown.viewport().rect().adjusted(-2, -2, 2, 2).contains(mapped)


def test_latest_version_is_labelled_latest(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    page = open_first_visit(window, demo_store)
    tap_row(qtbot, page.history, 0)
    viewer = page_named(window, VersionViewerPage)
    assert viewer.banner.text().startswith("Version 2 of 2")
    assert {i.point.units for i in viewer.views[0].point_items} == {5}


def test_visit_entered_in_error_leaves_the_timeline(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    page = open_first_visit(window, demo_store)
    visit_id = page.visit.id
    tap(qtbot, page.error_button)
    dialog = page.reason_dialog
    assert dialog is not None and dialog.isVisible()
    tap(qtbot, dialog.confirm)  # no reason yet: refused, and said so
    assert dialog.isVisible() and dialog.error.isVisible()
    qtbot.keyClicks(dialog.reason, "Wrong patient")
    tap(qtbot, dialog.confirm)

    patient_page = page_named(window, PatientPage)
    assert [c.entry.visit.id for c in patient_page.cards if c.entry.visit.id == visit_id] == []
    assert len(patient_page.cards) == 1
    everything = visits.timeline(demo_store, patient_page.patient.id, include_in_error=True)
    kept = [e.visit for e in everything if e.visit.id == visit_id]
    assert len(kept) == 1 and kept[0].in_error
    assert len(charts.history(demo_store, visit_id)) == 2  # its chart is still on record


def test_photo_entered_in_error_is_hidden(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    page = open_first_visit(window, demo_store)
    smile = page.tiles[3]
    tap(qtbot, smile.error_button)
    qtbot.keyClicks(page.reason_dialog.reason, "Eyes closed")
    tap(qtbot, page.reason_dialog.confirm)
    assert [t.photo.view_name for t in page.tiles] == ["Rest", "Frown", "Brow raise"]
    all_photos = photos.photos_for_visit(demo_store, page.visit.id, include_in_error=True)
    assert [p.in_error for p in all_photos if p.id == smile.photo.id] == [True]
    tap(qtbot, window.back)
    first = window.current_page().cards[1]  # type: ignore[attr-defined]
    assert len(first.thumbnails) == 3


def test_photos_show_in_the_protocols_order_and_a_tap_enlarges_one(
    qtbot: QtBot, window: MainWindow, demo_store: Store
) -> None:
    from datetime import date

    from app.services.practitioners import default_practitioner
    from tests.images import face_image, jpeg_bytes
    from ui.shell.photo_page import PhotoPage

    who = default_practitioner(demo_store).id
    p = patients.create_patient(demo_store, "Ada", "Lovelace", date(1980, 12, 10))
    v = visits.start_visit(demo_store, p.id, who, "neurotoxin", date(2026, 11, 20))
    for i, view in enumerate(("smile", "rest", "brow_raise", "frown")):  # as imported
        photos.add_photo_bytes(
            demo_store, p.id, view, jpeg_bytes(face_image(600, 750, i)), visit_id=v.id
        )
    window.open_patient(p.id)
    window.open_visit(v.id)
    page = page_named(window, VisitPage)
    assert [t.photo.view_code for t in page.tiles] == ["rest", "frown", "brow_raise", "smile"]
    finger(page.tiles[1].picture)
    big = page_named(window, PhotoPage)
    assert big.photo.view_code == "frown"  # type: ignore[attr-defined]
    assert big.view.height() > 400 and big.view.photo_item is not None  # type: ignore[attr-defined]
    assert big.banner.name.text() == "Ada Lovelace"  # type: ignore[attr-defined]
    window.go_back()
    assert window.current_page() is page
