"""What the archive export and import screens share (issue #12, ADR 0023): a job on a worker
whose progress bar appears when it lasts over a second, the passphrase field, the words for
an archive's counts, and Qt's own file dialog made big enough for a finger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QProgressBar, QWidget

from ui.common.widgets import TOUCH
from ui.common.worker import Worker
from ui.shell.backup_runner import JobProgress

SHOW_PROGRESS_AFTER_MS = 1000  # under a second needs no bar (issue #12)
POLL_MS = 100
# what an archive counts, in the order a reader looks for it, and how to say it
COUNT_WORDS = (
    ("patients", "patient", "patients"),
    ("visits", "visit", "visits"),
    ("chart_versions", "chart version", "chart versions"),
    ("photos", "photo", "photos"),
    ("signatures", "signature", "signatures"),
)


def counts_words(counts: dict[str, int], skip_none: bool = False) -> str:
    parts = []
    for key, one, many in COUNT_WORDS:
        n = counts.get(key, 0)
        if n or not skip_none:
            parts.append(f"{n:,} {one if n == 1 else many}")
    return ", ".join(parts)


def size_words(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.0f} KB"


class ProgressJob(QObject):
    """One job at a time on its own worker (ADR 0012), `bar` shown after a second and kept
    at the job's fraction; `step` gets the job's words for what it is doing."""

    def __init__(
        self, name: str, bar: QProgressBar, step: Callable[[str], None], parent: QObject
    ) -> None:
        super().__init__(parent)
        self.worker = Worker(name, self)
        self.bar = bar
        self._step = step
        self._progress = JobProgress()
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._read)
        self._show = QTimer(self)
        self._show.setSingleShot(True)
        self._show.setInterval(SHOW_PROGRESS_AFTER_MS)
        self._show.timeout.connect(lambda: self.bar.setVisible(self.busy))

    @property
    def busy(self) -> bool:
        return self.worker.busy

    def run(
        self,
        job: Callable[[Callable[[str, float], None]], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """`job(progress)` on the worker; `on_done` / `on_error` on the GUI thread."""
        self._progress = progress = JobProgress()
        self.bar.setValue(0)
        self._show.start()
        self._poll.start()

        def done(result: Any) -> None:
            self._end()
            on_done(result)

        def failed(exc: BaseException) -> None:
            self._end()
            on_error(exc)

        self.worker.run(lambda: job(progress), done, failed)

    def _read(self) -> None:
        step, done = self._progress.read()
        self.bar.setValue(int(done * 100))
        self._step(step)

    def _end(self) -> None:
        self._show.stop()
        self._poll.stop()
        self.bar.hide()

    def shutdown(self) -> None:
        self._end()
        self.worker.shutdown(wait=False)


def progress_bar(name: str) -> QProgressBar:
    bar = QProgressBar()
    bar.setObjectName(name)
    bar.setRange(0, 100)
    bar.setMinimumHeight(TOUCH // 2)
    bar.setTextVisible(False)
    bar.hide()
    return bar


def file_dialog(
    parent: QWidget,
    title: str,
    start: Path | None,
    name_filter: str,
    on_file: Callable[[Path], None],
) -> QFileDialog:
    """Qt's own file dialog (the same on every system, so a test can drive it), nearly as big
    as the window so its rows and buttons take a finger; opened window-modal."""
    dialog = QFileDialog(parent, title, str(start) if start else str(Path.home()), name_filter)
    dialog.setObjectName("archiveFileDialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    window = parent.window()
    dialog.resize(int(window.width() * 0.9), int(window.height() * 0.85))
    dialog.setStyleSheet(
        f"QPushButton {{ min-height: {TOUCH}px; min-width: 140px; }}"
        f" QAbstractItemView::item {{ min-height: {TOUCH - 8}px; }}"
        f" QLineEdit, QComboBox {{ min-height: {TOUCH - 8}px; }}"
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(lambda f: on_file(Path(f)))
    dialog.open()
    return dialog
