"""The glance's row of one view's photos across visits (issue #14), oldest to newest, each
earlier photo redrawn in the newest photo's frame by the before/after image's alignment
(app/services/glance_photos.py), so the face stays put and only the effect changes. A photo
that does not align is shown as taken under a red "not aligned" caption, never silently.

The warps run on the strip's worker (ADR 0012): the dialog opens at once and the thumbnails
fill in. A picker of views (those photographed at two visits or more) changes the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QWidget

from app.services.before_after import AlignedThumb
from app.services.glance_photos import (
    THUMB_HEIGHT,
    RowPhoto,
    photo_row,
    photo_views,
    row_thumbnail,
)
from app.services.store import Store
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.widgets import button, enable_touch_scroll, hbox, label, vbox
from ui.common.worker import Worker

PLACEHOLDER_W = 144  # a portrait thumbnail's width at THUMB_HEIGHT, until the photo comes


def _pixmap(rgb: np.ndarray) -> QPixmap:
    h, w = rgb.shape[:2]
    raw = np.ascontiguousarray(rgb[..., :3]).tobytes()
    return QPixmap.fromImage(QImage(raw, w, h, 3 * w, QImage.Format.Format_RGB888).copy())


@dataclass(eq=False)
class Thumb:
    """One visit's place in the row; `state` is pending, aligned, newest, not aligned or failed."""

    row: RowPhoto
    image: QLabel
    caption: QLabel
    note: QLabel
    state: str = "pending"


class PhotoStrip(QWidget):
    def __init__(self, store: Store, patient_id: int) -> None:
        super().__init__()
        self.setObjectName("photoStrip")
        self.store, self.patient_id = store, patient_id
        self.worker = Worker("glance-photos", self)
        try:
            self.views = photo_views(store, patient_id)
        except StoreError as exc:  # the charts above still show; the row says why it is empty
            self.views, self.problem = [], f"Photos across visits: not read ({exc})"
        else:
            self.problem = "Photos across visits: none yet"
        self.view = self.views[0].code if self.views else ""
        self.thumbs: list[Thumb] = []
        self.view_buttons: dict[str, QPushButton] = {}
        lay = vbox(self, spacing=8)
        top = hbox(spacing=8)
        self.title = label("", "section")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        for v in self.views:
            if v.visits < 2 and v.code != self.view:
                continue  # one photo is no row: not offered
            b = button(v.name, "toggle")
            b.setObjectName(f"glanceView_{v.code}")
            b.setCheckable(True)
            b.setMinimumWidth(96)
            b.clicked.connect(lambda _=False, code=v.code: self.show_view(code))
            top.addWidget(b)
            self.view_buttons[v.code] = b
        if len(self.view_buttons) < 2:
            for b in self.view_buttons.values():
                b.hide()  # nothing to pick from
        lay.addLayout(top)
        self.area = QScrollArea()
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidgetResizable(True)
        self.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setFixedHeight(THUMB_HEIGHT + 68)  # the date and a note under it
        enable_touch_scroll(self.area)
        lay.addWidget(self.area)
        if self.views:
            self.show_view(self.view)
        else:
            self.title.setText(self.problem)
            self.area.hide()

    def show_view(self, code: str) -> None:
        """The row of `code`: placeholders at once, each thumbnail as its warp comes in."""
        self.worker.cancel("row")
        self.view = code
        for c, b in self.view_buttons.items():
            b.setChecked(c == code)
        try:
            rows = photo_row(self.store, self.patient_id, code)
        except StoreError as exc:
            self.title.setText(f"Photos across visits: not read ({exc})")
            return
        name = next(v.name for v in self.views if v.code == code)
        newest = rows[-1]
        self.title.setText(f"{name} photos across visits, each aligned to the newest")
        body = QWidget()
        row = hbox(body, spacing=12)
        self.thumbs = []
        for r in rows:
            cell = vbox(spacing=2)
            image = QLabel("Aligning…")
            image.setObjectName("glanceThumb")
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            image.setFixedSize(PLACEHOLDER_W, THUMB_HEIGHT)
            image.setStyleSheet("background: #E9EDF1; color: #4A5868;")
            caption = label(fmt.day(r.visit_date), "small")
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note = label("", "error")
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note.hide()
            cell.addWidget(image)
            cell.addWidget(caption)
            cell.addWidget(note)
            cell.addStretch(1)
            row.addLayout(cell)
            thumb = Thumb(r, image, caption, note)
            self.thumbs.append(thumb)
            self.worker.run(
                partial(row_thumbnail, self.store, r, newest),
                partial(self._fill, thumb),
                partial(self._failed, thumb),
                key="row",
            )
        row.addStretch(1)
        self.area.setWidget(body)

    def _fill(self, thumb: Thumb, got: AlignedThumb) -> None:
        pix = _pixmap(got.rgb)
        thumb.image.setStyleSheet("")
        thumb.image.setFixedSize(pix.size())
        thumb.image.setPixmap(pix)
        if thumb is self.thumbs[-1]:
            thumb.state = "newest"
            thumb.caption.setText(f"{fmt.day(thumb.row.visit_date)} · newest")
        elif got.aligned:
            thumb.state = "aligned"
        else:
            thumb.state = "not aligned"
            thumb.note.setText("not aligned")
            thumb.note.setToolTip(got.note)
            thumb.note.show()

    def _failed(self, thumb: Thumb, exc: BaseException) -> None:
        thumb.state = "failed"
        thumb.image.setText("No image")
        thumb.note.setText("could not be drawn")
        thumb.note.setToolTip(str(exc))
        thumb.note.show()

    def wait(self, timeout: float = 30.0) -> bool:
        """Every thumbnail in (tests, the screenshot)."""
        return self.worker.wait(timeout)
