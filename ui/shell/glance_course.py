"""The glance's microneedling chart (issue #14), drawn with QPainter in the style of the dose
chart: per course, a group of bars per session (its date, "Session n of N"), one bar per area
at its needle depth in mm on one fixed 0–2.5 mm scale, the passes written beside the depth.

It keeps what it drew (`marks`) so a test can hold every drawn depth against the saved chart.
Toxin units have no place here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from app.domain.microneedling import DEPTH_MAX, format_depth
from app.services.glance import CourseDepths
from ui.common import format as fmt
from ui.shell.glance_style import GRID, INK, MUTED, SMALL_PX, ZONE_COLOURS, font, luminance

SCALE_STEP = Decimal("0.5")  # grid lines every half millimetre up to DEPTH_MAX


@dataclass(frozen=True, slots=True)
class DepthMark:
    visit_id: int
    visit_date: date
    area: str
    depth_mm: Decimal
    passes: int
    rect: QRectF


class DepthChart(QWidget):
    """One course: a group of bars per session, one colour per area across the course."""

    def __init__(self, course: CourseDepths, index: int) -> None:
        super().__init__()
        self.setObjectName(f"depthChart_{index}")
        self.course = course
        self.areas = course.area_names
        self.colours = {
            a: QColor(ZONE_COLOURS[i % len(ZONE_COLOURS)]) for i, a in enumerate(self.areas)
        }
        self.marks: list[DepthMark] = []
        self.setMinimumHeight(330 + 30 * self._legend_rows())

    def _legend_rows(self) -> int:
        return (len(self.areas) + 2) // 3

    def _plot(self) -> QRectF:
        top = 16 + 30 * self._legend_rows() + 36  # the legend, then room for the depth labels
        bottom = self.height() - 62  # the date and "Session n of N" under each group
        return QRectF(84, top, self.width() - 104, bottom - top)

    def layout_marks(self) -> list[DepthMark]:
        plot = self._plot()
        sessions = self.course.sessions
        slot = plot.width() / max(len(sessions), 1)
        per_mm = plot.height() / float(DEPTH_MAX)
        marks = []
        for i, session in enumerate(sessions):
            n = max(len(session.areas), 1)
            width = min(88.0, slot * 0.8 / n)
            x = plot.left() + slot * i + (slot - width * n) / 2
            for j, area in enumerate(session.areas):
                h = float(area.depth_mm) * per_mm
                rect = QRectF(x + width * j + 2, plot.bottom() - h, width - 4, h)
                marks.append(
                    DepthMark(
                        session.visit_id,
                        session.visit_date,
                        area.name,
                        area.depth_mm,
                        area.passes,
                        rect,
                    )
                )
        return marks

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.marks = self.layout_marks()
        plot = self._plot()
        p.setFont(font())
        col_w = (self.width() - 104) / 3
        for i, area in enumerate(self.areas):  # legend: a swatch and the area's name
            x = 84 + col_w * (i % 3)
            y = 16.0 + 30 * (i // 3)
            p.fillRect(QRectF(x, y + 4, 18, 18), self.colours[area])
            p.setPen(INK)
            p.drawText(QRectF(x + 26, y, col_w - 30, 26), Qt.AlignmentFlag.AlignVCenter, area)
        p.setFont(font(SMALL_PX))
        steps = int(DEPTH_MAX / SCALE_STEP)
        for k in range(steps + 1):  # the scale: the same 0–2.5 mm on every course
            value = SCALE_STEP * k
            y = plot.bottom() - plot.height() * float(value / DEPTH_MAX)
            p.setPen(QPen(GRID, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(MUTED)
            p.drawText(
                QRectF(0, y - 12, 76, 24), Qt.AlignmentFlag.AlignRight, f"{format_depth(value)} mm"
            )
        for mark in self.marks:
            colour = self.colours[mark.area]
            p.fillRect(mark.rect, colour)
            p.setPen(INK)
            p.setFont(font(SMALL_PX, bold=True))
            above = QRectF(mark.rect.left() - 10, mark.rect.top() - 26, mark.rect.width() + 20, 24)
            p.drawText(above, Qt.AlignmentFlag.AlignCenter, format_depth(mark.depth_mm))
            if mark.rect.height() >= SMALL_PX + 8:  # the passes inside the bar, where they fit
                p.setPen(INK if luminance(colour) > 0.18 else Qt.GlobalColor.white)
                p.setFont(font(SMALL_PX))
                inside = QRectF(mark.rect.left(), mark.rect.bottom() - 26, mark.rect.width(), 24)
                p.drawText(inside, Qt.AlignmentFlag.AlignCenter, f"×{mark.passes}")
        sessions = self.course.sessions
        slot = plot.width() / max(len(sessions), 1)
        for i, session in enumerate(sessions):
            x = plot.left() + slot * i
            p.setPen(INK)
            p.setFont(font(SMALL_PX, bold=True))
            p.drawText(
                QRectF(x, plot.bottom() + 6, slot, 24),
                Qt.AlignmentFlag.AlignCenter,
                f"Session {session.number} of {self.course.planned}",
            )
            p.setFont(font(SMALL_PX))
            p.drawText(
                QRectF(x, plot.bottom() + 30, slot, 24),
                Qt.AlignmentFlag.AlignCenter,
                fmt.day(session.visit_date),
            )
        p.end()
