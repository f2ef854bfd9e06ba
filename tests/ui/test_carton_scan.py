"""'Scan carton' on the Products panel, driven by touch against a real SQLite file (issue #9):
a photo of the carton fills lot and expiry; an unknown GTIN asks once which product it is, and
the answer is remembered, so the next carton of that kind asks nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QPushButton
from shiboken6 import isValid

from app.services import carton, charts
from app.services.practitioners import default_practitioner
from app.store.database import Store
from tests.carton_images import angled, blurred, jpeg, rotated
from tests.carton_images import carton as carton_image
from tests.ui import editor_helpers as h
from tests.ui.editor_helpers import save_and_wait
from tests.ui.helpers import finger
from ui.editor.carton_scan import CartonPhotoPicker

GTIN = "05391526930052"


def _photo(tmp_path: Path, name: str, hri: str) -> Path:
    path = tmp_path / name
    path.write_bytes(jpeg(blurred(angled(rotated(carton_image(hri), 30)), 1.5), quality=70))
    return path


def _scan(qtbot, scanner, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Tap Scan carton (photo), open the photo's folder on the touch browser, tap its tile
    and Add."""
    finger(scanner.photo_button)
    picker = scanner.file_dialog
    assert isinstance(picker, CartonPhotoPicker)
    browser = picker.browser
    browser.open_folder(path.parent)  # as after a tap on "Used last" or a folder tile
    qtbot.waitUntil(lambda: not browser.loading and path in browser.items, timeout=20000)
    item = browser.items[path]
    browser.tiles.scrollToItem(item)
    finger(browser.tiles.viewport(), browser.tiles.visualItemRect(item).center())
    qtbot.waitUntil(lambda: browser.selected() == [path])
    finger(browser.add)
    qtbot.waitUntil(lambda: not isValid(picker) or not picker.isVisible())  # closed (deleted)


def test_scanning_a_carton_photo_fills_lot_and_expiry_and_remembers_the_gtin(
    qtbot, sqlite_store: Store, tmp_path: Path
) -> None:
    pr = default_practitioner(sqlite_store)
    visit = h.charted_visit(sqlite_store, pr.id, big=(640, 800))
    ed = h.shown_editor(qtbot, sqlite_store, visit.visit_id, pr.id)
    ed.session.set_tool("point")
    canvas = ed.canvas("frown")
    at = h.vp_of(canvas, QPointF(300, 300))
    h.tablet(canvas, QEvent.Type.TabletPress, at, 0.6)
    h.tablet(canvas, QEvent.Type.TabletRelease, at, 0.0)
    [point] = ed.session.model.content.view("frown").points
    ed.show_panel("products")
    scanner = ed.treatment.scanner
    qtbot.waitUntil(scanner.photo_button.isVisible)
    assert scanner.photo_button.height() >= 48
    assert carton.product_for_gtin(sqlite_store, GTIN) is None

    # an expired lot (day 00: the end of October 2026) on a turned, angled, blurred photo
    _scan(qtbot, scanner, _photo(tmp_path, "carton.jpg", f"(01){GTIN}(17)261000(10)C1234A"))
    qtbot.waitUntil(lambda: scanner.chooser is not None, timeout=10_000)
    chooser = scanner.chooser
    choice = chooser.findChild(QPushButton, f"gtinProduct_{point.product}")
    assert choice is not None and choice.height() >= 48
    finger(choice)
    assert carton.product_for_gtin(sqlite_store, GTIN) == point.product  # remembered
    card = ed.treatment.products_panel.cards[point.product]
    assert card.lot.text() == "C1234A" and card.expiry.value == date(2026, 10, 31)
    qtbot.waitUntil(card.expired.isVisible)  # the existing expired-lot row warns
    assert "expired on 31 Oct 2026" in card.expired.text()
    assert "Scanned" in scanner.note.text()
    saved = save_and_wait(ed)
    assert saved is not None
    [use] = charts.load_version(sqlite_store, saved.id).content.products
    assert (use.product, use.lot, use.expiry) == (point.product, "C1234A", date(2026, 10, 31))

    # a second carton of the same kind: no question, the new lot and expiry go in
    year = ed.session.today.year + 2
    hri = f"(01){GTIN}(17){year % 100:02d}1100(10)D77"
    _scan(qtbot, scanner, _photo(tmp_path, "carton2.jpg", hri))
    qtbot.waitUntil(lambda: "D77" in scanner.note.text(), timeout=10_000)
    assert scanner.chooser is None
    card = ed.treatment.products_panel.cards[point.product]
    assert card.lot.text() == "D77" and card.expiry.value == date(year, 11, 30)
    assert not card.expired.isVisible()


def test_a_carton_of_a_product_not_in_the_chart_adds_it_and_no_code_says_why(
    qtbot, sqlite_store: Store, tmp_path: Path
) -> None:
    pr = default_practitioner(sqlite_store)
    visit = h.charted_visit(sqlite_store, pr.id, big=(640, 800))
    ed = h.shown_editor(qtbot, sqlite_store, visit.visit_id, pr.id)
    ed.show_panel("products")
    scanner = ed.treatment.scanner
    blank = tmp_path / "wall.jpg"
    blank.write_bytes(jpeg(blurred(carton_image(), 0.5)[:300, :500]))  # print, but no code
    _scan(qtbot, scanner, blank)
    qtbot.waitUntil(lambda: scanner.note.text() == carton.NO_CODE, timeout=10_000)
    assert ed.session.model.content.products == ()

    other = "04006381333931"
    _scan(qtbot, scanner, _photo(tmp_path, "d.jpg", f"(01){other}(17)290500(10)DY9"))
    qtbot.waitUntil(lambda: scanner.chooser is not None, timeout=10_000)
    finger(scanner.chooser.findChild(QPushButton, "gtinProduct_dysport"))
    [use] = ed.session.model.content.products
    assert (use.product, use.lot, use.expiry) == ("dysport", "DY9", date(2029, 5, 31))
    assert "dysport" in ed.treatment.products_panel.cards


def test_live_camera_scan_reads_a_carton_from_the_frames(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The live dialog decodes a frame every ~200 ms on its worker until one holds a code: a
    recorded 'camera' (OpenCV on an image sequence) first shows no code, then the carton."""
    import cv2

    from app.services.camera import OpenCVFrameSource
    from ui.capture.sources import OpenCVSource
    from ui.editor.carton_camera import CartonCameraDialog

    frames = [carton_image()[:300, :500]] * 3 + [rotated(carton_image(), 90)] * 3
    for i, rgb in enumerate(frames):
        cv2.imwrite(str(tmp_path / f"frame_{i:04d}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    source = OpenCVSource(OpenCVFrameSource(str(tmp_path / "frame_%04d.png"), loop=True, fps=5))
    dlg = CartonCameraDialog(date(2026, 11, 30), None, source)
    qtbot.addWidget(dlg)
    got: list[carton.CartonScan] = []
    dlg.found.connect(got.append)
    dlg.open()
    qtbot.waitUntil(lambda: bool(got), timeout=15_000)
    [scan] = got
    assert scan.label is not None
    assert (scan.label.gtin, scan.label.lot, scan.label.expiry) == (
        GTIN,
        "C1234A",
        date(2027, 9, 30),
    )
    qtbot.waitUntil(lambda: not dlg.isVisible())
