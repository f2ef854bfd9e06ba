"""Verifying chart signatures for `check` (issue #11, ADR 0019).

Each signature is checked against its practitioner's stored public key (retired keys too: a
password reset makes a new key, and what the old one signed still verifies) over the message
rebuilt from the version as it is now. So an edited signature, a version whose content hash
was changed (check recomputes that hash from the content, so edited content lands here too),
an edited amendment reason or signing time, and a signature moved to another key, version or
practitioner are each named. A signature removed outright is named by the audit log's "sign"
and "cosign" events that no longer have their signature.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.security import keys
from app.services.signoff import Kind, signed_message
from app.store.database import Store
from app.store.schema import (
    AuditEvent,
    Chart,
    ChartSignature,
    ChartVersion,
    Practitioner,
    PractitionerKey,
    Visit,
)


@dataclass(frozen=True, slots=True)
class SignatureProblem:
    """Shaped like integrity.Alteration: `check` prints "ALTERED {table} {key}: {problem}"."""

    table: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"ALTERED {self.table} {self.key}: {self.problem}"


def _where(v: ChartVersion | None, visit: Visit | None, version_id: int) -> str:
    if v is None or visit is None:
        return f"id={version_id} (no such version)"
    return f"id={v.id} (patient {visit.patient_id}, visit {visit.id}, version {v.version_no})"


def verify_signatures(store: Store) -> list[SignatureProblem]:
    with store.read() as s:
        return list(signature_problems(s))


def signature_problems(s: Session) -> Iterator[SignatureProblem]:
    """Every signature that does not verify, then every audited signature that is gone."""
    names = dict(s.execute(select(Practitioner.id, Practitioner.name)).all())
    key_rows = {k.id: k for k in s.scalars(select(PractitionerKey))}
    rows = s.execute(
        select(ChartSignature, ChartVersion, Visit)
        .outerjoin(ChartVersion, ChartVersion.id == ChartSignature.chart_version_id)
        .outerjoin(Chart, Chart.id == ChartVersion.chart_id)
        .outerjoin(Visit, Visit.id == Chart.visit_id)
        .order_by(ChartSignature.id)
    )
    present: set[tuple[int, int, str]] = set()
    for sig, v, visit in rows:
        present.add((sig.chart_version_id, sig.practitioner_id, sig.kind))
        who = names.get(sig.practitioner_id, f"practitioner {sig.practitioner_id}")
        what = "co-signature" if sig.kind == Kind.COSIGN.value else "signature"
        why = _why(sig, v, key_rows.get(sig.key_id))
        if why is not None:
            yield SignatureProblem(
                "chart_version",
                _where(v, visit, sig.chart_version_id),
                f"{what} of {who} does not verify ({why})",
            )
    yield from _missing(s, present, names)


def _why(sig: ChartSignature, v: ChartVersion | None, key: PractitionerKey | None) -> str | None:
    if v is None:
        return "its version is missing"
    if sig.kind not in (Kind.SIGN.value, Kind.COSIGN.value):
        return f"unknown kind {sig.kind!r}"
    if key is None:
        return "its key is missing"
    if key.practitioner_id != sig.practitioner_id:
        return "its key belongs to another practitioner"
    if sig.content_hash != v.content_hash:
        return "it was made over other content than the version holds"
    message = signed_message(
        sig.kind, v.uuid, v.content_hash, sig.practitioner.uuid, sig.signed_at, v.amend_reason
    )
    if not keys.verify(key.public_key, sig.signature, message):
        return "the signature does not match the version, its time, reason or key"
    return None


def _missing(
    s: Session, present: set[tuple[int, int, str]], names: dict[int, str]
) -> Iterator[SignatureProblem]:
    events = s.execute(
        select(AuditEvent.seq, AuditEvent.kind, AuditEvent.actor_id, AuditEvent.subject)
        .where(AuditEvent.kind.in_([Kind.SIGN.value, Kind.COSIGN.value]))
        .order_by(AuditEvent.seq)
    )
    for seq, kind, actor, subject in events:
        table, _, number = subject.partition(":")
        if table != "chart_version" or not number.isdigit() or actor is None:
            continue
        version_id = int(number)
        if (version_id, actor, kind) in present:
            continue
        v = s.get(ChartVersion, version_id)
        chart = s.get(Chart, v.chart_id) if v else None
        visit = s.get(Visit, chart.visit_id) if chart else None
        what = "co-signature" if kind == Kind.COSIGN.value else "signature"
        who = names.get(actor, f"practitioner {actor}")
        yield SignatureProblem(
            "chart_version",
            _where(v, visit, version_id),
            f"{what} of {who} is missing (audit event {seq} recorded it)",
        )
