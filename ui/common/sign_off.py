"""How sign-off reads on screen (ADR 0019), said the same way by the editor, the visit page,
the timeline and the list of charts to sign; and the dialog that asks why a signed chart is
amended, with the usual reasons one tap away."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from app.services.signoff import SignatureInfo, VersionSignOff
from ui.common import format as fmt
from ui.common.dialogs import ReasonDialog, ReasonWords
from ui.common.widgets import button

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


AMEND_WORDS = ReasonWords(
    placeholder="Reason for the amendment",
    confirm="Save amendment",
    confirm_role="primary",
    cancel="Keep editing",
    empty="Say why the signed chart is changed, so the record shows it.",
    max_length=REASON_MAX,
)


class AmendDialog(ReasonDialog):
    """Why a signed chart is changed: typed, or one of the usual reasons tapped."""

    def __init__(self, parent: QWidget, signed_by: str, on_reason: Callable[[str], object]) -> None:
        super().__init__(
            parent,
            "Amend a signed chart",
            f"This chart was signed{f' by {signed_by}' if signed_by else ''}. Saving makes an "
            "amendment: the signed version stays as it was, and the new one records your name, "
            "the time and why.",
            on_reason,
            words=AMEND_WORDS,
            min_width=900,  # the usual reasons whole, three to a row
            spacing=14,
        )
        self.setObjectName("amendDialog")
        self.reason.setObjectName("amendReason")
        self.cancel.setObjectName("cancelAmend")
        self.confirm.setObjectName("confirmAmend")

    def _add_choices(self, lay: QVBoxLayout) -> None:
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


def ask_amend_reason(
    parent: QWidget, signed_by: str, on_reason: Callable[[str], object]
) -> AmendDialog:
    dialog = AmendDialog(parent, signed_by, on_reason)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
