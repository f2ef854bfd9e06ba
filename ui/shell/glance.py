"""A patient's toxin treatments at a glance (issue #14), drawn with QPainter (Qt Charts and Qt
Graphs are GPL-only in open-source Qt): per product, the units per zone at every charted
visit, touch-ups hatched; and the days between treatments against the 90-day minimum.

Each chart keeps what it drew (`bars`, `gaps`) so a test can hold every drawn value against the
computed one. Products are never stacked together: each has its own chart and scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import QDialog, QWidget

from app.domain.doses import MIN_DAYS_BETWEEN_TREATMENTS
from app.domain.values import format_units
from app.services.glance import CourseDepths, ToxinGlance
from app.services.store import Store
from ui.common import format as fmt
from ui.common.widgets import button, hbox, label, scroll_body, vbox
from ui.shell.glance_course import DepthChart
from ui.shell.glance_photos import PhotoStrip
from ui.shell.glance_style import (
    APART,
    GRID,
    INK,
    MUTED,
    SMALL_PX,
    TEXT_PX,
    TOO_SOON,
    ZONE_COLOURS,
    font,
    luminance,
)


def _nice_top(value: Decimal) -> Decimal:
    """The axis' top: the next of 5, 10, 20, 25, 50, 100... units at or above `value`."""
    top = Decimal(5)
    steps = (Decimal(2), Decimal("1.25"), Decimal(2))
    i = 0
    while top < value:
        top *= steps[i % 3]
        i += 1
    return top


@dataclass(frozen=True, slots=True)
class Bar:
    visit_id: int
    zone: str
    units: Decimal
    rect: QRectF
    touch_up: bool


class DoseChart(QWidget):
    """One product: a column per charted visit, its zones stacked, the total on top."""

    def __init__(self, glance: ToxinGlance, product: str, name: str) -> None:
        super().__init__()
        self.setObjectName(f"doseChart_{product}")
        self.glance, self.product, self.name = glance, product, name
        self.visits = [v for v in glance.visits if product in v.units]
        self.zones = glance.zones(product)
        self.colours = {
            z: QColor(ZONE_COLOURS[i % len(ZONE_COLOURS)]) for i, z in enumerate(self.zones)
        }
        self.top = _nice_top(
            max((v.product_total(product) for v in self.visits), default=Decimal(1))
        )
        self.bars: list[Bar] = []
        legend_rows = (len(self.zones) + 2) // 3
        self.setMinimumHeight(300 + 30 * legend_rows)

    def _plot(self) -> QRectF:
        legend_rows = (len(self.zones) + 2) // 3
        top = 16 + 30 * legend_rows + 34  # the legend, then room for the tallest total
        bottom = self.height() - 62  # the dates and "touch-up" under the columns
        return QRectF(70, top, self.width() - 90, bottom - top)

    def layout_bars(self) -> list[Bar]:
        plot = self._plot()
        n = max(len(self.visits), 1)
        slot = plot.width() / n
        width = min(96.0, slot * 0.55)
        per_unit = plot.height() / float(self.top)
        bars = []
        for i, v in enumerate(self.visits):
            x = plot.left() + slot * i + (slot - width) / 2
            y = plot.bottom()
            for zone in self.zones:
                units = v.units[self.product].get(zone)
                if not units:
                    continue
                h = float(units) * per_unit
                bars.append(Bar(v.visit_id, zone, units, QRectF(x, y - h, width, h), v.touch_up))
                y -= h
        return bars

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.bars = self.layout_bars()
        plot = self._plot()
        # legend: a swatch and the zone's name, three to a row
        p.setFont(font())
        col_w = (self.width() - 90) / 3
        for i, zone in enumerate(self.zones):
            x = 70 + col_w * (i % 3)
            y = 16.0 + 30 * (i // 3)
            p.fillRect(QRectF(x, y + 4, 18, 18), self.colours[zone])
            p.setPen(INK)
            p.drawText(QRectF(x + 26, y, col_w - 30, 26), Qt.AlignmentFlag.AlignVCenter, zone)
        # the scale: the top and its half, in this product's units only
        p.setFont(font(SMALL_PX))
        for frac in (0.0, 0.5, 1.0):
            y = plot.bottom() - plot.height() * frac
            p.setPen(QPen(GRID, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(MUTED)
            value = format_units(self.top * Decimal(str(frac)))
            p.drawText(QRectF(0, y - 12, 62, 24), Qt.AlignmentFlag.AlignRight, f"{value} U")
        p.setFont(font(SMALL_PX, bold=True))
        for bar in self.bars:
            colour = self.colours[bar.zone]
            p.fillRect(bar.rect, colour)
            if bar.touch_up:  # hatched: a touch-up adds to its treatment
                p.fillRect(bar.rect, QBrush(QColor(255, 255, 255, 150), Qt.BrushStyle.BDiagPattern))
            if bar.rect.height() >= SMALL_PX + 6:  # the segment's own units, where they fit
                p.setPen(INK if luminance(colour) > 0.18 else Qt.GlobalColor.white)
                p.drawText(bar.rect, Qt.AlignmentFlag.AlignCenter, format_units(bar.units))
        slot = plot.width() / max(len(self.visits), 1)
        for i, v in enumerate(self.visits):
            x = plot.left() + slot * i
            column = [b.rect for b in self.bars if b.visit_id == v.visit_id]
            top = min((r.top() for r in column), default=plot.bottom())
            p.setPen(INK)
            p.setFont(font(TEXT_PX, bold=True))
            total = f"{format_units(v.product_total(self.product))} U"
            p.drawText(QRectF(x, top - 28, slot, 26), Qt.AlignmentFlag.AlignCenter, total)
            p.setFont(font(SMALL_PX))
            p.drawText(
                QRectF(x, plot.bottom() + 6, slot, 24),
                Qt.AlignmentFlag.AlignCenter,
                fmt.day(v.visit_date),
            )
            if v.touch_up:
                p.setPen(MUTED)
                p.drawText(
                    QRectF(x, plot.bottom() + 30, slot, 24),
                    Qt.AlignmentFlag.AlignCenter,
                    "touch-up",
                )
        p.end()


@dataclass(frozen=True, slots=True)
class GapMark:
    start: date
    end: date
    days: int
    too_soon: bool
    rect: QRectF


class IntervalChart(QWidget):
    """Treatments on a line of days; each gap labelled in days, red under the minimum."""

    def __init__(self, glance: ToxinGlance, today: date | None = None) -> None:
        super().__init__()
        self.setObjectName("intervalChart")
        self.glance = glance
        self.today = today or date.today()
        self.gaps: list[GapMark] = []
        self.setMinimumHeight(160)

    def _x(self, day: date, first: date, last: date) -> float:
        span = max((last - first).days, 1)
        return 40 + (self.width() - 80) * (day - first).days / span

    def layout_gaps(self) -> list[GapMark]:
        days = self.glance.treatments
        if not days:
            return []
        first, last = days[0], max(days[-1], self.today)
        marks = []
        for gap in self.glance.gaps:
            x0, x1 = self._x(gap.start, first, last), self._x(gap.end, first, last)
            marks.append(
                GapMark(gap.start, gap.end, gap.days, gap.too_soon, QRectF(x0, 70, x1 - x0, 10))
            )
        return marks

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.gaps = self.layout_gaps()
        days = self.glance.treatments
        p.setFont(font())
        if not days:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No treatment charted yet.")
            p.end()
            return
        first, last = days[0], max(days[-1], self.today)
        for gap in self.gaps:
            colour = TOO_SOON if gap.too_soon else APART
            p.fillRect(gap.rect, colour)
            p.setPen(colour)
            words = f"{gap.days} days" + (
                f" (under {MIN_DAYS_BETWEEN_TREATMENTS})" if gap.too_soon else ""
            )
            p.setFont(font(TEXT_PX, bold=True))
            p.drawText(
                QRectF(gap.rect.left(), 30, max(gap.rect.width(), 120), 30),
                Qt.AlignmentFlag.AlignCenter,
                words,
            )
        since = (self.today - days[-1]).days
        x_last, x_today = self._x(days[-1], first, last), self._x(self.today, first, last)
        if x_today > x_last:
            p.setPen(QPen(MUTED, 2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x_last, 75), QPointF(x_today, 75))
        p.setFont(font(SMALL_PX))
        for day in days:
            x = self._x(day, first, last)
            p.setPen(QPen(INK, 2))
            p.setBrush(INK)
            p.drawEllipse(QPointF(x, 75), 8, 8)
            left = min(max(x - 80, 0.0), self.width() - 160.0)  # whole, even at the ends
            p.drawText(QRectF(left, 90, 160, 26), Qt.AlignmentFlag.AlignCenter, fmt.day(day))
        p.setPen(MUTED)
        earliest = days[-1] + timedelta(days=MIN_DAYS_BETWEEN_TREATMENTS)
        p.drawText(
            QRectF(0, 120, self.width() - 10, 26),
            Qt.AlignmentFlag.AlignRight,
            f"Today: {since} days since the last treatment; the next from {fmt.day(earliest)}",
        )
        p.end()


class GlanceDialog(QDialog):
    """Over the patient page, filling its window: the charts, and Close."""

    def __init__(
        self,
        parent: QWidget,
        patient_line: str,
        glance: ToxinGlance,
        names: dict[str, str],
        courses: tuple[CourseDepths, ...] = (),
        photos: tuple[Store, int] | None = None,
    ) -> None:
        """`courses`: the patient's microneedling courses; `photos`: (store, patient id) for
        the row of photos across visits."""
        super().__init__(parent.window())  # over the whole window, the page's top bar too
        self.setObjectName("glanceDialog")
        self.setWindowTitle("At a glance")
        self.setModal(True)
        window = parent.window()
        self.resize(window.width() - 48, window.height() - 48)
        lay = vbox(self, margins=24, spacing=12)
        top = hbox(spacing=12)
        heading = label(f"At a glance — {patient_line}", "heading")
        heading.setObjectName("glancePatient")
        heading.setWordWrap(True)
        top.addWidget(heading, 1)
        self.close_button = button("Close", "primary")
        self.close_button.setObjectName("closeGlance")
        self.close_button.setMinimumWidth(160)
        self.close_button.clicked.connect(self.accept)
        top.addWidget(self.close_button)
        lay.addLayout(top)
        area, col = scroll_body(margins=0, spacing=10)
        self.scroll_area = area
        self.photo_strip: PhotoStrip | None = None
        if photos is not None:
            self.photo_strip = PhotoStrip(*photos)
            col.addWidget(self.photo_strip)
        self.depth_charts: list[DepthChart] = []
        for i, course in enumerate(courses, start=1):
            done = f"{len(course.sessions)} of {course.planned} sessions"
            which = f"course {i} " if len(courses) > 1 else "course "
            col.addWidget(
                label(
                    f"Microneedling {which}({done}): needle depth per area in mm, "
                    "×passes in the bar",
                    "section",
                )
            )
            depth = DepthChart(course, i)
            col.addWidget(depth)
            self.depth_charts.append(depth)
        self.dose_charts: dict[str, DoseChart] = {}
        if not glance.visits:
            col.addWidget(label("No toxin chart saved for this patient yet.", "muted"))
        for product in glance.products:
            col.addWidget(
                label(f"{names.get(product, product)}: units per zone at each visit", "section")
            )
            chart = DoseChart(glance, product, names.get(product, product))
            col.addWidget(chart)
            self.dose_charts[product] = chart
        col.addWidget(
            label(
                f"Time between treatments (at least {MIN_DAYS_BETWEEN_TREATMENTS} days)", "section"
            )
        )
        self.interval_chart = IntervalChart(glance)
        col.addWidget(self.interval_chart)
        col.addStretch(1)
        lay.addWidget(area, 1)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def showEvent(self, event: QShowEvent) -> None:
        """Centred over its window, as the platforms with a window manager place it: this one
        nearly fills the window, so anywhere else part of it would be off the screen."""
        super().showEvent(event)
        window = self.parentWidget() or self
        self.move(window.mapToGlobal(window.rect().center()) - self.rect().center())
