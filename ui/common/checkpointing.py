"""A signed checkpoint after a sign-off (issue #11, ADR 0025), written off the GUI thread: on a
clinic's full database it takes about a second, and signing must not freeze the pen. A failure
is only logged (app.services.integrity.checkpoint_quietly): the signature itself is saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.services import integrity
from ui.common.worker import Worker

if TYPE_CHECKING:
    from app.services.credentials import KeySigner
    from app.services.store import Store


class CheckpointWriter(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        # finish_queued: a checkpoint asked for is written even if the page closes meanwhile
        self.worker = Worker("checkpoint", self, finish_queued=True)

    def after_sign_off(self, store: Store, signer: KeySigner | None) -> None:
        self.worker.run(
            lambda: integrity.checkpoint_quietly(store, "sign-off", signer),
            None,
            lambda _exc: None,
        )

    @property
    def busy(self) -> bool:
        return self.worker.busy
