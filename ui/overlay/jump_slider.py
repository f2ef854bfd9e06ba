"""A slider for a finger: a tap anywhere on the track sets the value there (a finger cannot
aim at a 44-px thumb to drag it, and a plain QSlider moves a page at a time towards the tap);
dragging works as usual. The overlay's opacity in the editor and on the compare screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QSlider, QStyle

HANDLE = 44  # px: the handle's width, as both style sheets draw it


class JumpSlider(QSlider):
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            span = max(self.width() - HANDLE, 1)
            x = min(max(event.position().x() - HANDLE / 2, 0), span)
            self.setValue(
                QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), round(x), span)
            )
        super().mousePressEvent(event)
