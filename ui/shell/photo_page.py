"""One photo of a visit, as large as the screen allows: pinch, wheel or drag to look closer,
double tap to fit (ui/viewer/zoom.py). The patient's name and date of birth stay on screen."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene

from app.services import patients, visits
from app.services.photos import PhotoRecord
from ui.common import format as fmt
from ui.common import images
from ui.common.context import AppContext
from ui.common.widgets import Page, PatientBanner, label, vbox
from ui.viewer.zoom import ZoomableView


class PhotoView(ZoomableView):
    def __init__(self, ctx: AppContext, photo: PhotoRecord) -> None:
        super().__init__()
        self.setObjectName("photoView")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setBackgroundBrush(QColor("#1E252C"))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pm = images.display_image(ctx.store, photo.sha256)
        self.frame = QRectF(0, 0, photo.width, photo.height)
        self.photo_item: QGraphicsPixmapItem | None = None
        if not pm.isNull():
            item = QGraphicsPixmapItem(pm)
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            item.setScale(photo.width / pm.width())  # the original's pixels, as everywhere
            self.scene().addItem(item)
            self.photo_item = item
        self.scene().setSceneRect(self.frame)


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
        self.view = PhotoView(ctx, photo)
        lay.addWidget(self.view, 1)
        hint = label("Pinch or scroll to look closer; double tap to see it whole.", "muted")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(hint)
