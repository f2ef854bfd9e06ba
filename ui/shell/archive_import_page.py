"""Import a portable archive (issue #12, ADR 0023; admin only, checked again by the service).

Pick the file (Qt's file dialog), type its passphrase and open it: what it holds (clinic,
when written, counts, newest save) shows before anything is written. Import runs on a worker
with a progress bar; the result says what was added and what was already here (importing the
same archive twice adds nothing). A patient who looks like one already here (same name and
date of birth, another identity) is listed with "Link to the existing patient" and "Keep
apart"; nothing is merged until the admin says so."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
)

from app.services import archive, patient_links, patients
from app.services.archive import ArchivePreview, ImportReport, LookAlike
from app.services.patient_links import LinkResult
from app.store.errors import StoreError
from ui.capture import browse_data
from ui.capture.browse_data import RecentFolders
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import (
    Page,
    button,
    hbox,
    label,
    scroll_body,
    secret_field,
    set_state,
    vbox,
)
from ui.shell.archive_common import (
    COUNT_WORDS,
    ProgressJob,
    counts_words,
    file_dialog,
    progress_bar,
)
from ui.shell.archive_export_page import RECENT_FILE

FILTER = "FaceChart archives (*.zip);;All files (*)"


def _card(name: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName(name)
    frame.setProperty("card", True)
    return frame, vbox(frame, margins=16, spacing=10)


def _when(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return fmt.local_time(datetime.fromisoformat(iso))
    except ValueError:
        return iso


class LookAlikeRow(QFrame):
    """One imported patient who looks like a patient here, and the admin's two choices."""

    decided = Signal(object, str)  # the LookAlike, "link" | "apart"

    def __init__(self, twin: LookAlike, here: str, origin: str) -> None:
        super().__init__()
        self.twin = twin
        self.setObjectName(f"lookAlike{twin.imported_id}")
        lay = vbox(self, margins=0, spacing=8)
        who = label(f"{twin.name}, born {fmt.day(twin.date_of_birth)}", "strong")
        lay.addWidget(who)
        self.text = label(
            f"From {origin}, and {here} is already here with the same name and date of "
            "birth. If they are the same person, link them: the imported visits and photos "
            "then show under the patient here. If not, keep them apart.",
            "body",
        )
        self.text.setWordWrap(True)
        lay.addWidget(self.text)
        row = hbox(spacing=12)
        self.link = button("Link to the existing patient", "primary")
        self.link.setObjectName("linkPatient")
        self.apart = button("Keep apart", "secondary")
        self.apart.setObjectName("keepApart")
        row.addWidget(self.link)
        row.addWidget(self.apart)
        row.addStretch(1)
        lay.addLayout(row)
        self.outcome = label("", "strong")
        self.outcome.setObjectName("lookAlikeOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.hide()
        lay.addWidget(self.outcome)
        self.link.clicked.connect(lambda: self.decided.emit(self.twin, "link"))
        self.apart.clicked.connect(lambda: self.decided.emit(self.twin, "apart"))

    def busy(self, on: bool) -> None:
        self.link.setEnabled(not on)
        self.apart.setEnabled(not on)

    def done(self, words: str) -> None:
        self.link.hide()
        self.apart.hide()
        self.outcome.setText(words)
        self.outcome.show()


class ImportPage(Page):
    title = "Import an archive"

    def __init__(self, ctx: AppContext, chosen: Path | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("archiveImportPage")
        self.path: Path | None = chosen
        self.preview: ArchivePreview | None = None
        self.report: ImportReport | None = None
        self.rows: dict[int, LookAlikeRow] = {}
        self.recent = RecentFolders(browse_data.default_recent_file().with_name(RECENT_FILE))

        outer = vbox(self, margins=0, spacing=0)
        self.area, lay = scroll_body("importScroll")
        outer.addWidget(self.area)

        intro = label(
            "An archive from another clinic, or this clinic's own (moving to the server), "
            "adds the records this database lacks. Nothing here is changed or merged, and "
            "nothing is written until you tap Import.",
            "body",
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)

        pick, k_lay = _card("importPick")
        line = hbox(spacing=16)
        self.file_text = label("", "body")
        self.file_text.setObjectName("importFile")
        self.file_text.setWordWrap(True)
        line.addWidget(self.file_text, 1)
        self.choose_file = button("Choose archive file…", "secondary")
        self.choose_file.setObjectName("importChooseFile")
        self.choose_file.setMinimumWidth(260)
        line.addWidget(self.choose_file, 0, Qt.AlignmentFlag.AlignVCenter)
        k_lay.addLayout(line)
        secret = hbox(spacing=12)
        self.passphrase = secret_field("importPassphrase", "The archive's passphrase")
        secret.addWidget(self.passphrase, 1)
        self.open_button = button("Open archive", "primary")
        self.open_button.setObjectName("importOpen")
        self.open_button.setMinimumWidth(220)
        secret.addWidget(self.open_button)
        k_lay.addLayout(secret)
        lay.addWidget(pick)

        self.status = label("", "body")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        lay.addWidget(self.status)

        self.holds, h_lay = _card("importHolds")
        self.holds_head = label("This archive holds", "section")
        h_lay.addWidget(self.holds_head)
        grid = QGridLayout()
        grid.setHorizontalSpacing(32)
        grid.setVerticalSpacing(6)
        self.cells: dict[str, QLabel] = {}
        names = [
            ("clinic", "From"),
            ("created", "Written"),
            ("scope", "What"),
            *[(key, many.capitalize()) for key, _one, many in COUNT_WORDS],
            ("newest", "Newest save"),
        ]
        for r, (key, text) in enumerate(names):
            grid.addWidget(label(text, "body"), r, 0)
            cell = label("", "strong")
            cell.setObjectName(f"import_{key}")
            cell.setWordWrap(True)
            grid.addWidget(cell, r, 1)
            self.cells[key] = cell
        grid.setColumnStretch(1, 1)
        h_lay.addLayout(grid)
        self.holds.hide()
        lay.addWidget(self.holds)

        self.result_card, r_lay = _card("importResult")
        self.result = label("", "body")
        self.result.setObjectName("importResultText")
        self.result.setWordWrap(True)
        r_lay.addWidget(self.result)
        self.result_card.hide()
        lay.addWidget(self.result_card)

        self.twins_card, t_lay = _card("importLookAlikes")
        t_lay.addWidget(label("Patients who look like patients here", "section"))
        self.twins_lay = t_lay
        self.twins_card.hide()
        lay.addWidget(self.twins_card)
        lay.addStretch(1)

        bottom = hbox(spacing=16)
        bottom.setContentsMargins(24, 8, 24, 12)
        self.progress = progress_bar("importProgress")
        bottom.addWidget(self.progress, 1)
        bottom.addStretch(0)
        self.import_button = button("Import", "primary")
        self.import_button.setObjectName("importNow")
        self.import_button.setMinimumWidth(240)
        self.import_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.import_button.setEnabled(False)
        bottom.addWidget(self.import_button)
        outer.addLayout(bottom)
        self.keyboard_slot = outer

        self.job = ProgressJob("archive-import", self.progress, self._step, self)
        # look-alikes an earlier import (the command line's) left for an admin to decide
        for twin, origin in archive.pending_look_alikes(ctx.store):
            self._add_row(twin, origin)
        self.twins_card.setVisible(bool(self.rows))
        self.choose_file.clicked.connect(self.ask_file)
        self.open_button.clicked.connect(self.open_archive)
        self.passphrase.returnPressed.connect(self.open_archive)
        self.import_button.clicked.connect(self.start_import)
        self._show_file()

    # -- choosing and opening ---------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.job.busy

    def _show_file(self) -> None:
        self.file_text.setText(
            str(self.path) if self.path else "Choose the archive file (on a USB disk)."
        )

    def ask_file(self) -> QFileDialog:
        start = self.path.parent if self.path else next(iter(self.recent.folders()), None)
        dialog = file_dialog(self, "Choose an archive", start, FILTER, self.set_file)
        self.dialog = dialog
        return dialog

    def set_file(self, path: Path) -> None:
        self.path = path
        self.import_button.setText("Import")
        self.recent.remember(path.parent)
        self.preview = None
        self.holds.hide()
        self.result_card.hide()
        self.import_button.setEnabled(False)
        self.status.hide()
        self._show_file()

    def _say(self, text: str, kind: str = "body") -> None:
        self.status.setText(text)
        set_state(self.status, "kind", kind)
        self.status.show()

    def _step(self, step: str) -> None:
        self.import_button.setText(f"{step}…")

    def open_archive(self) -> None:
        if self.busy:
            return
        if self.path is None:
            self._say("Choose the archive file first.", "error")
            return
        if not self.passphrase.text():
            self._say("Type the archive's passphrase.", "error")
            return
        self.preview = None
        self.holds.hide()
        self.result_card.hide()
        self.import_button.setEnabled(False)
        self.open_button.setEnabled(False)
        self._say("Opening the archive…")
        job = partial(archive.preview, self.path, self.passphrase.text())
        self.job.run(lambda _progress: job(), self._opened, self._failed)

    def _opened(self, seen: ArchivePreview) -> None:
        self.open_button.setEnabled(True)
        self.preview = seen
        self.cells["clinic"].setText(seen.clinic)
        self.cells["created"].setText(_when(seen.created))
        self.cells["scope"].setText(
            "Every patient of that clinic" if seen.scope == "all" else "One patient"
        )
        for key, _one, _many in COUNT_WORDS:
            self.cells[key].setText(f"{seen.counts.get(key, 0):,}")
        self.cells["newest"].setText(_when(seen.newest_save))
        self.holds.show()
        self._say(
            "The archive opened. Nothing has been written yet: tap Import to add what this "
            "database lacks."
        )
        self.import_button.setEnabled(True)
        self.area.ensureWidgetVisible(self.holds)

    def _failed(self, exc: BaseException) -> None:
        self.open_button.setEnabled(True)
        self.import_button.setText("Import")
        self.import_button.setEnabled(self.preview is not None)
        if isinstance(exc, archive.ArchiveReadError):
            text = f"{exc} Nothing was imported."
            if "passphrase" in str(exc):
                text = (
                    "The passphrase does not open this archive: check it with whoever made "
                    "the archive and type it again. Nothing was imported."
                )
        elif isinstance(exc, archive.ArchiveVerificationError):
            text = (
                f"Nothing was imported: {exc} The archive is damaged or was changed; ask for "
                "a new copy."
            )
        elif isinstance(exc, (StoreError, OSError)):
            text = f"The import stopped: {exc}"
        else:
            raise exc  # a bug: the app's fault handler reports it
        self._say(text, "error")

    # -- importing --------------------------------------------------------------------------

    def start_import(self) -> None:
        if self.busy or self.preview is None or self.path is None:
            return
        self.import_button.setEnabled(False)
        self.open_button.setEnabled(False)
        self._say("Importing: everything is verified before anything is written…")
        job = partial(
            archive.import_for,
            self.ctx.store,
            self.ctx.practitioner.id,
            self.path,
            self.passphrase.text(),
        )
        self.job.run(lambda progress: job(progress=progress), self._imported, self._failed)

    def _imported(self, report: ImportReport) -> None:
        self.report = report
        self.open_button.setEnabled(True)
        self.import_button.setText("Imported")
        self.import_button.setEnabled(False)  # done: a second import would add nothing
        self.status.hide()
        seen = self.preview.counts if self.preview else {}
        added = counts_words(report.created, skip_none=True)
        already = {
            k: max(seen.get(k, 0) - report.created.get(k, 0), 0) for k, _o, _m in COUNT_WORDS
        }
        lines = [
            f"Imported from {report.clinic}: "
            + (added if report.created else "nothing new, it was all here already")
            + "."
        ]
        if report.created and any(already.values()):
            lines.append(f"Already here, left as it was: {counts_words(already, True)}.")
        if seen.get("signatures"):
            lines.append(f"Its signatures verify and show as “signed at {report.clinic}”.")
        if report.look_alikes:
            n = len(report.look_alikes)
            lines.append(
                "1 patient looks like a patient here: choose below."
                if n == 1
                else f"{n} patients look like patients here: choose below."
            )
        self.result.setText("\n".join(lines))
        self.result_card.show()
        self._show_look_alikes(report)
        self.area.ensureWidgetVisible(self.result_card)

    def _show_look_alikes(self, report: ImportReport) -> None:
        for row in self.rows.values():
            row.deleteLater()
        self.rows = {}
        for twin in report.look_alikes:
            self._add_row(twin, report.clinic)
        for twin, origin in archive.pending_look_alikes(self.ctx.store):  # earlier imports'
            if twin.imported_id not in self.rows:
                self._add_row(twin, origin)
        self.twins_card.setVisible(bool(self.rows))

    def _add_row(self, twin: LookAlike, origin: str) -> None:
        here = patients.get_patient(self.ctx.store, twin.existing_id)
        words = here.display_name
        if here.record_number:
            words += f" (record {here.record_number})"
        row = LookAlikeRow(twin, words, origin)
        row.decided.connect(self.decide)
        self.twins_lay.addWidget(row)
        self.rows[twin.imported_id] = row

    def decide(self, twin: LookAlike, choice: str) -> None:
        if self.busy:
            return
        row = self.rows[twin.imported_id]
        row.busy(True)
        act = patient_links.link if choice == "link" else patient_links.keep_apart
        job = partial(act, self.ctx.store, self.ctx.practitioner.id, twin.imported_id)
        self.job.run(
            lambda _progress: job(twin.existing_id),
            self._decided,
            lambda exc: self._decide_failed(row, exc),
        )

    def _decided(self, result: LinkResult) -> None:
        row = self.rows[result.imported_id]
        if result.decision == patient_links.LINKED:
            row.done(
                f"Linked: {fmt.plural(result.visits_moved, 'visit')} and "
                f"{fmt.plural(result.photos_moved, 'photo')} are now under the patient here."
            )
        else:
            row.done("Kept apart: two patients.")

    def _decide_failed(self, row: LookAlikeRow, exc: BaseException) -> None:
        row.busy(False)
        if not isinstance(exc, StoreError):
            raise exc
        self._say(str(exc), "error")

    def ready_to_leave(self) -> bool:
        if self.busy:
            self._say("The import is still running: wait for it to finish.", "error")
            return False
        self.job.shutdown()
        return True
