"""Export a portable archive (issue #12, ADR 0023; admin only, checked again by the service):
every patient, or the patient whose page it was opened from, to a folder chosen with the touch
folder browser (the last one remembered), encrypted with a passphrase typed twice. The export
runs on a worker with a progress bar; the result names the file, its size and what it holds,
read back and verified."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QSizePolicy, QVBoxLayout

from app.services import archive, backup_settings, patients
from app.services.archive import ExportReport
from app.services.backup_settings import MIN_PASSPHRASE
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
    ProgressJob,
    counts_words,
    progress_bar,
    size_words,
)
from ui.shell.backup_dialogs import FolderDialog

RECENT_FILE = "recent-export-folders.json"


def _card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("card", True)
    return frame, vbox(frame, margins=16, spacing=10)


def archive_name(who: str | None, at: datetime) -> str:
    """`facechart-archive-2026-11-30-1125.zip`, or with the patient's name for one patient
    (the file is found on the disk by it)."""
    folded = unicodedata.normalize("NFKD", who or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return f"facechart-{slug or 'archive'}-{at:%Y-%m-%d-%H%M}.zip"


class ExportPage(Page):
    title = "Export records"

    def __init__(self, ctx: AppContext, patient_id: int | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.patient_id = patient_id
        self.setObjectName("exportPage")
        self.report: ExportReport | None = None
        self.recent = RecentFolders(browse_data.default_recent_file().with_name(RECENT_FILE))
        known = [f for f in self.recent.folders() if f.is_dir()]
        self.folder: Path | None = known[0] if known else None
        self.patient = patients.get_patient(ctx.store, patient_id) if patient_id else None
        if self.patient is not None:
            self.title = f"Export {self.patient.display_name}"

        outer = vbox(self, margins=0, spacing=0)
        self.area, lay = scroll_body("exportScroll")
        outer.addWidget(self.area)

        intro = label(
            "An archive holds the records whole: visits, every chart version with its hash "
            "and signatures, the photos byte for byte, consents and the audit trail. It is "
            "encrypted; FaceChart at another clinic, or the clinic's server, opens it with "
            "Import and the passphrase.",
            "body",
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)

        what, w_lay = _card()
        what.setObjectName("exportWhat")
        w_lay.addWidget(label("What is exported", "section"))
        self.what = label(self._what_words(), "strong")
        self.what.setObjectName("exportScope")
        self.what.setWordWrap(True)
        w_lay.addWidget(self.what)
        lay.addWidget(what)

        where, f_lay = _card()
        where.setObjectName("exportWhere")
        f_lay.addWidget(label("Where it goes", "section"))
        line = hbox(spacing=16)
        self.folder_text = label("", "body")
        self.folder_text.setObjectName("exportFolder")
        self.folder_text.setWordWrap(True)
        line.addWidget(self.folder_text, 1)
        self.choose_folder = button("Choose folder", "secondary")
        self.choose_folder.setObjectName("exportChooseFolder")
        self.choose_folder.setMinimumWidth(220)
        line.addWidget(self.choose_folder, 0, Qt.AlignmentFlag.AlignVCenter)
        f_lay.addLayout(line)
        lay.addWidget(where)

        secret, p_lay = _card()
        secret.setObjectName("exportSecret")
        p_lay.addWidget(label("Passphrase", "section"))
        hint = label(
            "Only this passphrase opens the archive. Give it to whoever imports it apart "
            f"from the file (by phone, not with the disk). At least {MIN_PASSPHRASE} "
            "characters; a few words are easy to type and hard to guess.",
            "body",
        )
        hint.setWordWrap(True)
        p_lay.addWidget(hint)
        self.first = secret_field("exportPassphrase", "Passphrase")
        self.second = secret_field("exportPassphraseAgain", "The same again")
        pair = hbox(spacing=12)
        pair.addWidget(self.first, 1)
        pair.addWidget(self.second, 1)
        p_lay.addLayout(pair)
        lay.addWidget(secret)

        self.status = label("", "body")
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        lay.addWidget(self.status)
        self.result = label("", "body")
        self.result.setObjectName("exportResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        lay.addWidget(self.result)
        lay.addStretch(1)

        # outside the scrolling part: the step that matters stays in view
        bottom = hbox(spacing=16)
        bottom.setContentsMargins(24, 8, 24, 12)
        self.progress = progress_bar("exportProgress")
        bottom.addWidget(self.progress, 1)
        bottom.addStretch(0)
        self.export_button = button("Export", "primary")
        self.export_button.setObjectName("exportNow")
        self.export_button.setMinimumWidth(240)
        self.export_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        bottom.addWidget(self.export_button)
        outer.addLayout(bottom)
        self.keyboard_slot = outer

        self.job = ProgressJob("archive-export", self.progress, self._step, self)
        self.choose_folder.clicked.connect(self.ask_folder)
        self.export_button.clicked.connect(self.export)
        self.second.returnPressed.connect(self.export)
        self._show_folder()

    def _what_words(self) -> str:
        if self.patient is not None:
            p = self.patient
            return f"{p.display_name}, born {fmt.day(p.date_of_birth)}: this patient only"
        c = backup_settings.database_counts(self.ctx.store)
        return (
            f"Every patient of the clinic: {fmt.plural(c.patients, 'patient')}, "
            f"{fmt.plural(c.visits, 'visit')}, {fmt.plural(c.versions, 'chart version')}, "
            f"{fmt.plural(c.photos, 'photo')}"
        )

    def _show_folder(self) -> None:
        self.folder_text.setText(
            str(self.folder) if self.folder else "No folder chosen yet: choose one (a USB disk)."
        )

    @property
    def busy(self) -> bool:
        return self.job.busy

    def ask_folder(self) -> FolderDialog:
        dialog = FolderDialog(
            self,
            self.folder,
            self.set_folder,
            title="Where the archive goes",
            heading="Choose the folder the archive goes to",
            recent_name=RECENT_FILE,
            prompt="Open the folder the archive goes to (a USB disk), then tap “Use this folder”.",
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def set_folder(self, folder: Path) -> None:
        self.folder = folder
        self.recent.remember(folder)
        self._show_folder()

    def _say(self, text: str, kind: str = "body") -> None:
        self.status.setText(text)
        set_state(self.status, "kind", kind)
        self.status.show()

    def _step(self, step: str) -> None:
        self.export_button.setText(f"{step}…")

    def export(self) -> None:
        if self.busy:
            return
        first, second = self.first.text(), self.second.text()
        if self.folder is None or not self.folder.is_dir():
            self._say("Choose the folder the archive goes to first.", "error")
            return
        if len(first) < MIN_PASSPHRASE:
            self._say(f"The passphrase needs at least {MIN_PASSPHRASE} characters.", "error")
            return
        if first != second:
            self._say("The two passphrases differ: type them again.", "error")
            return
        who = self.patient.display_name if self.patient is not None else None
        out = self.folder / archive_name(who, datetime.now())
        self.result.hide()
        self._say("Exporting: every record is written, read back and checked…")
        self.export_button.setEnabled(False)
        job = partial(
            archive.export_for,
            self.ctx.store,
            self.ctx.practitioner.id,
            out,
            first,
            patient_id=self.patient_id,
        )
        self.job.run(lambda progress: job(progress=progress), self._done, self._failed)

    def _done(self, report: ExportReport) -> None:
        self.report = report
        self.export_button.setEnabled(True)
        self.export_button.setText("Export")
        self.first.clear()
        self.second.clear()
        self.status.hide()
        self.result.setText(
            f"Exported and verified: {counts_words(report.counts)}.\n"
            f"{report.path.name} ({size_words(report.size_bytes)}) in {report.path.parent}."
        )
        self.result.show()
        self.area.ensureWidgetVisible(self.result)

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.export_button.setText("Export")
        if isinstance(exc, archive.ArchiveVerificationError):
            message = (
                f"The archive was not kept: {exc} Run Check (Settings) before exporting again."
            )
        elif isinstance(exc, (StoreError, archive.ExportError, OSError)):
            message = f"Nothing was exported: {exc}"
        else:
            raise exc  # a bug: the app's fault handler reports it
        self._say(message, "error")

    def ready_to_leave(self) -> bool:
        if self.busy:
            self._say("The export is still running: wait for it to finish.", "error")
            return False
        self.job.shutdown()
        return True
