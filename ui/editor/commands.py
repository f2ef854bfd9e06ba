"""Undo commands: one per gesture (a whole stroke, a whole drag, one tap on the sheet).

Content is immutable, so a command is the content before and after and the view it happened
on; undo and redo hand one or the other to the model, which tells the scenes. Steppers on the
point sheet merge into one step while they keep changing the same point.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from app.domain.chart import ChartContent
from ui.editor.model import ChartModel

MERGE_POINT_FIELD = 1


class ContentCommand(QUndoCommand):
    def __init__(
        self,
        model: ChartModel,
        before: ChartContent,
        after: ChartContent,
        text: str,
        view: str | None = None,
        merge_key: str | None = None,
        on_apply: Callable[[str | None], None] | None = None,
    ) -> None:
        super().__init__(text)
        self.model = model
        self.before = before
        self.after = after
        self.view = view
        self.merge_key = merge_key
        self.on_apply = on_apply

    def redo(self) -> None:
        self.model.set_content(self.after)
        if self.on_apply:
            self.on_apply(self.view)

    def undo(self) -> None:
        self.model.set_content(self.before)
        if self.on_apply:
            self.on_apply(self.view)

    def id(self) -> int:
        return MERGE_POINT_FIELD if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ContentCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True
