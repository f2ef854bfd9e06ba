"""What `check` found: one line per altered, missing or added record, and the totals."""

from __future__ import annotations

from dataclasses import dataclass, field

# map key kinds (app/integrity/records.py) → the table a person looks for
TABLES = {
    "version": "chart_version",
    "chart": "chart",
    "photo": "photo",
    "visit": "visit",
    "patient": "patient",
    "practitioner": "practitioner",
    "audit": "audit_event",
}


# What to do next, said the same way everywhere (`check`, the restore and recovery screens).
RESTORE = (
    "restore the newest good backup (Settings → Backup → Restore…, or "
    "`python main.py restore BACKUP`)"
)
KEEP_COPY = "keep a copy of this database file aside for whoever investigates, then "
DAMAGED = (
    "The database file is damaged. Start FaceChart: it opens its recovery screen, where you "
    "restore the newest good backup or rescue what can be read (or run "
    "`python main.py restore BACKUP`)."
)
# (table, kind) → the next step; "*" matches any kind
_NEXT_STEPS: dict[tuple[str, str], str] = {
    ("photo_blob", "*"): (
        "This photo's stored bytes are not the photo that was taken: {restore} to get it "
        "back; the chart versions that refer to it are unaffected (they name the photo by "
        "its hash)."
    ),
    ("chart_part", "*"): (
        "Part of a chart's saved content was changed outside FaceChart: do not rely on the "
        "charts that use it; {restore}."
    ),
    ("chart_version", "*"): (
        "A saved chart version was changed after it was saved: do not rely on it; {keep}{restore}."
    ),
    ("chart_signature", "*"): (
        "A signature no longer verifies: the version it signs may have been changed; "
        "{keep}{restore}."
    ),
    ("audit_event", "*"): ("The audit trail was edited outside FaceChart: {keep}{restore}."),
    ("checkpoint", "MISSING"): (
        "The signed checkpoints were tampered with: {keep}{restore}, and tell the clinic's admin."
    ),
    ("setting", "MISSING"): ("The database's identity is gone: {keep}{restore}."),
    ("checkpoint", "*"): (
        "The signed checkpoints were tampered with: {keep}{restore}, and tell the clinic's admin."
    ),
    ("checkpoints file", "*"): (
        "The checkpoints file outside the database does not match it: {keep}{restore}."
    ),
    ("setting", "*"): ("The database's identity is gone: {keep}{restore}."),
    ("photo", "*"): ("A photo record was changed outside FaceChart: {restore}."),
    ("visit", "*"): ("A visit record was changed outside FaceChart: {restore}."),
    ("*", "MISSING"): ("A record the last checkpoint signed is gone: {restore}."),
    ("*", "ADDED"): (
        "A record was slipped in with an earlier date than the checkpoint that should hold "
        "it: check it with the clinic's admin; {restore} to be rid of it."
    ),
    ("*", "*"): ("A record changed without FaceChart recording the change: {keep}{restore}."),
}


def next_step(table: str, kind: str) -> str:
    """The sentence that tells the user what to do about a finding of this table and kind."""
    # a record gone or slipped in is said as such, whatever its table
    for key in ((table, kind), ("*", kind), (table, "*"), ("*", "*")):
        if key in _NEXT_STEPS:
            text = _NEXT_STEPS[key].format(restore=RESTORE, keep=KEEP_COPY)
            return text[0].upper() + text[1:]
    raise AssertionError("unreachable: ('*', '*') is always there")


@dataclass(frozen=True, slots=True)
class Alteration:
    table: str
    key: str
    problem: str
    kind: str = "ALTERED"  # or MISSING (gone), ADDED (appeared where it cannot have)

    def __str__(self) -> str:
        return f"{self.kind} {self.table} {self.key}: {self.problem}"

    @property
    def next_step(self) -> str:
        return next_step(self.table, self.kind)

    def with_next_step(self) -> str:
        """The finding as `check` prints it: what is wrong, then what to do."""
        return f"{self}. Next: {self.next_step}"

    @classmethod
    def of_record(cls, key: str, label: str, problem: str, kind: str = "ALTERED") -> Alteration:
        """A map record (`version/33`) named as a person reads it: table, id and label."""
        what, _, ident = key.partition("/")
        table = TABLES.get(what, what)
        where = (f"seq={ident}" if what == "audit" else f"id={ident}") if what in TABLES else ident
        if label and label != f"{what} {ident}":
            where += f" ({label})"
        return cls(table, where, problem, kind)


@dataclass
class CheckReport:
    alterations: list[Alteration] = field(default_factory=list)
    versions_checked: int = 0
    photos_checked: int = 0
    parts_checked: int = 0
    checkpoints_checked: int = 0
    # records made after the newest checkpoint: not yet covered by a signature
    uncovered: int = 0
    predates_checkpoints: bool = False  # a database not yet migrated to 0008

    @property
    def intact(self) -> bool:
        return not self.alterations
