"""Journals the unsaved draft to disk a moment after each edit (app/services/drafts.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from app.domain.chart import ChartContent
from app.services import drafts
from app.services.store import Store

DEBOUNCE_MS = 1000  # a crash loses at most about a second of drawing


class DraftJournal(QObject):
    def __init__(
        self,
        store: Store,
        visit_id: int,
        parent_version: Callable[[], int | None],
        content: Callable[[], ChartContent],
        parent: QObject | None = None,
        author_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.visit_id = visit_id
        self.author_id = author_id  # the draft is theirs alone (issue #11)
        self._parent_version = parent_version
        self._content = content
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.flush)
        self.error: str | None = None

    def touch(self) -> None:
        self.timer.start()

    def flush(self) -> None:
        self.timer.stop()
        try:
            drafts.write_draft(
                self.store,
                self.visit_id,
                self._parent_version(),
                self._content(),
                author_id=self.author_id,
            )
            self.error = None
        except OSError as exc:  # a full disk must not stop the charting; say so instead
            self.error = f"The draft could not be written to disk: {exc.strerror or exc}"

    def clear(self) -> None:
        self.timer.stop()
        drafts.clear_draft(self.store, self.visit_id, self.author_id)
