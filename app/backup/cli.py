"""`backup DEST` and `restore BACKUP` (CONTRACTS.md): exit 0 done, 1 verification failed,
2 anything else; one line on stderr, never a traceback. The passphrase comes from
`FACECHART_PASSPHRASE` or is asked on the terminal."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

PASSPHRASE_ENV = "FACECHART_PASSPHRASE"


def passphrase(confirm: bool = False) -> str | None:
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Backup passphrase: ")
    if confirm and getpass.getpass("Again: ") != first:
        print("error: the two passphrases differ", file=sys.stderr)
        return None
    return first or None


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run_backup(url: str, dest: Path) -> int:
    from app.services.backup import BackupError, BackupKey, BackupVerificationError, make_backup
    from app.store.database import open_store
    from app.store.errors import StoreError

    secret = passphrase(confirm=True)
    if secret is None:
        return _fail(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal", 2)
    try:
        store = open_store(url, migrate=False)
    except StoreError as exc:
        return _fail(str(exc), 2)
    try:
        report = make_backup(store, dest, BackupKey.from_passphrase(secret))
    except BackupVerificationError as exc:
        return _fail(str(exc), 1)
    except BackupError as exc:
        return _fail(str(exc), 2)
    finally:
        store.dispose()
    c = report.counts
    print(
        f"backed up {c.patients} patients, {c.visits} visits, {c.versions} chart versions, "
        f"{c.photos} photos to {report.path} ({report.size_bytes / 1e6:.1f} MB), verified"
    )
    return 0


def run_restore(url: str, backup: Path) -> int:
    from app.services.backup import BackupError, BackupVerificationError, restore_backup
    from app.store.database import parse_database_url, sqlite_file
    from app.store.errors import StoreError

    try:
        parsed = parse_database_url(url)
    except StoreError as exc:
        return _fail(str(exc), 2)
    target = sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if target is None:
        return _fail(
            "restore puts a backup in place of a SQLite database file; a clinic server is "
            "restored from the portable archive (import) or by its administrators (pg_restore)",
            2,
        )
    if not backup.is_file():
        return _fail(f"no backup at {backup}", 2)
    secret = passphrase()
    if secret is None:
        return _fail(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal", 2)
    try:
        report = restore_backup(target, backup, secret)
    except BackupVerificationError as exc:
        return _fail(str(exc), 1)
    except BackupError as exc:
        return _fail(str(exc), 2)
    c = report.restored
    aside = f"; the previous database is kept as {report.aside}" if report.aside else ""
    print(
        f"restored {c.patients} patients, {c.visits} visits, {c.versions} chart versions, "
        f"{c.photos} photos from {backup.name}{aside}"
    )
    return 0
