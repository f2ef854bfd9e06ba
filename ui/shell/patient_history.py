"""A patient's details keep their history (issue #11): the patient page's line "Details
changed: …" and the list of every change (old → new, when, who, why) it opens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.patient_history import COMMON_REASONS, DETAIL_FIELDS, DetailChange
from ui.common import format as fmt
from ui.common.dialogs import ReasonDialog, ReasonWords
from ui.common.widgets import button, hbox, label, scroll_body, vbox


def _value(field: str, value: str) -> str:
    if not value:
        return "(none)"
    if field == "date_of_birth":
        return fmt.day(date.fromisoformat(value))
    value = " ".join(value.split())  # notes: one line here
    return value if len(value) <= 60 else value[:57] + "…"


def field_change_words(field: str, old: str, new: str) -> str:
    """'family name Martin → Martin-Leroy'."""
    words = DETAIL_FIELDS.get(field, field.replace("_", " "))
    return f"{words} {_value(field, old)} → {_value(field, new)}"


def change_words(change: DetailChange) -> str:
    return field_change_words(change.field, change.old_value, change.new_value)


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
        self.setMinimumHeight(min(420, max(320, top.height() - 200)))
        lay = vbox(self, margins=24, spacing=12)
        lay.addWidget(label(f"Details history of {patient_name}", "heading"))
        area, col = scroll_body("historyList", margins=0)
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


DETAILS_WORDS = ReasonWords(
    placeholder="Or type the reason",
    confirm="Save changes",
    confirm_role="primary",
    empty="Tap a reason or type one: the record keeps why.",
)


class DetailsReasonDialog(ReasonDialog):
    """What is about to change, and why: a common reason one tap away, or typed. The reason
    is kept with the old values, so none is no answer."""

    def __init__(
        self,
        parent: QWidget,
        changes: list[tuple[str, str, str]],
        on_reason: Callable[[str], None],
    ) -> None:
        self._changes = changes
        super().__init__(
            parent,
            "Why are the details changing?",
            "",
            on_reason,
            words=DETAILS_WORDS,
            min_width=min(860, parent.window().width() - 80),
            spacing=12,
        )
        self.setObjectName("detailsReasonDialog")
        self.other = self.reason  # typed, when no usual reason fits
        self.other.setObjectName("reasonOther")
        self.error.setObjectName("reasonError")
        self.confirm.setObjectName("confirmDetails")
        self.reasons.buttonClicked.connect(lambda _b: self.other.clear())
        self.other.textEdited.connect(lambda _t: self._uncheck())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _add_choices(self, lay: QVBoxLayout) -> None:
        for field, old, new in self._changes:
            what = label(field_change_words(field, old, new), "body")
            what.setObjectName("pendingChange")
            what.setWordWrap(True)
            lay.addWidget(what)
        chips = QGridLayout()
        chips.setSpacing(10)
        self.reasons = QButtonGroup(self)
        for i, reason in enumerate(COMMON_REASONS):
            b = button(reason, "toggle")
            b.setCheckable(True)
            b.setObjectName(f"reason_{i}")
            self.reasons.addButton(b, i)
            chips.addWidget(b, i // 2, i % 2)  # two wide: the longest reason whole at 1280 px
        lay.addLayout(chips)

    def _uncheck(self) -> None:
        checked = self.reasons.checkedButton()
        if checked is not None:
            self.reasons.setExclusive(False)
            checked.setChecked(False)
            self.reasons.setExclusive(True)

    def chosen_reason(self) -> str:
        checked = self.reasons.checkedButton()
        if isinstance(checked, QPushButton):
            return checked.text()
        return self.other.text().strip()


def ask_details_reason(
    parent: QWidget, changes: list[tuple[str, str, str]], on_reason: Callable[[str], None]
) -> DetailsReasonDialog:
    dialog = DetailsReasonDialog(parent, changes, on_reason)
    dialog.open()
    return dialog
