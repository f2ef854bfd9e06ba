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


@dataclass(frozen=True, slots=True)
class Alteration:
    table: str
    key: str
    problem: str
    kind: str = "ALTERED"  # or MISSING (gone), ADDED (appeared where it cannot have)

    def __str__(self) -> str:
        return f"{self.kind} {self.table} {self.key}: {self.problem}"

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
