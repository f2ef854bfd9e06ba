"""'Scan carton' on the Products panel (issue #9): the GS1 DataMatrix on the vial's carton,
from a photo of it or from the camera, fills product, lot and expiry — no typing.

The decode runs on a Worker (a phone photo takes ~50 ms, a bad one a few tries). A GTIN never
seen before asks once, by touch, which catalogue product it is; the answer is remembered in the
database (app/services/carton.py), so the next carton of that kind asks nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.chart import ProductUse
from app.domain.gs1 import Gs1Label
from app.services import carton
from app.services.carton import CartonScan
from app.services.catalogue import ProductRecord
from app.services.store import Store
from ui.capture.browse_data import RecentFolders
from ui.capture.folder_browser import FolderBrowser, places
from ui.common import format as fmt
from ui.common.worker import Worker
from ui.editor.controls import touch_button


class ProductChooser(QDialog):
    """Which catalogue product an unknown GTIN is: one finger-sized button per product."""

    def __init__(self, gtin: str, products: list[ProductRecord], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("gtinChooser")
        self.setWindowTitle("Which product is this carton?")
        self.chosen: str | None = None
        lay = QVBoxLayout(self)
        ask = QLabel(
            f"FaceChart does not know the carton with product number {gtin} yet. Which product "
            "is it? It is remembered for the next scan."
        )
        ask.setWordWrap(True)
        lay.addWidget(ask)
        grid = QGridLayout()
        for i, p in enumerate(products):
            b = touch_button(p.name, f"gtinProduct_{p.code}", role="secondary")
            b.clicked.connect(partial(self._choose, p.code))
            grid.addWidget(b, i // 2, i % 2)
        lay.addLayout(grid)
        cancel = touch_button("Cancel", "gtinCancel", role="ghost")
        cancel.clicked.connect(self.reject)
        lay.addWidget(cancel)

    def _choose(self, code: str) -> None:
        self.chosen = code
        self.accept()


class CartonPhotoPicker(QDialog):
    """A photo of the carton, picked on the touch folder browser; the first photo tapped and
    added is read (a second tapped is ignored: one carton at a time)."""

    def __init__(self, parent: QWidget, on_photo: Callable[[Path], None]) -> None:
        super().__init__(parent)
        self.setObjectName("cartonPhotoPicker")
        self.setWindowTitle("Choose a photo of the carton")
        self.setModal(True)
        self.on_photo = on_photo
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        heading = QLabel("Choose a photo of the carton")
        heading.setProperty("kind", "heading")
        lay.addWidget(heading)
        self.browser = FolderBrowser(RecentFolders(), self)
        lay.addWidget(self.browser, 1)
        self.browser.chosen.connect(self._chosen)
        self.browser.cancelled.connect(self.reject)
        self.finished.connect(lambda _r: self.browser.shutdown())
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # as large as the window allows, never larger (a 1280x720 screen at 150 %)
        self.resize(min(1100, parent.width() - 48), min(720, parent.height() - 48))
        recent = self.browser.recent.folders()
        self.browser.open_folder(recent[0] if recent else places()[0][1])

    def _chosen(self, paths: list[Path]) -> None:
        if paths:  # (the browser has remembered the folder)
            self.on_photo(paths[0])
        self.accept()


class CartonScanner(QWidget):
    """The 'Scan carton' buttons and what a scan said; `scanned(ProductUse)` fills the chart."""

    scanned = Signal(object)  # the ProductUse with the carton's lot and expiry

    def __init__(
        self,
        store: Store,
        practitioner_id: int | None,
        today: date,
        products: list[ProductRecord],
        current_use: Callable[[str], ProductUse | None],
        has_camera: Callable[[], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cartonScanner")
        self.store, self.practitioner_id, self.today = store, practitioner_id, today
        self.products = products
        self.current_use = current_use
        self.worker = Worker("carton-scan", self)
        self.file_dialog: CartonPhotoPicker | None = None
        self.chooser: ProductChooser | None = None
        self.camera_dialog: QDialog | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        self.photo_button = touch_button(
            "Scan carton (photo)…", "scanCartonPhoto", role="secondary"
        )
        self.photo_button.clicked.connect(self.choose_photo)
        lay.addWidget(self.photo_button)
        self.camera_button = touch_button(
            "Scan carton (camera)…", "scanCartonCamera", role="secondary"
        )
        self.camera_button.clicked.connect(self.open_camera)
        # Listing cameras can take a moment: done on the first look, not at every card rebuild.
        self._has_camera = has_camera
        self.camera_button.setVisible(False)
        self.note = QLabel("")
        self.note.setObjectName("cartonNote")
        self.note.setWordWrap(True)  # a narrow panel: wrap, never widen
        self.note.hide()
        lay.addWidget(self.camera_button)
        lay.addWidget(self.note)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if self._has_camera is not None:
            self.camera_button.setVisible(self._has_camera())
            self._has_camera = None
        super().showEvent(event)

    # -- from a photo -----------------------------------------------------------------------

    def choose_photo(self) -> CartonPhotoPicker:
        """The touch folder browser the photo import uses (thumbnails, tap, the last folders
        remembered), for one photo of the carton."""
        dlg = CartonPhotoPicker(self.window(), self.scan_file)
        dlg.open()
        self.file_dialog = dlg
        return dlg

    def scan_file(self, path: Path) -> None:
        """Read the carton code in the photo at `path` off the GUI thread."""
        self._say("Reading the carton code…")
        self.photo_button.setEnabled(False)
        self.worker.run(
            partial(carton.scan_photo_file, path, self.today), self._photo_read, self._failed
        )

    def _photo_read(self, scan: CartonScan) -> None:
        self.photo_button.setEnabled(True)
        self.take(scan)

    def _failed(self, exc: BaseException) -> None:
        self.photo_button.setEnabled(True)
        self._say(f"The carton code could not be read: {exc}")

    # -- from the camera --------------------------------------------------------------------

    def open_camera(self) -> None:
        from ui.editor.carton_camera import CartonCameraDialog  # Qt Multimedia only when asked

        dlg = CartonCameraDialog(self.today, self)
        dlg.found.connect(self.take)
        self.camera_dialog = dlg
        dlg.open()

    # -- what a scan read -------------------------------------------------------------------

    def take(self, scan: CartonScan) -> None:
        """Fill product, lot and expiry from a scan (asking for the product once if the GTIN
        is new), or say why nothing was read."""
        label = scan.label
        if label is None:
            self._say(scan.reason)
            return
        code = carton.product_for_gtin(self.store, label.gtin)
        if code is None:
            self._ask_product(label)
            return
        self._fill(code, label)

    def _ask_product(self, label: Gs1Label) -> None:
        dlg = ProductChooser(label.gtin, self.products, self)
        self.chooser = dlg

        def answered(result: int) -> None:
            self.chooser = None
            if result != QDialog.DialogCode.Accepted or dlg.chosen is None:
                self._say("Not filled in: the carton's product was not chosen.")
                return
            carton.remember_gtin(self.store, label.gtin, dlg.chosen, self.practitioner_id)
            self._fill(dlg.chosen, label)

        dlg.finished.connect(answered)
        dlg.open()

    def _fill(self, code: str, label: Gs1Label) -> None:
        before = self.current_use(code) or ProductUse(code)
        # dilution is the clinician's, not the carton's: kept as it was
        use = replace(before, lot=label.lot or before.lot, expiry=label.expiry or before.expiry)
        name = next((p.name for p in self.products if p.code == code), code)
        said = [
            f"lot {label.lot}" if label.lot else "",
            f"expires {fmt.day(label.expiry)}" if label.expiry else "",
        ]
        self._say(f"Scanned {name}: " + ", ".join(s for s in said if s) + ".")
        self.scanned.emit(use)

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
