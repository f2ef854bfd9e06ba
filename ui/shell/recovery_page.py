"""The recovery screen (issue #12): a damaged database leads here, never to piecemeal errors.
What is wrong in words, the newest good backup with its age and "Restore it", and "Rescue what
can be read" (app/services/recovery.py, on a worker: a large file takes a while), then "Use the
rescued database". A log lost after a crash can also be opened as it is."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QVBoxLayout

from app.services import backup_settings, recovery
from app.services.recovery import Diagnosis, RescueReport
from ui.common import format as fmt
from ui.common.context import AppContext
from ui.common.widgets import Page, button, hbox, label, scroll_body, set_state, vbox
from ui.common.worker import Worker
from ui.shell.archive_common import file_dialog

BACKUP_FILTER = "FaceChart backups (*.fcbackup);;All files (*)"


def _card(name: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName(name)
    frame.setProperty("card", True)
    return frame, vbox(frame, margins=16, spacing=10)


class RecoveryPage(Page):
    title = "The database needs attention"
    restore_requested = Signal(object)  # the newest backup's Path
    use_rescued = Signal(object)  # the rescued database's Path
    open_as_is = Signal()

    def __init__(self, ctx: AppContext, db_path: Path, diagnosis: Diagnosis) -> None:
        super().__init__()
        self.ctx = ctx
        self.db_path = db_path
        self.diagnosis = diagnosis
        self.report: RescueReport | None = None
        self.setObjectName("recoveryPage")
        self._rescuer = Worker("rescue", self)
        outer = vbox(self, margins=0, spacing=0)
        area, lay = scroll_body()
        outer.addWidget(area)

        self.what = what = label(diagnosis.words, "heading")
        what.setObjectName("recoveryWhat")
        what.setWordWrap(True)
        lay.addWidget(what)
        self.detail = detail = label(
            f"{db_path} · {diagnosis.detail}" if diagnosis.detail else str(db_path), "muted"
        )
        detail.setObjectName("recoveryDetail")
        detail.setWordWrap(True)
        lay.addWidget(detail)

        restore, r_lay = _card("recoveryBackupCard")
        r_lay.addWidget(label("Restore the newest good backup", "section"))
        found = backup_settings.list_backups(ctx.store) if ctx.store.is_sqlite else []
        self.newest = found[0][1] if found else None
        if found:
            when = found[0][0]
            text = (
                f"The newest backup is of {fmt.local_time(when)} "
                f"({backup_settings.age_words(when)}), in {found[0][1].parent}. Work saved "
                "after it is not in it."
            )
        else:
            folder = backup_settings.load(ctx.store).folder
            text = (
                f"No backup was found in {folder}: is the backup disk connected?"
                if folder
                else "No backup folder was set up on this computer."
            )
        self.backup_text = label(text, "body")
        self.backup_text.setObjectName("recoveryBackup")
        self.backup_text.setWordWrap(True)
        r_lay.addWidget(self.backup_text)
        row = hbox(spacing=12)
        row.addStretch(1)
        # a backup kept elsewhere (another disk, a copy from the clinic's admin): its contents
        # and check are shown on the restore page before anything is replaced
        self.other_button = button("Choose another backup file…", "secondary")
        self.other_button.setObjectName("recoveryChooseBackup")
        row.addWidget(self.other_button)
        self.restore_button = button("Restore it", "primary")
        self.restore_button.setObjectName("recoveryRestore")
        self.restore_button.setMinimumWidth(220)
        self.restore_button.setEnabled(self.newest is not None)
        row.addWidget(self.restore_button)
        r_lay.addLayout(row)
        lay.addWidget(restore)

        rescue, s_lay = _card("recoveryRescueCard")
        s_lay.addWidget(label("Rescue what can be read", "section"))
        explain = label(
            "Every record that can still be read is copied into a new database beside this "
            "one, which is then checked. The damaged file is kept as it is.",
            "body",
        )
        explain.setWordWrap(True)
        s_lay.addWidget(explain)
        self.rescue_text = label("", "body")
        self.rescue_text.setObjectName("rescueResult")
        self.rescue_text.setWordWrap(True)
        self.rescue_text.hide()
        s_lay.addWidget(self.rescue_text)
        row = hbox(spacing=12)
        row.addStretch(1)
        self.rescue_button = button("Rescue what can be read", "secondary")
        self.rescue_button.setObjectName("rescueButton")
        self.use_button = button("Use the rescued database", "primary")
        self.use_button.setObjectName("useRescued")
        self.use_button.hide()
        row.addWidget(self.rescue_button)
        row.addWidget(self.use_button)
        s_lay.addLayout(row)
        lay.addWidget(rescue)

        if diagnosis.can_open_as_is:
            as_is, a_lay = _card("recoveryAsIsCard")
            keep = label(
                "Or keep working with the database as it is: everything saved before the "
                "lost saves is there and intact.",
                "body",
            )
            keep.setWordWrap(True)
            a_lay.addWidget(keep)
            row = hbox(spacing=12)
            row.addStretch(1)
            self.as_is_button = button("Open it as it is", "secondary")
            self.as_is_button.setObjectName("openAsIs")
            self.as_is_button.clicked.connect(self.open_as_is)
            row.addWidget(self.as_is_button)
            a_lay.addLayout(row)
            lay.addWidget(as_is)
        lay.addStretch(1)

        self.restore_button.clicked.connect(lambda: self.restore_requested.emit(self.newest))
        self.other_button.clicked.connect(self.ask_backup_file)
        self.rescue_button.clicked.connect(self.start_rescue)
        self.use_button.clicked.connect(
            lambda: self.use_rescued.emit(self.report.path) if self.report else None
        )

    def ask_backup_file(self) -> QFileDialog:
        """Qt's file dialog, from the backup folder (or the newest backup's): the file chosen
        goes to the restore page, which opens and checks it before it restores."""
        start = self.newest.parent if self.newest else None
        if start is None and self.ctx.store.is_sqlite:
            start = backup_settings.load(self.ctx.store).folder
        dialog = file_dialog(
            self, "Choose a backup file", start, BACKUP_FILTER, self.restore_requested.emit
        )
        self.dialog = dialog
        return dialog

    @property
    def rescuing(self) -> bool:
        return self._rescuer.busy

    def start_rescue(self) -> None:
        self.rescue_button.setEnabled(False)
        self.rescue_text.setText("Rescuing what can be read… a large database takes a while.")
        set_state(self.rescue_text, "kind", "body")
        self.rescue_text.show()
        self._rescuer.run(partial(recovery.rescue, self.db_path), self._rescued, self._failed)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, OSError):
            raise exc
        self.rescue_button.setEnabled(True)
        self.rescue_text.setText(str(exc))
        set_state(self.rescue_text, "kind", "error")

    def _rescued(self, report: RescueReport) -> None:
        self.report = report
        lost = report.lost
        lines = [f"{report.rows_copied:,} records were copied into {report.path.name}."]
        if lost:
            lines.append("Could not be read: " + "; ".join(lost[:4]) + ".")
        else:
            lines.append("Everything could be read.")
        if report.passes_check:
            lines.append("The rescued database passes its check.")
        else:
            lines.append("The rescued database does not pass its check: " + report.problems[0])
        self.rescue_text.setText(" ".join(lines))
        self.use_button.setVisible(report.passes_check)

    def ready_to_leave(self) -> bool:
        self._rescuer.shutdown(wait=False)
        return True
