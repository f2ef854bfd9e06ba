"""The interface through which a feature plugs into the chart editor without importing the
window: the earlier-chart overlay today (ui/overlay/attach.py). An extension gets an
`EditorHost` and returns an `EditorExtension`; the window calls nothing else of it."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from ui.editor.canvas import ChartCanvas
from ui.editor.layout import EditorWidgets
from ui.editor.scene import ViewScene
from ui.editor.session import EditorSession
from ui.editor.treatment import Treatment


class EditorHost(Protocol):
    session: EditorSession
    widgets: EditorWidgets
    treatment: Treatment
    scenes: dict[str, ViewScene]

    @property
    def current_view(self) -> str: ...

    def canvas(self, view: str | None = None) -> ChartCanvas: ...

    def show_view(self, view: str) -> None: ...

    def show_panel(self, name: str) -> None: ...

    def message(self, text: str, kind: str = "warning", timeout_ms: int = 0) -> None: ...


class EditorExtension(Protocol):
    def shutdown(self) -> None:
        """The editor is closing: stop background work that reads the store."""


def as_widget(host: EditorHost) -> QWidget:
    """The editor window behind the host (it is a QWidget), to parent covers and pickers."""
    assert isinstance(host, QWidget)
    return host
