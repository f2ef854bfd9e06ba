"""The compare screen's touch controls: the mode buttons and one bar of tools per mode.

Widgets only; the screen (ui/overlay/compare_screen.py) wires them. Every target is at least
TOUCH (56) px high: ≥ 48 as CONTRACTS.md asks, a little more for gloved fingers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from ui.common.widgets import TOUCH, button, hbox, label
from ui.overlay.jump_slider import JumpSlider

MODES = (
    ("side", "Side by side"),
    ("wipe", "Wipe"),
    ("blink", "Blink"),
    ("adjust", "Adjust"),
    ("match", "Match points"),
)

SLIDER_STYLE = """
QSlider::groove:horizontal { height: 10px; background: #C5D1DA; border-radius: 5px; }
QSlider::handle:horizontal {
    width: 44px; height: 44px; margin: -17px 0; border-radius: 22px; background: #0B6B74;
}
QSlider { min-height: 56px; }
QPushButton[role="primary"]:disabled { background: #C9D6DB; border-color: #C9D6DB; color: #5B6B7A; }
QLabel#matchHint { font-weight: 700; }
QStackedWidget#modeTools > QWidget { background: transparent; }
"""


def tool_button(
    text: str, name: str, role: str = "secondary", checkable: bool = False
) -> QPushButton:
    b = button(text, role)
    b.setObjectName(name)
    b.setCheckable(checkable)
    b.setMinimumWidth(TOUCH)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no focus ring jumping about under a finger
    return b


class ModeBar(QWidget):
    """Exclusive toggles, one per compare mode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = hbox(self, spacing=8)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        for value, text in MODES:
            b = tool_button(text, f"mode_{value}", "toggle", checkable=True)
            b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)  # never cut
            self.group.addButton(b)
            self.buttons[value] = b
            row.addWidget(b)

    def show_mode(self, mode: str) -> None:
        self.buttons[mode].setChecked(True)


def _hint(text: str = "") -> QLabel:
    lab = label(text, "body")
    lab.setWordWrap(True)
    return lab


class ModeTools(QStackedWidget):
    """A bar under the photos with what the current mode needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(SLIDER_STYLE)
        self.setObjectName("modeTools")
        self.setFixedHeight(TOUCH + 8)  # the photos keep their size whichever mode is shown
        self.pages: dict[str, int] = {}
        self._add("side", _hint("Drag or pinch either photo: both follow."))
        self._add("wipe", _hint("Drag the round handle: the earlier photo is left of the line."))
        self.pause = tool_button("Pause", "blinkPause", "toggle", checkable=True)
        self.hold = tool_button("Hold to see earlier", "blinkHold")
        self.blink_state = label("", "heading")
        self.blink_state.setObjectName("blinkState")
        self.blink_state.setMinimumWidth(200)
        self._add("blink", self.pause, self.hold, self.blink_state, _hint())
        self.opacity = JumpSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("overlayOpacity")
        self.opacity.setRange(10, 90)
        self.opacity.setValue(50)
        self.opacity.setMinimumWidth(160)
        self.opacity.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.undo = tool_button("Undo", "adjustUndo")
        self.reset = tool_button("Reset", "adjustReset")
        # Two fingers move the photo here, so zooming needs buttons of its own.
        self.zoom_out = tool_button("Zoom −", "adjustZoomOut")
        self.zoom_in = tool_button("Zoom +", "adjustZoomIn")
        for b in (self.zoom_out, self.zoom_in):
            b.setToolTip("Zoom out" if b is self.zoom_out else "Zoom in")
            b.setAccessibleName(b.toolTip())
        self.adjust_hint = _hint("Drag to move it, pinch to scale and turn.")
        self._add(
            "adjust", label("Earlier photo", "small"), self.opacity, self.undo, self.reset,
            self.zoom_out, self.zoom_in, self.adjust_hint,
        )  # fmt: skip
        self.match_hint = _hint()
        self.match_hint.setObjectName("matchHint")
        self.clear_points = tool_button("Clear points", "clearPoints")
        self.use_points = tool_button("Use these points", "usePoints", "primary")
        self._add("match", self.match_hint, self.clear_points, self.use_points)

    def _add(self, mode: str, *widgets: QWidget) -> None:
        page = QWidget()
        row = hbox(page, spacing=12)
        for w in widgets:
            row.addWidget(w, 1 if isinstance(w, QLabel) and w.wordWrap() else 0)
        self.pages[mode] = self.addWidget(page)

    def show_mode(self, mode: str) -> None:
        self.setCurrentIndex(self.pages[mode])
