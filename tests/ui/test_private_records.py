"""The GUI's side of issue #11's files and logs: a camera still is deleted once its bytes are
read back, and the error hook writes a 0600 log without the patient's name or date of birth."""

from __future__ import annotations

import os
import stat
import sys
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.services import patients
from app.services.camera import still_dir
from app.services.store import error_log_path
from app.store.database import open_store, sqlite_url
from ui import app as ui_app

# in constants: the log's traceback quotes source lines, and a literal there would be found
GIVEN, FAMILY, DOB = "Zenobia", "Quillfeather", date(1961, 7, 23)
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def test_a_still_is_deleted_once_read_back(qtbot: QtBot) -> None:
    from PySide6.QtMultimedia import QCameraDevice

    from ui.capture.qt_camera import QtCameraSource

    source = QtCameraSource(QCameraDevice(), None)
    path = still_dir() / "still-test.jpg"
    path.write_bytes(b"\xff\xd8 a camera's JPEG \xff\xd9")
    with qtbot.waitSignal(source.still, timeout=1000) as got:
        source._on_saved(1, str(path))
    assert got.args == [b"\xff\xd8 a camera's JPEG \xff\xd9"]
    assert not path.exists()
    assert list(still_dir().iterdir()) == []


@posix_only
def test_the_error_hook_logs_privately_and_without_patient_data(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    shown: list[str] = []
    # the box itself is modal; what it says is what matters here
    monkeypatch.setattr(ui_app.QMessageBox, "warning", lambda _p, _t, msg: shown.append(msg))

    store = open_store(sqlite_url(tmp_path / "facechart.db"))
    try:
        patients.create_patient(store, GIVEN, FAMILY, DOB)
        with store.engine.begin() as conn:
            conn.execute(text("CREATE UNIQUE INDEX fault_family ON patient (family_name)"))
        with pytest.raises(Exception) as info:
            patients.create_patient(store, GIVEN, FAMILY, DOB)
    finally:
        store.dispose()

    ui_app.install_error_hook()
    exc = info.value
    sys.excepthook(type(exc), exc, exc.__traceback__)

    log = error_log_path()
    assert log.is_relative_to(tmp_path)
    written = log.read_text(encoding="utf-8")
    assert "IntegrityError" in written and "UNIQUE constraint failed" in written
    for secret in ("zenobia", "quillfeather", "1961-07-23", "1961, 7, 23"):
        assert secret not in written.lower()
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log.parent).st_mode) == 0o700
    assert os.stat(log).st_uid == os.getuid()
    assert len(shown) == 1 and str(log) in shown[0]
