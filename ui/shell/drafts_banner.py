"""Unsaved charts left by a crash or power cut, offered on the first screen of the next start.

The editor journals its unsaved chart to disk (app/services/drafts.py) and offers it back when
that chart is reopened; this banner is how the clinician learns there is one to reopen at all.
Open leads to the visit's chart, where Restore and Discard are offered as usual.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QWidget

from app.services import drafts, patients, visits
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import TOUCH, button, hbox, label, vbox

MAX_SHOWN = 3  # more than a few means something else is wrong; the rest wait their turn


class DraftsBanner(QFrame):
    chart_requested = Signal(int)  # visit id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("draftsBanner")
        self._lay = vbox(self, margins=12, spacing=8)
        self.rows: dict[int, QWidget] = {}
        self.setVisible(False)

    def refresh(self) -> None:
        """Shows one row per kept draft of the signed-in practitioner's whose visit still
        stands (another's draft is theirs alone); hidden when there is none."""
        self.rows.clear()
        while (item := self._lay.takeAt(0)) is not None:
            if gone := item.widget():
                gone.deleteLater()
        mine = drafts.list_drafts(self.ctx.store, self.ctx.practitioner.id)
        shown = [d for d in mine if self._describe(d.visit_id)]
        if shown:
            heading = label("Unsaved chart changes were kept from an earlier session", "section")
            heading.setWordWrap(True)
            self._lay.addWidget(heading)
        for draft in shown[:MAX_SHOWN]:
            self._add_row(draft)
        self.setVisible(bool(shown))

    def _describe(self, visit_id: int) -> str | None:
        try:
            visit = visits.get_visit(self.ctx.store, visit_id)
            if visit.in_error:
                return None
            patient = patients.get_patient(self.ctx.store, visit.patient_id)
        except StoreError:
            return None  # its visit is gone from this database: nothing to reopen
        return (
            f"{patient.display_name} · {fmt.born(patient.date_of_birth)} · "
            f"{visit.treatment_type.label} visit of {fmt.day(visit.visit_date)}"
        )

    def _add_row(self, draft: drafts.Draft) -> None:
        row = QWidget()
        line = hbox(row, spacing=16)
        text = label(self._describe(draft.visit_id) or "", "body")
        text.setWordWrap(True)
        line.addWidget(text, 1)
        line.addWidget(label(f"kept {fmt.local_time(draft.written_at)}", "muted"))
        open_button = button("Open chart", "primary")
        open_button.setObjectName("openDraftButton")
        open_button.setMinimumHeight(TOUCH)
        open_button.clicked.connect(lambda: self.chart_requested.emit(draft.visit_id))
        line.addWidget(open_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._lay.addWidget(row)
        self.rows[draft.visit_id] = row
