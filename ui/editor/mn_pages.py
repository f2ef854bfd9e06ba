"""The side pages of a microneedling chart: the Areas summary (areas treated, depth per area,
passes, with the depth legend of the shading) and the Session page (device, cartridge and its
lot, serum, anaesthetic time, endpoint, Fitzpatrick type, reaction, aftercare, the course, and
the contraindication check asked before a course's first session). Nothing of units or label
doses: that is the toxin chart's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.chart import ChartContent
from app.domain.microneedling import (
    CONTRAINDICATIONS,
    DEPTH_COLOURS,
    DEPTHS,
    ENDPOINTS,
    FITZPATRICK,
    ContraindicationCheck,
    MicroneedlingSession,
    format_depth,
)
from app.domain.mn_totals import depth_warnings, mn_totals
from app.domain.soft_warnings import NEEDLE_DEPTH
from ui.editor.controls import TOUCH, Choice, touch_button
from ui.editor.mn_edits import AreaEdits
from ui.editor.point_sheet import heading

ANSWERS = (("no", "No"), ("yes", "Yes"))


def _swatch(colour: str) -> QPixmap:
    pm = QPixmap(22, 22)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor("#10161C"))
    p.setBrush(QColor(colour))
    p.drawRoundedRect(1, 1, 20, 20, 4, 4)
    p.end()
    return pm


def _line(text: str, name: str = "totalLine") -> QLabel:
    lab = QLabel(text)
    lab.setObjectName(name)
    lab.setWordWrap(True)
    return lab


class DepthLegend(QFrame):
    """The colours the areas are shaded with, shallow to deep."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("depthLegend")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        for i, (d, colour) in enumerate(zip(DEPTHS, DEPTH_COLOURS, strict=True)):
            sw = QLabel()
            sw.setPixmap(_swatch(colour))
            text = QLabel(f"{format_depth(d)} mm")
            text.setObjectName("legendText")
            grid.addWidget(sw, i // 2, (i % 2) * 2)
            grid.addWidget(text, i // 2, (i % 2) * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)


class AreasPanel(QFrame):
    """Areas treated, depth per area, passes; the depth warnings; the course line."""

    def __init__(self, view_name: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("areasPanel")
        self.view_name = view_name
        self.view_order: tuple[str, ...] = ()
        self.warnings_on: Callable[[], bool] = lambda: True
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(6)
        self.course = _line("", "sheetHint")
        self.course.hide()
        lay.addWidget(self.course)
        self.summary = QLabel("")
        self.summary.setObjectName("sheetTitle")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.lines_box = QVBoxLayout()
        self.lines_box.setSpacing(2)
        lay.addLayout(self.lines_box)
        self.warning = QLabel("")
        self.warning.setObjectName("warning")
        self.warning.setProperty("kind", NEEDLE_DEPTH)
        self.warning.setWordWrap(True)
        self.warning.hide()
        lay.addWidget(self.warning)
        lay.addWidget(heading("Shading: needle depth"))
        self.legend = DepthLegend()
        lay.addWidget(self.legend)
        lay.addStretch(1)
        self.lines: list[str] = []

    def refresh(self, content: ChartContent) -> None:
        t = mn_totals(content, self.view_order)
        deepest = f", deepest {format_depth(t.deepest)} mm" if t.deepest is not None else ""
        self.summary.setText(
            f"{t.areas} area{'s' if t.areas != 1 else ''} treated · "
            f"{t.passes} pass{'es' if t.passes != 1 else ''}{deepest}"
            if t.areas
            else "No areas yet. Choose Area or Brush and draw the treated regions."
        )
        while self.lines_box.count():
            item = self.lines_box.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.lines = []
        for view in dict.fromkeys(ln.view for ln in t.lines):
            sub = _line(self.view_name(view), "totalSub")
            self.lines_box.addWidget(sub)
            for ln in (x for x in t.lines if x.view == view):
                note = f" ({ln.note})" if ln.note else ""
                text = (
                    f"{ln.name or 'Unnamed area'}{note}: {format_depth(ln.depth_mm)} mm, "
                    f"{ln.passes} pass{'es' if ln.passes != 1 else ''}"
                    + (" ⚠" if ln.above_usual else "")
                )
                self.lines.append(text)
                self.lines_box.addWidget(_line(text))
        said = depth_warnings(content) if self.warnings_on() else []
        self.warning.setText("\n".join(f"⚠ {w.text}" for w in said))
        self.warning.setVisible(bool(said))

    def set_course(self, text: str) -> None:
        self.course.setText(text)
        self.course.setVisible(bool(text))


class ContraindicationCard(QFrame):
    """Asked before a course's first session; the answers are recorded with the chart. A yes
    is said plainly, never a block: the clinician decides."""

    def __init__(self, changed: Callable[[ContraindicationCheck], None]) -> None:
        super().__init__()
        self.setObjectName("contraCard")
        self.setProperty("card", True)
        self.changed = changed
        self.check = ContraindicationCheck()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.setSpacing(6)
        title = QLabel("Before the first session: contraindications")
        title.setObjectName("sheetHeading")
        title.setWordWrap(True)
        lay.addWidget(title)
        self.choices: dict[str, Choice] = {}
        for key, question in CONTRAINDICATIONS:
            q = QLabel(question)
            q.setWordWrap(True)
            lay.addWidget(q)
            c = Choice(list(ANSWERS), 2, f"contra_{key}")
            c.chosen.connect(lambda v, k=key: self._answered(k, v == "yes"))
            self.choices[key] = c
            lay.addWidget(c)
        self.state = QLabel("")
        self.state.setWordWrap(True)
        lay.addWidget(self.state)

    def _answered(self, key: str, yes: bool) -> None:
        self.changed(self.check.with_answer(key, yes))

    def show_check(self, check: ContraindicationCheck | None) -> None:
        self.check = check or ContraindicationCheck()
        for key, c in self.choices.items():
            a = self.check.answer(key)
            c.set_value(None if a is None else ("yes" if a else "no"))
        names = dict(CONTRAINDICATIONS)
        if self.check.positives:
            text = "⚠ Answered yes: " + "; ".join(names[k] for k in self.check.positives)
            self.state.setObjectName("warning")
        elif self.check.complete:
            text = "All answered no."
            self.state.setObjectName("sheetHint")
        else:
            text = "Tap an answer to each question."
            self.state.setObjectName("sheetHint")
        self.state.setText(text)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)


class SessionPanel(QFrame):
    """The session record, by touch where the answers are few, typed where they are names."""

    def __init__(self, edits: AreaEdits, visit_date: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionPanel")
        self.edits = edits
        self.visit_date = visit_date
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(6)
        self.course = QLabel("")
        self.course.setObjectName("sheetTitle")
        self.course.setWordWrap(True)
        lay.addWidget(self.course)
        self.course_row = QWidget()
        crow = QHBoxLayout(self.course_row)
        crow.setContentsMargins(0, 0, 0, 0)
        self.planned_minus = touch_button("−", "plannedMinus")
        self.planned = QLabel("")
        self.planned.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.planned_plus = touch_button("+", "plannedPlus")
        crow.addWidget(QLabel("Sessions planned"), 1)
        crow.addWidget(self.planned_minus)
        crow.addWidget(self.planned)
        crow.addWidget(self.planned_plus)
        lay.addWidget(self.course_row)
        self.close_course = touch_button("Close the course after today", "closeCourse", True)
        lay.addWidget(self.close_course)

        self.contra = ContraindicationCard(self._contra)
        lay.addWidget(self.contra)

        self.fields: dict[str, QLineEdit] = {}
        for key, title, hint in (
            ("device", "Device", "e.g. SkinPen Precision"),
            ("cartridge", "Cartridge", "e.g. 14-needle cartridge"),
            ("cartridge_lot", "Cartridge lot", "Lot number on the cartridge pack"),
            ("serum", "Serum or topical", "e.g. hyaluronic acid gel"),
        ):
            lay.addWidget(heading(title))
            lay.addWidget(self._field(key, hint))

        lay.addWidget(heading("Topical anaesthetic applied at"))
        arow = QHBoxLayout()
        self.anaesthetic = QLineEdit()
        self.anaesthetic.setObjectName("mn_anaesthetic")
        self.anaesthetic.setMinimumHeight(TOUCH)
        self.anaesthetic.setPlaceholderText("HH:MM")
        self.anaesthetic.setInputMask("99:99;_")
        self.anaesthetic_now = touch_button("Now", "anaestheticNow")
        self.anaesthetic_clear = touch_button("None", "anaestheticNone")
        arow.addWidget(self.anaesthetic, 1)
        arow.addWidget(self.anaesthetic_now)
        arow.addWidget(self.anaesthetic_clear)
        lay.addLayout(arow)

        lay.addWidget(heading("Endpoint reached"))
        self.endpoint = Choice([(e, e) for e in ENDPOINTS], 1, "endpoint")
        lay.addWidget(self.endpoint)
        lay.addWidget(heading("Skin type (Fitzpatrick)"))
        self.fitzpatrick = Choice(
            [(str(i + 1), r) for i, r in enumerate(FITZPATRICK)], 3, "fitzpatrick"
        )
        lay.addWidget(self.fitzpatrick)
        for key, title, hint in (
            ("reaction", "Skin reaction", "e.g. even erythema, settled in the room"),
            ("aftercare", "Aftercare given", "e.g. SPF 50, no make-up for 24 h"),
        ):
            lay.addWidget(heading(title))
            lay.addWidget(self._field(key, hint))
        lay.addStretch(1)

        self.endpoint.chosen.connect(lambda v: self._set(endpoint=v))
        self.fitzpatrick.chosen.connect(lambda v: self._set(fitzpatrick=int(v)))
        self.anaesthetic.editingFinished.connect(self._anaesthetic_typed)
        self.anaesthetic_now.clicked.connect(self._anaesthetic_now)
        self.anaesthetic_clear.clicked.connect(lambda: self._set(anaesthetic_at=None))
        self.planned_minus.clicked.connect(lambda: self._plan(-1))
        self.planned_plus.clicked.connect(lambda: self._plan(1))
        self.close_course.clicked.connect(lambda on: self._set(course_closed=bool(on)))
        self.first_of_course = True

    def _field(self, key: str, hint: str) -> QLineEdit:
        f = QLineEdit()
        f.setObjectName(f"mn_{key}")
        f.setMinimumHeight(TOUCH)
        f.setPlaceholderText(hint)
        f.editingFinished.connect(lambda k=key, w=f: self._typed(k, w))
        self.fields[key] = f
        return f

    @property
    def record(self) -> MicroneedlingSession:
        return self.edits.record

    def _set(self, **changes: Any) -> None:
        # the record's own __post_init__ checks each value (a skin type 1–6, a UTC time)
        self.edits.set_record(replace(self.record, **changes))

    def _typed(self, key: str, field: QLineEdit) -> None:
        text = field.text().strip()
        if getattr(self.record, key) != text:
            self._set(**{key: text})

    def _contra(self, check: ContraindicationCheck) -> None:
        self._set(contraindications=check)

    def _plan(self, delta: int) -> None:
        planned = (self.record.course_sessions or 3) + delta
        self._set(course_sessions=min(max(planned, 1), 12))

    def _anaesthetic_now(self) -> None:
        self._set(anaesthetic_at=datetime.now(UTC).replace(second=0, microsecond=0))

    def _anaesthetic_typed(self) -> None:
        text = self.anaesthetic.text()
        try:
            hh, mm = (int(x) for x in text.split(":"))
            local = datetime.combine(self.visit_date, time(hh, mm)).astimezone()
        except ValueError:
            return  # incomplete: left as it was
        at = local.astimezone(UTC)
        if at != self.record.anaesthetic_at:
            self._set(anaesthetic_at=at)

    def show_record(self, record: MicroneedlingSession, course_text: str) -> None:
        self.course.setText(course_text)
        self.course_row.setVisible(self.first_of_course)
        self.close_course.setVisible(not self.first_of_course)
        self.planned.setText(str(record.course_sessions or 3))
        self.close_course.setChecked(record.course_closed)
        # asked before the first session; shown later only where it was answered
        self.contra.setVisible(self.first_of_course or record.contraindications is not None)
        self.contra.show_check(record.contraindications)
        for key, f in self.fields.items():
            if not f.hasFocus():
                f.setText(str(getattr(record, key)))
                f.setCursorPosition(0)  # the start of a long name shows
        if not self.anaesthetic.hasFocus():
            at = record.anaesthetic_at
            self.anaesthetic.setText(at.astimezone().strftime("%H:%M") if at else "")
        self.endpoint.set_value(record.endpoint or None)
        self.fitzpatrick.set_value(str(record.fitzpatrick) if record.fitzpatrick else None)

    def finish_typing(self) -> None:
        for key, f in self.fields.items():
            if f.hasFocus():
                self._typed(key, f)
        if self.anaesthetic.hasFocus():
            self._anaesthetic_typed()
