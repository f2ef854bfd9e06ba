"""The first view paints first: the other views' display images are read, decoded, and their
items built, only after that first paint, one view per turn of the event loop so the pen stays
live in between. A view shown before its turn builds itself then (ViewScene.flush).

The other views' display JPEGs are read from the store on a worker (a clinic server's round
trips stay off the GUI thread); the decode runs on the GUI thread: one 2560-px display JPEG is
~20 ms, and keeping it there keeps the app's rule that no worker touches Qt objects (ADR 0012).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from app.services import photos
from app.services.store import Store
from app.store.errors import StoreError
from ui.common.worker import Worker
from ui.editor.scene import ViewScene


class BehindFirstPaint(QObject):
    def __init__(
        self,
        first: QWidget,
        scenes: list[ViewScene],
        parent: QObject,
        store: Store | None = None,
        later: dict[str, str] | None = None,  # view -> photo sha256 whose image is read here
        then: Callable[[], None] | None = None,  # run first, behind the first paint
    ) -> None:
        super().__init__(parent)
        self.first = first
        self.queue = list(scenes)
        self.started = False
        self.store = store
        self.later = dict(later or {})
        self.reader: Worker | None = None
        self.then = then
        first.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.started and event.type() == QEvent.Type.Paint:
            self.started = True
            self.first.removeEventFilter(self)
            if self.later and self.store is not None and self.reader is None:
                self.reader = Worker("editor-photos", self, leave_running=True)
                store, wanted = self.store, dict(self.later)
                self.reader.run(lambda: _read(store, wanted), self._read)
            QTimer.singleShot(0, self, self._next)  # after this paint is on screen
        return False

    def _read(self, images: dict[str, bytes | None]) -> None:
        for scene in self.queue:
            if scene.view in images and scene.photo_item is None:
                scene.photo_source = lambda data=images[scene.view]: data
        self.later.clear()
        if self.queue:
            QTimer.singleShot(0, self, self._next)

    def stop(self) -> None:
        self.queue.clear()
        if self.reader is not None:
            self.reader.shutdown()

    def _next(self) -> None:
        owner = self.parent()
        if isinstance(owner, QWidget) and not owner.isVisible():
            if self.then is not None:  # hidden before its turn: at its next first paint
                self.started = False
                self.first.installEventFilter(self)
            return  # closed meanwhile: a view shown later builds itself (ViewScene.flush)
        then, self.then = self.then, None
        if then is not None:
            then()
        if not self.queue:
            return  # closed meanwhile: a view shown later builds itself (ViewScene.flush)
        if self.queue[0].view in self.later:
            return  # its image is still being read: _read goes on
        self.queue.pop(0).flush()  # its photo and items: switching to it is then instant
        if self.queue:
            QTimer.singleShot(0, self, self._next)


def _read(store: Store, wanted: dict[str, str]) -> dict[str, bytes | None]:
    """On the worker: the display JPEGs by view (None for one that cannot be read)."""
    out: dict[str, bytes | None] = {}
    for view, sha in wanted.items():
        try:
            out[view] = photos.display_jpeg(store, sha)
        except StoreError:
            out[view] = None
    return out
