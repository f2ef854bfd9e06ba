"""The app's backup settings (issue #12) on real files: kept outside the database, owner-only,
never the passphrase; only an admin sets them; the first screen's age and warnings; daily
backups due; a backup run rotates, remembers and is audited."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.roles import Role
from app.services import backup, backup_settings
from app.services.backup_settings import NotAllowedError
from app.services.practitioners import PractitionerRecord, create_practitioner
from app.store.database import Store
from app.store.schema import AuditEvent
from tests.app.fault_helpers import make_charted

PASS = "clinic passphrase"


@pytest.fixture
def admin(sqlite_store: Store) -> PractitionerRecord:
    return create_practitioner(sqlite_store, "Dr Admin", Role.ADMIN)


def _set_up(store: Store, admin: PractitionerRecord, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    backup_settings.set_folder(store, admin, folder)
    backup_settings.set_passphrase(store, admin, PASS)


def test_settings_keep_the_key_not_the_passphrase_in_an_owner_only_file(
    sqlite_store: Store, admin: PractitionerRecord, tmp_path: Path, own_backup_settings: Path
) -> None:
    _set_up(sqlite_store, admin, tmp_path / "usb")
    (file,) = own_backup_settings.glob("*.json")
    raw = file.read_text()
    assert PASS not in raw
    body = json.loads(raw)
    assert body["folder"] == str(tmp_path / "usb") and body["key"] and body["salt"]
    if os.name == "posix":
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        assert stat.S_IMODE(own_backup_settings.stat().st_mode) == 0o700
    # the kept key is the passphrase's: a backup it writes opens with the passphrase
    report = backup_settings.run_backup(sqlite_store, actor_id=admin.id)
    assert backup.open_backup(report.path, PASS).intact
    # nothing about backups is in the database but the audit event
    with sqlite_store.read() as s:
        events = s.execute(
            select(AuditEvent.subject, AuditEvent.actor_id).where(AuditEvent.kind == "backup")
        ).all()
    assert [tuple(e) for e in events] == [(report.path.name, admin.id)]


def test_only_an_admin_sets_the_folder_the_passphrase_or_restores(
    sqlite_store: Store, tmp_path: Path
) -> None:
    injector = create_practitioner(sqlite_store, "Nurse Injector", Role.INJECTOR)
    prescriber = create_practitioner(sqlite_store, "Dr Prescriber", Role.PRESCRIBER)
    for who in (injector, prescriber):
        with pytest.raises(NotAllowedError, match="Only an admin"):
            backup_settings.set_folder(sqlite_store, who, tmp_path)
        with pytest.raises(NotAllowedError, match="Only an admin"):
            backup_settings.set_passphrase(sqlite_store, who, PASS)
        with pytest.raises(NotAllowedError, match="Only an admin"):
            backup_settings.restore(
                tmp_path / "x.db",
                tmp_path / "y.fcbackup",
                PASS,
                who,
                dispose=lambda: None,
                reopen=lambda: sqlite_store,
            )
    assert not backup_settings.load(sqlite_store).configured


def test_a_short_passphrase_and_a_folder_that_is_not_there_are_refused(
    sqlite_store: Store, admin: PractitionerRecord, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="at least 8"):
        backup_settings.set_passphrase(sqlite_store, admin, "short")
    with pytest.raises(backup.BackupError, match="is the disk connected"):
        backup_settings.set_folder(sqlite_store, admin, tmp_path / "not-plugged-in")


def test_status_says_the_age_and_warns_when_old_or_the_disk_is_missing(
    sqlite_store: Store, admin: PractitionerRecord, tmp_path: Path
) -> None:
    st = backup_settings.status(sqlite_store)
    assert not st.configured and "not set up" in st.warning
    folder = tmp_path / "usb"
    _set_up(sqlite_store, admin, folder)
    st = backup_settings.status(sqlite_store)
    assert st.age == "never" and st.warning == "No backup has been made yet"
    assert backup_settings.due(sqlite_store)

    then = datetime.now(UTC) - timedelta(days=3, hours=1)
    backup_settings.run_backup(sqlite_store, now=then)
    st = backup_settings.status(sqlite_store)
    assert st.age == "3 days ago" and st.warning == "The last good backup is 3 days old"
    assert backup_settings.due(sqlite_store)
    backup_settings.run_backup(sqlite_store)
    st = backup_settings.status(sqlite_store)
    assert st.age == "just now" and st.warning == ""
    assert not backup_settings.due(sqlite_store)
    assert "Last backup: just now" == st.line

    # the disk unplugged: its age is still known, and the warning says where the trouble is
    folder.rename(tmp_path / "elsewhere")
    st = backup_settings.status(sqlite_store)
    assert st.age == "just now" and st.warning == backup_settings.DISK_MISSING
    assert not backup_settings.due(sqlite_store)
    with pytest.raises(backup.BackupError, match="backup disk is not connected"):
        backup_settings.run_backup(sqlite_store)


def test_run_backup_keeps_backups_by_rotation(
    sqlite_store: Store, admin: PractitionerRecord, tmp_path: Path
) -> None:
    folder = tmp_path / "usb"
    _set_up(sqlite_store, admin, folder)
    make_charted(sqlite_store)
    now = datetime(2026, 11, 30, 18, tzinfo=UTC)
    for i in range(30):  # 30 old backups, one a day
        (folder / backup.file_name(now - timedelta(days=i + 1))).write_bytes(b"x")
    report = backup_settings.run_backup(sqlite_store, now=now)
    names = [p.name for _, p in backup_settings.list_backups(sqlite_store)]
    assert names[0] == report.path.name
    assert len(names) < 31  # rotation removed the ones no rule keeps


def test_age_in_words() -> None:
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    words = backup_settings.age_words
    assert words(None, now) == "never"
    assert words(now - timedelta(seconds=20), now) == "just now"
    assert words(now - timedelta(minutes=1), now) == "1 minute ago"
    assert words(now - timedelta(hours=5), now) == "5 hours ago"
    assert words(now - timedelta(days=1, hours=2), now) == "yesterday"
    assert words(now - timedelta(days=9), now) == "9 days ago"


def test_database_counts_and_server_databases(store: Store) -> None:
    make_charted(store)
    c = backup_settings.database_counts(store)
    assert (c.patients, c.visits, c.versions, c.photos) == (1, 1, 1, 1)
    if store.is_sqlite:
        return
    st = backup_settings.status(store)
    assert st.server and "server" in st.line
    assert not backup_settings.due(store)
    with pytest.raises(backup.BackupError, match="administrators"):
        backup_settings.run_backup(store)
