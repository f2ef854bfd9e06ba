"""What a tool gets from the canvas, and what every tool answers to.

A tool sees positions in photo pixels and the pointer kind ("pen", "finger", "mouse"); it
never reads Qt events, so the input router (ui/editor/input.py) can feed it from a tablet, a
touchscreen or a mouse alike.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QPointF

from app.domain.chart import InjectionPoint
from ui.editor.scene import ViewScene
from ui.editor.session import EditorSession


class ToolHost(Protocol):
    """The canvas, as tools need it; edits go to the session's typed operations."""

    @property
    def scene_(self) -> ViewScene: ...

    @property
    def view_code(self) -> str: ...

    @property
    def session(self) -> EditorSession: ...

    def screen_px(self) -> float:
        """Photo pixels per screen pixel at the current zoom."""
        ...

    def point_at(self, pos: QPointF) -> InjectionPoint | None: ...

    def open_point(self, point_id: str | None) -> None: ...

    def area_at(self, pos: QPointF) -> str | None:
        """A microneedling area under a photo position (its id), if any."""
        ...


class Tool:
    """A gesture: press, moves, release (or cancel, when a second finger turns it into a
    pinch). `tap` is a press and release that did not move, from a finger that is not
    drawing."""

    name = "tool"
    draws_with_finger = True  # False: a finger drag on empty photo pans instead

    def __init__(self, host: ToolHost) -> None:
        self.host = host
        self.active = False

    def press(self, pos: QPointF, pressure: float, ms: float, kind: str) -> None:
        self.active = True

    def move(self, pos: QPointF, pressure: float, ms: float) -> None:
        pass

    def release(self, pos: QPointF, ms: float) -> None:
        self.active = False

    def cancel(self) -> None:
        self.active = False

    def tap(self, pos: QPointF) -> None:
        pass

    def grabs_finger(self, pos: QPointF) -> bool:
        """Should a finger press here start this tool even when finger drawing is off?"""
        return False
