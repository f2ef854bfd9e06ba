"""`check` against the checkpoints (ADR 0025): every checkpoint in the database and in the
checkpoints file is verified (signature by a trusted key, chain to its predecessor, root of
the map replayed from the stored entries), and the records as they are now are compared with
the newest checkpoint that holds. Each record missing, changed, or added with a date before a
checkpoint that does not hold it is named; so is each checkpoint removed or altered.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.integrity.checkpoints import Change, database_id, file_checkpoints, replay
from app.integrity.digest import ZERO32, MapTree, Statement
from app.integrity.records import current_map
from app.integrity.report import Alteration, CheckReport
from app.integrity.signing import fingerprint, key_kind, trusted_keys, verify
from app.store.schema import AuditEvent

# A save in progress while a checkpoint was written is dated just before it without being in
# it; anything dated earlier than this before a checkpoint should have been in it.
CLOCK_SLACK = timedelta(minutes=5)
# A record FaceChart itself changes (details corrected, marked in error, consent given, a
# practitioner's name or role) is not accused when the audit trail records that change after
# the checkpoint: it waits, counted as newer, for the next checkpoint to sign it. (Someone who
# can write the database could forge such an entry as well: ADR 0022 states the limit.)
EXPLAINED_BY = {
    "patient": frozenset({"patient_changed", "consent"}),
    # a link moves an imported patient's visits and photos to the patient here (ADR 0023)
    "visit": frozenset({"entered_in_error", "patient_linked"}),
    "photo": frozenset({"entered_in_error", "patient_linked"}),
    "practitioner": frozenset({"practitioner_changed"}),
}
NEVER_REMOVED = ("version", "chart", "photo", "visit", "patient", "practitioner", "audit")
IMMUTABLE = ("version", "audit")


@dataclass(frozen=True, slots=True)
class Baseline:
    seq: int
    at: datetime
    entries: dict[str, tuple[str, bytes]]

    @property
    def name(self) -> str:
        return f"checkpoint {self.seq} of {self.at:%Y-%m-%d %H:%M} UTC"


def _cp(seq: int, problem: str, kind: str = "ALTERED") -> Alteration:
    return Alteration("checkpoint", f"seq={seq}", problem, kind)


def check_checkpoints(s: Session, report: CheckReport, against_file: bool = True) -> None:
    found = report.alterations
    db_id = database_id(s)
    trusted = trusted_keys(s)
    baseline: Baseline | None = None
    live = False  # True: the baseline is `tree` itself, as replayed so far
    previous_digest = ZERO32
    expected_seq = 1
    in_db: dict[int, tuple[bytes, bytes]] = {}
    for cp, tree, changed in replay(s):
        report.checkpoints_checked += 1
        in_db[cp.seq] = (cp.statement, cp.signature)
        problems: list[str] = []
        if not all(isinstance(b, bytes) for b in (cp.statement, cp.signature, cp.public_key)):
            found.append(_cp(cp.seq, "its stored statement, signature or key is not bytes"))
            continue
        try:
            st = Statement.from_bytes(cp.statement)
        except (ValueError, TypeError, struct.error) as exc:
            found.append(_cp(cp.seq, f"its statement is damaged ({exc})"))
            continue
        if cp.seq != expected_seq:
            for gone in range(expected_seq, cp.seq):
                found.append(_cp(gone, "it is gone from the database", "MISSING"))
        expected_seq = cp.seq + 1
        problems += _statement_problems(st, cp.seq, db_id, cp.public_key, cp.key_kind, trusted)
        if not verify(cp.public_key, cp.signature, cp.statement):
            problems.append("its signature does not verify")
        if st.previous != previous_digest:
            problems.append("it does not follow the checkpoint before it")
        previous_digest = st.digest()
        if st.root != tree.root() or st.entries != len(tree):
            problems.append("the records stored with it no longer give its signed root")
        if problems:
            found.append(_cp(cp.seq, "; ".join(problems)))
            if baseline is not None and live:  # keep the map as the last good one left it
                baseline = Baseline(baseline.seq, baseline.at, _reverted(tree, changed))
                live = False
            continue
        if baseline is not None:
            _between(baseline.name, changed, st, found)
        baseline = Baseline(cp.seq, st.created_at, tree.entries)  # no copy: see `live`
        live = True
    if against_file:  # a backup's copy is checked against its own checkpoints only
        _against_file(db_id, in_db, trusted, found)
    if baseline is not None:
        _records_since(s, baseline, report)


def _reverted(tree: MapTree, changed: dict[str, Change]) -> dict[str, tuple[str, bytes]]:
    entries = dict(tree.entries)
    for key, (old, _new) in changed.items():
        if old is None:
            entries.pop(key, None)
        else:
            entries[key] = old
    return entries


def _statement_problems(
    st: Statement,
    seq: int,
    db_id: str | None,
    public_key: bytes,
    kind: str,
    trusted: dict[str, set[bytes]],
) -> list[str]:
    out = []
    if st.seq != seq:
        out.append(f"its statement says it is checkpoint {st.seq}")
    if db_id is None or st.database_id != db_id:
        out.append("it was made for another database (or this database's id was changed)")
    if st.key_fingerprint.hex() != fingerprint(public_key) or key_kind(st.key_ref) != kind:
        out.append("its statement names another key than the one stored with it")
    if public_key not in trusted.get(kind, set()):
        out.append(
            f"it is signed by a key this installation does not trust "
            f"({kind} {fingerprint(public_key)[:16]}…)"
        )
    return out


def _between(
    before: str, changed: dict[str, Change], st: Statement, found: list[Alteration]
) -> None:
    """A signed checkpoint can still have signed over a change made behind FaceChart's back
    (nobody looked first): records the app never removes, and versions, which never change,
    are held to that across checkpoints."""
    at = f"checkpoint {st.seq} of {st.created_at:%Y-%m-%d %H:%M} UTC"
    for key, (old, value) in changed.items():
        kind = key.partition("/")[0]
        if old is None:
            continue
        if value is None and kind in NEVER_REMOVED:
            found.append(
                Alteration.of_record(key, old[0], f"was in {before}, gone at {at}", "MISSING")
            )
        elif value is not None and kind in IMMUTABLE and value != old[1]:
            found.append(
                Alteration.of_record(
                    key, old[0], f"changed between {before} and {at} (a version never changes)"
                )
            )


def _against_file(
    db_id: str | None,
    in_db: dict[int, tuple[bytes, bytes]],
    trusted: dict[str, set[bytes]],
    found: list[Alteration],
) -> None:
    """The copies outside the database: each must be in the database, byte for byte."""
    if db_id is None:
        if in_db:
            found.append(Alteration("setting", "database_id", "it is gone", "MISSING"))
        return
    for copy in file_checkpoints(db_id):
        if copy.seq < 0:
            found.append(Alteration("checkpoints file", db_id, "a line is damaged"))
            continue
        try:
            st = Statement.from_bytes(copy.statement)
        except (ValueError, struct.error):
            found.append(_cp(copy.seq, "its copy in the checkpoints file is damaged"))
            continue
        kind = key_kind(st.key_ref)
        genuine = (
            verify(copy.public_key, copy.signature, copy.statement)
            and copy.public_key in trusted.get(kind, set())
            and st.database_id == db_id
        )
        if not genuine:
            found.append(_cp(copy.seq, "its copy in the checkpoints file does not verify"))
            continue
        stored = in_db.get(copy.seq)
        when = f"of {st.created_at:%Y-%m-%d %H:%M} UTC"
        if stored is None:
            found.append(
                _cp(
                    copy.seq,
                    f"{when}, in the checkpoints file, is gone from the database",
                    "MISSING",
                )
            )
        elif stored != (copy.statement, copy.signature):
            found.append(_cp(copy.seq, f"{when} differs from its copy in the checkpoints file"))


def _explained(s: Session, baseline: Baseline) -> set[str]:
    """Map keys ("patient/12") of records the audit trail says FaceChart changed after the
    checkpoint: events past the newest one the checkpoint holds (never by time: a change
    made a moment before the checkpoint is in it, and must not excuse one made after)."""
    held = [int(k[6:]) for k in baseline.entries if k.startswith("audit/") and k[6:].isdigit()]
    kinds = set().union(*EXPLAINED_BY.values())
    rows = s.execute(
        select(AuditEvent.kind, AuditEvent.subject).where(
            AuditEvent.seq > max(held, default=0), AuditEvent.kind.in_(kinds)
        )
    )
    out = set()
    for kind, subject in rows:
        what, _, ident = subject.partition(":")
        if ident.isdigit() and kind in EXPLAINED_BY.get(what, ()):
            out.add(f"{what}/{ident}")
    return out


def _records_since(s: Session, baseline: Baseline, report: CheckReport) -> None:
    """The records now against the newest checkpoint that holds."""
    now = current_map(s)
    explained = _explained(s, baseline)
    for key, (label, value) in sorted(baseline.entries.items()):
        record = now.get(key)
        if record is None:
            report.alterations.append(
                Alteration.of_record(key, label, f"gone since {baseline.name}", "MISSING")
            )
        elif record.value != value and key in explained:
            report.uncovered += 1  # changed by FaceChart, as the audit trail records
        elif record.value != value:
            was = f"; it was ({label}), it is now ({record.label})" if record.label != label else ""
            report.alterations.append(
                Alteration.of_record(key, label, f"changed since {baseline.name}{was}")
            )
    for key, record in sorted(now.items()):
        if key in baseline.entries:
            continue
        if record.at is not None and record.at < baseline.at - CLOCK_SLACK:
            report.alterations.append(
                Alteration.of_record(
                    key,
                    record.label,
                    f"dated {record.at:%Y-%m-%d %H:%M} UTC, before {baseline.name}, "
                    "which does not hold it",
                    "ADDED",
                )
            )
        else:
            report.uncovered += 1
