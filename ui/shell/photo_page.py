"""One photo of a visit, as large as the screen allows: pinch, wheel or drag to look closer,
double tap to fit (ui/viewer/zoom.py). The patient's name and date of birth stay on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.chart import ViewChart
from app.services import patients, visits
from app.services.photos import PhotoRecord
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import Page, PatientBanner, label, vbox
from ui.viewer.chart_view import ChartView


class PhotoPage(Page):
    def __init__(self, ctx: AppContext, photo: PhotoRecord) -> None:
        super().__init__()
        self.setObjectName("photoPage")
        self.photo = photo
        patient = patients.get_patient(ctx.store, photo.patient_id)
        # The visit's date, as everywhere a photo is named: a camera's clock is often wrong.
        when = photo.captured_at.date()
        if photo.visit_id is not None:
            when = visits.get_visit(ctx.store, photo.visit_id).visit_date
        self.title = f"{photo.view_name} · {fmt.day(when)}"
        lay = vbox(self, spacing=0)
        self.banner = PatientBanner(patient)
        lay.addWidget(self.banner)
        # A chart view of no markings: the photo on its original's frame, the patient's sides
        # marked, pinch and wheel to look closer (ui/viewer).
        self.view = ChartView(ctx.store, ViewChart(photo.view_code, photo.sha256))
        lay.addWidget(self.view, 1)
        hint = label("Pinch or scroll to look closer; double tap to see it whole.", "muted")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(hint)
