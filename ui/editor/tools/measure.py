"""The measure tool: two taps on the photo → the distance between them in millimetres, from
the photo's iris scale, drawn as a line with its label. A third tap starts a new measurement.

Without a scale the label says so ("no scale: …"), never a number; while the photo is still
being measured (a worker, ui/editor/face_facts.py) it says "measuring…" and fills in the mm
when the scale arrives. Nothing here is saved with the chart.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF

from app.services.face import PhotoFace
from ui.editor.measure_items import Measurement
from ui.editor.tools.base import Tool, ToolHost

TAP_SLOP_PX = 12.0  # screen pixels a fingertip or pen wobbles during a tap
ROUGH_BELOW = 0.5  # scale confidence under which the label says the scale is rough


def length_words(px: float, face: PhotoFace | None) -> str:
    """The label of a line `px` photo pixels long, given the view's face (None: measuring)."""
    if face is None:
        return "measuring…"
    if face.scale is None:
        if face.geometry is not None:
            return "no scale: no usable iris"
        return "no scale: no face found" if "No face" in face.message else "no scale"
    text = f"{px * face.scale.mm_per_px:.1f} mm"
    if face.scale.confidence < ROUGH_BELOW:
        text += " (rough scale)"
    return text


class MeasureTool(Tool):
    name = "measure"
    draws_with_finger = False  # a finger tap measures, a finger drag pans

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.current: Measurement | None = None
        self._start = QPointF()
        host.session.tool_changed.connect(self._tool_changed)
        host.session.faces.measured.connect(self._measured)

    def press(self, pos: QPointF, pressure: float, ms: float, kind: str) -> None:
        super().press(pos, pressure, ms, kind)
        self._start = QPointF(pos)
        self.host.session.faces.request(self.host.view_code)  # the scale, early

    def release(self, pos: QPointF, ms: float) -> None:
        super().release(pos, ms)
        d = pos - self._start
        if (d.x() ** 2 + d.y() ** 2) ** 0.5 <= TAP_SLOP_PX * self.host.screen_px():
            self.tap(pos)

    def tap(self, pos: QPointF) -> None:
        if not self.host.scene_.frame.contains(pos):
            return
        m = self.current
        if m is None or m.end is not None:
            self.clear()
            self.current = Measurement(self.host.scene_.addItem, pos)
            self.host.session.faces.request(self.host.view_code)
            return
        m.finish(pos, "")
        assert m.label is not None
        m.label.set_text(self._words(m))  # the length is known once the line ends

    def _words(self, m: Measurement) -> str:
        face = self.host.session.faces.get(self.host.view_code)
        return length_words(m.length_px or 0.0, face)

    def _measured(self, view: str) -> None:
        m = self.current
        if view == self.host.view_code and m is not None and m.label is not None:
            m.label.set_text(self._words(m))

    def _tool_changed(self, tools: object) -> None:
        if getattr(tools, "tool", None) != self.name:
            self.clear()

    def clear(self) -> None:
        if self.current is not None:
            self.current.remove()
            self.current = None

    @property
    def text(self) -> str | None:
        """The label of the finished measurement (tests and screenshots read it)."""
        m = self.current
        return m.label.text if m is not None and m.label is not None else None
