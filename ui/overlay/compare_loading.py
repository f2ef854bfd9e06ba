"""What the compare screen reads before it can show anything, read off the GUI thread, and the
page it shows meanwhile.

Opening the screen reads the patient, the two visits' dates and the two display images (a
database read and a JPEG decode each): on a clinic server that is round trips, or a wait of
the connect timeout in an outage, with the screen frozen if done on the GUI thread. So
`read_opening` runs on a worker (the app's one worker base, ui/common/worker.py) and returns
plain data; the screen builds its photos from it on the GUI thread. `LoadingPage` says
"Loading photos…" meanwhile, and the error in words, with Try again, when the read fails.

The screen's worker is `leave_running` (ADR 0012): a screen left mid-read (Cancel, Escape,
its editor closing) never waits for the read to end (up to the connect timeout), and the
read's late outcome is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.services import patients, visits
from app.services.patients import PatientRecord
from app.services.photos import PhotoRecord
from app.services.store import Store
from app.store.errors import NotFoundError
from ui.common.widgets import hbox, label, vbox
from ui.overlay.compare_controls import tool_button
from ui.overlay.compare_photos import display_rgb

TEXT_WIDTH = 720  # px: a server's message wraps into lines read at a glance, not one long one


@dataclass(frozen=True)
class Opening:
    """Everything the screen shows that comes from the store; no Qt."""

    patient: PatientRecord
    earlier_rgb: np.ndarray
    today_rgb: np.ndarray
    earlier_day: date
    today_day: date


def visit_day(store: Store, photo: PhotoRecord) -> date:
    """The visit's date, as the chart and the timeline name it; a camera's clock is often
    wrong (a 2012 date on a photo taken today). A photo outside any visit: its own date."""
    if photo.visit_id is not None:
        try:
            return visits.get_visit(store, photo.visit_id).visit_date
        except NotFoundError:
            pass  # an outage fails the read instead: Try again, never the camera's date
    return photo.captured_at


def read_opening(store: Store, earlier: PhotoRecord, today: PhotoRecord) -> Opening:
    """The worker's job: the photos first (what the screen cannot do without)."""
    earlier_rgb = display_rgb(store, earlier)
    today_rgb = display_rgb(store, today)
    return Opening(
        patients.get_patient(store, today.patient_id),
        earlier_rgb,
        today_rgb,
        visit_day(store, earlier),
        visit_day(store, today),
    )


class LoadingPage(QWidget):
    """Cancel at the top right, where the loaded screen has it; in the middle, what is going
    on. Nothing here acts on the photos: there are none yet."""

    def __init__(self, view_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareLoading")
        root = vbox(self, spacing=0)
        top = hbox(margins=16, spacing=12)
        top.addWidget(label(f"Compare · {view_name}", "heading"), 1)
        self.cancel_button = tool_button("Cancel", "compareLoadingCancel")
        top.addWidget(self.cancel_button)
        root.addLayout(top)
        # The text fills a column of at most TEXT_WIDTH, centred by stretches: a wrapped label
        # aligned in a layout instead gets one line's height and is cut off.
        column = QWidget()
        column.setMaximumWidth(TEXT_WIDTH)
        column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        middle = vbox(column, spacing=20)
        middle.addStretch(1)
        self.title = label("Loading photos…", "title")
        self.title.setObjectName("compareLoadingTitle")
        self.body = label("The earlier photo and today's are being read.", "body")
        self.body.setObjectName("compareLoadingText")
        for w in (self.title, self.body):
            w.setWordWrap(True)
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            middle.addWidget(w)
        self.try_again = tool_button("Try again", "compareTryAgain", "primary")
        self.try_again.setMinimumWidth(200)
        self.try_again.hide()
        middle.addWidget(self.try_again, 0, Qt.AlignmentFlag.AlignHCenter)
        middle.addStretch(2)
        row = hbox(margins=48)
        row.addStretch(1)
        row.addWidget(column, 100)
        row.addStretch(1)
        root.addLayout(row, 1)

    def show_loading(self) -> None:
        self.title.setText("Loading photos…")
        self.body.setText("The earlier photo and today's are being read.")
        self.try_again.hide()

    def show_failed(self, text: str) -> None:
        self.title.setText("The photos could not be loaded")
        self.body.setText(f"{text}\nTry again, or Cancel to go back.")
        self.try_again.show()
