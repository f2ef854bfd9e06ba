"""Live totals, per product only (units of different products are never added): the visit,
each side, each muscle/zone with L/R, each view; and the soft warnings above them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.domain.chart import ChartContent
from app.domain.soft_warnings import Warning
from app.domain.totals import ProductTotal, dose_warnings, guessed_side_warning, totals
from app.domain.values import format_units


def u(value: Decimal) -> str:
    return f"{format_units(value)} U"


def product_lines(t: ProductTotal, view_name: Callable[[str], str]) -> list[str]:
    """What the panel says about one product, as plain lines (also what the tests read).
    Lines ending in ':' are sub-headings."""
    lines = [f"Visit: {u(t.total)} in {t.points} point{'s' if t.points != 1 else ''}"]
    lines.append(f"Patient's right {u(t.right)} · left {u(t.left)}")
    lines.append("By muscle / zone:")
    for zone in sorted(t.zones.values(), key=lambda z: z.zone):
        name = zone.zone or "no zone"
        parts = []
        if zone.right or zone.left:
            parts.append(f"R {format_units(zone.right)} · L {format_units(zone.left)}")
        if zone.midline:
            parts.append(f"midline {format_units(zone.midline)}")
        if zone.guessed:
            parts.append("side guessed")
        lines.append(f"{name}: {u(zone.total)} ({', '.join(parts)})")
    lines.append("By view:")
    for view, units in t.views.items():
        lines.append(f"{view_name(view)}: {u(units)}")
    return lines


class TotalsPanel(QFrame):
    def __init__(
        self,
        product_name: Callable[[str], str],
        view_name: Callable[[str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("totalsPanel")
        self.product_name = product_name
        self.view_name = view_name
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(12, 12, 12, 12)
        self.lay.setSpacing(6)
        # The chart's soft warnings, the clinic's switches applied (the treatment passes the
        # session's `SafetyChecks.for_chart`); alone, the panel knows only the label doses.
        self.warnings_of: Callable[[ChartContent], list[Warning]] = lambda c: dose_warnings(
            totals(c)
        )
        # The course (original + touch-ups) beside today's totals, when there is one
        # (ui/overlay/attach.py); today's totals above never count an earlier point.
        self.course: Callable[[ChartContent], list[str]] | None = None
        # The last 3 months beside the cumulative limit, the course per area (app/domain/
        # across_visits.py): lines like the course's, sub-headings end in ':'.
        self.across: Callable[[ChartContent], list[str]] | None = None
        self._warnings: list[Warning] = []
        self._lines: dict[str, list[str]] = {}
        self._course_lines: list[str] = []
        self._across_lines: list[str] = []
        self._labels: list[QLabel] = []  # shown in order; spare ones hidden
        self._rows: list[tuple[str, str, str | None]] = []
        self._due: ChartContent | None = None  # refreshed for, not yet worked out
        self._rows_due: list[tuple[str, str, str | None]] | None = None  # worked out, unshown
        # Held while the editor opens: the first view paints first, the totals right after
        # it (`release`, behind the first paint): the soft warnings over every point and some
        # fifty styled labels were a twentieth of the wait for the chart.
        self._held = False
        self._first_show = False  # the next show is the opening's (while held)
        self.lay.addStretch(1)

    # What the page says, always of the last content refreshed for (also what tests read).
    @property
    def warnings(self) -> list[Warning]:
        self._work_out()
        return self._warnings

    @property
    def lines(self) -> dict[str, list[str]]:
        self._work_out()
        return self._lines

    @property
    def course_lines(self) -> list[str]:
        self._work_out()
        return self._course_lines

    @property
    def across_lines(self) -> list[str]:
        self._work_out()
        return self._across_lines

    def refresh(self, content: ChartContent) -> None:
        """The chart changed. Worked out now if the page can be seen; otherwise when it is
        shown or read: while the point sheet is in front, a tap neither runs the chart's
        soft warnings over every point nor lays out a hidden page."""
        self._due = content
        if self.isVisible() and not self._held:
            self._work_out()

    def hold(self) -> None:
        """Not worked out when first shown (the chart's opening): at `release`."""
        self._held = True
        self._first_show = True

    def release(self) -> None:
        if self._held:
            self._held = False
            if self.isVisible():
                self._bring_up()

    def showEvent(self, event: QShowEvent) -> None:
        # Held for the opening's show only: shown again (a tap on its tab), it says its lines.
        first, self._first_show = self._first_show, False
        if not (self._held and first):
            self._held = False
            self._bring_up()
        super().showEvent(event)

    def _bring_up(self) -> None:
        self._work_out()
        rows, self._rows_due = self._rows_due, None
        if rows is not None:
            self._show(rows)

    def _work_out(self) -> None:
        content, self._due = self._due, None
        if content is None:
            return
        per_product = totals(content)
        # a side guessed without a face is not a safety rule a clinic switches off: always said
        guessed = guessed_side_warning(content)
        self._warnings = [*self.warnings_of(content), *([guessed] if guessed else [])]
        rows: list[tuple[str, str, str | None]] = []  # text, object name, "kind" property
        rows += [(f"⚠ {w.text}", "warning", w.kind) for w in self._warnings]
        if not per_product:
            rows.append(("No injection points yet.", "sheetHint", None))
        self._lines = {}
        for code, t in sorted(per_product.items(), key=lambda kv: self.product_name(kv[0])):
            rows.append((self.product_name(code), "sheetHeading", None))
            self._lines[code] = product_lines(t, self.view_name)
            rows += [
                (ln, "totalSub" if ln.endswith(":") else "totalLine", None)
                for ln in self._lines[code]
            ]
        self._course_lines = self.course(content) if self.course else []
        if self._course_lines:
            rows.append(("Course total (original + touch-ups)", "sheetHeading", None))
            rows += [
                (ln.strip(), "totalLine" if ln.startswith(" ") else "totalSub", None)
                for ln in self._course_lines
            ]
        self._across_lines = self.across(content) if self.across else []
        if self._across_lines:
            rows.append(("Doses across visits", "sheetHeading", None))
            rows += [
                (ln.strip(), "totalLine" if ln.startswith(" ") else "totalSub", None)
                for ln in self._across_lines
            ]
        # The labels follow when they can be seen: numbers read while the page is hidden
        # do not re-lay-out a hidden page.
        if self.isVisible():
            self._rows_due = None
            self._show(rows)
        else:
            self._rows_due = rows

    def _show(self, rows: list[tuple[str, str, str | None]]) -> None:
        """Reuse the labels already there: a tap changes a few numbers, and re-making some
        fifty styled labels per tap was most of what an edit cost the panel."""
        if rows == self._rows:
            return
        for i, (text, name, kind) in enumerate(rows):
            if i < len(self._labels):
                lab = self._labels[i]
            else:
                lab = QLabel()
                lab.setWordWrap(True)
                self.lay.insertWidget(i, lab)  # before the stretch
                self._labels.append(lab)
            if lab.text() != text:
                lab.setText(text)
            if lab.objectName() != name or lab.property("kind") != kind:
                lab.setObjectName(name)
                lab.setProperty("kind", kind)
                # Unpolish/polish alone keeps the old padding and border width (a reused hint
                # label drew a warning clipped, flush to its border): this re-polishes fully.
                lab.setStyleSheet("")
                lab.style().unpolish(lab)
                lab.style().polish(lab)
            lab.show()
        for lab in self._labels[len(rows) :]:
            lab.hide()
        self._rows = rows
