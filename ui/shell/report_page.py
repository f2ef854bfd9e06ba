"""A visit's report before it leaves the screen (issue #12): the PDF's pages as they will
print, a switch for the patient's copy (without the clinical notes), Save (a copy in the
user's Documents, "FaceChart reports") and Print (the system's print dialog).

The PDF is written on a worker (a four-view report takes over a second) by the same service
as the `report` command, and shown with Qt's PDF module, so the preview is the file itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, QStandardPaths, Qt
from PySide6.QtGui import QPainter, QPixmap, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QWidget

from app.services import audit, patients, reports, visits
from app.services.reports import VisitReport
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.dialogs import show_error
from ui.common.widgets import Page, PatientBanner, button, enable_touch_scroll, hbox, label, vbox
from ui.common.worker import Worker

PAGE_GAP = 16
PAGE_MAX_WIDTH = 980  # a page wider than this only makes the preview scroll further


def reports_folder() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs or Path.home()) / "FaceChart reports"


class ReportPage(Page):
    def __init__(self, ctx: AppContext, visit_id: int, version_id: int | None = None) -> None:
        super().__init__()
        self.ctx, self.visit_id, self.version_id = ctx, visit_id, version_id
        self.setObjectName("reportPage")
        visit = visits.get_visit(ctx.store, visit_id)
        patient = patients.get_patient(ctx.store, visit.patient_id)
        self.title = f"Report · {fmt.day(visit.visit_date)}"
        self.report: VisitReport | None = None
        self.pdf_path: Path | None = None
        self.document = QPdfDocument(self)
        self.worker = Worker("report", self)

        lay = vbox(self, spacing=0)
        lay.addWidget(PatientBanner(patient))
        bar = hbox(margins=16, spacing=12)
        self.status = label("Preparing the report…", "muted")
        self.status.setObjectName("reportStatus")
        bar.addWidget(self.status, 1)
        self.copy_button = button("Patient copy", "secondary")
        self.copy_button.setObjectName("patientCopy")
        self.copy_button.setCheckable(True)
        self.copy_button.setAccessibleName("Patient copy: without the clinical notes")
        self.save_button = button("Save PDF", "secondary")
        self.save_button.setObjectName("saveReport")
        self.print_button = button("Print…", "primary")
        self.print_button.setObjectName("printReport")
        for b in (self.copy_button, self.save_button, self.print_button):
            b.setEnabled(False)
            bar.addWidget(b)
        lay.addLayout(bar)

        self.page_area = QScrollArea()
        self.page_area.setObjectName("reportPages")
        self.page_area.setWidgetResizable(True)
        self.page_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.page_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        enable_touch_scroll(self.page_area)
        lay.addWidget(self.page_area, 1)
        self.pages: list[QLabel] = []

        self.copy_button.toggled.connect(lambda _on: self.make())
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.ask_print)
        self.make()

    @property
    def busy(self) -> bool:
        return self.worker.busy

    def make(self) -> None:
        """(Re)write the PDF off the GUI thread, then show its pages."""
        for b in (self.copy_button, self.save_button, self.print_button):
            b.setEnabled(False)
        self.status.setText("Preparing the report…")
        store, visit_id, version_id = self.ctx.store, self.visit_id, self.version_id
        copy, who = self.copy_button.isChecked(), self.ctx.practitioner.id
        self.worker.cancel("report")
        self.worker.run(
            lambda: reports.preview_report(
                store, visit_id, version_id=version_id, patient_copy=copy, actor_id=who
            ),
            self._made,
            self._failed,
            key="report",
        )

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, StoreError | OSError):
            raise exc
        self.status.setText("The report could not be made.")
        show_error(self, str(exc))

    def _made(self, outcome: tuple[VisitReport, Path]) -> None:
        self.report, self.pdf_path = outcome
        self.document.close()
        self.document.load(str(self.pdf_path))
        r = self.report
        state = "signed" if r.signed else "NOT SIGNED"
        version = f"version {r.version_no} of {r.version_count}" if r.version_no else "unsaved"
        copy = " · patient copy" if r.patient_copy else ""
        self.status.setText(
            f"{self.document.pageCount()} pages · {version} · code {r.short_code or '—'} · "
            f"{state}{copy}"
        )
        for b in (self.copy_button, self.save_button, self.print_button):
            b.setEnabled(True)
        self._show_pages()

    def _show_pages(self) -> None:
        holder = QWidget()
        col = vbox(holder, margins=PAGE_GAP, spacing=PAGE_GAP)
        width = self._page_width()
        self.pages = []
        for i in range(self.document.pageCount()):
            size = self.document.pagePointSize(i)
            height = round(width * size.height() / size.width())
            dpr = self.devicePixelRatioF()
            image = self.document.render(i, QSize(round(width * dpr), round(height * dpr)))
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(dpr)
            page = QLabel()
            page.setObjectName(f"reportPage{i + 1}")
            page.setPixmap(pixmap)
            page.setFixedSize(width, height)
            page.setStyleSheet("background: white; border: 1px solid #9AA5AE;")
            col.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
            self.pages.append(page)
        col.addStretch(1)
        self.page_area.setWidget(holder)

    def _page_width(self) -> int:
        return max(min(self.page_area.viewport().width() - 2 * PAGE_GAP, PAGE_MAX_WIDTH), 400)

    def save(self) -> Path | None:
        if self.report is None or self.pdf_path is None:
            return None
        try:
            kept = reports.keep_copy(self.pdf_path, self.report, reports_folder())
        except OSError as exc:
            show_error(self, f"The report could not be saved: {exc.strerror or exc}.")
            return None
        self.status.setText(f"Saved as {kept}")
        return kept

    def ask_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Every page, scaled to the printer's page: the file's own pages, not a screenshot."""
        if self.report is None:
            return
        painter = QPainter()
        if not painter.begin(printer):
            show_error(self, "The printer could not be started.")
            return
        try:
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            for i in range(self.document.pageCount()):
                if i:
                    printer.newPage()
                size = self.document.pagePointSize(i)
                scale = min(area.width() / size.width(), area.height() / size.height())
                target = QSize(round(size.width() * scale), round(size.height() * scale))
                painter.drawImage(0, 0, self.document.render(i, target))
        finally:
            painter.end()
        try:
            audit.record(
                self.ctx.store,
                "print",
                self.ctx.practitioner.id,
                visit_id=self.visit_id,
                subject=f"chart_version:{self.report.version_no}" if self.report.version_no else "",
            )
        except StoreError as exc:
            show_error(self, str(exc))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.report is not None and self.pages:
            width = self._page_width()
            if abs(self.pages[0].width() - width) > 24:
                self._show_pages()
