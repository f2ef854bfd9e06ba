"""One photo of the compare screen, drawn in its original upright pixels (CONTRACTS.md).

The pane shows a display image scaled to the original's frame, and optionally the earlier
photo redrawn in that frame (`overlay`): blended at an opacity (adjust), left of a divider
(wipe) or alone (blink). Zoom and pan live in a `ViewState` shared by the panes, so side by
side both photos follow one finger. Numbered match points keep their size on screen.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from ui.overlay.compare_photos import ShownPhoto
from ui.overlay.pane_input import GestureWidget

MAX_ZOOM = 8.0
HANDLE = 56  # px: the wipe divider's grip, a finger's width (≥ 48, CONTRACTS.md)
MARKER = 40  # px across a numbered match point, whatever the zoom


class ViewState(QObject):
    """Zoom (× fit) and the photo point at the pane's centre, as fractions of the photo."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zoom, self.u, self.v = 1.0, 0.5, 0.5

    def set(self, zoom: float, u: float, v: float) -> None:
        self.zoom = min(max(zoom, 1.0), MAX_ZOOM)
        if self.zoom == 1.0:
            u, v = 0.5, 0.5  # at fit the photo sits centred
        self.u, self.v = min(max(u, 0.0), 1.0), min(max(v, 0.0), 1.0)
        self.changed.emit()


def to_qtransform(m: np.ndarray) -> QTransform:
    return QTransform(m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2])


class PhotoPane(GestureWidget):
    def __init__(
        self, photo: ShownPhoto, view: ViewState, caption: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.photo = photo
        self.view = view
        self.caption = caption
        self.pixmap = QPixmap.fromImage(photo.image)
        self.overlay: QPixmap | None = None
        self.overlay_mode = "none"  # none | blend | wipe | only
        self.opacity = 0.5
        self.overlay_extra = np.array([[1.0, 0, 0], [0, 1.0, 0]])  # a gesture not yet warped
        self.divider = 0.5  # wipe: fraction of the pane's width; earlier on its left
        self.markers: list[tuple[float, float]] = []
        self.marker_colour = QColor("#FFC83D")
        self.highlight = False  # match points: this photo is the one to tap next
        self.setMinimumSize(200, 200)
        view.changed.connect(self.update)

    # -- where the photo is -------------------------------------------------------------------

    def fit_scale(self) -> float:
        return min(self.width() / self.photo.width, self.height() / self.photo.height)

    def transform(self) -> QTransform:
        """Original photo pixels → widget pixels."""
        k = self.fit_scale() * self.view.zoom
        cx, cy = self.view.u * self.photo.width, self.view.v * self.photo.height
        return QTransform(k, 0, 0, k, self.width() / 2 - k * cx, self.height() / 2 - k * cy)

    def to_photo(self, pos: QPointF) -> QPointF:
        return self.transform().inverted()[0].map(pos)

    def to_widget(self, pos: QPointF) -> QPointF:
        return self.transform().map(pos)

    def photo_matrix(self, widget_m: np.ndarray) -> np.ndarray:
        """A similarity in widget pixels as the same motion in original photo pixels."""
        t = self.transform()
        k, tx, ty = t.m11(), t.dx(), t.dy()
        out = np.array(widget_m, float)
        out[:, 2] = (out[:, :2] @ np.array([tx, ty]) + out[:, 2] - (tx, ty)) / k
        return out

    def move_view(
        self, widget_m: np.ndarray, start: tuple[float, float, float], anchor: QPointF
    ) -> None:
        """Pan and zoom as a gesture says, from the view it started on: the photo point under
        `anchor` (where the fingers began) follows the fingers; a turn is ignored."""
        zoom0, u0, v0 = start
        k0 = self.fit_scale() * zoom0
        s = float(np.hypot(widget_m[0, 0], widget_m[1, 0]))
        a = np.array([anchor.x(), anchor.y()])
        target = widget_m[:, :2] @ a + widget_m[:, 2]
        widget_m = np.array([[s, 0, target[0] - s * a[0]], [0, s, target[1] - s * a[1]]])
        # The photo point at the centre before, carried by the gesture: where is centre now?
        c = QPointF(self.width() / 2, self.height() / 2)
        before = QPointF(u0 * self.photo.width, v0 * self.photo.height)
        t0 = c - before * k0
        moved_t = np.array([t0.x(), t0.y()]) * s + widget_m[:, 2]
        centre = (np.array([c.x(), c.y()]) - moved_t) / (k0 * s)
        self.view.set(zoom0 * s, centre[0] / self.photo.width, centre[1] / self.photo.height)

    def zoom_about(self, pos: QPointF, factor: float) -> None:
        m = np.array([[factor, 0, pos.x() * (1 - factor)], [0, factor, pos.y() * (1 - factor)]])
        self.move_view(m, (self.view.zoom, self.view.u, self.view.v), pos)

    def divider_x(self) -> float:
        return self.divider * self.width()

    # -- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1E252C"))
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(0, 0, self.photo.width, self.photo.height)
        view = self.transform()
        p.setTransform(view)
        p.drawPixmap(frame, self.pixmap, QRectF(self.pixmap.rect()))
        if self.overlay is not None and self.overlay_mode != "none":
            p.save()
            if self.overlay_mode == "wipe":
                p.resetTransform()
                p.setClipRect(QRectF(0, 0, self.divider_x(), self.height()))
            if self.overlay_mode != "blend":  # no earlier pixels: show nothing, not today's
                p.resetTransform()
                p.fillRect(self.rect(), QColor("#1E252C"))  # (clipped left of a wipe)
            p.setTransform(to_qtransform(self.overlay_extra) * view)
            if self.overlay_mode == "blend":
                p.setOpacity(self.opacity)
            p.drawPixmap(frame, self.overlay, QRectF(self.overlay.rect()))
            p.restore()
        p.resetTransform()
        if self.overlay_mode == "wipe":
            self._paint_divider(p)
        self._paint_markers(p, view)
        self._paint_caption(p)
        p.end()

    def _paint_divider(self, p: QPainter) -> None:
        x = self.divider_x()
        p.setPen(QPen(QColor("#FFFFFF"), 3))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        centre = QPointF(x, self.height() / 2)
        p.setBrush(QColor("#0B6B74"))
        p.drawEllipse(centre, HANDLE / 2, HANDLE / 2)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#FFFFFF"))
        for side in (-1, 1):  # two arrowheads: "drag me sideways"
            tip = centre + QPointF(side * 17, 0)
            base = centre + QPointF(side * 5, 0)
            p.drawPolygon(QPolygonF([tip, base + QPointF(0, -9), base + QPointF(0, 9)]))
        self._pill(p, QPointF(x - 12, 12), "Earlier", right_aligned=True)
        self._pill(p, QPointF(x + 12, 12), "Today")

    def _paint_markers(self, p: QPainter, view: QTransform) -> None:
        p.setFont(_font(16, bold=True))
        r = MARKER / 2
        for i, (x, y) in enumerate(self.markers, 1):
            at = view.map(QPointF(x, y))
            p.setPen(QPen(QColor("#10161C"), 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(at, r, r)
            p.setPen(QPen(self.marker_colour, 2))
            p.drawEllipse(at, r - 2, r - 2)
            p.drawLine(at - QPointF(6, 0), at + QPointF(6, 0))  # the exact spot, at its centre
            p.drawLine(at - QPointF(0, 6), at + QPointF(0, 6))
            label = QRectF(at.x() + r - 4, at.y() - r - 10, 28, 28)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self.marker_colour)
            p.drawEllipse(label)
            p.setPen(QColor("#10161C"))
            p.drawText(label, Qt.AlignmentFlag.AlignCenter, str(i))

    def _paint_caption(self, p: QPainter) -> None:
        if self.highlight:
            p.setPen(QPen(self.marker_colour, 6))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(self.rect()).adjusted(3, 3, -3, -3))
        if self.caption and self.overlay_mode != "wipe":
            # At the photo's corner, not the pane's: a single photo sits in the middle.
            corner = self.transform().map(QPointF(0, 0))
            self._pill(p, QPointF(max(corner.x(), 0) + 12, max(corner.y(), 0) + 12), self.caption)

    def _pill(self, p: QPainter, at: QPointF, text: str, right_aligned: bool = False) -> None:
        font = _font(15, bold=True)
        p.setFont(font)
        width = p.fontMetrics().horizontalAdvance(text) + 28
        x = at.x() - width if right_aligned else at.x()
        box = QRectF(x, at.y(), width, 40)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(16, 22, 28, 200))
        p.drawRoundedRect(box, 10, 10)
        p.setPen(QColor("#FFFFFF"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def set_overlay(self, image: QImage | None) -> None:
        self.overlay = QPixmap.fromImage(image) if image is not None else None
        self.update()


def _font(pixels: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(pixels)
    f.setBold(bold)
    return f
