"""The compare screen's "Before/after…" button and its "Markings" toggle (issue #12): the two
visits' photos of this view as one PNG or JPEG, saved where the clinician chooses in Qt's own
file dialog (the same on every platform, and big enough for a finger).

The image is made by the same service as `python main.py before-after`, on a worker (aligning
and drawing take seconds). It uses the alignment the screen shows, corrected by hand or not;
a screen that could not align and was not adjusted hands none over, so the image says
"NOT ALIGNED" rather than pass off the rough fit as an alignment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from app.services import before_after
from app.services.alignment import Mapping
from app.services.photos import PhotoRecord
from app.store.errors import StoreError
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.worker import Worker
from ui.overlay.compare_controls import tool_button

FILTERS = "PNG image (*.png);;JPEG image (*.jpg *.jpeg)"


def images_folder() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs or Path.home()) / "FaceChart reports"


class BeforeAfterControls(QWidget):
    """`saved(path)` after an image is written; `status(text)` for the screen's status line.
    The two buttons are laid out by the screen (`markings`, `save_button`); this widget stays
    hidden and owns them, the dialog and the worker."""

    saved = Signal(object)
    status = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        earlier: PhotoRecord,
        today: PhotoRecord,
        mapping_now: Callable[[], Mapping | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.earlier, self.today = ctx, earlier, today
        self._mapping_now = mapping_now
        self.worker = Worker("before-after", self)
        self.dialog: QFileDialog | None = None
        self.hide()
        self.markings = tool_button("Markings", "beforeAfterMarkings", "toggle", checkable=True)
        self.markings.setAccessibleName("Draw each visit's markings on the before/after image")
        self.save_button = tool_button("Before/after…", "beforeAfterSave")
        self.save_button.setAccessibleName("Save a before/after image of the two visits")
        two_visits = (
            earlier.visit_id is not None
            and today.visit_id is not None
            and earlier.visit_id != today.visit_id
        )
        for b in (self.markings, self.save_button):
            b.setEnabled(two_visits)
            if not two_visits:
                b.setToolTip("Both photos must belong to visits (two different ones).")
        self.save_button.clicked.connect(self.ask_where)

    @property
    def busy(self) -> bool:
        return self.worker.busy

    def ask_where(self) -> None:
        """Qt's own save dialog, opened without blocking; choosing a file starts the image."""
        if self.earlier.visit_id is None or self.today.visit_id is None:
            return
        try:
            name = before_after.file_name(
                self.ctx.store, self.earlier.visit_id, self.today.visit_id, self.today.view_name
            )
        except StoreError as exc:
            show_error(self, str(exc))
            return
        dialog = QFileDialog(self, "Save the before/after image", str(images_folder() / name))
        dialog.setObjectName("beforeAfterDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setNameFilters(FILTERS.split(";;"))
        dialog.setDefaultSuffix("png")
        dialog.fileSelected.connect(lambda path: self.save_to(Path(path)))
        self.dialog = dialog
        dialog.open()

    def save_to(self, path: Path) -> None:
        """Write the image to `path` on the worker."""
        if self.earlier.visit_id is None or self.today.visit_id is None:
            return
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            path = path.with_name(path.name + ".png")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            show_error(self, f"The folder {path.parent} cannot be made: {exc.strerror or exc}.")
            return
        store, who = self.ctx.store, self.ctx.practitioner.id
        a, b, view = self.earlier.visit_id, self.today.visit_id, self.today.view_code
        mapping, marks = self._mapping_now(), self.markings.isChecked()
        photos = (self.earlier.id, self.today.id)
        self.save_button.setEnabled(False)
        self.status.emit("Making the before/after image…")
        self.worker.run(
            lambda: before_after.write_before_after(
                store,
                a,
                b,
                path,
                view,
                markings=marks,
                mapping=mapping,
                mapped_photos=photos,
                actor_id=who,
            ),  # fmt: skip
            lambda ba: self._done(path, ba),
            self._failed,
            key="before-after",
        )

    def _done(self, path: Path, ba: before_after.BeforeAfter) -> None:
        self.save_button.setEnabled(True)
        state = "" if ba.aligned else " (NOT aligned: the photos are shown as taken)"
        self.status.emit(f"Saved {path.name}{state}")
        self.saved.emit(path)

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        # ValueError: BeforeAfterError and a photo that cannot be decoded, told in words
        if not isinstance(exc, StoreError | OSError | ValueError):
            raise exc
        self.status.emit("The before/after image could not be made.")
        text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        show_error(self, f"The before/after image could not be made: {text}")

    def shutdown(self) -> None:
        self.worker.shutdown()
