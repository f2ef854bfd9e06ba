"""The protocol walk as a column of steps: one button per view of the visit's protocol (a tick
and a thumbnail of its photo once taken or imported, the current one checked; a tap goes to
it) and a line counting what is taken."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QPushButton, QWidget

from app.services.capture import ProtocolWalk
from ui.common.widgets import button, label, set_state, vbox

THUMB = QSize(36, 45)  # a face at 4:5, recognisable beside the view's name


class ProtocolSteps(QWidget):
    step_chosen = Signal(str)  # a view's code

    def __init__(
        self,
        heading: str,
        walk: ProtocolWalk,
        parent: QWidget | None = None,
        thumbnail: Callable[[str], QPixmap] | None = None,
    ) -> None:
        super().__init__(parent)
        self._thumbnail = thumbnail  # a photo's sha256 -> its thumbnail
        self._shown: dict[str, str] = {}  # view code -> the sha256 its button shows
        steps = vbox(self, spacing=8)
        steps.addWidget(label(heading, "section"))
        self.buttons: dict[str, QPushButton] = {}
        for i, v in enumerate(walk.views, 1):
            b = button(f"{i}  {v.name}", "step")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumWidth(180)
            b.setIconSize(THUMB)
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
            photo = walk.taken.get(code)
            if photo is not None and self._thumbnail and self._shown.get(code) != photo.sha256:
                # The photo just taken or imported, there to see beside its view's name.
                b.setIcon(QIcon(self._thumbnail(photo.sha256)))
                self._shown[code] = photo.sha256
        retake = walk.is_done(view.code)
        self.progress.setText(
            f"{walk.done_count} of {len(walk.views)} taken."
            + (" Retake adds a new photo; the earlier one stays in the record." if retake else "")
        )
