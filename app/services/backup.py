"""Backups and restore (issue #12): one call writes a consistent, encrypted, verified copy of
the database; another shows what a backup holds and puts it in place of the current database,
keeping that one aside (never deleting it).

A backup is written as `<name>.partial` and renamed only after it verified: the plain copy is
`check`ed and its counts compared with the snapshot taken before it is encrypted, and the
written file is then read back from its disk, decrypted and found to be exactly that copy
(SHA-256). A folder therefore never shows a backup that does not restore.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from app.backup import container, snapshot
from app.backup.container import BackupFileError, BackupKey
from app.backup.snapshot import Counts, NotSQLiteError
from app.domain import backup_rotation
from app.domain.values import utcnow
from app.store.database import Store, open_store, sqlite_url
from app.store.errors import StoreError
from app.store.private import restrict, session_temp_dir

__all__ = ["BackupKey", "Counts"]

SUFFIX = ".fcbackup"
_NAME = re.compile(r"^facechart-(\d{4}-\d{2}-\d{2})_(\d{6})Z\.fcbackup$")

# what goes aside with a replaced database: its log and index, and its unsaved chart drafts
# (app/services/drafts.py: a draft names a visit of that database, not of the restored one)
SIDE_FILES = ("-wal", "-shm", ".drafts")

# progress(step in words, fraction done 0..1)
Progress = Callable[[str, float], None]


class BackupError(StoreError):
    """A backup or restore that could not be done; the message says why and what to do."""


class BackupVerificationError(BackupError):
    """The backup was written but does not verify (or the database it copies is damaged)."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    counts: Counts
    size_bytes: int
    taken_at: datetime


@dataclass(frozen=True, slots=True)
class BackupContents:
    """What a backup holds, for the restore screen and `restore`'s preview."""

    path: Path
    taken_at: datetime | None
    counts: Counts
    problems: list[str]  # `check`'s findings on the backup; empty when intact

    @property
    def intact(self) -> bool:
        return not self.problems


def file_name(at: datetime) -> str:
    return f"facechart-{at.astimezone(UTC):%Y-%m-%d_%H%M%S}Z{SUFFIX}"


def taken_at(path: Path) -> datetime | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime("".join(match.groups()), "%Y-%m-%d%H%M%S").replace(tzinfo=UTC)


def _noop(step: str, done: float) -> None:
    pass


def make_backup(
    store: Store,
    dest: Path,
    key: BackupKey,
    *,
    now: datetime | None = None,
    progress: Progress = _noop,
) -> BackupReport:
    """Back up the store into `dest` (a folder, or a file name ending in .fcbackup)."""
    when = now or utcnow()
    target = dest / file_name(when) if dest.is_dir() or dest.suffix != SUFFIX else dest
    if not target.parent.is_dir():
        raise BackupError(
            f"The backup folder {target.parent} cannot be found: is the disk connected?"
        )
    work = Path(tempfile.mkdtemp(prefix="backup-", dir=session_temp_dir("facechart-backup-")))
    partial = target.with_name(target.name + ".partial")
    try:
        progress("Copying the database", 0.0)
        plain = work / "copy.db"
        try:
            counts = snapshot.copy_database(store, plain)
        except NotSQLiteError as exc:
            raise BackupError(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise BackupVerificationError(
                f"The database could not be copied ({exc}): it may be damaged. Nothing was "
                "written; open FaceChart's recovery screen or restore an earlier backup."
            ) from None
        # Check the copy before anything leaves the laptop: a damaged database is refused
        # here, and the file written below is proven to decrypt to exactly these bytes.
        progress("Checking the copy", 0.25)
        problems = check_file(plain)
        if not problems:
            with sqlite3.connect(f"file:{plain}?mode=ro", uri=True) as conn:
                problems = counts.differences(snapshot.counts_of(conn))
            conn.close()
        if problems:
            raise BackupVerificationError(
                "The backup was not kept: the database it copies did not pass its check ("
                + "; ".join(problems[:3])
                + "). Open FaceChart's recovery screen or restore an earlier backup."
            )
        progress("Encrypting", 0.5)
        info = {"taken_at": when.astimezone(UTC).isoformat(), "counts": counts.as_json()}
        try:
            with open(plain, "rb") as raw, open(partial, "wb") as out:
                source = _Hashing(raw)
                container.write(source, out, key, info)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(
                f"The backup could not be written to {target.parent}: {exc.strerror or exc}. "
                "Check the disk has room and is not write-protected."
            ) from None
        plain.unlink()
        progress("Reading it back", 0.8)
        try:
            read_back = _plain_digest(partial, key)
        except (BackupFileError, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise BackupVerificationError(
                f"The backup did not read back ({exc}); nothing was kept. The disk may be "
                "failing: try another."
            ) from None
        if read_back != source.digest():
            partial.unlink(missing_ok=True)
            raise BackupVerificationError(
                "The backup did not read back as it was written; nothing was kept. The disk "
                "may be failing: try another."
            )
        os.replace(partial, target)
        progress("Done", 1.0)
        return BackupReport(target, counts, target.stat().st_size, when)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


class _Hashing:
    """A file read through SHA-256: the digest of every byte handed out."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self._sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self._sha.update(data)
        return data

    def digest(self) -> bytes:
        return self._sha.digest()


def _plain_digest(path: Path, key: BackupKey) -> bytes:
    """SHA-256 of what a backup file decrypts to, read back from its disk (nothing written)."""
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        header = container.read_header(f)
        if _salt(header) != key.salt:
            raise BackupFileError("The passphrase does not open this backup.")
        for chunk in container.decrypt_with_key(f, header, key.key):
            sha.update(chunk)
    return sha.digest()


def open_backup(path: Path, passphrase: str) -> BackupContents:
    """Decrypt and check a backup without touching the current database."""
    work = Path(tempfile.mkdtemp(prefix="inspect-", dir=session_temp_dir("facechart-backup-")))
    try:
        with open(path, "rb") as f:
            header = container.read_header(f)
        salt = _salt(header)
        return _open_with_key(path, BackupKey.from_passphrase(passphrase, salt), work)
    except BackupFileError as exc:
        raise BackupError(str(exc)) from None
    except OSError as exc:
        raise BackupError(f"The backup {path.name} cannot be read: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _salt(header: container.Header) -> bytes:
    return base64.b64decode(header.info["kdf"]["salt"])


def _decrypt_with_key(path: Path, key: BackupKey, out: Path) -> container.Header:
    with open(path, "rb") as f:
        header = container.read_header(f)
        if _salt(header) != key.salt:  # another passphrase's backup: derive for it
            raise BackupFileError("The passphrase does not open this backup.")
        with open(out, "wb") as plain:
            for chunk in container.decrypt_with_key(f, header, key.key):
                plain.write(chunk)
    restrict(out, 0o600)
    return header


def _open_with_key(path: Path, key: BackupKey, work: Path) -> BackupContents:
    plain = work / "check.db"
    header = _decrypt_with_key(path, key, plain)
    problems = check_file(plain)
    with sqlite3.connect(f"file:{plain}?mode=ro", uri=True) as conn:
        counts = snapshot.counts_of(conn)
    conn.close()
    when = header.info.get("taken_at")
    return BackupContents(
        path, datetime.fromisoformat(when) if isinstance(when, str) else None, counts, problems
    )


def check_file(plain: Path) -> list[str]:
    """`check` on a SQLite file (a decrypted copy, a rescued database): its findings in
    words, or why it could not run; empty when it passes."""
    from app.services.integrity import check_store

    try:
        with sqlite3.connect(f"file:{plain}?mode=ro", uri=True) as conn:
            quick = [row[0] for row in conn.execute("PRAGMA quick_check")]
        conn.close()
    except sqlite3.DatabaseError as exc:
        return [f"the copy cannot be read ({exc})"]
    if quick != ["ok"]:
        return [f"the database file is damaged ({quick[0]})"]
    try:
        copy = open_store(sqlite_url(plain, read_only=True), migrate=False)
    except StoreError as exc:
        return [str(exc)]
    try:
        return [str(a) for a in check_store(copy, against_file=False).alterations]
    finally:
        copy.dispose()


@dataclass(frozen=True, slots=True)
class RestoreReport:
    restored: Counts
    aside: Path | None  # where the database that was replaced now is


def restore_backup(
    db_path: Path, backup: Path, passphrase: str, *, now: datetime | None = None
) -> RestoreReport:
    """Put a verified backup in place of the SQLite database at `db_path`. The current
    database (with its -wal/-shm files) is moved aside, never deleted. The app must have
    closed the database first."""
    when = now or utcnow()
    contents = open_backup(backup, passphrase)
    if not contents.intact:
        raise BackupVerificationError(
            "This backup does not pass its check ("
            + "; ".join(contents.problems[:3])
            + "): choose an earlier one. Nothing was changed."
        )
    incoming = db_path.with_name(db_path.name + ".restoring")
    try:
        with open(backup, "rb") as f:
            header = container.read_header(f)
        _decrypt_with_key(backup, BackupKey.from_passphrase(passphrase, _salt(header)), incoming)
        aside = _move_aside(db_path, when)
        os.replace(incoming, db_path)
    except OSError as exc:
        incoming.unlink(missing_ok=True)
        raise BackupError(
            f"The backup could not be put in place: {exc.strerror or exc}. The current "
            "database has not been changed."
        ) from None
    _checkpoints_file_aside(db_path, when)
    return RestoreReport(contents.counts, aside)


def _checkpoints_file_aside(db_path: Path, when: datetime) -> None:
    """The checkpoints file outside the database has moved on past the restored copy (it holds
    the checkpoints the restore undid): keep it aside and begin a new one (ADR 0025)."""
    from app.integrity.checkpoints import DATABASE_ID, set_file_aside

    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (DATABASE_ID,)).fetchone()
        conn.close()
    except sqlite3.Error:
        return
    if row:
        set_file_aside(str(row[0]), f"before-restore-{when:%Y%m%d-%H%M%S}")


def _move_aside(db_path: Path, when: datetime) -> Path | None:
    if not db_path.exists():
        return None
    # fold the write-ahead log into the file first, so the file set aside is complete alone
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    aside = db_path.with_name(f"{db_path.name}.before-restore-{when:%Y%m%d-%H%M%S}")
    os.replace(db_path, aside)
    for extra in SIDE_FILES:
        side = db_path.with_name(db_path.name + extra)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + extra))
    return aside


def backups_in(folder: Path) -> list[tuple[datetime, Path]]:
    """FaceChart's backups in a folder, newest first (other files are left alone)."""
    found = [(taken_at(p), p) for p in folder.glob(f"facechart-*{SUFFIX}")]
    return sorted(((t, p) for t, p in found if t is not None), reverse=True)


def rotate(folder: Path) -> list[Path]:
    """Remove the backups no rotation rule keeps (7 daily, 4 weekly, 12 monthly)."""
    _, removable = backup_rotation.to_keep(backups_in(folder))
    for path in removable:
        path.unlink(missing_ok=True)
    return removable
