"""The centre of the capture screen: the line to read to the patient, the live preview, the
ghost's caption beside the framing note, the status line, and the box of warnings about the
last photo (they warn, never block: ADR 0008)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.capture import PhotoCheck
from app.services.catalogue import ViewRecord
from app.services.photos import PhotoRecord
from app.services.same_person import FaceCheck, Outcome
from ui.capture.framing_note import FramingNote
from ui.capture.preview import PreviewView
from ui.common.widgets import hbox, label, set_state, vbox


class ViewPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        centre = vbox(self, spacing=8)
        self.instruction = label("", "title")
        self.instruction.setObjectName("instruction")
        self.instruction.setWordWrap(True)
        centre.addWidget(self.instruction)
        self.preview = PreviewView()
        centre.addWidget(self.preview, 1)
        self.ghost_caption = label("", "small")
        self.ghost_caption.setObjectName("ghostCaption")
        self.framing_note = FramingNote()  # how the last photo is framed against the ghost
        caption_row = hbox(spacing=12)
        caption_row.addWidget(self.ghost_caption)
        caption_row.addWidget(self.framing_note, 1)
        centre.addLayout(caption_row)
        self.status = label("", "body")
        self.status.setObjectName("captureStatus")
        self.status.setWordWrap(True)
        centre.addWidget(self.status)
        self.warnings = label("", "body")
        self.warnings.setObjectName("captureWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        centre.addWidget(self.warnings)
        self.face_note = label("", "small")  # the wrong-patient check, when it could not run
        self.face_note.setObjectName("faceNote")
        self.face_note.setWordWrap(True)
        self.face_note.hide()
        centre.addWidget(self.face_note)

    def show_view(self, view: ViewRecord) -> None:
        line = view.instruction or view.name
        self.instruction.setText(f"{view.name}: “{line}”")

    def say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        set_state(self.status, "tone", "error" if error else "")

    def clear_check(self) -> None:
        self.warnings.hide()
        self.face_note.hide()
        self.framing_note.clear_note()

    def show_face_check(self, record: PhotoRecord, check: FaceCheck) -> None:
        """One quiet line: "could not compare" and why, or that the face does not match (the
        warning window beside says the rest). Nothing when it matched or had nothing to match."""
        if check.outcome is Outcome.UNKNOWN:
            text = f"{record.view_name}: face check could not compare. {check.reason}"
        elif check.warn:
            text = f"{record.view_name}: the face does not match the earlier photos."
        else:
            self.face_note.hide()
            return
        self.face_note.setText(text)
        self.face_note.show()

    def show_check(self, record: PhotoRecord, check: PhotoCheck) -> None:
        # the framing has its own line (it also says "matches" or "can't be checked")
        framing = check.framing.warnings if check.framing is not None else []
        others = [w for w in check.warnings if w not in framing]
        if others:
            self.warnings.setText(f"{record.view_name}: " + " ".join(others) + " Retake if needed.")
            self.warnings.show()
        self.framing_note.show_check(record.view_name, check.framing_check)
