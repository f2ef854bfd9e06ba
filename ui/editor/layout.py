"""How the editor is laid out: header with the patient and Save, the message bar, the tool
rail on the left edge, view buttons and layers above the canvas, and the side panel (the
treatment's pages) on the right. `build` returns the widgets as one typed bundle; what they
do is wired by the window (ui/editor/editor_window.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.common import format as fmt
from ui.editor.controls import TOUCH, Choice, touch_button
from ui.editor.message_bar import MessageBar
from ui.editor.session import EditorSession
from ui.editor.tool_rail import TOXIN_TOOLS, ToolRail

PANEL_WIDTH = 380
COMMENT_MAX = 200  # a line in the history, not a note
LAYER_NEXT = {"shown": "faded", "faded": "hidden", "hidden": "shown"}
EARLIER_PAGE = ("earlier", "Earlier")  # offered once there are earlier charts (ui/overlay)


@dataclass
class EditorWidgets:
    name_label: QLabel
    dob_label: QLabel
    comment: QLineEdit  # said with the next save ("touch-up: left corrugator still active")
    status: QLabel
    save_button: QPushButton
    close_button: QPushButton
    message_bar: MessageBar
    rail: ToolRail
    view_group: QButtonGroup
    view_buttons: dict[str, QPushButton]
    layer_buttons: dict[str, QPushButton]
    view_stack: QStackedWidget
    panel_choice: Choice
    panel_stack: QStackedWidget
    panels: dict[str, QWidget] = field(default_factory=dict)  # key -> page, in stack order
    # A layer's name on its button where the treatment calls it otherwise ("Areas").
    layer_titles: dict[str, str] = field(default_factory=dict)

    def add_panel(self, name: str, widget: QWidget) -> None:
        self.panels[name] = widget
        self.panel_stack.addWidget(scroll(widget))
        self.panel_choice.buttons[name].setVisible(True)

    def show_panel(self, name: str) -> None:
        self.panel_stack.setCurrentIndex(list(self.panels).index(name))
        self.panel_choice.set_value(name)

    def update_layer_buttons(self, states: dict[str, str]) -> None:
        for name, b in self.layer_buttons.items():
            state = states[name]
            title = self.layer_titles.get(name, name.capitalize())
            b.setText(title if state == "shown" else f"{title}: {state}")
            b.setProperty("state", state)


def scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    return area


def build(
    root_widget: QWidget,
    session: EditorSession,
    canvases: list[QWidget],
    pages: list[tuple[str, str, QWidget]],
    tools: tuple[tuple[str, str], ...] = TOXIN_TOOLS,
    safety_band: bool = True,
    layer_titles: dict[str, str] | None = None,
) -> EditorWidgets:
    root = QVBoxLayout(root_widget)
    root.setContentsMargins(0, 0, 0, 0)
    root.setSpacing(0)

    header = QFrame()
    header.setObjectName("editorHeader")
    row = QHBoxLayout(header)
    row.setContentsMargins(16, 6, 12, 6)
    row.setSpacing(16)
    name_label = QLabel(session.patient.display_name)
    name_label.setObjectName("patientName")
    dob_label = QLabel(fmt.born(session.patient.date_of_birth))
    dob_label.setObjectName("patientDob")
    comment = QLineEdit()
    comment.setObjectName("saveComment")
    comment.setPlaceholderText("Comment for this save (optional)")
    comment.setMinimumHeight(TOUCH)
    comment.setMaxLength(COMMENT_MAX)
    # Focus on a tap only: focused at opening, it would call up a touch keyboard unasked.
    comment.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    status = QLabel("")
    status.setObjectName("status")
    save_button = touch_button("Save", "save", role="primary")
    save_button.setMinimumWidth(120)
    close_button = touch_button("Close", "closeEditor")
    row.addWidget(name_label)
    row.addWidget(dob_label)
    row.addWidget(comment, 1)
    for part in (status, save_button, close_button):
        row.addWidget(part)
    root.addWidget(header)

    message_bar = MessageBar(root_widget, header)  # floats over the body, takes no row

    body = QWidget()
    body.setObjectName("editorBody")
    hb = QHBoxLayout(body)
    hb.setContentsMargins(0, 0, 0, 0)
    hb.setSpacing(0)
    rail = ToolRail(tools=tools, safety_band=safety_band)
    hb.addWidget(rail)

    centre = QVBoxLayout()
    centre.setSpacing(0)
    bar = QFrame()
    bar.setObjectName("viewBar")
    bar_row = QHBoxLayout(bar)
    bar_row.setContentsMargins(8, 6, 8, 6)
    bar_row.setSpacing(6)
    view_group = QButtonGroup(root_widget)
    view_buttons: dict[str, QPushButton] = {}
    for code in session.view_codes:
        b = touch_button(session.view_names.get(code, code), f"view_{code}", checkable=True)
        view_group.addButton(b)
        view_buttons[code] = b
        bar_row.addWidget(b)
    bar_row.addStretch(1)
    layer_buttons: dict[str, QPushButton] = {}
    titles = layer_titles or {}
    for name in session.layers:
        layer_buttons[name] = touch_button(titles.get(name, name.capitalize()), f"layer_{name}")
        if titles.get(name) == "":  # a layer this treatment has nothing on
            layer_buttons[name].setParent(bar)
            layer_buttons[name].hide()
        else:
            bar_row.addWidget(layer_buttons[name])
    centre.addWidget(bar)
    view_stack = QStackedWidget()
    for canvas in canvases:
        view_stack.addWidget(canvas)
    if not canvases:
        empty = QLabel("This visit has no photos yet. Take or import photos to chart on.")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setStyleSheet("color: #F3F5F7; font-size: 16pt;")
        view_stack.addWidget(empty)
    centre.addWidget(view_stack, 1)
    message_bar.notes_over(view_stack)
    hb.addLayout(centre, 1)

    side = QFrame()
    side.setObjectName("sidePanel")
    side.setFixedWidth(PANEL_WIDTH)
    sv = QVBoxLayout(side)
    sv.setContentsMargins(8, 8, 8, 0)
    sv.setSpacing(6)
    choices = [(key, title) for key, title, _w in pages] + [EARLIER_PAGE]
    panel_choice = Choice(choices, len(choices), "panel")
    panel_choice.buttons[EARLIER_PAGE[0]].hide()
    sv.addWidget(panel_choice)
    panel_stack = QStackedWidget()
    sv.addWidget(panel_stack, 1)
    hb.addWidget(side)
    root.addWidget(body, 1)

    widgets = EditorWidgets(
        name_label, dob_label, comment, status, save_button, close_button, message_bar, rail,
        view_group, view_buttons, layer_buttons, view_stack, panel_choice, panel_stack,
    )  # fmt: skip
    widgets.layer_titles = dict(titles)
    for key, _title, widget in pages:
        widgets.panels[key] = widget
        panel_stack.addWidget(scroll(widget))
    return widgets
