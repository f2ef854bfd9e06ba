"""Writing a signed checkpoint (ADR 0025), and reading back the ones already written.

A checkpoint stores, in the database, only the map entries that changed since the previous
one (`checkpoint_entry`) plus the signed 168-byte statement over the whole map (`checkpoint`);
replaying the entries in order rebuilds the map at every checkpoint. A copy of each statement
and its signature is appended to a checkpoints file outside the database (owner-only, in the
user data folder, one file per database id), where someone holding only the database cannot
reach it.

Call `write_checkpoint` at sign-off, sign-out (the app's close, today), backup and report.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.domain.values import utcnow
from app.integrity.digest import ZERO32, MapTree, Statement
from app.integrity.records import current_map
from app.integrity.signing import (
    INSTALLATION,
    InstallationSigner,
    Signer,
    fingerprint,
    integrity_dir,
    key_kind,
)
from app.store.database import Store
from app.store.private import open_private_append, private_dir
from app.store.schema import Checkpoint, CheckpointEntry, InstallationKey, Practitioner, Setting

log = logging.getLogger(__name__)
DATABASE_ID = "database_id"
FILE_TAG = "FCCP1"


@dataclass(frozen=True, slots=True)
class WrittenCheckpoint:
    seq: int
    created_at: datetime
    entries_changed: int
    entries: int


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A checkpoint as found in the database or in the checkpoints file."""

    seq: int
    statement: bytes
    signature: bytes
    public_key: bytes
    reason: str = ""


def database_id(session: Session) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == DATABASE_ID))


def checkpoints_file(db_id: str, folder: Path | None = None) -> Path:
    return (folder or integrity_dir()) / f"checkpoints-{db_id}.log"


# A replayed map per database, so a sign-off does not replay every earlier checkpoint again.
_cache: dict[str, tuple[int, bytes, MapTree]] = {}


Change = tuple[tuple[str, bytes] | None, bytes | None]  # (label and value before, value after)


def replay(session: Session) -> Iterator[tuple[Checkpoint, MapTree, dict[str, Change]]]:
    """Every checkpoint in seq order, with the map as it stood at it and what it changed
    (key → (label and value before, value after; None: removed)). One map object is updated
    in place from step to step: copy what must outlive a step."""
    tree = MapTree()
    entries = session.execute(
        select(
            CheckpointEntry.seq, CheckpointEntry.key, CheckpointEntry.label, CheckpointEntry.value
        ).order_by(CheckpointEntry.seq, CheckpointEntry.key)
    )
    pending = next(entries, None)
    for cp in session.scalars(select(Checkpoint).order_by(Checkpoint.seq)):
        changed: dict[str, Change] = {}
        while pending is not None and pending.seq <= cp.seq:
            if pending.seq == cp.seq:  # entries of a checkpoint that is gone are skipped
                changed[pending.key] = (tree.entries.get(pending.key), pending.value)
                tree.put(pending.key, pending.label, pending.value)
            pending = next(entries, None)
        yield cp, tree, changed


def _previous_map(session: Session, db_id: str) -> tuple[Checkpoint | None, MapTree]:
    last = session.scalar(select(Checkpoint).order_by(Checkpoint.seq.desc()).limit(1))
    if last is None:
        return None, MapTree()
    cached = _cache.pop(db_id, None)  # taken out: a write that fails must not leave it changed
    if cached and cached[0] == last.seq and cached[1] == last.statement:
        return last, cached[2]
    tree = MapTree()
    for _cp, replayed, _changed in replay(session):
        tree = replayed
    return last, tree


def write_checkpoint(store: Store, reason: str, signer: Signer | None = None) -> WrittenCheckpoint:
    """Sign the map of every record as it is now and store the entries that changed, in one
    transaction; then append the statement to the checkpoints file. `signer` None: this
    installation's key (nobody signed in)."""
    signer = signer or InstallationSigner.load_or_create()
    kind = key_kind(signer.key_ref)
    with store.write() as s:
        if s.get_bind().dialect.name == "postgresql":
            # one checkpoint at a time: two rooms signing off together must not both be seq N
            s.execute(text("LOCK TABLE checkpoint IN SHARE ROW EXCLUSIVE MODE"))
        db_id = database_id(s)
        if db_id is None:
            raise ValueError("this database has no database_id: it predates migration 0008")
        created_at = utcnow()  # before the records are read: nothing later is in this map
        last, tree = _previous_map(s, db_id)
        seq = (last.seq + 1) if last else 1
        now = current_map(s)
        rows: list[dict[str, object]] = []
        for key in [k for k in tree.entries if k not in now]:
            tree.put(key, "", None)
            rows.append({"seq": seq, "key": key, "label": "", "value": None})
        for key, record in now.items():
            if tree.entries.get(key) != (record.label, record.value):
                tree.put(key, record.label, record.value)
                rows.append({"seq": seq, "key": key, "label": record.label, "value": record.value})
        statement = Statement(
            db_id,
            seq,
            created_at,
            len(tree),
            tree.root(),
            Statement.from_bytes(last.statement).digest() if last else ZERO32,
            bytes.fromhex(fingerprint(signer.public_key)),
            signer.key_ref,
        ).to_bytes()
        signature = signer.sign(statement)
        s.add(
            Checkpoint(
                seq=seq,
                created_at=created_at,
                reason=reason[:32],
                statement=statement,
                signature=signature,
                key_kind=kind,
                public_key=signer.public_key,
                practitioner_id=_practitioner_id(s, signer.key_ref),
            )
        )
        fpr = fingerprint(signer.public_key)
        if kind == INSTALLATION and s.get(InstallationKey, fpr) is None:
            s.add(InstallationKey(fingerprint=fpr, public_key=signer.public_key))
        s.flush()  # the checkpoint row before its entries (foreign key)
        if rows:
            s.execute(insert(CheckpointEntry), rows)
    _cache[db_id] = (seq, statement, tree)
    _append_to_file(db_id, StoredCheckpoint(seq, statement, signature, signer.public_key, reason))
    return WrittenCheckpoint(seq, created_at, len(rows), len(tree))


def _practitioner_id(s: Session, key_ref: str) -> int | None:
    kind, _, ident = key_ref.partition(":")
    if kind != "practitioner" or not ident.isdigit():
        return None
    return int(ident) if s.get(Practitioner, int(ident)) is not None else None


def _append_to_file(db_id: str, cp: StoredCheckpoint) -> None:
    """Best effort: a checkpoint in the database stands even if its copy cannot be written
    (a read-only profile); the log says so and `check` then finds one fewer copy."""
    path = checkpoints_file(db_id)
    line = " ".join(
        [
            FILE_TAG,
            str(cp.seq),
            base64.b64encode(cp.statement).decode(),
            base64.b64encode(cp.signature).decode(),
            base64.b64encode(cp.public_key).decode(),
        ]
    )
    try:
        private_dir(path.parent)
        fd = open_private_append(path)
        try:
            os.write(fd, (line + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("the copy of checkpoint %d could not be written: %s", cp.seq, exc)


def set_file_aside(db_id: str, tag: str) -> Path | None:
    """A restore puts an earlier copy of the database back: the checkpoints file has moved on
    past it (it holds the checkpoints the restore undid), so it is kept aside, renamed, and a
    new one begins with the next checkpoint. Returns where it went (None: there was none)."""
    path = checkpoints_file(db_id)
    if not path.exists():
        return None
    aside = path.with_name(f"{path.stem}.{tag}{path.suffix}")
    os.replace(path, aside)
    _cache.pop(db_id, None)
    return aside


def file_checkpoints(db_id: str) -> list[StoredCheckpoint]:
    """The copies in the checkpoints file; a damaged line is returned with empty bytes so the
    check can say so (rather than skip it)."""
    path = checkpoints_file(db_id)
    try:
        text = path.read_text("ascii", errors="replace")
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] != FILE_TAG or len(parts) != 5:
                raise ValueError(line)
            out.append(
                StoredCheckpoint(
                    int(parts[1]),
                    base64.b64decode(parts[2], validate=True),
                    base64.b64decode(parts[3], validate=True),
                    base64.b64decode(parts[4], validate=True),
                )
            )
        except ValueError:
            out.append(StoredCheckpoint(-1, b"", b"", b""))
    return out


# --- the short code printed on reports (issue 11) ---------------------------------------------


def short_code(seq: int, statement: bytes) -> str:
    """`CP<seq>-XXXX-XXXX-XXXX`: 60 bits of the statement's SHA-256 in base32, to print on a
    report, so a paper copy names the checkpoint it was made under; `code_matches` checks it."""
    digest = base64.b32encode(hashlib.sha256(statement).digest()).decode()[:12]
    return f"CP{seq}-{digest[:4]}-{digest[4:8]}-{digest[8:]}"


def latest_code(store: Store) -> str | None:
    """The newest checkpoint's short code (None before the first)."""
    with store.read() as s:
        last = s.scalar(select(Checkpoint).order_by(Checkpoint.seq.desc()).limit(1))
        return short_code(last.seq, last.statement) if last else None


def code_matches(store: Store, code: str) -> bool:
    """Does the database still hold the checkpoint a printed code names, unchanged?"""
    seq_text = code.strip().upper().removeprefix("CP").split("-", 1)[0]
    if not seq_text.isdigit():
        return False
    with store.read() as s:
        cp = s.get(Checkpoint, int(seq_text))
        return cp is not None and short_code(cp.seq, cp.statement) == code.strip().upper()
