"""The compare screen's "Before/after…" button (issue #12), tapped: Qt's own save dialog opens,
the chosen file is written on a worker with the markings toggle's choice, from a real SQLite
store with two visits' photos (the astronaut, moved between visits) and the real face models."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services import patients, photos, visits
from app.services.alignment import align_photos
from app.services.practitioners import default_practitioner
from app.store.database import Store
from app.store.schema import AuditEvent
from tests.app.alignment.faces import astronaut, jpeg, similarity, warp
from tests.ui.helpers import signed_in
from ui.app import application
from ui.common.widgets import TOUCH
from ui.overlay.compare_screen import CompareScreen

MOVE = similarity(0.9, 6.0, (70.0, 40.0), (768.0, 768.0))


def test_tapping_before_after_saves_the_image_through_qt_own_dialog(
    qtbot: QtBot, sqlite_store: Store, tmp_path: Path
) -> None:
    who = default_practitioner(sqlite_store)
    ada = patients.create_patient(sqlite_store, "Ada", "Lovelace", date(1980, 1, 2))
    face = astronaut(3.0)
    early = visits.start_visit(sqlite_store, ada.id, who.id, "neurotoxin", date(2026, 3, 2))
    late = visits.start_visit(sqlite_store, ada.id, who.id, "neurotoxin", date(2026, 4, 16))
    a = photos.add_photo_bytes(sqlite_store, ada.id, "rest", jpeg(face), visit_id=early.id)
    b = photos.add_photo_bytes(
        sqlite_store, ada.id, "rest", jpeg(warp(face, MOVE)), visit_id=late.id
    )
    application()
    mapping = align_photos(sqlite_store, a, b).mapping
    screen = CompareScreen(signed_in(sqlite_store), a, b, mapping, confidence_text="good")
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    qtbot.waitExposed(screen)
    qtbot.waitUntil(lambda: screen.ready, timeout=10000)  # the photos are read on a worker
    qtbot.wait(30)

    controls = screen.before_after
    for button in (controls.save_button, controls.markings):
        assert button.isEnabled() and button.isVisible()
        assert button.height() >= max(48, TOUCH - 8), button.objectName()
    qtbot.mouseClick(controls.markings, Qt.MouseButton.LeftButton)
    assert controls.markings.isChecked()
    qtbot.mouseClick(controls.save_button, Qt.MouseButton.LeftButton)
    dialog = controls.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own dialog
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert "Ada Lovelace" in dialog.selectedFiles()[0]  # a name that says whose and when

    out = tmp_path / "ada before after.jpg"
    with qtbot.waitSignal(controls.saved, timeout=180_000) as saved:
        dialog.selectFile(str(out))
        dialog.accept()
    assert saved.args == [out]
    img = Image.open(out)
    assert img.format == "JPEG" and img.height > 1000
    # written by the signed-in practitioner, with the toggle's choice, in the audit trail
    with sqlite_store.read() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.subject == "before-after")).one()
        assert event.actor_id == who.id and event.detail.endswith("with markings")
    # aligned: no red "NOT ALIGNED" band across the top of the earlier half (under the title)
    band = np.asarray(img.convert("RGB")).astype(int)[112:120, 10:1500]
    assert (np.abs(band - np.array([200, 30, 30])).sum(axis=2) < 60).mean() < 0.2
