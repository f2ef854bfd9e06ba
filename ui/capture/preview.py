"""The live preview: the newest camera frame, the ghost composited over it, framing guides and
the countdown, all drawn in one paintEvent.

Frames arrive already scaled to this widget's device-pixel size by the source's thread; the
ghost is scaled once per resize. So a paint is two unscaled image draws and a few lines, and
the UI thread stays free for touches.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.capture.ghost import edge_image

GUIDE_COLOUR = QColor(255, 214, 10, 200)  # amber: not a skin or hair colour
HINT_COLOURS = {  # live framing chip: dark enough for white text over any face
    "ok": QColor(30, 94, 58, 220),
    "off": QColor(138, 90, 0, 230),
    "unknown": QColor(60, 70, 80, 210),
}


class PreviewView(QWidget):
    resized = Signal(QSize)  # device pixels: sources scale frames to this

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("capturePreview")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.frame: QImage | None = None
        self.ghost: QImage | None = None  # the earlier photo, upright, as stored
        self._ghost_edges: QImage | None = None
        self._ghost_scaled: QImage | None = None
        self._ghost_key: tuple[int, int, bool, bool] | None = None
        self.ghost_on = True
        self.ghost_opacity = 0.4
        self.ghost_edges_only = False
        self.guides_on = True
        self.mirror = False  # the preview is mirrored (by the source); the ghost follows
        self.message = ""  # shown instead of a frame: no camera, camera lost, starting
        self.countdown = 0
        self.framing_hint: tuple[str, str] | None = None  # live framing: text, tone
        self._hint_image: QImage | None = None
        self._hint_key: tuple[object, ...] | None = None
        self.frames_painted = 0  # frames painted with the ghost composited (benchmark)
        self.paint_seconds = 0.0  # UI-thread time spent painting (benchmark)

    # --- inputs -----------------------------------------------------------------------------
    def set_frame(self, image: QImage) -> None:
        self.frame = image
        self.message = ""
        self.update()

    def set_ghost(self, image: QImage | None) -> None:
        self.ghost = image if image is not None and not image.isNull() else None
        self._ghost_edges = None
        self._ghost_key = None
        self.update()

    def set_framing_hint(self, hint: tuple[str, str] | None) -> None:
        """The live framing against the ghost (text, tone "ok" | "off" | "unknown")."""
        self.framing_hint = hint
        self.update()

    def set_message(self, text: str) -> None:
        self.message = text
        if text:
            self.frame = None
        self.update()

    def device_size(self) -> QSize:
        r = self.devicePixelRatioF()
        return QSize(round(self.width() * r), round(self.height() * r))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._ghost_key = None
        self.resized.emit(self.device_size())
        super().resizeEvent(event)

    # --- geometry ---------------------------------------------------------------------------
    def picture_rect(self) -> QRectF:
        """Where the frame (or, without one, the ghost) sits: fitted and centred."""
        ref = self.frame if self.frame is not None else self.ghost
        w, h = self.width(), self.height()
        if ref is None or ref.width() == 0 or ref.height() == 0:
            return QRectF(0, 0, w, h)
        s = min(w / ref.width(), h / ref.height())
        iw, ih = ref.width() * s, ref.height() * s
        return QRectF((w - iw) / 2, (h - ih) / 2, iw, ih)

    def _ghost_for(self, rect: QRectF) -> QImage | None:
        if self.ghost is None or not self.ghost_on:
            return None
        r = self.devicePixelRatioF()
        size = (round(rect.width() * r), round(rect.height() * r))
        key = (*size, self.ghost_edges_only, self.mirror)
        if key != self._ghost_key:
            src = self.ghost
            if self.ghost_edges_only:
                if self._ghost_edges is None:
                    self._ghost_edges = edge_image(self.ghost)
                src = self._ghost_edges
            scaled = src.scaled(
                QSize(key[0], key[1]),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            if self.mirror:
                scaled = scaled.flipped(Qt.Orientation.Horizontal)
            scaled.setDevicePixelRatio(r)
            self._ghost_scaled, self._ghost_key = scaled, key
        return self._ghost_scaled

    # --- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        start = time.perf_counter()
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#10181F"))
        rect = self.picture_rect()
        if self.frame is not None:
            # already scaled to about this size by the source: a blit, not a resample
            p.drawImage(rect, self.frame)
        ghost = self._ghost_for(rect)
        if ghost is not None:
            gw = ghost.width() / ghost.devicePixelRatio()
            gh = ghost.height() / ghost.devicePixelRatio()
            at = QPointF(rect.center().x() - gw / 2, rect.center().y() - gh / 2)
            # edges stay visible even at a low setting: they hide little of the live face
            opacity = self.ghost_opacity
            p.setOpacity(max(0.8, opacity) if self.ghost_edges_only else opacity)
            p.drawImage(at, ghost)
            p.setOpacity(1.0)
        if self.guides_on:
            self._paint_guides(p, rect)
        if self.framing_hint and self.frame is not None:
            self._paint_hint(p, rect, self.framing_hint)
        if self.message:
            self._paint_message(p)
        if self.countdown:
            self._paint_countdown(p)
        p.end()
        if self.frame is not None:
            self.frames_painted += 1
        self.paint_seconds += time.perf_counter() - start

    def _paint_guides(self, p: QPainter, rect: QRectF) -> None:
        """Midline, eye line and a face oval: the same framing visit after visit."""
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(GUIDE_COLOUR, 2, Qt.PenStyle.DashLine)
        p.setPen(pen)
        cx = rect.center().x()
        p.drawLine(QPointF(cx, rect.top()), QPointF(cx, rect.bottom()))
        eye_y = rect.top() + rect.height() * 0.42
        p.drawLine(QPointF(rect.left(), eye_y), QPointF(rect.right(), eye_y))
        oval_h = rect.height() * 0.70
        oval_w = oval_h * 0.72
        p.drawEllipse(QRectF(cx - oval_w / 2, rect.top() + rect.height() * 0.14, oval_w, oval_h))

    def _paint_hint(self, p: QPainter, rect: QRectF, hint: tuple[str, str]) -> None:
        """The live framing as a chip at the top of the picture, readable over any face. It is
        drawn once per text and size and then blitted: text layout at 30 fps is not free."""
        r = self.devicePixelRatioF()
        # the chip may overhang a narrow (portrait) picture rather than wrap a short sentence
        width = max(rect.width(), self.width() - 24)
        key = (*hint, round(width), r)
        if key != self._hint_key:
            self._hint_image, self._hint_key = self._chip(width, r, hint), key
        chip = self._hint_image
        assert chip is not None
        w = chip.width() / r
        p.drawImage(QPointF(rect.center().x() - w / 2, rect.top() + 10), chip)

    def _chip(self, width: float, ratio: float, hint: tuple[str, str]) -> QImage:
        text, tone = hint
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        measure = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
        mp = QPainter(measure)
        mp.setFont(font)
        box = mp.boundingRect(QRectF(0, 0, width - 48, 1000), flags, text)
        mp.end()
        box = box.adjusted(-12, -6, 12, 6)
        size = QSize(max(1, round(box.width() * ratio)), max(1, round(box.height() * ratio)))
        chip = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        chip.setDevicePixelRatio(ratio)
        chip.fill(Qt.GlobalColor.transparent)
        cp = QPainter(chip)
        cp.setRenderHint(QPainter.RenderHint.Antialiasing)
        cp.setPen(Qt.PenStyle.NoPen)
        cp.setBrush(HINT_COLOURS.get(tone, HINT_COLOURS["unknown"]))
        inner = QRectF(0, 0, box.width(), box.height())
        cp.drawRoundedRect(inner, 10, 10)
        cp.setFont(font)
        cp.setPen(QColor("#FFFFFF"))
        cp.drawText(inner, flags, text)
        cp.end()
        return chip

    def _paint_message(self, p: QPainter) -> None:
        p.setPen(QColor("#FFFFFF"))
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 15) * 1.15)
        font.setWeight(QFont.Weight.DemiBold)
        p.setFont(font)
        box = self.rect().adjusted(48, 48, -48, -48)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)

    def _paint_countdown(self, p: QPainter) -> None:
        size = min(self.width(), self.height()) // 3
        circle = QRect(0, 0, size, size)
        circle.moveCenter(self.rect().center())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawEllipse(circle)
        font = QFont(self.font())
        font.setPixelSize(int(size * 0.6))
        font.setWeight(QFont.Weight.Bold)
        p.setFont(font)
        p.setPen(QColor("#FFFFFF"))
        p.drawText(circle, Qt.AlignmentFlag.AlignCenter, str(self.countdown))
