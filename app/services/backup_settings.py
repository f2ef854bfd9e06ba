"""Automatic backups for the app (issue #12): the folder and key an admin chose, the last good
backup's age for the first screen, daily and closing backups, and restore by an admin.

The settings live OUTSIDE the database, one owner-only JSON file per installation and database
in the user data folder: a backup must not depend on the database it rescues, and the file
holds the key that opens the backups. It keeps the Argon2id salt and derived AES key
(`BackupKey`), never the passphrase, so automatic backups run without asking while a backup
disk taken away alone opens nothing; whoever can read this laptop account's files can (ADR
0021 states the limit). The last good backup's time is remembered here too, so an unplugged
disk still shows its age.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.domain import roles
from app.domain.values import utcnow
from app.services import audit, backup
from app.services.backup import BackupError, BackupKey, BackupReport, Counts, Progress
from app.services.practitioners import PractitionerRecord
from app.store.database import Store, default_data_dir, sqlite_file
from app.store.errors import StoreError
from app.store.private import PRIVATE_FILE_MODE, private_dir, restrict

FORMAT = 1
DUE_AFTER = timedelta(days=1)  # automatic backups: daily
WARN_AFTER = timedelta(days=2)  # the first screen warns when the last good one is older
MIN_PASSPHRASE = 8
SERVER_NOTE = (
    "This clinic's database is on a server: its backups are made by the server's "
    "administrators (pg_dump), or with the portable archive once it exists. FaceChart makes "
    "backup files of a database on this computer only."
)
DISK_MISSING = "The backup disk is not connected"


class NotAllowedError(StoreError):
    """Only an admin may choose where backups go, set their passphrase, or restore."""


def settings_folder() -> Path:
    """Where the per-database settings files live (tests point it elsewhere)."""
    return default_data_dir() / "backup-settings"


def database_key(store: Store) -> str:
    """Which database the settings belong to: its file (absolute), or its URL without password."""
    file = sqlite_file(store.url) if store.is_sqlite else None
    name = str(file.absolute()) if file else store.url.render_as_string(hide_password=True)
    return name


@dataclass(frozen=True, slots=True)
class BackupSettings:
    database: str
    folder: Path | None = None
    key: BackupKey | None = None
    last_good: datetime | None = None  # the newest verified backup seen or made
    last_path: str = ""
    changed_by: str = ""
    changed_at: datetime | None = None

    @property
    def configured(self) -> bool:
        return self.folder is not None and self.key is not None


def _file(store: Store) -> Path:
    digest = hashlib.sha256(database_key(store).encode("utf-8")).hexdigest()[:20]
    return settings_folder() / f"{digest}.json"


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def load(store: Store) -> BackupSettings:
    """The settings of this database (empty ones when none were made, or the file is damaged:
    the first screen then says backups are not set up, never fails)."""
    database = database_key(store)
    try:
        data = json.loads(_file(store).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("database") != database:
            return BackupSettings(database)
        key = None
        if data.get("key") and data.get("salt"):
            key = BackupKey(base64.b64decode(data["salt"]), base64.b64decode(data["key"]))
        return BackupSettings(
            database,
            Path(data["folder"]) if data.get("folder") else None,
            key,
            _when(data.get("last_good")),
            str(data.get("last_path", "")),
            str(data.get("changed_by", "")),
            _when(data.get("changed_at")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return BackupSettings(database)


def _save(store: Store, s: BackupSettings) -> BackupSettings:
    """Written whole and atomically, 0600 in a 0700 folder: it holds the backups' key."""
    body = {
        "format": FORMAT,
        "database": s.database,
        "folder": str(s.folder) if s.folder else "",
        "salt": base64.b64encode(s.key.salt).decode() if s.key else "",
        "key": base64.b64encode(s.key.key).decode() if s.key else "",
        "last_good": s.last_good.isoformat() if s.last_good else "",
        "last_path": s.last_path,
        "changed_by": s.changed_by,
        "changed_at": s.changed_at.isoformat() if s.changed_at else "",
    }
    target = _file(store)
    folder = private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        restrict(Path(tmp), PRIVATE_FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return s


def _admin(actor: PractitionerRecord, what: str) -> None:
    if not roles.may_administer(actor.role):
        raise NotAllowedError(f"Only an admin can {what}. Ask the clinic's admin.")


def _no_server(store: Store) -> None:
    if not store.is_sqlite:
        raise BackupError(SERVER_NOTE)


def set_folder(store: Store, actor: PractitionerRecord, folder: Path) -> BackupSettings:
    """Admin only: automatic backups go to `folder` (a USB disk, a network share). The folder
    must be writable now: a test file is made and removed."""
    _admin(actor, "choose where backups go")
    _no_server(store)
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"The folder {folder} cannot be found: is the disk connected?")
    try:
        fd, probe = tempfile.mkstemp(prefix=".facechart-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BackupError(
            f"FaceChart cannot write to {folder}: {exc.strerror or exc}. Choose another folder."
        ) from None
    s = load(store)
    return _save(
        store,
        BackupSettings(s.database, folder, s.key, s.last_good, s.last_path, actor.name, utcnow()),
    )


def set_passphrase(store: Store, actor: PractitionerRecord, passphrase: str) -> BackupSettings:
    """Admin only: the passphrase that opens the backups from now on. Only its derived key
    is kept (Argon2id, ~0.2 s); backups made before keep opening with the old passphrase."""
    _admin(actor, "set the backup passphrase")
    _no_server(store)
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"A backup passphrase has at least {MIN_PASSPHRASE} characters.")
    s = load(store)
    key = BackupKey.from_passphrase(passphrase)
    return _save(
        store,
        BackupSettings(s.database, s.folder, key, s.last_good, s.last_path, actor.name, utcnow()),
    )


def _remember(store: Store, when: datetime, path: Path) -> None:
    s = load(store)
    if s.last_good is None or when > s.last_good:
        _save(
            store,
            BackupSettings(
                s.database, s.folder, s.key, when, str(path), s.changed_by, s.changed_at
            ),
        )


def list_backups(store: Store) -> list[tuple[datetime, Path]]:
    """The backups in the configured folder, newest first ([] when it is not there)."""
    folder = load(store).folder
    if folder is None or not folder.is_dir():
        return []
    try:
        return backup.backups_in(folder)
    except OSError:
        return []


def last_good(store: Store) -> datetime | None:
    """The newest backup in the folder, else the one remembered (the disk may be unplugged)."""
    s = load(store)
    found = list_backups(store)
    newest = found[0][0] if found else None
    if newest is None:
        return s.last_good
    return newest if s.last_good is None else max(newest, s.last_good)


def age_words(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "never"
    seconds = max(0, int(((now or utcnow()) - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        n = seconds // 60
        return f"{n} minute{'s' if n != 1 else ''} ago"
    if seconds < 86400:
        n = seconds // 3600
        return f"{n} hour{'s' if n != 1 else ''} ago"
    n = seconds // 86400
    return "yesterday" if n == 1 else f"{n} days ago"


@dataclass(frozen=True, slots=True)
class BackupStatus:
    server: bool  # a PostgreSQL database: backups are the server's
    configured: bool
    folder: Path | None
    folder_present: bool
    last_good: datetime | None
    age: str  # "3 hours ago", "never"
    warning: str  # "" when all is well

    @property
    def line(self) -> str:
        """One line for the first screen."""
        if self.server:
            return "Backups: made on the clinic's server"
        text = f"Last backup: {self.age}"
        return f"{text} · {self.warning}" if self.warning else text


def status(store: Store, now: datetime | None = None) -> BackupStatus:
    now = now or utcnow()
    if not store.is_sqlite:
        return BackupStatus(True, False, None, False, None, "", "")
    s = load(store)
    present = s.folder is not None and s.folder.is_dir()
    when = last_good(store)
    if not s.configured:
        warning = "Backups are not set up: an admin chooses a folder and a passphrase"
    elif not present:
        warning = DISK_MISSING
    elif when is None:
        warning = "No backup has been made yet"
    elif now - when > WARN_AFTER:
        warning = f"The last good backup is {(now - when).days} days old"
    else:
        warning = ""
    return BackupStatus(False, s.configured, s.folder, present, when, age_words(when, now), warning)


def due(store: Store, now: datetime | None = None) -> bool:
    """An automatic backup is due: set up, the disk there, and none for a day."""
    st = status(store, now)
    if st.server or not st.configured or not st.folder_present:
        return False
    return st.last_good is None or (now or utcnow()) - st.last_good >= DUE_AFTER


def _noop(step: str, done: float) -> None:
    pass


def run_backup(
    store: Store,
    progress: Progress = _noop,
    *,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> BackupReport:
    """One backup to the configured folder: written, verified, kept by rotation (7 daily,
    4 weekly, 12 monthly), remembered, and recorded in the audit log."""
    _no_server(store)
    s = load(store)
    if s.folder is None or s.key is None:
        raise BackupError(
            "Backups are not set up yet: an admin chooses a folder and a passphrase on the "
            "Backup page."
        )
    if not s.folder.is_dir():
        raise BackupError(f"{DISK_MISSING} ({s.folder} cannot be found). Nothing was written.")
    # A backup carries a signed checkpoint of the records it holds (issue #11): restored or
    # copied anywhere, `check` can name what changed in it since (ADR 0025).
    from app.services.integrity import checkpoint_quietly

    checkpoint_quietly(store, "backup")
    report = backup.make_backup(store, s.folder, s.key, now=now, progress=progress)
    try:
        backup.rotate(s.folder)
    except OSError:
        pass  # an old backup left in place is no loss; the new one is written and verified
    _remember(store, report.taken_at, report.path)
    c = report.counts
    audit.record(
        store,
        "backup",
        actor_id,
        subject=report.path.name,
        detail=f"{c.patients} patients, {c.visits} visits, {c.versions} versions, "
        f"{c.photos} photos; verified",
    )
    return report


def database_counts(store: Store) -> Counts:
    """The current database's counts, to show beside a backup's before restoring."""
    with store.read() as s:
        n = [
            int(s.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
            for table in ("patient", "visit", "chart_version", "photo")
        ]
        newest = s.execute(text("SELECT MAX(saved_at) FROM chart_version")).scalar_one()
    return Counts(n[0], n[1], n[2], n[3], None if newest is None else str(newest))


def database_file(store: Store) -> Path:
    """The SQLite file a restore replaces (BackupError for a server database)."""
    _no_server(store)
    file = sqlite_file(store.url)
    if file is None:
        raise BackupError("This database is not a file FaceChart can restore into.")
    return file


def restore(
    db_path: Path,
    backup_path: Path,
    passphrase: str,
    actor: PractitionerRecord,
    *,
    dispose: Callable[[], None],
    reopen: Callable[[], Store],
) -> tuple[backup.RestoreReport, Store]:
    """Admin only: put a backup in place of the database file. `dispose` closes every
    connection first; `reopen` opens the file again (the restored one, or on failure the
    unchanged one) and is called whatever happens. The "restore" event is written into
    the restored database (the replaced one, kept aside, is not changed)."""
    _admin(actor, "restore a backup")
    dispose()
    try:
        report = backup.restore_backup(db_path, backup_path, passphrase)
    finally:
        store = reopen()  # the restored database, or the unchanged one when restore failed
    actor_id: int | None = actor.id
    with store.read() as s:
        known = s.execute(
            text("SELECT COUNT(*) FROM practitioner WHERE id = :i AND name = :n"),
            {"i": actor.id, "n": actor.name},
        ).scalar_one()
    if not known:
        actor_id = None  # not in the restored database: named in the event's words instead
    aside = f"; the replaced database is kept as {report.aside.name}" if report.aside else ""
    audit.record(
        store,
        "restore",
        actor_id,
        subject=backup_path.name,
        detail=f"restored by {actor.name}{aside}",
    )
    return report, store
