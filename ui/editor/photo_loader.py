"""The first view paints first: the other views' display images are decoded, and their items
built, only after that first paint, one view per turn of the event loop so the pen stays live
in between. A view shown before its turn builds itself then (ViewScene.flush).

The decode runs on the GUI thread: one 2560-px display JPEG is ~30 ms, and keeping it there
keeps the app's rule that no worker touches Qt objects (ui/common/gc_pause.py).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from ui.editor.scene import ViewScene


class BehindFirstPaint(QObject):
    def __init__(
        self,
        first: QWidget,
        scenes: list[ViewScene],
        parent: QObject,
        then: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.first = first
        self.queue = list(scenes)
        self.then = then  # called once after the first paint (the face search starts there)
        self.started = False
        first.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.started and event.type() == QEvent.Type.Paint:
            self.started = True
            self.first.removeEventFilter(self)
            QTimer.singleShot(0, self, self._next)  # after this paint is on screen
            if self.then is not None:
                QTimer.singleShot(0, self, self.then)
        return False

    def _next(self) -> None:
        owner = self.parent()
        if not self.queue or (isinstance(owner, QWidget) and not owner.isVisible()):
            return  # closed meanwhile: a view shown later builds itself (ViewScene.flush)
        self.queue.pop(0).flush()  # its photo and items: switching to it is then instant
        if self.queue:
            QTimer.singleShot(0, self, self._next)
