"""How the editor is laid out: header with the patient and Save, the tool rail on the left
edge, view buttons and layers above the canvas, and the side panel (point, totals, products)
on the right. Kept apart from the editor's behaviour (editor_window.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.common import format as fmt
from ui.editor.controls import Choice, touch_button
from ui.editor.point_sheet import PointSheet
from ui.editor.products_panel import ProductsPanel
from ui.editor.tool_rail import ToolRail
from ui.editor.totals_panel import TotalsPanel

if TYPE_CHECKING:
    from ui.editor.editor_window import ChartEditor

PANEL_WIDTH = 380
LAYER_NEXT = {"shown": "faded", "faded": "hidden", "hidden": "shown"}


def scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    from PySide6.QtWidgets import QScroller

    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    return area


def build(ed: ChartEditor) -> None:
    root = QVBoxLayout(ed)
    root.setContentsMargins(0, 0, 0, 0)
    root.setSpacing(0)

    header = QFrame()
    header.setObjectName("editorHeader")
    row = QHBoxLayout(header)
    row.setContentsMargins(16, 6, 12, 6)
    row.setSpacing(16)
    ed.name_label = QLabel(ed.patient.display_name)
    ed.name_label.setObjectName("patientName")
    ed.dob_label = QLabel(fmt.born(ed.patient.date_of_birth))
    ed.dob_label.setObjectName("patientDob")
    ed.status = QLabel("")
    ed.status.setObjectName("status")
    ed.save_button = touch_button("Save", "save", role="primary")
    ed.save_button.setMinimumWidth(120)
    ed.close_button = touch_button("Close", "closeEditor")
    row.addWidget(ed.name_label)
    row.addWidget(ed.dob_label)
    row.addStretch(1)
    row.addWidget(ed.status)
    row.addWidget(ed.save_button)
    row.addWidget(ed.close_button)
    root.addWidget(header)

    ed.message_bar = QFrame()
    ed.message_bar.setObjectName("messageBar")
    ed.message_row = QHBoxLayout(ed.message_bar)
    ed.message_row.setContentsMargins(16, 6, 12, 6)
    ed.message_text = QLabel("")
    ed.message_text.setWordWrap(True)
    ed.message_row.addWidget(ed.message_text, 1)
    ed.message_buttons: list[QWidget] = []
    ed.message_bar.hide()
    root.addWidget(ed.message_bar)

    body = QWidget()
    body.setObjectName("editorBody")
    hb = QHBoxLayout(body)
    hb.setContentsMargins(0, 0, 0, 0)
    hb.setSpacing(0)
    ed.rail = ToolRail()
    hb.addWidget(ed.rail)

    centre = QVBoxLayout()
    centre.setSpacing(0)
    bar = QFrame()
    bar.setObjectName("viewBar")
    bar_row = QHBoxLayout(bar)
    bar_row.setContentsMargins(8, 6, 8, 6)
    bar_row.setSpacing(6)
    ed.view_group = QButtonGroup(ed)
    ed.view_buttons = {}
    for code in ed.view_codes:
        b = touch_button(ed.view_names.get(code, code), f"view_{code}", checkable=True)
        ed.view_group.addButton(b)
        ed.view_buttons[code] = b
        bar_row.addWidget(b)
        b.clicked.connect(lambda _c=False, v=code: ed.show_view(v))
    bar_row.addStretch(1)
    ed.layer_buttons = {}
    for name in ("markings", "points", "labels"):
        b = touch_button(name.capitalize(), f"layer_{name}")
        b.clicked.connect(lambda _c=False, n=name: ed.set_layer(n, LAYER_NEXT[ed.layer_states[n]]))
        ed.layer_buttons[name] = b
        bar_row.addWidget(b)
    centre.addWidget(bar)
    ed.view_stack = QStackedWidget()
    for code in ed.view_codes:
        ed.view_stack.addWidget(ed.canvases[code])
    if not ed.view_codes:
        empty = QLabel("This visit has no photos yet. Take or import photos to chart on.")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setStyleSheet("color: #F3F5F7; font-size: 16pt;")
        ed.view_stack.addWidget(empty)
    centre.addWidget(ed.view_stack, 1)
    hb.addLayout(centre, 1)

    side = QFrame()
    side.setObjectName("sidePanel")
    side.setFixedWidth(PANEL_WIDTH)
    sv = QVBoxLayout(side)
    sv.setContentsMargins(8, 8, 8, 0)
    sv.setSpacing(6)
    ed.panel_choice = Choice(
        [
            ("point", "Point"),
            ("totals", "Totals"),
            ("products", "Products"),
            ("earlier", "Earlier"),
        ],
        4,
        "panel",
    )
    ed.panel_choice.buttons["earlier"].hide()  # shown when there are earlier charts (ui/overlay)
    sv.addWidget(ed.panel_choice)
    ed.panel_stack = QStackedWidget()
    ed.sheet = PointSheet(ed.products)
    product_names = {p.code: p.name for p in ed.products}
    ed.totals = TotalsPanel(lambda c: product_names.get(c, c), lambda v: ed.view_names.get(v, v))
    ed.products_panel = ProductsPanel(lambda c: product_names.get(c, c))
    ed.panels = {"point": ed.sheet, "totals": ed.totals, "products": ed.products_panel}
    for w in ed.panels.values():
        ed.panel_stack.addWidget(scroll(w))
    sv.addWidget(ed.panel_stack, 1)
    hb.addWidget(side)
    root.addWidget(body, 1)

    _connect(ed)
    if ed.view_codes:
        ed.show_view(ed.view_codes[0])
    ed.set_tool("point" if ed.read_only else "pencil")
    ed.rail.colour_buttons["white"].setChecked(True)
    ed.rail.finger.setChecked(ed.pen.finger_drawing)
    show_panel(ed, "totals")
    update_layer_buttons(ed)
    for w in (
        ed.rail.tool_buttons["pencil"],
        ed.rail.tool_buttons["eraser"],
        ed.save_button,
        ed.products_panel,
    ):
        w.setEnabled(not ed.read_only)


def _connect(ed: ChartEditor) -> None:
    r = ed.rail
    for name, b in r.tool_buttons.items():
        b.clicked.connect(lambda _c=False, n=name: ed.set_tool(n))
    for name, b in r.colour_buttons.items():
        b.clicked.connect(lambda _c=False, n=name: ed.set_colour(n))
    r.dashed.toggled.connect(lambda on: setattr(ed, "pencil_style", "dashed" if on else "solid"))
    r.whole.toggled.connect(lambda on: setattr(ed, "erase_whole", on))
    r.finger.clicked.connect(lambda on: ed.pen.set_finger_drawing(on))
    r.undo.clicked.connect(ed.undo_stack.undo)
    r.redo.clicked.connect(ed.undo_stack.redo)
    r.fit.clicked.connect(ed.fit)
    ed.undo_stack.canUndoChanged.connect(r.undo.setEnabled)
    ed.undo_stack.canRedoChanged.connect(r.redo.setEnabled)
    r.undo.setEnabled(False)
    r.redo.setEnabled(False)
    ed.save_button.clicked.connect(ed.save)
    ed.close_button.clicked.connect(ed.close_editor)
    ed.panel_choice.chosen.connect(lambda n: show_panel(ed, n))
    ed.sheet.edit.connect(ed.edit_point)
    ed.sheet.delete_requested.connect(ed.delete_point)
    ed.products_panel.changed.connect(ed.edit_product)


def show_panel(ed: ChartEditor, name: str) -> None:
    ed.panel_stack.setCurrentIndex(list(ed.panels).index(name))
    ed.panel_choice.set_value(name)


def update_layer_buttons(ed: ChartEditor) -> None:
    for name, b in ed.layer_buttons.items():
        state = ed.layer_states[name]
        b.setText(name.capitalize() if state == "shown" else f"{name.capitalize()}: {state}")
        b.setProperty("state", state)


def update_status(ed: ChartEditor) -> None:
    v = ed.version
    if ed.read_only:
        text = f"Version {v.version_no if v else '?'} · read-only"
    elif ed.model.dirty:
        text = "● Unsaved changes"
    elif v is not None:
        text = f"Version {v.version_no} saved"
    else:
        text = "New chart"
    ed.status.setText(text)
    for prop, on in (("dirty", ed.model.dirty and not ed.read_only), ("readonly", ed.read_only)):
        ed.status.setProperty(prop, on)
    ed.status.style().unpolish(ed.status)
    ed.status.style().polish(ed.status)
    ed.save_button.setEnabled(not ed.read_only and (ed.model.dirty or ed.version is None))
    ed.save_button.setVisible(not ed.read_only)


def message(
    ed: ChartEditor,
    text: str,
    kind: str = "warning",
    actions: list[tuple[str, Callable[[], None]]] | None = None,
    timeout_ms: int = 0,
) -> None:
    clear_message(ed)
    ed.message_text.setText(text)
    ed.message_bar.setProperty("kind", kind)
    ed.message_bar.style().unpolish(ed.message_bar)
    ed.message_bar.style().polish(ed.message_bar)
    for label, fn in actions or [("OK", lambda: clear_message(ed))]:
        b = touch_button(label, f"message_{label.lower()}")
        b.clicked.connect(fn)
        ed.message_row.addWidget(b)
        ed.message_buttons.append(b)
    ed.message_bar.show()
    if timeout_ms:
        # The bar as context: the timer dies with the editor.
        QTimer.singleShot(
            timeout_ms,
            ed.message_bar,
            lambda: ed.message_text.text() == text and clear_message(ed),
        )


def clear_message(ed: ChartEditor) -> None:
    for b in ed.message_buttons:
        b.setParent(None)  # type: ignore[call-overload]
        b.deleteLater()
    ed.message_buttons = []
    ed.message_bar.hide()
