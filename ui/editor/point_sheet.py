"""The sheet of one injection point, filled in without a keyboard: product, units (steppers
and presets), depth, muscle/zone and side. Every tap is one typed operation of the editing
session (one undo step; repeated stepper taps on the same point merge into one)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.chart import ChartContent, InjectionPoint
from app.domain.editing import product_use, zones_for_view
from app.domain.soft_warnings import GLABELLAR_DISTANCE
from app.domain.values import Depth, Side, Source, format_units
from app.services.catalogue import ProductRecord
from ui.common.format import DEPTH_WORDS
from ui.editor.controls import TOUCH, Choice, touch_button
from ui.editor.distance_lines import DistanceLines
from ui.editor.session import EditorSession
from ui.editor.units_keypad import UnitsKeypad

UNIT_PRESETS = ("1", "2", "2.5", "4", "5")
STEP = Decimal("0.5")
REPEAT_DELAY_MS = 450
REPEAT_INTERVAL_MS = 120
DEPTHS = (("intramuscular", "IM"), ("intradermal", "ID"), ("subcutaneous", "SC"))
SIDES = (("right", "Pt's R"), ("midline", "Midline"), ("left", "Pt's L"))


# What the sheet says about where a side or zone came from (None: saved before it was kept).
SIDE_SOURCE_WORDS = {
    Source.FACE: "From the face in the photo. Tap another side to change it.",
    Source.GUESS: "⚠ Side guessed: no face found. Tap the right side to confirm it.",
    Source.HAND: "Set by hand.",
}
ZONE_SOURCE_WORDS = {
    Source.FACE: "Suggested from the face: {zone}. Tap another to change it.",
    Source.GUESS: "Guessed (no face found): {zone}. Tap the right one.",
    Source.HAND: "Set by hand.",
}


def source_label() -> QLabel:
    lab = QLabel("")
    lab.setObjectName("sheetHint")
    lab.setWordWrap(True)
    lab.hide()
    return lab


def show_source(label: QLabel, text: str, guessed: bool) -> None:
    """A guess reads as a warning (the editor style's #warning box), anything else as a hint."""
    label.setText(text)
    label.setVisible(bool(text))
    name = "warning" if guessed else "sheetHint"
    if label.objectName() != name:
        label.setObjectName(name)
        label.setProperty("kind", "side_guessed" if guessed else None)
        label.style().unpolish(label)
        label.style().polish(label)


def heading(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setObjectName("sheetHeading")
    return lab


class PointSheet(QFrame):
    """Shows the selected point; each tap calls the session's operation for that field."""

    def __init__(
        self, session: EditorSession, products: list[ProductRecord], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("pointSheet")
        self.point: InjectionPoint | None = None
        self.view = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.title = QLabel("Point")
        self.title.setObjectName("sheetTitle")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        self.delete = touch_button("Delete", "deletePoint", role="danger")
        top.addWidget(self.delete)
        lay.addLayout(top)
        # Everything below the title: hidden while no point is chosen, so an empty, greyed
        # form never looks like something to fill in.
        self.body = QWidget()
        lay.addWidget(self.body)
        lay.addStretch(1)
        lay = QVBoxLayout(self.body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        # Millimetres from the photo's iris scale: distance to the brow, the safety band.
        self.distance = DistanceLines(session.faces, lambda: session.safety.on(GLABELLAR_DISTANCE))
        lay.addWidget(self.distance)

        lay.addWidget(heading("Product"))
        self.product = Choice([(p.code, p.name.split()[0]) for p in products], 3, "product")
        lay.addWidget(self.product)

        lay.addWidget(heading("Units"))
        row = QHBoxLayout()
        row.setSpacing(8)
        self.minus = touch_button("−", "unitsMinus")
        self.units = QLabel("")
        self.units.setObjectName("unitsValue")
        self.units.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.units.setMinimumHeight(TOUCH)
        self.plus = touch_button("+", "unitsPlus")
        for w in (self.minus, self.plus):
            w.setMinimumWidth(72)
            # Held down, a step repeats (after a pause, so a tap stays one step).
            w.setAutoRepeat(True)
            w.setAutoRepeatDelay(REPEAT_DELAY_MS)
            w.setAutoRepeatInterval(REPEAT_INTERVAL_MS)
        row.addWidget(self.minus)
        row.addWidget(self.units, 1)
        row.addWidget(self.plus)
        lay.addLayout(row)
        self.presets = Choice([(u, u) for u in UNIT_PRESETS], 5, "preset")
        lay.addWidget(self.presets)
        self.keypad_button = touch_button("Keypad", "unitsKeypadToggle", checkable=True)
        lay.addWidget(self.keypad_button)
        self.keypad = UnitsKeypad()
        self.keypad.hide()
        lay.addWidget(self.keypad)
        self.dose_warning = QLabel("")
        self.dose_warning.setObjectName("warning")
        self.dose_warning.setProperty("kind", "label_dose")
        self.dose_warning.setWordWrap(True)
        self.dose_warning.hide()
        lay.addWidget(self.dose_warning)
        self.volume = QLabel("")
        self.volume.setObjectName("volumeText")
        self.volume.setWordWrap(True)
        lay.addWidget(self.volume)

        lay.addWidget(heading("Depth"))
        self.depth_choice = Choice(list(DEPTHS), 3, "depth")
        lay.addWidget(self.depth_choice)
        self.depth_word = QLabel("")
        self.depth_word.setObjectName("sheetHint")
        lay.addWidget(self.depth_word)

        lay.addWidget(heading("Side (the patient's own)"))
        self.side = Choice(list(SIDES), 3, "side")
        lay.addWidget(self.side)
        self.side_source = source_label()
        lay.addWidget(self.side_source)

        lay.addWidget(heading("Muscle / zone"))
        self.zone_source = source_label()
        lay.addWidget(self.zone_source)
        self.zone_box = QVBoxLayout()
        lay.addLayout(self.zone_box)
        self.zone: Choice | None = None

        lay.addWidget(heading("Note"))
        self.note = QLineEdit()
        self.note.setObjectName("pointNote")
        self.note.setMinimumHeight(TOUCH)
        self.note.setPlaceholderText("Optional")
        lay.addWidget(self.note)

        s = session
        self.product.chosen.connect(lambda v: self._on_point(lambda pid: s.set_product(pid, v)))
        self.presets.chosen.connect(
            lambda v: self._on_point(lambda pid: s.set_units(pid, Decimal(v)))
        )
        self.minus.clicked.connect(lambda: self._step(-STEP))
        self.plus.clicked.connect(lambda: self._step(STEP))
        self.depth_choice.chosen.connect(
            lambda v: self._on_point(lambda pid: s.set_depth(pid, Depth(v)))
        )
        self.side.chosen.connect(lambda v: self._on_point(lambda pid: s.set_side(pid, Side(v))))
        self.note.editingFinished.connect(self._note_done)
        self.keypad_button.toggled.connect(self._toggle_keypad)
        self.keypad.entered.connect(self._typed)
        self.delete.clicked.connect(lambda: self._on_point(s.delete_point))

    def _on_point(self, edit: Callable[[str], None]) -> None:
        if self.point is not None:
            edit(self.point.id)

    def _step(self, delta: Decimal) -> None:
        if self.point is not None:
            self.session.set_units(self.point.id, max(self.point.units + delta, Decimal(0)))

    def _toggle_keypad(self, on: bool) -> None:
        if on and self.point is not None:
            self.keypad.start(self.point.units)
        self.keypad.setVisible(on)
        if on:  # the keys below the fold of a 768-px panel: bring them into view
            QTimer.singleShot(0, self, self._keypad_into_view)

    def _keypad_into_view(self) -> None:
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            area.ensureWidgetVisible(self.keypad, 0, 8)

    def _typed(self, units: Decimal) -> None:
        self.keypad_button.setChecked(False)
        if self.point is not None:
            self.session.set_units(self.point.id, units)

    def _note_done(self) -> None:
        if self.point is not None and self.note.text() != self.point.note:
            self.session.set_note(self.point.id, self.note.text())

    def show_empty(self) -> None:
        self.point = None
        self.title.setText(
            "No point chosen. Choose Point on the left, then tap the photo to place one; "
            "tap a point to see it here."
        )
        self.body.hide()
        self.delete.hide()

    def show_point(
        self, view: str, view_name: str, point: InjectionPoint, content: ChartContent
    ) -> None:
        if self.zone is None or view != self.view:
            if self.zone is not None:
                self.zone.setParent(None)
                self.zone.deleteLater()
            # One column: "corrugator supercilii" must read whole at arm's length.
            self.zone = Choice([(z, z) for z in zones_for_view(view)], 1, "zone")
            self.zone.chosen.connect(
                lambda v: self._on_point(lambda pid: self.session.set_zone(pid, v))
            )
            self.zone_box.addWidget(self.zone)
        same = self.point is not None and self.point.id == point.id and view == self.view
        if not same:
            self.keypad_button.setChecked(False)  # a keypad belongs to one point
        self.view = view
        self.point = point
        side = {"left": "patient's left", "right": "patient's right", "midline": "midline"}
        where = side.get(point.side.value, "") if point.side else ""
        if where and point.side_source is Source.GUESS:
            where += " (guessed)"  # above the fold: the sheet's side section may be scrolled off
        self.title.setText(f"Point on {view_name}" + (f" · {where}" if where else ""))
        self.distance.show_for(view, point)
        self.product.set_value(point.product)
        self.units.setText(f"{format_units(point.units)} U")
        # The point's soft warnings (its dose, and the visit's or course's doses it adds to),
        # the clinic's switches applied: said, never enforced.
        # (the glabellar band has its own line under the distance, in DistanceLines)
        said = [
            w
            for w in self.session.safety.for_point(view, point, content)
            if w.kind != GLABELLAR_DISTANCE
        ]
        self.dose_warning.setText("\n".join(f"⚠ {w.text}" for w in said))
        self.dose_warning.setVisible(bool(said))
        units_text = format_units(point.units)
        self.presets.set_value(units_text if units_text in UNIT_PRESETS else None)
        use = product_use(content, point.product)
        if use and use.dilution:
            ml = format_units(use.dilution.volume_ml(point.units).normalize())
            self.volume.setText(
                f"= {ml} mL at {format_units(use.dilution.vial_units)} U in "
                f"{format_units(use.dilution.diluent_ml)} mL"
            )
        else:
            self.volume.setText("Set the dilution under Products to see the volume.")
        self.depth_choice.set_value(point.depth.value)
        self.depth_word.setText(DEPTH_WORDS[point.depth.value])
        self.side.set_value(point.side.value if point.side else None)
        side_words = SIDE_SOURCE_WORDS.get(point.side_source) if point.side_source else ""
        show_source(self.side_source, side_words or "", point.side_source is Source.GUESS)
        zone_words = ZONE_SOURCE_WORDS.get(point.zone_source) if point.zone_source else ""
        show_source(
            self.zone_source,
            (zone_words or "").format(zone=point.zone or "none"),
            point.zone_source is Source.GUESS,
        )
        assert self.zone is not None
        self.zone.set_value(point.zone or None)
        if not self.note.hasFocus():
            self.note.setText(point.note)
        # Shown last: filled in while hidden, the body is laid out once, with what it shows
        # (shown first, each line set after it re-laid out a body it had just laid out).
        self.body.show()
        self.delete.show()
