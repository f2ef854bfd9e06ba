"""The editor's one source of truth: the chart content being edited. Scenes and panels listen
to `changed` and redraw themselves; nothing edits a scene item directly."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.domain.chart import ChartContent


class ChartModel(QObject):
    changed = Signal()
    dirty_changed = Signal(bool)

    def __init__(self, content: ChartContent, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._content = content
        self._saved = content
        self._dirty = False

    @property
    def content(self) -> ChartContent:
        return self._content

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_content(self, content: ChartContent) -> None:
        if content == self._content:
            return
        self._content = content
        self._update_dirty()  # before `changed`: listeners read `dirty`
        self.changed.emit()

    def mark_saved(self, content: ChartContent) -> None:
        """After a save: `content` (as stored) is now the clean state."""
        self._saved = content
        self._content = content
        self._update_dirty()
        self.changed.emit()

    def _update_dirty(self) -> None:
        # Compare with the saved state rather than count edits: undoing back to it is clean.
        dirty = self._content != self._saved
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
