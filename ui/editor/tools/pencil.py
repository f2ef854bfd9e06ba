"""Pencil: pressure-sensitive, smoothed; one stroke is one undo step."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from app.domain.chart import Stroke
from ui.editor.items import LiveStrokeItem
from ui.editor.tools.base import Tool, ToolHost
from ui.editor.tools.point import TAP_SLOP_PX

SCREEN_WIDTH_PX = 7.0  # nominal line width on screen at full pressure, at the zoom it was drawn


class PencilTool(Tool):
    name = "pencil"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self.color = "white"
        self.style = "solid"
        self.live: LiveStrokeItem | None = None
        self._t0 = 0.0
        self._width = 1.0
        self._tap_on: str | None = None

    def press(self, pos: QPointF, pressure: float, ms: float, kind: str) -> None:
        super().press(pos, pressure, ms, kind)
        self._t0 = ms
        # Drawn at 8x zoom a line is finer on the skin, like a pencil on a close-up.
        self._width = SCREEN_WIDTH_PX * self.host.screen_px()
        self.live = LiveStrokeItem(self.color, self.style, self._width)
        self.host.scene_.addItem(self.live)
        self.live.add((pos.x(), pos.y(), pressure, 0.0))
        hit = self.host.point_at(pos)
        self._tap_on = hit.id if hit is not None else None

    def move(self, pos: QPointF, pressure: float, ms: float) -> None:
        if self.live is not None:
            self.live.add((pos.x(), pos.y(), pressure, max(ms - self._t0, 0.0)))

    def release(self, pos: QPointF, ms: float) -> None:
        super().release(pos, ms)
        live, self.live = self.live, None
        if live is None:
            return
        self.host.scene_.removeItem(live)
        samples = tuple(live.samples)
        # A tap on a point with the pencil opens the point rather than leaving a dot on it.
        if self._tap_on is not None and self._within_tap(samples):
            self.host.open_point(self._tap_on)
            return
        if len(samples) == 1:  # a dot: one sample twice, so it is a drawable stroke
            x, y, p, _t = samples[0]
            samples = (samples[0], (x, y, p, max(ms - self._t0, 0.0)))
        stroke = Stroke(samples=samples, color=self.color, style=self.style, width=self._width)
        self.host.session.add_stroke(self.host.view_code, stroke)

    def _within_tap(self, samples: tuple[tuple[float, float, float, float], ...]) -> bool:
        x0, y0 = samples[0][0], samples[0][1]
        slop = TAP_SLOP_PX * self.host.screen_px()
        return all(((x - x0) ** 2 + (y - y0) ** 2) ** 0.5 <= slop for x, y, _p, _t in samples)

    def cancel(self) -> None:
        super().cancel()
        if self.live is not None:
            self.host.scene_.removeItem(self.live)
            self.live = None
