"""The canvas side of label placement: reads markers and label sizes of one view in viewport
pixels, asks ui/editor/labels.py where the labels go, and moves only the labels it changed.

Runs for the visible canvas only; a hidden canvas is marked stale and placed when shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ui.editor import ahead
from ui.editor.items import POINT_RADIUS, LabelItem
from ui.editor.labels import LabelLayout, Rect

if TYPE_CHECKING:
    from PySide6.QtWidgets import QGraphicsView

    from ui.editor.scene import ViewScene

MARKER_RADIUS = POINT_RADIUS + 1.5  # the dot and its outline
SELECTED_RADIUS = POINT_RADIUS + 9 + 1.5  # the selection ring (PointItem.paint)
LABEL_GAP = POINT_RADIUS + 6
ZOOM_SETTLE_MS = 80
PILL_W, PILL_H, PILL_INSET = 44.0, 52.0, 6.0  # the R / L side markers (canvas.drawForeground)


def side_pill_rects(canvas: QGraphicsView, frame: QRectF) -> list[QRectF]:
    """Where the patient's R and L markers are drawn, in viewport pixels (none if the photo
    is off screen): at the visible photo's left and right edges, half-way down."""
    photo = QRectF(canvas.mapFromScene(frame).boundingRect())
    box = photo.intersected(QRectF(canvas.viewport().rect()).adjusted(8, 8, -8, -8))
    if box.isEmpty():
        return []
    y = box.center().y() - PILL_H / 2
    return [
        QRectF(box.left() + PILL_INSET, y, PILL_W, PILL_H),
        QRectF(box.right() - PILL_W - PILL_INSET, y, PILL_W, PILL_H),
    ]


class LeaderLines(QGraphicsItem):
    """All leader lines of a view in one item, in photo pixels, drawn with cosmetic pens (a
    constant width on screen), dark under light so they read on pale and dark skin alike.
    Cached as one screen-sized pixmap: each repaint is one blit, where 60 separate
    antialiased lines, or lines as children of each label, tripled a pen event's cost."""

    PENS = (((16, 22, 28, 170), 3.0), ((255, 255, 255, 230), 1.2))

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.lines: dict[str, QLineF] = {}
        self._drawn: list[QLineF] = []
        self._bounds = QRectF()
        self.pens = []
        for rgba, width in self.PENS:
            pen = QPen(QColor(*rgba), width)
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            self.pens.append(pen)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def update_lines(self, changed: dict[str, QLineF | None], scale: float) -> None:
        for pid, line in changed.items():
            if line is None:
                self.lines.pop(pid, None)
            else:
                self.lines[pid] = line
        path = QPainterPath()
        for line in self.lines.values():
            path.moveTo(line.p1())
            path.lineTo(line.p2())
        self.prepareGeometryChange()
        self._drawn = list(self.lines.values())
        m = 4.0 / max(scale, 1e-9)  # the cosmetic pen's width, in photo pixels
        self._bounds = path.boundingRect().adjusted(-m, -m, m, m) if self.lines else QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Line by line: stroking one path of all the leaders took twice as long (its
        # subpaths go through the general stroker; a lone line has a fast path).
        for pen in self.pens:
            painter.setPen(pen)
            for line in self._drawn:
                painter.drawLine(line)


class LabelPlacer:
    def __init__(self, canvas: QGraphicsView, scene: ViewScene) -> None:
        self.canvas = canvas
        self.scene = scene
        self.layout = LabelLayout(MARKER_RADIUS, SELECTED_RADIUS, LABEL_GAP)
        self.stale = False
        # A pinch or wheel zooms many times a second; a full placement waits for a pause.
        self.timer = QTimer(canvas)
        self.timer.setSingleShot(True)
        self.timer.setInterval(ZOOM_SETTLE_MS)
        self.timer.timeout.connect(self.run)
        self._applied: dict[str, LabelItem] = {}
        self.leaders: LeaderLines | None = None  # the item each spot was last given to
        self._held = 0
        self._due = False

    def hold(self) -> None:
        """Until the matching `release`, placement asked for is done once, at the end: a tap
        adds a point, then selects it (a larger marker), and both need one pass, not two."""
        self._held += 1

    def release(self) -> None:
        self._held -= 1
        if not self._held and self._due:
            self._due = False
            self.run()

    def soon(self) -> None:
        self.timer.start()

    def run(self) -> None:
        canvas, scene = self.canvas, self.scene
        self.timer.stop()
        if self._held:
            self._due = True
            return
        if not canvas.isVisible():
            self.stale = True  # placed when shown (ChartCanvas.showEvent)
            return
        self.stale = False
        vt = canvas.viewportTransform()  # scale and scroll only: the canvas never rotates
        sx, sy, tx, ty = vt.m11(), vt.m22(), vt.dx(), vt.dy()
        w, h = float(canvas.viewport().width()), float(canvas.viewport().height())
        # Photo positions times the zoom: a pan moves nothing here, only what is visible.
        markers = {}
        sizes = {}
        labels = scene.label_items
        for pid, item in scene.point_items.items():
            pos = item.pos()
            markers[pid] = (pos.x() * sx, pos.y() * sy)
            sizes[pid] = labels[pid].size()
        obstacles: list[Rect] = [
            (r.left() - tx, r.top() - ty, r.right() - tx, r.bottom() - ty)
            for r in side_pill_rects(canvas, scene.frame)
        ]
        layout = self.layout
        bounds, view_key = (-tx, -ty, w - tx, h - ty), (sx, sy, w, h)
        changed = layout.place(markers, sizes, scene.selected_id, bounds, view_key, obstacles)
        # the next chart read ahead places its first view's labels for this canvas
        frame, radii = scene.frame, (layout.marker_radius, layout.selected_radius, layout.gap)
        ahead.remember_canvas(
            ahead.Canvas(frame.width(), frame.height(), sx, sy, tx, ty, w, h, (*obstacles,), radii)
        )
        leaders: dict[str, QLineF | None] = {}
        for pid, spot in changed.items():
            labels[pid].set_spot(spot.dx, spot.dy, spot.leader)
            leaders[pid] = self._leader(labels[pid], sx)
        # A label item the scene rebuilt (its text changed) takes the spot its point kept.
        for pid, label in labels.items():
            if self._applied.get(pid) is not label:
                if pid not in changed:
                    spot = layout.spots[pid]
                    label.set_spot(spot.dx, spot.dy, spot.leader)
                    leaders[pid] = self._leader(label, sx)
                self._applied[pid] = label
        if len(self._applied) > len(labels):  # points were deleted
            self._applied = {pid: labels[pid] for pid in self._applied if pid in labels}
        if self.leaders is not None:
            leaders.update({pid: None for pid in self.leaders.lines if pid not in labels})
        if any(line is not None for line in leaders.values()) or (
            self.leaders is not None and any(pid in self.leaders.lines for pid in leaders)
        ):
            if self.leaders is None:
                self.leaders = LeaderLines(scene.layers["labels"])
                scene.uncached(self.leaders)
            self.leaders.update_lines(leaders, sx)

    def _leader(self, label: LabelItem, sx: float) -> QLineF | None:
        """The label's leader in photo pixels: its point plus the label's screen offset."""
        line = label.leader()
        if line is None:
            return None
        at = label.pos()
        return QLineF(at + line.p1() / sx, at + line.p2() / sx)
