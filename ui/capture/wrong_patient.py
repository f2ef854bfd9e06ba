"""The wrong-patient warning (issue 10, ADR 0017): a photo just stored for a patient does not
look like that patient's earlier photos. The earlier and the new photo side by side, and two
choices: keep it (the check can be wrong: a new beard, another light) or remove it (marked
entered in error, never deleted). It is a window beside the capture screen, never a block:
the shutter and the import keep working while it is open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDialog, QLabel, QLayout, QVBoxLayout, QWidget

from app.services.patients import PatientRecord
from app.services.photos import PhotoRecord
from app.services.same_person import FaceCheck
from app.services.store import Store
from ui.common import format as fmt
from ui.common import images
from ui.common.widgets import button, hbox, label, vbox

PHOTO = QSize(280, 300)  # each photo's box: the window fits a 1366×768 screen with room

STYLE = """
#wrongPatient { background: #FFFFFF; }
QLabel#wrongPatientMessage {
    background: #FFF0C2; color: #3D2E00; border: 2px solid #E0B84A; border-radius: 10px;
    padding: 10px 14px; font-weight: 600;
}
"""


def warning_text(patient: PatientRecord) -> str:
    return f"This face does not look like {patient.display_name}'s earlier photos."


class WrongPatientDialog(QDialog):
    """`on_keep(record)` or `on_remove(record)` is called once, by the button tapped."""

    def __init__(
        self,
        parent: QWidget,
        store: Store,
        patient: PatientRecord,
        record: PhotoRecord,
        check: FaceCheck,
        on_keep: Callable[[PhotoRecord], None],
        on_remove: Callable[[PhotoRecord], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wrongPatient")
        self.setWindowTitle("Is this the right patient?")
        self.setModal(False)  # warn, never block (ADR 0008)
        self.setStyleSheet(STYLE)
        self.record = record
        self._on_keep, self._on_remove = on_keep, on_remove
        lay = vbox(self, margins=20, spacing=10)
        # never smaller than its contents: the word-wrapped lines let Qt squeeze the photos
        lay.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        title = hbox(spacing=16)  # name and date of birth, as on every screen with photos
        title.addWidget(label(f"Is this {patient.display_name}?", "heading"))
        who = label(fmt.born(patient.date_of_birth), "section")
        who.setObjectName("wrongPatientWho")
        title.addWidget(who)
        title.addStretch(1)
        lay.addLayout(title)
        self.message = label(warning_text(patient), "body")
        self.message.setObjectName("wrongPatientMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        row = hbox(spacing=16)
        earlier = check.earlier
        if earlier is not None:
            when = fmt.day(earlier.captured_at.astimezone().date())
            row.addLayout(self._photo(store, earlier, f"Earlier: {earlier.view_name}, {when}"))
        row.addLayout(self._photo(store, record, f"New: {record.view_name}"))
        lay.addLayout(row, 1)
        hint = label(
            "Keep it if it is the patient (a beard, glasses or light can do this). Remove it if "
            "not: it stays in the record, marked entered in error.",
            "muted",
        )
        hint.setWordWrap(True)
        lay.addWidget(hint)
        # The layout counts a word-wrapped label one line high and then squeezes the photos
        # under it: the two lines get the height they need at the photos' width.
        width = 2 * PHOTO.width() + 16
        for words in (self.message, hint):
            words.ensurePolished()
            words.setMinimumSize(width, words.heightForWidth(width))
        buttons = hbox(spacing=12)
        buttons.addStretch(1)
        self.keep = button("Keep photo", "secondary")
        self.keep.setObjectName("keepPhoto")
        self.remove = button("Remove photo", "danger")
        self.remove.setObjectName("removePhoto")
        buttons.addWidget(self.keep)
        buttons.addWidget(self.remove)
        lay.addLayout(buttons)
        self.keep.clicked.connect(self._keep)
        self.remove.clicked.connect(self._remove)

    def _photo(self, store: Store, photo: PhotoRecord, caption: str) -> QVBoxLayout:
        col = vbox(spacing=6)
        pic = QLabel()
        pic.setObjectName("wrongPatientPhoto")
        pic.setFixedSize(PHOTO)
        pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pic.setPixmap(images.fitted(images.display_image(store, photo.sha256, PHOTO * 2), PHOTO))
        col.addWidget(pic, 0, Qt.AlignmentFlag.AlignHCenter)
        words = label(caption, "small")
        words.setObjectName("wrongPatientCaption")
        col.addWidget(words, 0, Qt.AlignmentFlag.AlignHCenter)
        return col

    def _keep(self) -> None:
        self.accept()
        self._on_keep(self.record)

    def _remove(self) -> None:
        self.accept()
        self._on_remove(self.record)
