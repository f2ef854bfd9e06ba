"""Start a visit: pick the treatment with big toggles, optionally as a touch-up of an earlier
visit (the first treatment almost always gets one at about two weeks); otherwise, for a
charted patient, a repeat treatment, whose editor shows the last chart to carry forward. A
neurotoxin treatment within 90 days of the last one gets a soft note: the clinician decides,
the app only says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QComboBox, QDialog, QWidget

from app.domain.values import TreatmentType
from app.services.visits import TimelineEntry
from ui.common import format as fmt
from ui.common.day_picker import DayPicker
from ui.common.widgets import TOUCH, button, hbox, label, vbox

MIN_DAYS_BETWEEN_TOXIN = 90  # DOMAIN.md: treatments at least 90 days apart (label, not a limit)


class NewVisitDialog(QDialog):
    def __init__(
        self,
        parent: QWidget,
        earlier: list[TimelineEntry],
        on_start: Callable[[TreatmentType, int | None, date], None],
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newVisitDialog")
        self.setWindowTitle("New visit")
        self.setModal(True)
        self.setMinimumWidth(640)
        self._on_start = on_start
        lay = vbox(self, margins=24, spacing=16)
        self.today = today or date.today()
        lay.addWidget(label("New visit", "heading"))
        # Today, or the day it happened for a visit recorded late or charted after the fact.
        date_row = hbox(spacing=12)
        date_row.addWidget(label("Date", "field"))
        self.day_note = label("", "muted")
        self.day_note.setObjectName("dayNote")
        date_row.addWidget(self.day_note, 1)
        lay.addLayout(date_row)
        self.day = DayPicker(self.today, date(self.today.year - 5, 1, 1), self.today)
        lay.addWidget(self.day)
        lay.addWidget(label("Treatment", "field"))
        self.kinds = QButtonGroup(self)
        row = hbox(spacing=12)
        for t in TreatmentType:
            b = button(t.label, "toggle")
            b.setObjectName(f"treatment_{t.value}")
            b.setCheckable(True)
            b.setMinimumWidth(170)
            self.kinds.addButton(b)
            b.setProperty("treatment", t.value)
            row.addWidget(b)
            if t is TreatmentType.NEUROTOXIN:
                b.setChecked(True)  # the app's main use
        row.addStretch(1)
        lay.addLayout(row)

        lay.addWidget(label("Touch-up of an earlier visit?", "field"))
        self.touch_up = QComboBox()
        self.touch_up.setObjectName("touchUpOf")
        self.touch_up.setMinimumHeight(TOUCH)
        self.touch_up.addItem("No: a new or a repeat treatment", None)
        for e in earlier:
            v = e.visit
            self.touch_up.addItem(
                f"Touch-up of {fmt.day(v.visit_date)} · {v.treatment_type.label}", v.id
            )
        lay.addWidget(self.touch_up)
        # A repeat treatment is a new visit of a charted patient: say what it brings.
        self.repeat_note = label(
            "A repeat treatment shows the last treatment's chart over today's photos, aligned,"
            " to carry its plan forward.",
            "muted",
        )
        self.repeat_note.setObjectName("repeatNote")
        self.repeat_note.setWordWrap(True)
        self._charted = any(e.version_count > 0 for e in earlier)
        lay.addWidget(self.repeat_note)

        self._toxin_days = [
            e.visit.visit_date
            for e in earlier
            if e.visit.treatment_type is TreatmentType.NEUROTOXIN
        ]
        self.interval_note = label("", "note")
        self.interval_note.setObjectName("intervalNote")
        self.interval_note.setWordWrap(True)
        lay.addWidget(self.interval_note)
        self.kinds.buttonToggled.connect(lambda *_a: self._update_note())
        self.day.changed.connect(lambda _d: self._update_note())
        self.touch_up.currentIndexChanged.connect(lambda *_a: self._update_note())
        self._update_note()

        actions = hbox(spacing=12)
        actions.addStretch(1)
        cancel = button("Cancel", "secondary")
        self.start_button = button("Start visit", "primary")
        self.start_button.setObjectName("startVisit")
        self.start_button.setMinimumWidth(200)
        actions.addWidget(cancel)
        actions.addWidget(self.start_button)
        lay.addLayout(actions)
        cancel.clicked.connect(self.reject)
        self.start_button.clicked.connect(self._start)

    def _update_note(self) -> None:
        checked = self.kinds.checkedButton()
        toxin = checked is not None and checked.property("treatment") == "neurotoxin"
        touch_up = self.touch_up.currentIndex() > 0
        when = self.day.value
        ago = (self.today - when).days
        self.day_note.setText(
            "today" if ago == 0 else "yesterday" if ago == 1 else f"{ago} days ago"
        )
        last = max((d for d in self._toxin_days if d < when), default=None)
        days = (when - last).days if last else None
        soon = days is not None and 0 <= days < MIN_DAYS_BETWEEN_TOXIN
        if toxin and soon and not touch_up:
            assert last is not None
            self.interval_note.setText(
                f"The last neurotoxin treatment was {days} days "
                f"{'ago' if ago == 0 else 'before this visit'} ({fmt.day(last)})."
                f" Treatments are usually at least {MIN_DAYS_BETWEEN_TOXIN} days apart; a"
                " touch-up at about two weeks is the usual exception."
            )
        self.interval_note.setVisible(toxin and soon and not touch_up)
        self.repeat_note.setVisible(self._charted and not touch_up)

    def choose(self, treatment: TreatmentType) -> None:
        for b in self.kinds.buttons():
            b.setChecked(b.property("treatment") == treatment.value)

    def _start(self) -> None:
        checked = self.kinds.checkedButton()
        treatment = TreatmentType(checked.property("treatment")) if checked else TreatmentType.OTHER
        earlier = self.touch_up.currentData(Qt.ItemDataRole.UserRole)
        self.accept()
        self._on_start(treatment, int(earlier) if earlier is not None else None, self.day.value)
