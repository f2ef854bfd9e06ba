"""The protocol walk as a column of steps: one button per view of the visit's protocol (a tick
once taken, the current one checked; a tap goes to it) and a line counting what is taken."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.services.capture import ProtocolWalk
from ui.common.widgets import button, label, set_state, vbox


class ProtocolSteps(QWidget):
    step_chosen = Signal(str)  # a view's code

    def __init__(self, heading: str, walk: ProtocolWalk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        steps = vbox(self, spacing=8)
        steps.addWidget(label(heading, "section"))
        self.buttons: dict[str, QPushButton] = {}
        for i, v in enumerate(walk.views, 1):
            b = button(f"{i}  {v.name}", "step")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumWidth(180)
            b.clicked.connect(lambda _=False, code=v.code: self.step_chosen.emit(code))
            steps.addWidget(b)
            self.buttons[v.code] = b
        self.progress = label("", "muted")
        self.progress.setWordWrap(True)
        steps.addWidget(self.progress)
        steps.addStretch(1)

    def show_walk(self, walk: ProtocolWalk) -> None:
        view = walk.current
        for code, b in self.buttons.items():
            b.setChecked(code == view.code)
            done = walk.is_done(code)
            set_state(b, "done", done)
            name = next(v.name for v in walk.views if v.code == code)
            n = walk.codes.index(code) + 1
            b.setText(f"{'✓' if done else n}  {name}")
        retake = walk.is_done(view.code)
        self.progress.setText(
            f"{walk.done_count} of {len(walk.views)} taken."
            + (" Retake adds a new photo; the earlier one stays in the record." if retake else "")
        )
