"""Recording what practitioners do (issue #11): one audit event per action.

Writes record their event inside their own transaction (`audit_log.append` on the session);
an action that writes nothing (opening a patient, viewing a photo full size, a failed sign-in)
records it here in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.store import audit_log
from app.store.database import Store


def record(
    store: Store,
    kind: str,
    actor_id: int | None,
    *,
    patient_id: int | None = None,
    visit_id: int | None = None,
    subject: str = "",
    detail: str = "",
) -> None:
    """The event in a transaction of its own: it only logs, so it leaves what screens read
    ahead current (`Store.writes_ended`)."""
    with store.write(only_logs=True) as s:
        audit_log.append(
            s,
            kind,
            actor_id,
            patient_id=patient_id,
            visit_id=visit_id,
            subject=subject,
            detail=detail,
        )


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """A broken event of the trail, as `check` prints it."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"ALTERED audit_event seq={self.seq}: {self.problem}"


def verify_audit(s: Session) -> Iterator[AuditProblem]:
    """Each event of the trail that was edited, removed (a gap before the next) or no longer
    links to the one before it. Removal from the end shows only against a checkpoint."""
    for broken in audit_log.verify(s):
        yield AuditProblem(broken.seq, broken.problem)
