"""How sign-off reads on screen (ADR 0019), said the same way by the editor, the visit page,
the timeline and the list of charts to sign; and the dialog that asks why a signed chart is
amended, with the usual reasons one tap away."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QGridLayout, QLineEdit, QWidget

from app.services.signoff import SignatureInfo, VersionSignOff
from ui.common import format as fmt
from ui.common.widgets import TOUCH, button, hbox, label, vbox

# Touch-pickable reasons for an amendment: the common corrections after a chart was signed.
COMMON_REASONS = (
    "Lot or expiry corrected",
    "Units corrected",
    "Point position corrected",
    "Missing point added",
    "Product corrected",
    "Note added after review",
)
REASON_MAX = 300


def signed_text(sig: SignatureInfo, word: str = "Signed") -> str:
    return f"{word} by {sig.practitioner}, {fmt.local_time(sig.signed_at)}"


def status_lines(h: VersionSignOff) -> list[str]:
    """Each line history shows for a version: amended (who, when, why), then signed and
    co-signed (who, when), or why it carries no signature."""
    lines = []
    if h.amend_reason is not None:
        who = f" by {h.saved_by}" if h.saved_by else ""
        lines.append(f"Amended{who}, {fmt.local_time(h.saved_at)}: “{h.amend_reason}”")
    if h.signature is not None:
        lines.append(signed_text(h.signature))
    elif h.before_sign_off:
        lines.append("Unsigned (before sign-off)")
    else:
        lines.append("Not signed")
    if h.cosignature is not None:
        lines.append(signed_text(h.cosignature, "Co-signed"))
    return lines


def short_status(h: VersionSignOff | None) -> str:
    """One line for a visit's card: the newest version's state."""
    if h is None:
        return ""
    if h.signature is None:
        return "Unsigned (before sign-off)" if h.before_sign_off else "Not signed"
    text = f"Signed by {h.signature.practitioner}"
    if h.cosignature is not None:
        text += f" · co-signed by {h.cosignature.practitioner}"
    elif h.amend_reason is not None:
        text = "Amended · " + text
    return text


class AmendDialog(QDialog):
    """Why a signed chart is changed: typed, or one of the usual reasons tapped. The reason
    goes into the record, so an empty one is not accepted."""

    def __init__(self, parent: QWidget, signed_by: str, on_reason: Callable[[str], object]) -> None:
        super().__init__(parent)
        self.setObjectName("amendDialog")
        self.setWindowTitle("Amend a signed chart")
        self.setModal(True)
        self.setMinimumWidth(900)  # the usual reasons whole, three to a row
        self._on_reason = on_reason
        lay = vbox(self, margins=24, spacing=14)
        lay.addWidget(label("Amend a signed chart", "heading"))
        text = label(
            f"This chart was signed{f' by {signed_by}' if signed_by else ''}. Saving makes an "
            "amendment: the signed version stays as it was, and the new one records your name, "
            "the time and why.",
            "body",
        )
        text.setWordWrap(True)
        lay.addWidget(text)
        self.reason = QLineEdit()
        grid = QGridLayout()
        grid.setSpacing(10)
        self.reason_buttons = []
        for n, reason in enumerate(COMMON_REASONS):
            b = button(reason, "secondary")
            b.setObjectName(f"reason_{n}")
            b.setProperty("compact", True)  # the whole reason shows, three to a row
            b.clicked.connect(lambda _c=False, r=reason: self.reason.setText(r))
            grid.addWidget(b, n // 3, n % 3)
            self.reason_buttons.append(b)
        lay.addLayout(grid)
        self.reason.setObjectName("amendReason")
        self.reason.setPlaceholderText("Reason for the amendment")
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setMinimumHeight(TOUCH)
        lay.addWidget(self.reason)
        self.error = label("", "error")
        self.error.hide()
        lay.addWidget(self.error)
        row = hbox(spacing=12)
        row.addStretch(1)
        self.cancel = button("Keep editing", "secondary")
        self.cancel.setObjectName("cancelAmend")
        self.confirm = button("Save amendment", "primary")
        self.confirm.setObjectName("confirmAmend")
        row.addWidget(self.cancel)
        row.addWidget(self.confirm)
        lay.addLayout(row)
        self.keyboard_slot = lay  # the touch keyboard joins under the buttons
        self.cancel.clicked.connect(self.reject)
        self.confirm.clicked.connect(self._confirm)
        self.reason.returnPressed.connect(self._confirm)

    def _confirm(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.error.setText("Say why the signed chart is changed, so the record shows it.")
            self.error.show()
            return
        self.accept()
        self._on_reason(reason)


def ask_amend_reason(
    parent: QWidget, signed_by: str, on_reason: Callable[[str], object]
) -> AmendDialog:
    dialog = AmendDialog(parent, signed_by, on_reason)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
