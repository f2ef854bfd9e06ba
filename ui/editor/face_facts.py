"""Each view's face in millimetres (iris scale, brows, lids), as the session's one face search
per photo finds it (ADR 0012, 0015, 0016): the measure tool, the point sheet, the safety band
and the totals' glabellar check read it here.

`get(view)` is the PhotoFace once measured, else None (and the search starts); `measured`
fires on the GUI thread when a view's answer arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.services.face import PhotoFace


class FaceFacts(QObject):
    measured = Signal(str)  # view code

    def __init__(
        self,
        views: tuple[str, ...],
        search: Callable[[], None],
        wait_search: Callable[[], None],
        parent: QObject | None,
    ) -> None:
        super().__init__(parent)
        self._views = set(views)
        self._search = search  # starts the session's face search of every view (once)
        self._wait_search = wait_search
        self._faces: dict[str, PhotoFace] = {}

    def get(self, view: str) -> PhotoFace | None:
        """The view's face if measured; None while it is being measured (asked here)."""
        if view in self._faces:
            return self._faces[view]
        self.request(view)
        return None

    def request(self, view: str) -> None:
        if view in self._views and view not in self._faces:
            self._search()

    def put(self, view: str, face: PhotoFace) -> None:
        """The session's search answered for a view."""
        self._faces[view] = face
        self.measured.emit(view)

    def wait(self) -> None:
        """Block until every view is measured (tests, screenshots)."""
        self._wait_search()
