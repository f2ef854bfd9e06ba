"""Sign-off in the editor (ADR 0019): the header says whether the chart is signed (who, when),
offers Sign once the newest version is saved and unsigned, and a save on a signed chart asks
why first (an amendment). The service decides who may sign; this only asks and shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

from app.services import signoff
from app.services.signoff import ChartSignOff, VersionSignOff
from app.store.errors import StoreError
from ui.common import format as fmt
from ui.common.checkpointing import CheckpointWriter
from ui.common.sign_off import AmendDialog, ask_amend_reason
from ui.editor.controls import touch_button

if TYPE_CHECKING:
    from app.services.credentials import KeySigner
    from ui.editor.layout import EditorWidgets
    from ui.editor.session import EditorSession


class _Editor(Protocol):
    """What this needs of the editor window (which imports this module, so not named)."""

    session: EditorSession
    widgets: EditorWidgets

    def message(self, text: str, kind: str = ..., timeout_ms: int = ...) -> None: ...


class EditorSignOff(QObject):
    def __init__(self, editor: _Editor, parent: QWidget, signer: KeySigner | None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.window = parent  # the dialog's parent
        self.signer = signer
        self.state = ChartSignOff(None, False, False)
        self.shown: VersionSignOff | None = None  # the sign-off of the version on screen
        self.dialog: AmendDialog | None = None
        self.signed_here: set[int] = set()  # versions signed in this editor (ui/editor/rooms)
        self.checkpoints = CheckpointWriter(self)  # a sign-off signs a checkpoint (ADR 0025)
        w = editor.widgets
        self.label = QLabel("")
        self.label.setObjectName("signOffState")
        self.sign_button = touch_button("Sign", "signChart", role="primary")
        self.sign_button.setMinimumWidth(110)
        self.sign_button.setToolTip("Sign this version with your signing key")
        holder = w.status.parentWidget()
        header = holder.layout() if holder is not None else None
        assert isinstance(header, QBoxLayout)
        at = header.indexOf(w.status)
        header.insertWidget(at, self.label)
        header.insertWidget(at + 2, self.sign_button)  # after the status, before Save
        self.sign_button.clicked.connect(self.sign)
        editor.session.model.dirty_changed.connect(lambda _d: self._show())
        editor.session.saving_changed.connect(lambda _on: self._show())
        editor.session.saved.connect(lambda _info: self.refresh())
        read = editor.session.sign_off_at_opening
        if read is None:
            self.refresh()
        else:  # read with the chart, on the opening's worker
            self.state, self.shown = read.state, read.shown
            self._show()

    # -- reading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        s = self.editor.session
        try:
            version = s.version.id if s.version else None
            read = signoff.shown_sign_off(s.store, s.visit_id, s.practitioner_id, version)
            self.state, self.shown = read.state, read.shown
        except StoreError as exc:
            self.editor.message(str(exc), "error")
        self._show()

    def _show(self) -> None:
        s, h = self.editor.session, self.shown
        if h is None:
            text = ""
        elif h.signature is not None:  # two short lines: the header is narrow at 1280
            sig, co = h.signature, h.cosignature
            text = f"✓ Signed by {sig.practitioner}\n{fmt.local_time(sig.signed_at)}"
            if co is not None:
                text = f"✓ Signed by {sig.practitioner}\n✓ Co-signed by {co.practitioner}"
        else:  # unsigned: the Sign button (when theirs to sign) says it; the header is full
            text = ""
        self.label.setText(text)
        self.label.setProperty("signed", h is not None and h.signature is not None)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)
        self.label.setVisible(bool(text))
        on_head = h is not None and self.state.head is not None and h is self.state.head
        self.sign_button.setVisible(
            not s.read_only and on_head and self.state.can_sign and not s.dirty and not s.saving
        )

    @property
    def locked(self) -> bool:
        """The version being edited is signed: saving on it is an amendment."""
        h = self.shown
        return not self.editor.session.read_only and h is not None and h.signature is not None

    def signed_by(self) -> str:
        h = self.shown
        return h.signature.practitioner if h is not None and h.signature is not None else ""

    # -- acting -------------------------------------------------------------------------------

    def ask_reason(self, then: Callable[[str], object]) -> AmendDialog:
        dialog = self.dialog = ask_amend_reason(self.window, self.signed_by(), then)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        return dialog

    def _dialog_closed(self, dialog: AmendDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def sign(self) -> None:
        s = self.editor.session
        head = self.state.head
        if head is None or s.practitioner_id is None:
            return
        if s.dirty or s.saving:
            self.editor.message("Save the chart first: a signature covers a saved version.")
            return
        try:
            signoff.sign_version(s.store, head.version_id, s.practitioner_id, self.signer)
        except StoreError as exc:
            self.editor.message(str(exc), "error")
            self.refresh()
            return
        self.signed_here.add(head.version_id)
        self.checkpoints.after_sign_off(s.store, self.signer)
        self.refresh()
        self.editor.message(f"Version {head.version_no} signed.", "info", timeout_ms=4000)
