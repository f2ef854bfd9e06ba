"""Each view's face in millimetres (iris scale, brows, lids), measured on a worker (ADR 0012)
when first asked for: the measure tool, the point sheet and the safety band read it here.

`get(view)` is the PhotoFace once measured, else None (and the measuring starts); `measured`
fires on the GUI thread when a view's answer arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.services.face_measure import PhotoFace, measure_photo
from ui.common.worker import Worker


class FaceFacts(QObject):
    measured = Signal(str)  # view code

    def __init__(
        self,
        photos: dict[str, tuple[tuple[int, int], bytes | Callable[[], bytes | None] | None]],
        parent: QObject | None,
    ) -> None:
        super().__init__(parent)
        # view → (original upright size, display JPEG or its reader for the worker: an opening
        # reads only the first view's before the first paint)
        self._photos = photos
        self._faces: dict[str, PhotoFace] = {}
        self._asked: set[str] = set()
        self._worker = Worker("face-facts", self)

    def get(self, view: str) -> PhotoFace | None:
        """The view's face if measured; None while it is being measured (asked here)."""
        if view in self._faces:
            return self._faces[view]
        self.request(view)
        return None

    def request(self, view: str) -> None:
        if view in self._asked or view not in self._photos:
            return
        self._asked.add(view)
        size, jpeg = self._photos[view]
        if jpeg is None:
            self._store(view, PhotoFace(None, None, "This view has no photo."))
            return
        self._worker.run(
            lambda: _measure(jpeg, size),
            lambda face: self._store(view, face),
            lambda exc: self._store(view, PhotoFace(None, None, f"Not measured: {exc}")),
            key=view,
        )

    def _store(self, view: str, face: PhotoFace) -> None:
        self._faces[view] = face
        self.measured.emit(view)

    def wait(self) -> None:
        """Block until every asked view is measured (tests, screenshots)."""
        self._worker.wait()

    def shutdown(self) -> None:
        self._worker.shutdown()


def _measure(jpeg: bytes | Callable[[], bytes | None], size: tuple[int, int]) -> PhotoFace:
    """On the worker: a photo whose display JPEG was not read at opening is read here."""
    data = jpeg() if callable(jpeg) else jpeg
    if data is None:
        return PhotoFace(None, None, "This view's photo could not be read.")
    return measure_photo(data, size)
