"""The content being edited and its saved state. Listeners get a `ContentChange` that names
what changed, so a panel that shows the products does nothing when a stroke is drawn, and a
scene rebuilds only its own view. Nothing edits a scene item directly."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.domain.chart import ChartContent, ViewChart


@dataclass(frozen=True, slots=True)
class ContentChange:
    """What differs between two contents. Content is immutable and an edit shares every
    untouched tuple with the content before it, so this costs an identity check per view."""

    points: frozenset[str]  # views whose points changed
    strokes: frozenset[str]  # views whose strokes changed
    overlays: frozenset[str]  # views whose saved overlays changed
    products: bool  # product uses (lot, expiry, dilution): labels show volumes from these
    note: bool = False
    areas: frozenset[str] = frozenset()  # views whose microneedling areas changed
    session: bool = False  # the microneedling session record (device, lot, ...)

    @property
    def views(self) -> frozenset[str]:
        return self.points | self.strokes | self.overlays | self.areas

    @classmethod
    def between(cls, before: ChartContent, after: ChartContent) -> ContentChange:
        old = {v.view: v for v in before.views}
        new = {v.view: v for v in after.views}
        empty = ViewChart("")
        points, strokes, overlays, areas = set(), set(), set(), set()
        for code in old.keys() | new.keys():
            a, b = old.get(code, empty), new.get(code, empty)
            if a is b:
                continue
            if a.points != b.points or a.photo_sha256 != b.photo_sha256:
                points.add(code)
            if a.strokes != b.strokes or a.photo_sha256 != b.photo_sha256:
                strokes.add(code)
            if a.overlays != b.overlays:
                overlays.add(code)
            if a.areas != b.areas or (a.areas and a.photo_sha256 != b.photo_sha256):
                areas.add(code)
        return cls(
            frozenset(points),
            frozenset(strokes),
            frozenset(overlays),
            before.products != after.products,
            before.note != after.note,
            frozenset(areas),
            before.microneedling != after.microneedling,
        )


class ChartModel(QObject):
    changed = Signal(object)  # ContentChange
    dirty_changed = Signal(bool)
    # True before `changed` goes out, False once all its listeners ran: one change sets off
    # several of them (the scenes, the selection a removed point held), and the window places
    # the labels once, after all of them.
    changing = Signal(bool)

    def __init__(self, content: ChartContent, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._content = content
        self._saved = content
        self._dirty = False

    @property
    def content(self) -> ChartContent:
        return self._content

    @property
    def saved_content(self) -> ChartContent:
        return self._saved

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_content(self, content: ChartContent) -> None:
        if content == self._content:
            return
        change = ContentChange.between(self._content, content)
        self._content = content
        self._update_dirty()  # before `changed`: listeners read `dirty`
        self._emit(change)

    def mark_saved(self, stored: ChartContent, edited: ChartContent) -> None:
        """After a save of `edited`, stored as `stored` (with what the save added, such as the
        overlay's mappings). Edits made while the save ran stay on screen, and unsaved."""
        self._saved = stored
        if self._content == edited:
            change = ContentChange.between(self._content, stored)
            self._content = stored
            self._update_dirty()
            self._emit(change)
        else:
            self._update_dirty()

    def _emit(self, change: ContentChange) -> None:
        self.changing.emit(True)
        try:
            self.changed.emit(change)
        finally:
            self.changing.emit(False)

    def _update_dirty(self) -> None:
        # Compare with the saved state rather than count edits: undoing back to it is clean.
        dirty = self._content != self._saved
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
