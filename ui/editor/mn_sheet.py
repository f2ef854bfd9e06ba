"""The sheet of one microneedling area, filled in by touch: its name (the built-in areas, the
clinic's own list from Settings, or a name typed), the needle depth (0.25–2.5 mm; the area's
usual range marked, its lower end offered first, a soft warning above it), passes, and a note.
While an outline is being tapped out, the sheet offers Finish and Cancel for it instead."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.microneedling import AREA_KINDS, DEPTHS, TreatedArea, area_kind, format_depth
from app.domain.mn_totals import depth_warning
from app.domain.soft_warnings import NEEDLE_DEPTH
from ui.editor.controls import TOUCH, Choice, touch_button
from ui.editor.mn_edits import AreaEdits
from ui.editor.point_sheet import heading

NAME_PADDING = 16  # px each side of a clinic name's button text


class AreaSheet(QFrame):
    def __init__(
        self, edits: AreaEdits, clinic_names: Sequence[str] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.edits = edits
        self.clinic_names = list(clinic_names)  # app/services/area_names.py, read at opening
        self.setObjectName("areaSheet")
        self.area: TreatedArea | None = None
        self.finish_drawing: Callable[[], object] = lambda: None
        self.cancel_drawing: Callable[[], None] = lambda: None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.title = QLabel("Area")
        self.title.setObjectName("sheetTitle")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.delete = touch_button("Delete", "deleteArea", role="danger")
        top.addWidget(self.delete)
        lay.addLayout(top)

        # Finish / Cancel of the outline being tapped out (hidden otherwise).
        self.drawing = QWidget()
        row = QHBoxLayout(self.drawing)
        row.setContentsMargins(0, 0, 0, 0)
        self.finish = touch_button("Finish area", "finishArea", role="primary")
        self.cancel = touch_button("Cancel", "cancelArea")
        row.addWidget(self.finish, 1)
        row.addWidget(self.cancel)
        self.drawing.hide()
        lay.addWidget(self.drawing)

        self.body = QWidget()
        lay.addWidget(self.body)
        lay.addStretch(1)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(8)
        body.addWidget(heading("Area"))
        self.name = Choice([(k.name, k.name) for k in AREA_KINDS], 2, "areaName")
        body.addWidget(self.name)
        # the clinic's own areas (Settings), tapped like the standard ones; one a row, as a
        # clinic's name may be longer than half the panel
        self.clinic_heading = heading("This clinic's areas")
        body.addWidget(self.clinic_heading)
        self.clinic = Choice([(n, n) for n in self.clinic_names], 1, "clinicAreaName")
        for name, b in self.clinic.buttons.items():
            # a long name is cut short with "…" to the panel's width, never widening it
            b.setSizePolicy(QSizePolicy.Policy.Ignored, b.sizePolicy().verticalPolicy())
            b.setToolTip(name)
            b.setAccessibleName(name)
            b.installEventFilter(self)
        body.addWidget(self.clinic)
        self.clinic_heading.setVisible(bool(self.clinic_names))
        self.clinic.setVisible(bool(self.clinic_names))
        self.other = QLineEdit()
        self.other.setObjectName("areaOtherName")
        self.other.setMinimumHeight(TOUCH)
        self.other.setPlaceholderText("Another area (type its name)")
        body.addWidget(self.other)

        body.addWidget(heading("Needle depth (mm)"))
        self.depth_choice = Choice(
            [(format_depth(d), format_depth(d)) for d in DEPTHS], 5, "needleDepth"
        )
        body.addWidget(self.depth_choice)
        self.usual = QLabel("")
        self.usual.setObjectName("sheetHint")
        self.usual.setWordWrap(True)
        body.addWidget(self.usual)
        self.warning = QLabel("")
        self.warning.setObjectName("warning")
        self.warning.setProperty("kind", NEEDLE_DEPTH)
        self.warning.setWordWrap(True)
        self.warning.hide()
        body.addWidget(self.warning)

        body.addWidget(heading("Passes"))
        prow = QHBoxLayout()
        self.minus = touch_button("−", "passesMinus")
        self.passes = QLabel("")
        self.passes.setObjectName("unitsValue")
        self.passes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passes.setMinimumHeight(TOUCH)
        self.plus = touch_button("+", "passesPlus")
        for w in (self.minus, self.plus):
            w.setMinimumWidth(72)
        prow.addWidget(self.minus)
        prow.addWidget(self.passes, 1)
        prow.addWidget(self.plus)
        body.addLayout(prow)

        body.addWidget(heading("Note"))
        self.note = QLineEdit()
        self.note.setObjectName("areaNote")
        self.note.setMinimumHeight(TOUCH)
        self.note.setPlaceholderText("Optional")
        body.addWidget(self.note)

        e = edits
        self.name.chosen.connect(lambda v: self._on_area(lambda aid: e.set_name(aid, v)))
        self.clinic.chosen.connect(lambda v: self._on_area(lambda aid: e.set_name(aid, v)))
        self.other.editingFinished.connect(self._other_done)
        self.depth_choice.chosen.connect(
            lambda v: self._on_area(lambda aid: e.set_depth(aid, Decimal(v)))
        )
        self.minus.clicked.connect(lambda: self._step(-1))
        self.plus.clicked.connect(lambda: self._step(1))
        self.note.editingFinished.connect(self._note_done)
        self.delete.clicked.connect(lambda: self._on_area(e.delete))
        self.finish.clicked.connect(lambda: self.finish_drawing())
        self.cancel.clicked.connect(lambda: self.cancel_drawing())

    def _on_area(self, edit: Callable[[str], None]) -> None:
        if self.area is not None:
            edit(self.area.id)

    def _step(self, delta: int) -> None:
        if self.area is not None:
            self.edits.set_passes(self.area.id, self.area.passes + delta)

    def _other_done(self) -> None:
        text = self.other.text().strip()
        if self.area is not None and text and text != self.area.name:
            self.edits.set_name(self.area.id, text)

    def _note_done(self) -> None:
        if self.area is not None and self.note.text() != self.area.note:
            self.edits.set_note(self.area.id, self.note.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QPushButton):
            name = watched.accessibleName()
            room = max(watched.width() - 2 * NAME_PADDING, 48)
            elide = Qt.TextElideMode.ElideRight
            watched.setText(watched.fontMetrics().elidedText(name, elide, room))
        return False

    def _listed(self, name: str) -> str | None:
        """The clinic's list's spelling of `name` (a name typed before it was listed, in
        another case, is still that name)."""
        folded = " ".join(name.split()).casefold()
        return next((n for n in self.clinic_names if n.casefold() == folded), None)

    def show_drawing(self, corners: int) -> None:
        """An outline is being tapped out: say how to close it."""
        self.drawing.setVisible(corners > 0)
        self.finish.setEnabled(corners >= 3)
        if corners:
            self.title.setText(
                f"Drawing an area: {corners} corner{'s' if corners != 1 else ''}. "
                "Tap the first corner again, or Finish, to close it."
            )
        elif self.area is None:
            self.show_empty()

    def show_empty(self) -> None:
        self.area = None
        self.title.setText(
            "No area chosen. Choose Area on the left and tap the corners of a treated region "
            "(or Brush, and paint it); tap an area to see it here."
        )
        self.body.hide()
        self.delete.hide()

    def show_area(self, view_name: str, area: TreatedArea) -> None:
        self.area = area
        self.body.show()
        self.delete.show()
        self.title.setText(f"{area.name or 'Unnamed area'} on {view_name}")
        kind = area_kind(area.name)
        self.name.set_value(kind.name if kind else None)
        listed = self._listed(area.name)
        self.clinic.set_value(listed)
        if not self.other.hasFocus():
            self.other.setText("" if kind or listed or not area.name else area.name)
        self.depth_choice.set_value(format_depth(area.depth_mm))
        for value, b in self.depth_choice.buttons.items():
            usual = kind is not None and kind.usual_low <= Decimal(value) <= kind.usual_high
            if b.property("usual") != usual:
                b.setProperty("usual", usual)
                b.style().unpolish(b)
                b.style().polish(b)
        if kind is not None:
            self.usual.setText(
                f"Usual for {kind.name.lower()}: {format_depth(kind.usual_low)}–"
                f"{format_depth(kind.usual_high)} mm (marked); "
                f"{format_depth(kind.usual_low)} mm offered first."
            )
        else:
            self.usual.setText("No usual range for this area: choose the depth.")
        w = depth_warning(area) if self.edits.session.safety.on(NEEDLE_DEPTH) else None
        self.warning.setText(f"⚠ {w.text}" if w else "")
        self.warning.setVisible(w is not None)
        self.passes.setText(str(area.passes))  # under "Passes": the number alone fits 1280 px
        self.minus.setEnabled(area.passes > 1)
        if not self.note.hasFocus():
            self.note.setText(area.note)
