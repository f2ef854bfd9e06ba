"""A damaged database (issue #12): find out what is wrong before the app fails piecemeal, say it
in words, and rescue what can still be read into a new file beside it.

`diagnose` looks at a SQLite file without changing it: the write-ahead log lost after a crash
(the `-shm` index still counts frames of a `-wal` file that is gone: the saves made since the
last checkpoint are lost; SQLite itself would silently rebuild the index and carry on),
a file that is not a database, and pages SQLite reports damaged (at open, at a first read of
each table, or by `PRAGMA quick_check`). The `-shm` is read before any connection opens the
file: the first connection, even a read-only one, resets it and the evidence is gone.

`rescue` copies every row that can be read, table by table and, where a table's read fails,
row by row, into a new database next to the damaged one, builds its indexes, runs `check` on
it and reports what could not be read. The damaged file is never changed.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.domain.values import utcnow
from app.services.backup import SIDE_FILES, check_file
from app.store.database import parse_database_url, sqlite_file
from app.store.errors import StoreError
from app.store.private import create_private_file, restrict_sqlite_files

MAX_PROBES = 2_000_000  # row-by-row reads per table: a damaged table of any real clinic's size
_SHM_HEADER = struct.Struct(
    "=IIIBBHII"
)  # iVersion, unused, iChange, isInit, bigEnd, szPage, mxFrame, nPage
_WAL_INDEX_VERSION = 3007000


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What is wrong with a database file: `kind` is "lost-wal", "not-a-database",
    "damaged" or "unreadable"; `words` says it for the clinician; `detail` is SQLite's own."""

    kind: str
    words: str
    detail: str = ""

    @property
    def can_open_as_is(self) -> bool:
        """A lost log leaves a consistent (older) database: it can be opened as it is."""
        return self.kind == "lost-wal"


def lost_wal_frames(db_path: Path) -> int:
    """Frames a crashed FaceChart's `-shm` says were in a `-wal` file that is now missing
    (0 when there is nothing to say: no `-shm`, a `-wal` present, or an index not in use)."""
    wal = db_path.with_name(db_path.name + "-wal")
    shm = db_path.with_name(db_path.name + "-shm")
    if wal.exists() or not shm.exists():
        return 0
    try:
        with open(shm, "rb") as f:
            raw = f.read(2 * 48)
    except OSError:
        return 0
    if len(raw) < 96 or raw[:48] != raw[48:96]:  # the two header copies disagree: unknown
        return 0
    version, _u, _change, is_init, _big, _page, frames, _pages = _SHM_HEADER.unpack(raw[:24])
    if version != _WAL_INDEX_VERSION or not is_init:
        return 0
    return int(frames)


def _words_for(exc: sqlite3.DatabaseError) -> Diagnosis:
    message = str(exc)
    if "not a database" in message:
        return Diagnosis(
            "not-a-database",
            "The database file is not a database any more: its beginning was overwritten or "
            "it is another kind of file.",
            message,
        )
    if "malformed" in message or "corrupt" in message:
        return Diagnosis(
            "damaged",
            "Parts of the database file are damaged (the disk or a copy went wrong), so some "
            "records cannot be read.",
            message,
        )
    return Diagnosis("unreadable", "The database file cannot be read.", message)


def _connect_read_only(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db_path.absolute().as_posix()}?mode=ro", uri=True)


def diagnose(db_path: Path, thorough: bool = True) -> Diagnosis | None:
    """None when the file reads well (or does not exist yet: a new database). `thorough` adds
    `PRAGMA quick_check`, which reads every page (about a second per GB)."""
    if not db_path.exists():
        return None
    frames = lost_wal_frames(db_path)
    if frames:
        return Diagnosis(
            "lost-wal",
            f"The database's log file ({db_path.name}-wal) is missing after FaceChart stopped "
            "unexpectedly. The saves made shortly before that (up to "
            f"{frames} database pages) are lost; what was saved earlier is intact.",
            f"{db_path.name}-shm counts {frames} frames of a missing {db_path.name}-wal",
        )
    try:
        conn = _connect_read_only(db_path)
    except sqlite3.DatabaseError as exc:
        return _words_for(exc)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:  # the first read of each table: where a damaged root shows
            conn.execute(f'SELECT * FROM "{table}" LIMIT 1').fetchall()
        if thorough:
            found = [r[0] for r in conn.execute("PRAGMA quick_check")]
            if found != ["ok"]:
                return Diagnosis(
                    "damaged",
                    "Parts of the database file are damaged (the disk or a copy went wrong), "
                    "so some records cannot be read.",
                    "; ".join(found[:3]),
                )
    except sqlite3.DatabaseError as exc:
        return _words_for(exc)
    finally:
        conn.close()
    return None


def diagnose_url(url: str, thorough: bool = False) -> tuple[Path, Diagnosis] | None:
    """At start-up, before anything opens the database: the file and what is wrong with it, or
    None (a server, a new file, a URL FaceChart will refuse on its own, or a healthy file).
    Quick unless `thorough`: the full `quick_check` runs later, off the GUI thread."""
    try:
        parsed = parse_database_url(url)
    except StoreError:
        return None
    file = sqlite_file(parsed) if parsed.get_backend_name() == "sqlite" else None
    if file is None:
        return None
    found = diagnose(file, thorough=thorough)
    return (file, found) if found is not None else None


def is_damage(exc: BaseException) -> bool:
    """An error that means the file is damaged (not busy, not read-only, not full)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current)
        if "malformed" in text or "not a database" in text:
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass(frozen=True, slots=True)
class TableRescue:
    table: str
    copied: int
    unreadable: int  # rows whose read failed (rowids known)
    whole_table_lost: bool = False  # nothing of it could be read at all

    @property
    def complete(self) -> bool:
        return not self.unreadable and not self.whole_table_lost


@dataclass(frozen=True, slots=True)
class RescueReport:
    path: Path
    tables: list[TableRescue]
    problems: list[str]  # `check` on the rescued database; empty when it passes
    notes: list[str] = field(default_factory=list)  # what else did not come across

    @property
    def passes_check(self) -> bool:
        return not self.problems

    @property
    def lost(self) -> list[str]:
        """What could not be read, in words, per table."""
        out = []
        for t in self.tables:
            if t.whole_table_lost:
                out.append(f"{t.table}: nothing could be read")
            elif t.unreadable:
                out.append(f"{t.table}: {t.unreadable} of {t.copied + t.unreadable} rows")
        return out + self.notes

    @property
    def rows_copied(self) -> int:
        return sum(t.copied for t in self.tables)


def rescued_name(db_path: Path, when: datetime) -> Path:
    return db_path.with_name(f"{db_path.stem}.rescued-{when:%Y%m%d-%H%M%S}{db_path.suffix}")


def _schema(src: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [
        (kind, name, sql)
        for kind, name, sql in src.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ]


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str) -> TableRescue:
    quoted = f'"{table}"'
    insert: str | None = None
    copied = 0
    last = None  # the last rowid copied in order

    def put(row: tuple[object, ...]) -> None:
        nonlocal insert, copied
        if insert is None:
            marks = ",".join("?" * len(row))
            insert = f"INSERT OR REPLACE INTO {quoted} (rowid, {cols}) VALUES ({marks})"
        dst.execute(insert, row)
        copied += 1

    try:
        names = [r[1] for r in src.execute(f"PRAGMA table_info({quoted})")]
    except sqlite3.DatabaseError:
        return TableRescue(table, 0, 0, whole_table_lost=True)
    cols = ",".join(f'"{n}"' for n in names)
    select = f"SELECT rowid, {cols} FROM {quoted}"
    try:  # the fast way first: the whole table in rowid order
        for row in src.execute(f"{select} ORDER BY rowid"):
            put(row)
            last = row[0]
        return TableRescue(table, copied, 0)
    except sqlite3.DatabaseError:
        pass
    # from the end backwards, down to the damage
    first_from_end = None
    try:
        for row in src.execute(
            f"{select} WHERE rowid > ? ORDER BY rowid DESC", (last or -(2**63),)
        ):
            put(row)
            first_from_end = row[0]
    except sqlite3.DatabaseError:
        pass
    if last is None and first_from_end is None and copied == 0:
        try:
            top = src.execute(f"SELECT MAX(rowid) FROM {quoted}").fetchone()[0]
        except sqlite3.DatabaseError:
            top = None
        if top is None:
            return TableRescue(table, 0, 0, whole_table_lost=True)
        first_from_end = top + 1
    # the gap between: one row at a time
    low = (last or 0) + 1
    high = first_from_end if first_from_end is not None else low + MAX_PROBES
    unreadable = 0
    for rowid in range(low, min(high, low + MAX_PROBES)):
        try:
            row = src.execute(f"{select} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            unreadable += 1
            continue
        if row is not None:
            put(row)
    return TableRescue(table, copied, unreadable)


def rescue(db_path: Path, out: Path | None = None, *, now: datetime | None = None) -> RescueReport:
    """Copy every readable row of the damaged SQLite file at `db_path` into a new file (next
    to it unless `out` is given), check the copy and report what was lost. `db_path` is opened
    read-only and never changed."""
    target = out or rescued_name(db_path, now or utcnow())
    if target.exists():
        raise FileExistsError(f"{target} exists already")
    src = _connect_read_only(db_path)
    create_private_file(target)
    dst = sqlite3.connect(target)
    notes: list[str] = []
    tables: list[TableRescue] = []
    try:
        try:
            schema = _schema(src)
        except sqlite3.DatabaseError as exc:
            raise OSError(
                f"Nothing can be rescued: the database's list of tables cannot be read ({exc})."
            ) from None
        dst.execute("PRAGMA foreign_keys=OFF")  # a row whose parent was lost is still kept
        dst.execute("BEGIN")
        for kind, _name, sql in schema:
            if kind == "table":
                dst.execute(sql)
        for kind, name, _sql in schema:
            if kind == "table":
                tables.append(_copy_table(src, dst, name))
        for kind, name, sql in schema:
            if kind in ("index", "trigger", "view"):
                try:
                    dst.execute(sql)
                except sqlite3.DatabaseError as exc:  # e.g. a unique index over kept duplicates
                    notes.append(f"the {kind} {name} could not be rebuilt ({exc})")
        dst.execute("COMMIT")
        orphans = dst.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            notes.append(f"{len(orphans)} rows refer to rows that could not be read")
    finally:
        dst.close()
        src.close()
    restrict_sqlite_files(target)
    return RescueReport(target, tables, check_file(target), notes)


def put_in_place(db_path: Path, rescued: Path, *, now: datetime | None = None) -> Path:
    """Use the rescued database from now on: the damaged file (and its side files) is moved
    aside, never deleted; returns where it now is. The app must have closed the database."""
    when = now or utcnow()
    aside = db_path.with_name(f"{db_path.name}.damaged-{when:%Y%m%d-%H%M%S}")
    os.replace(db_path, aside)
    for extra in SIDE_FILES:
        side = db_path.with_name(db_path.name + extra)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + extra))
    os.replace(rescued, db_path)
    return aside
