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
from datetime import datetime
from typing import NamedTuple

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


class _Row(NamedTuple):
    """One signature and what it is checked against: columns only, no ORM objects (a clinic's
    check reads every signature; entities with their joined relations cost 3x as much)."""

    version_id: int
    practitioner_id: int
    key_id: int
    kind: str
    signed_hash: str
    signed_at: datetime
    signature: bytes
    found_version: int | None  # None: the version is gone
    version_no: int | None
    content_hash: str | None
    amend_reason: str | None
    visit_id: int | None
    patient_id: int | None
    version_uuid: str | None


def _where(version_id: int, version_no: int | None, visit: int | None, patient: int | None) -> str:
    if version_no is None or visit is None:
        return f"id={version_id} (no such version)"
    return f"id={version_id} (patient {patient}, visit {visit}, version {version_no})"


def verify_signatures(store: Store) -> list[SignatureProblem]:
    with store.read() as s:
        return list(signature_problems(s))


def signature_problems(s: Session) -> Iterator[SignatureProblem]:
    """Every signature that does not verify, then every audited signature that is gone."""
    names = dict(s.execute(select(Practitioner.id, Practitioner.name)).all())
    uuids = dict(s.execute(select(Practitioner.id, Practitioner.uuid)).all())
    key_rows = {
        kid: (owner, public)
        for kid, owner, public in s.execute(
            select(PractitionerKey.id, PractitionerKey.practitioner_id, PractitionerKey.public_key)
        )
    }
    rows = s.execute(
        select(
            ChartSignature.chart_version_id,
            ChartSignature.practitioner_id,
            ChartSignature.key_id,
            ChartSignature.kind,
            ChartSignature.content_hash,
            ChartSignature.signed_at,
            ChartSignature.signature,
            ChartVersion.id,
            ChartVersion.version_no,
            ChartVersion.content_hash,
            ChartVersion.amend_reason,
            Visit.id,
            Visit.patient_id,
            ChartVersion.uuid,
        )
        .outerjoin(ChartVersion, ChartVersion.id == ChartSignature.chart_version_id)
        .outerjoin(Chart, Chart.id == ChartVersion.chart_id)
        .outerjoin(Visit, Visit.id == Chart.visit_id)
        .order_by(ChartSignature.id)
    )
    present: set[tuple[int, int, str]] = set()
    for values in rows:
        r = _Row._make(values)
        present.add((r.version_id, r.practitioner_id, r.kind))
        who = names.get(r.practitioner_id, f"practitioner {r.practitioner_id}")
        what = "co-signature" if r.kind == Kind.COSIGN.value else "signature"
        why = _why(r, key_rows.get(r.key_id), uuids.get(r.practitioner_id) or "")
        if why is not None:
            yield SignatureProblem(
                "chart_version",
                _where(r.version_id, r.version_no, r.visit_id, r.patient_id),
                f"{what} of {who} does not verify ({why})",
            )
    yield from _missing(s, present, names)


def _why(r: _Row, key: tuple[int, bytes] | None, signer_uuid: str) -> str | None:
    if r.found_version is None or r.content_hash is None:
        return "its version is missing"
    if r.kind not in (Kind.SIGN.value, Kind.COSIGN.value):
        return f"unknown kind {r.kind!r}"
    if key is None:
        return "its key is missing"
    owner, public = key
    if owner != r.practitioner_id:
        return "its key belongs to another practitioner"
    if r.signed_hash != r.content_hash:
        return "it was made over other content than the version holds"
    message = signed_message(
        r.kind, r.version_uuid or "", r.content_hash, signer_uuid, r.signed_at, r.amend_reason
    )
    if not keys.verify(public, r.signature, message):
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
        where = _where(
            version_id,
            v.version_no if v else None,
            visit.id if visit else None,
            visit.patient_id if visit else None,
        )
        what = "co-signature" if kind == Kind.COSIGN.value else "signature"
        who = names.get(actor, f"practitioner {actor}")
        yield SignatureProblem(
            "chart_version",
            where,
            f"{what} of {who} is missing (audit event {seq} recorded it)",
        )
