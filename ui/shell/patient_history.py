"""A patient's details keep their history (issue #11): the patient page's line "Details
changed: …" and the list of every change (old → new, when, who, why) it opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFrame, QScrollArea, QWidget

from app.services.patient_history import DetailChange
from ui.common import format as fmt
from ui.common.widgets import button, enable_touch_scroll, hbox, label, vbox


def _value(change: DetailChange, value: str) -> str:
    if not value:
        return "(none)"
    if change.field == "date_of_birth":
        from datetime import date

        return fmt.day(date.fromisoformat(value))
    return value if len(value) <= 60 else value[:57] + "…"


def change_words(change: DetailChange) -> str:
    """ "family name Martin → Martin-Leroy"."""
    return (
        f"{change.field_words} {_value(change, change.old_value)} → "
        f"{_value(change, change.new_value)}"
    )


def when_who_why(change: DetailChange) -> str:
    when = change.changed_at.astimezone()
    who = f" by {change.changed_by}" if change.changed_by else ""
    why = f": {change.reason}" if change.reason else ""
    return f"{fmt.day(when.date())} {when:%H:%M}{who}{why}"


def summary_line(changes: list[DetailChange]) -> str:
    """The patient page's one line: the newest change and how many there are."""
    if not changes:
        return ""
    newest = changes[0]
    same_moment = [c for c in changes if c.changed_at == newest.changed_at]
    what = "; ".join(change_words(c) for c in same_moment)
    more = len(changes) - len(same_moment)
    tail = f" (and {fmt.plural(more, 'earlier change')})" if more else ""
    return f"Details changed: {what} — {when_who_why(newest)}{tail}"


class PatientHistoryDialog(QDialog):
    """Every change of the patient's details, newest first, scrolled by touch."""

    def __init__(self, parent: QWidget, patient_name: str, changes: list[DetailChange]) -> None:
        super().__init__(parent)
        self.setObjectName("patientHistoryDialog")
        self.setWindowTitle("Details history")
        self.setModal(True)
        top = parent.window()
        self.setMinimumWidth(min(900, max(560, top.width() - 120)))
        self.setMinimumHeight(min(560, max(360, top.height() - 160)))
        lay = vbox(self, margins=24, spacing=12)
        lay.addWidget(label(f"Details history of {patient_name}", "heading"))
        area = QScrollArea()
        area.setObjectName("historyList")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        enable_touch_scroll(area)
        body = QWidget()
        col = vbox(body, spacing=14)
        self.rows: list[str] = []
        for c in changes:
            what = label(change_words(c), "body")
            what.setWordWrap(True)
            what.setObjectName("historyChange")
            how = label(when_who_why(c), "muted")
            how.setWordWrap(True)
            col.addWidget(what)
            col.addWidget(how)
            self.rows.append(f"{what.text()} — {how.text()}")
        if not changes:
            col.addWidget(
                label("The details have not been changed since the record was made.", "muted")
            )
        col.addStretch(1)
        area.setWidget(body)
        lay.addWidget(area, 1)
        row = hbox(spacing=12)
        row.addStretch(1)
        self.close_button = button("Close", "primary")
        self.close_button.setObjectName("closeHistory")
        self.close_button.setMinimumWidth(160)
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.close_button)
        lay.addLayout(row)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
