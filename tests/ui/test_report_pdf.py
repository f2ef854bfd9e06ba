"""A visit's PDF report (issue #12), read back the way a reader sees it: pages rasterised by
Qt's PDF module, the photo found on its page and compared with the display image, and the
extracted text checked for every point's units, the signature state and the version's code."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, ViewChart
from app.domain.values import Dilution, Side
from app.services import charts, photos, reports, visits
from app.store.database import Store
from tests.app.chart_factory import stroke
from tests.app.fault_helpers import make_charted
from tests.images import face_image, jpeg_bytes
from ui.shell.main_window import MainWindow

DPI = 150


def _pdf(path: Path) -> QPdfDocument:
    doc = QPdfDocument()
    doc.load(str(path))
    assert doc.status() == QPdfDocument.Status.Ready
    return doc


def _page(doc: QPdfDocument, i: int) -> np.ndarray:
    size = doc.pagePointSize(i)
    img = doc.render(i, QSize(round(size.width() / 72 * DPI), round(size.height() / 72 * DPI)))
    img = img.convertToFormat(img.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).copy()


def _text(doc: QPdfDocument) -> str:
    return "\n".join(doc.getAllText(i).text() for i in range(doc.pageCount()))


@pytest.fixture
def charted_visit(sqlite_store: Store) -> tuple[int, ChartContent, bytes]:
    """A visit with a frown photo charted: strokes and six points with a dilution."""
    c = make_charted(sqlite_store)
    photo = face_image(800, 1000, seed=3)
    rec = photos.add_photo_bytes(
        sqlite_store, c.patient_id, "frown", jpeg_bytes(photo), visit_id=c.visit_id
    )
    units = ["4", "2.5", "4", "3", "2", "7.5"]
    points = tuple(
        InjectionPoint(
            300 + 40 * i,
            260 + (i % 2) * 30,
            "botox",
            Decimal(u),
            zone="corrugator supercilii",
            side=Side.RIGHT if i < 3 else Side.LEFT,
            note="deep" if i == 0 else "",
        )
        for i, u in enumerate(units)
    )
    content = ChartContent(
        views=(ViewChart("frown", rec.sha256, strokes=(stroke(40, 250, 230),), points=points),),
        products=(ProductUse("botox", "C77", None, Dilution(Decimal(100), Decimal("2.5"))),),
        note="CLINICAL NOTE: patient anxious",
    )
    charts.save_version(
        sqlite_store, c.visit_id, content, parent_version_id=c.v1.id, saved_by_id=c.clinician_id
    )
    return c.visit_id, content, photos.display_jpeg(sqlite_store, rec.sha256)


def test_the_report_shows_the_photo_every_points_units_and_not_signed(
    sqlite_store: Store, charted_visit: tuple[int, ChartContent, bytes], tmp_path: Path
) -> None:
    visit_id, content, display = charted_visit
    out = tmp_path / "visit.pdf"
    report = reports.write_visit_report(sqlite_store, visit_id, out)
    doc = _pdf(out)
    text = _text(doc)
    assert "Ada Lovelace" in text and "10 December 1985" in text
    assert text.count("NOT SIGNED") >= doc.pageCount()  # across every page
    assert report.short_code in text and report.content_hash in text
    for p in content.views[0].points:
        assert f"{p.units.normalize():f} U" in text
    assert "0.1 mL" in text  # 4 U at 100 U / 2.5 mL
    assert "CLINICAL NOTE" in text and "C77" in text
    # a report signs a checkpoint and prints its code: the paper names what it vouches for
    assert report.checkpoint_code and report.checkpoint_code in text
    from app.integrity.checkpoints import code_matches

    assert code_matches(sqlite_store, report.checkpoint_code)

    # the frown photo is on a page, as stored: find it by template matching
    photo = cv2.imdecode(np.frombuffer(display, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
    page = next(
        _page(doc, i) for i in range(doc.pageCount()) if "Frown" in doc.getAllText(i).text()
    )
    fw, fh = 800, 1000
    scale_pt = min((595.27 - 2 * 42.52) / fw, 165 * 72 / 25.4 / fh)
    w, h = round(fw * scale_pt / 72 * DPI), round(fh * scale_pt / 72 * DPI)
    template = cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA)
    found = cv2.matchTemplate(page, template, cv2.TM_CCOEFF_NORMED)
    _, best, _, (x, y) = cv2.minMaxLoc(found)
    assert best > 0.85, best  # the markings and watermark cover a little of it
    region = page[y : y + h, x : x + w].astype(float)
    assert np.median(np.abs(region - template.astype(float))) < 12


def test_a_patient_copy_leaves_out_the_clinical_notes(
    sqlite_store: Store, charted_visit: tuple[int, ChartContent, bytes], tmp_path: Path
) -> None:
    visit_id, _, _ = charted_visit
    out = tmp_path / "patient.pdf"
    reports.write_visit_report(sqlite_store, visit_id, out, patient_copy=True)
    text = _text(_pdf(out))
    assert "CLINICAL NOTE" not in text and "deep" not in text
    assert "patient copy" in text and "7.5 U" in text


def test_an_older_version_is_reported_as_it_was(
    sqlite_store: Store, charted_visit: tuple[int, ChartContent, bytes], tmp_path: Path
) -> None:
    visit_id, _, _ = charted_visit
    first = charts.history(sqlite_store, visit_id)[-1]
    out = tmp_path / "v1.pdf"
    report = reports.write_visit_report(sqlite_store, visit_id, out, version_id=first.id)
    text = _text(_pdf(out))
    assert report.version_no == 1 and "version 1 of 2" in text
    assert "7.5 U" not in text and "first plan" in text


def test_a_visit_without_a_chart_still_reports(sqlite_store: Store, tmp_path: Path) -> None:
    c = make_charted(sqlite_store)
    visit = visits.start_visit(sqlite_store, c.patient_id, c.clinician_id, "neurotoxin")
    out = tmp_path / "empty.pdf"
    reports.write_visit_report(sqlite_store, visit.id, out)
    assert "not saved" in _text(_pdf(out))


def test_report_by_touch_previewed_saved_and_printed(
    qtbot: QtBot,
    window: MainWindow,
    demo_store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Visit page → Report (a finger tap): the PDF's pages on screen; Patient copy makes it
    again without the notes; Save keeps a copy in the reports folder; Print prints every page,
    and the report and the print are in the audit trail of the real SQLite file."""
    from PySide6.QtPrintSupport import QPrinter
    from sqlalchemy import text

    from tests.ui.helpers import finger, page_named
    from tests.ui.test_visit_page import open_first_visit
    from ui.shell import report_page
    from ui.shell.report_page import ReportPage

    monkeypatch.setattr(report_page, "reports_folder", lambda: tmp_path / "reports")
    visit_page = open_first_visit(window, demo_store)
    finger(visit_page.report_button)
    page = page_named(window, ReportPage)
    assert isinstance(page, ReportPage)
    qtbot.waitUntil(lambda: bool(page.pages) and not page.busy, timeout=30000)
    assert page.report is not None and page.report.version_no == 2
    assert len(page.pages) == _pdf(page.pdf_path).pageCount() >= 2  # type: ignore[arg-type]
    assert "NOT SIGNED" in page.status.text()
    assert "First treatment" in _text(_pdf(page.pdf_path))  # type: ignore[arg-type]

    finger(page.copy_button)
    qtbot.waitUntil(lambda: page.report is not None and page.report.patient_copy, timeout=30000)
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=30000)
    assert "First treatment" not in _text(_pdf(page.pdf_path))  # type: ignore[arg-type]

    finger(page.save_button)
    (kept,) = (tmp_path / "reports").glob("*.pdf")
    # the demo's first visit is 120 days before today: its date, not the day this was written
    day = visit_page.visit.visit_date.isoformat()
    assert kept.name.startswith(f"{day} Zoë Martin neurotoxin v2 patient copy")
    assert kept.read_bytes() == page.pdf_path.read_bytes()  # type: ignore[union-attr]

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    page.print_to(printer)
    assert _pdf(printed).pageCount() == len(page.pages)
    with demo_store.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(text("SELECT kind FROM audit_event ORDER BY seq"))]
    assert kinds.count("report") == 2 and kinds[-1] == "print"
