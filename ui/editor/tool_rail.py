"""The tool rail on the screen's left edge, where a thumb rests while the other hand holds
the pen: tools, pencil colours and style, eraser mode, finger drawing, undo, redo, fit, and
the earlier charts to overlay."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QButtonGroup, QFrame, QGridLayout, QPushButton, QWidget

from ui.editor.controls import touch_button
from ui.editor.items import COLOURS

RAIL_BUTTON = 76  # two columns: "Pencil" and "Eraser" at 13 pt fit without clipping


def swatch(name: str) -> QIcon:
    pm = QPixmap(40, 40)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor("#9AA8B5"))
    p.setBrush(QColor(COLOURS[name]))
    p.drawEllipse(4, 4, 32, 32)
    p.end()
    return QIcon(pm)


# The toxin chart's tools; a treatment plug-in names its own (ui/editor/treatment.py).
# "Ruler": "Measure" does not fit half the rail at 13 pt.
TOXIN_TOOLS: tuple[tuple[str, str], ...] = (
    ("pencil", "Pencil"),
    ("eraser", "Eraser"),
    ("point", "Point"),
    ("measure", "Ruler"),
)


class ToolRail(QFrame):
    def __init__(
        self,
        parent: QWidget | None = None,
        tools: tuple[tuple[str, str], ...] = TOXIN_TOOLS,
        safety_band: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("toolRail")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 8, 8, 8)
        grid.setSpacing(6)
        self.tools = QButtonGroup(self)
        self.tool_buttons: dict[str, QPushButton] = {}
        for i, (name, text) in enumerate(tools):
            b = touch_button(text, f"tool_{name}", checkable=True, role="tool")
            b.setMinimumWidth(RAIL_BUTTON)
            self.tools.addButton(b)
            self.tool_buttons[name] = b
            grid.addWidget(b, i // 2, i % 2)
        row = (len(tools) + 1) // 2
        self.tool_buttons["measure"].setToolTip("Measure: two taps give the distance in mm")
        self.tool_buttons["measure"].setAccessibleName("Measure in millimetres")

        self.colours = QButtonGroup(self)
        self.colour_buttons: dict[str, QPushButton] = {}
        for i, name in enumerate(COLOURS):
            b = touch_button("", f"colour_{name}", checkable=True, role="swatch")
            b.setIcon(swatch(name))
            b.setIconSize(b.iconSize() * 2)
            b.setToolTip(name.capitalize())
            b.setAccessibleName(f"{name} pencil")
            self.colours.addButton(b)
            self.colour_buttons[name] = b
            grid.addWidget(b, row + i // 2, i % 2)
        row += (len(COLOURS) + 1) // 2
        self.dashed = touch_button("Dashed", "dashed", checkable=True, role="tool")
        self.dashed.setToolTip("Dashed line for muscle borders")
        grid.addWidget(self.dashed, row, 0, 1, 2)
        self.whole = touch_button("Erase whole", "eraseWhole", checkable=True, role="tool")
        self.whole.setToolTip("Erase whole strokes instead of cutting them")
        grid.addWidget(self.whole, row + 1, 0, 1, 2)
        self.finger = touch_button("Finger draws", "fingerDrawing", checkable=True, role="tool")
        grid.addWidget(self.finger, row + 2, 0, 1, 2)
        row += 3
        # The glabellar safety band, faint on the frown photo while placing (issue #10):
        # a toxin chart's only; another treatment's rail keeps the row for its own tools.
        self.band = touch_button("Safety band", "safetyBand", checkable=True, role="tool")
        self.band.setToolTip("Show the label's 1 cm band above the central eyebrows (frown view)")
        if safety_band:
            grid.addWidget(self.band, row, 0, 1, 2)
            row += 1
        else:
            self.band.hide()
        grid.setRowStretch(row, 1)
        self.undo = touch_button("Undo", "undo")
        self.redo = touch_button("Redo", "redo")
        grid.addWidget(self.undo, row + 1, 0)
        grid.addWidget(self.redo, row + 1, 1)
        self.fit_row = row + 2
        self.fit = touch_button("Fit", "fit")
        grid.addWidget(self.fit, self.fit_row, 0, 1, 2)
        # Where the thumb rests: the earlier charts to overlay (hidden when there are none),
        # beside Fit so the rail is no taller than a 768-px screen allows.
        self.earlier = touch_button("Earlier\ncharts", "earlierCharts", role="tool")
        self.earlier.setToolTip("Show earlier charts over today's photos")
        self.earlier.setAccessibleName("Earlier charts")
        self.earlier.hide()
        self.grid = grid
        self.setFixedWidth(2 * RAIL_BUTTON + 2 * 8 + 6)

    def show_earlier(self, on: bool) -> None:
        """Fit takes the whole row, or shares it with "Earlier charts"."""
        self.grid.removeWidget(self.fit)
        self.grid.removeWidget(self.earlier)
        self.grid.addWidget(self.fit, self.fit_row, 0, 1, 1 if on else 2)
        if on:
            self.grid.addWidget(self.earlier, self.fit_row, 1)
        self.earlier.setVisible(on)
