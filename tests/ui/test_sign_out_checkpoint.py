"""Closing the app is today's sign-out (issue #11, ADR 0025): it signs a checkpoint, so a
change made to the database afterwards, behind FaceChart's back, is named by `check`."""

from __future__ import annotations

from sqlalchemy import text

from app.services.integrity import check_store
from app.store.database import Store
from bench._tamper_kinds import raw
from ui.shell.main_window import MainWindow


def _checkpoints(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM checkpoint")).scalar_one())


def test_closing_the_window_signs_a_checkpoint(window: MainWindow, demo_store: Store) -> None:
    assert _checkpoints(demo_store) == 0
    window.close()
    assert _checkpoints(demo_store) == 1
    assert check_store(demo_store).intact
    raw(demo_store, [("UPDATE patient SET given_name = 'Someone' WHERE id = 1", {})])
    found = [str(a) for a in check_store(demo_store).alterations]
    assert any(line.startswith("ALTERED patient id=1:") for line in found), found
