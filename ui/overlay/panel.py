"""The "Earlier" page of the editor's side panel: which earlier charts are shown, how well each
is aligned on the view on screen (in words, with what to do), their opacity and layers, and
the buttons that act on them: Compare / adjust, Carry forward."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.touchup import OverlaySource
from ui.editor.controls import TOUCH, touch_button
from ui.overlay.controller import OverlayController
from ui.overlay.ghost_items import LAYERS, ghost_colour
from ui.overlay.jump_slider import JumpSlider
from ui.overlay.view_state import short_label

PANEL_QSS = """
QSlider#overlayOpacity { min-height: 56px; }
QSlider#overlayOpacity::groove:horizontal { height: 10px; background: #CBD3DB; border-radius: 5px; }
QSlider#overlayOpacity::sub-page:horizontal { background: #0B6B74; border-radius: 5px; }
QSlider#overlayOpacity::handle:horizontal {
    width: 44px; height: 44px; margin: -17px 0; border-radius: 22px;
    background: #FFFFFF; border: 3px solid #0B6B74;
}
QPushButton[role="source"] { text-align: left; padding: 6px 8px; font-size: 12pt; }
QLabel#overlayStatus[kind="warn"] {
    background: #FFF0C2; border: 2px solid #E0B84A; border-radius: 10px; padding: 6px;
}
"""


def swatch_icon(index: int, size: int = 28) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor("#10161C"))
    p.setBrush(ghost_colour(index))
    p.drawRoundedRect(2, 2, size - 4, size - 4, 6, 6)
    p.end()
    return QIcon(pm)


class OverlayPanel(QFrame):
    choose = Signal()  # open the picker
    compare = Signal()  # Compare / adjust the active source on the view on screen
    carry = Signal(bool)  # carry forward: True = all views

    def __init__(self, ctrl: OverlayController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overlayPanel")
        self.setStyleSheet(PANEL_QSS)
        self.ctrl = ctrl
        self.active: str | None = None  # version hash the buttons act on
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        title = QLabel("Earlier charts")
        title.setObjectName("sheetTitle")
        lay.addWidget(title)
        self.choose_button = touch_button("Choose earlier charts…", "overlayChoose")
        self.choose_button.clicked.connect(self.choose)
        lay.addWidget(self.choose_button)
        self.sources_box = QVBoxLayout()
        self.sources_box.setSpacing(6)
        lay.addLayout(self.sources_box)
        self.source_buttons: dict[str, QPushButton] = {}
        self.status_labels: dict[str, QLabel] = {}

        self.compare_button = touch_button("Compare / adjust", "overlayCompare")
        self.compare_button.clicked.connect(self.compare)
        lay.addWidget(self.compare_button)
        # At a touch-up the earlier plan was given two weeks ago: its points come in at 0 U
        # for today's top-up doses, unless the clinician turns on the earlier doses. The
        # switch shares the heading's row: the panel fits a 768-px screen without scrolling.
        touch_up = ctrl.session.visit.touch_up_of_id is not None
        head = QHBoxLayout()
        head.addWidget(
            self._heading("Carry forward" if touch_up else "Carry forward as today's plan"), 1
        )
        self.carry_doses = touch_button("Earlier doses", "carryDoses", checkable=True)
        self.carry_doses.setToolTip("Off: the earlier points come in at 0 U, to set today's dose")
        self.carry_doses.setVisible(touch_up)
        head.addWidget(self.carry_doses)
        lay.addLayout(head)
        row = QGridLayout()
        row.setSpacing(6)
        self.carry_view = touch_button("This view", "carryView")
        self.carry_all = touch_button("All views", "carryAll")
        self.carry_view.clicked.connect(lambda: self.carry.emit(False))
        self.carry_all.clicked.connect(lambda: self.carry.emit(True))
        row.addWidget(self.carry_view, 0, 0)
        row.addWidget(self.carry_all, 0, 1)
        lay.addLayout(row)
        # What the last carry forward did, here under its buttons: a message bar above the
        # editor would make it taller than a 768-px screen.
        self.notice = QLabel("")
        self.notice.setObjectName("overlayStatus")
        self.notice.setWordWrap(True)
        self.notice.hide()
        lay.addWidget(self.notice)
        # A view refused for want of alignment: straight to aligning it by hand.
        self.notice_action = touch_button("", "overlayNoticeCompare")
        self.notice_action.hide()
        lay.addWidget(self.notice_action)
        self.notice_view: str | None = None
        opacity_row = QHBoxLayout()
        opacity_row.addWidget(self._heading("Opacity"))
        self.opacity = JumpSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("overlayOpacity")
        self.opacity.setRange(10, 100)
        self.opacity.setValue(round(ctrl.opacity * 100))
        self.opacity.valueChanged.connect(lambda v: ctrl.set_opacity(v / 100))
        opacity_row.addWidget(self.opacity, 1)
        lay.addLayout(opacity_row)
        lay.addWidget(self._heading("Show"))
        grid = QGridLayout()
        grid.setSpacing(6)
        self.part_buttons: dict[str, QPushButton] = {}
        for i, part in enumerate(LAYERS):
            b = touch_button(part.capitalize(), f"overlay_{part}", checkable=True)
            b.setChecked(ctrl.shown[part])
            b.toggled.connect(lambda on, n=part: ctrl.set_shown(n, on))
            self.part_buttons[part] = b
            grid.addWidget(b, 0, i)
        lay.addLayout(grid)

        lay.addStretch(1)
        ctrl.changed.connect(self.refresh)
        self.refresh()

    @staticmethod
    def _heading(text: str) -> QLabel:
        lab = QLabel(text)
        lab.setObjectName("sheetHeading")
        return lab

    def set_notice(self, text: str, warn: bool, view: str | None = None, name: str = "") -> None:
        self.notice_view = view
        self.notice_action.setText(f"Compare / adjust {name}")
        self.notice_action.setVisible(view is not None and compare_available())
        self.notice.setText(text)
        self.notice.setProperty("kind", "warn" if warn else "")
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.setVisible(bool(text))
        self.setMinimumHeight(self.sizeHint().height())

    def active_source(self) -> OverlaySource | None:
        chosen = self.ctrl.chosen
        return next(
            (s for s in chosen if s.version_hash == self.active), chosen[0] if chosen else None
        )

    def set_active(self, version_hash: str) -> None:
        self.active = version_hash
        self.refresh()

    def refresh(self) -> None:
        ctrl = self.ctrl
        while (item := self.sources_box.takeAt(0)) is not None:
            gone = item.widget()
            if gone is not None:
                gone.setParent(None)  # off screen now, not later
                gone.deleteLater()
        self.source_buttons, self.status_labels = {}, {}
        active = self.active_source()
        if not ctrl.chosen:
            hint = QLabel(
                "No earlier chart is shown."
                if ctrl.available
                else "This patient has no earlier charts."
            )
            hint.setObjectName("sheetHint")
            hint.setWordWrap(True)
            self.sources_box.addWidget(hint)
        for i, source in enumerate(ctrl.chosen):
            b = touch_button(
                short_label(source), f"overlaySource_{i}", checkable=True, role="source"
            )
            b.setIcon(swatch_icon(i))
            b.setChecked(active is not None and source.version_hash == active.version_hash)
            b.clicked.connect(lambda _c=False, h=source.version_hash: self.set_active(h))
            self.sources_box.addWidget(b)
            state = ctrl.state(source)
            status = QLabel(state.long() if state else "")
            status.setObjectName("overlayStatus")
            status.setWordWrap(True)
            status.setProperty("kind", "warn" if state and state.needs_hand else "")
            self.sources_box.addWidget(status)
            self.source_buttons[source.version_hash] = b
            self.status_labels[source.version_hash] = status
        writable = not ctrl.session.read_only
        # A legend chart no longer offered can still be taken off in the picker.
        self.choose_button.setEnabled(writable and bool(ctrl.available or ctrl.chosen))
        state = ctrl.state(active) if active else None
        has_photo = bool(state and state.earlier and state.earlier.photo)
        self.compare_button.setEnabled(writable and has_photo and compare_available())
        self.compare_button.setToolTip(
            "" if compare_available() else "The compare screen is not installed in this build."
        )
        for b in (self.carry_view, self.carry_all):
            b.setEnabled(writable and active is not None)
        self.setMinimumHeight(self.sizeHint().height())
        for b in self.part_buttons.values():
            b.setMinimumHeight(TOUCH)


def compare_available() -> bool:
    try:
        import ui.overlay.compare_screen  # noqa: F401
    except ImportError:
        return False
    return True
