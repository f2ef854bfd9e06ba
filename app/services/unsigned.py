"""The charts a practitioner still has to sign, and those waiting for their co-signature
(issue #11, ADR 0019): the list behind the home screen's "To sign" button.

A chart is "not yet signed" when its newest version has no signature, its visit is not
entered in error, the practitioner charted the visit or saved that version, and the version
was saved after sign-off began (older charts show "unsigned (before sign-off)" in their
history, but are nobody's backlog).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import Exists

from app.domain.roles import Role, may_cosign
from app.domain.values import TreatmentType
from app.services.signoff import Kind, since_in
from app.store.database import Store
from app.store.schema import Chart, ChartSignature, ChartVersion, Patient, Practitioner, Visit


@dataclass(frozen=True, slots=True)
class ChartToSign:
    visit_id: int
    patient_id: int
    patient: str
    date_of_birth: date
    visit_date: date
    treatment: TreatmentType
    version_id: int
    version_no: int
    saved_at: datetime
    saved_by: str
    signed_by: str = ""  # for a co-signature: who signed it


def _heads() -> Select[ChartVersion, Visit, Patient]:
    """Every chart's newest version with its visit and patient, visits in error left out."""
    newer = aliased(ChartVersion)
    return (
        select(ChartVersion, Visit, Patient)
        .join(Chart, Chart.id == ChartVersion.chart_id)
        .join(Visit, Visit.id == Chart.visit_id)
        .join(Patient, Patient.id == Visit.patient_id)
        .where(
            Visit.error_at.is_(None),
            ~exists().where(
                newer.chart_id == ChartVersion.chart_id,
                newer.version_no > ChartVersion.version_no,
            ),
        )
        .order_by(Visit.visit_date, ChartVersion.saved_at, ChartVersion.id)
    )


def _signed(kind: Kind) -> Exists:
    return exists().where(
        ChartSignature.chart_version_id == ChartVersion.id, ChartSignature.kind == kind.value
    )


def _row(v: ChartVersion, visit: Visit, p: Patient, signed_by: str = "") -> ChartToSign:
    return ChartToSign(
        visit.id,
        p.id,
        p.display_name,
        p.date_of_birth,
        visit.visit_date,
        TreatmentType(visit.treatment_type),
        v.id,
        v.version_no,
        v.saved_at,
        v.saved_by.name if v.saved_by else "",
        signed_by,
    )


def _unsigned(s: Session, practitioner_id: int) -> Select[ChartVersion, Visit, Patient]:
    return not_signed(s).where(
        or_(
            Visit.practitioner_id == practitioner_id,
            ChartVersion.saved_by_id == practitioner_id,
        )
    )


def not_signed(s: Session) -> Select[ChartVersion, Visit, Patient]:
    """Every chart whose newest version is not signed, saved since sign-off began, visits in
    error left out: the clinic's backlog (the follow-up list narrows it by practitioner)."""
    q = _heads().where(~_signed(Kind.SIGN))
    since = since_in(s)
    return q if since is None else q.where(ChartVersion.saved_at >= since)


def unsigned_charts(store: Store, practitioner_id: int) -> list[ChartToSign]:
    """The practitioner's charts whose newest version is not signed, oldest visit first."""
    with store.read() as s:
        return [_row(v, visit, p) for v, visit, p in s.execute(_unsigned(s, practitioner_id))]


def awaiting_cosign(store: Store, practitioner_id: int) -> list[ChartToSign]:
    """Charts an injector signed that this prescriber (or admin) may co-sign: not their own,
    not co-signed yet. Empty for an injector."""
    with store.read() as s:
        me = s.get(Practitioner, practitioner_id)
        if me is None or not may_cosign(me.role):
            return []
        return [
            _row(v, visit, p, name) for v, visit, p, name in s.execute(_awaiting(practitioner_id))
        ]


def _awaiting(practitioner_id: int) -> Select[ChartVersion, Visit, Patient, str]:
    signer = aliased(Practitioner)
    sig = aliased(ChartSignature)
    return (
        _heads()
        .add_columns(signer.name)
        .join(sig, and_(sig.chart_version_id == ChartVersion.id, sig.kind == Kind.SIGN.value))
        .join(signer, signer.id == sig.practitioner_id)
        .where(
            signer.role == Role.INJECTOR.value,
            sig.practitioner_id != practitioner_id,
            Visit.practitioner_id != practitioner_id,
            or_(ChartVersion.saved_by_id.is_(None), ChartVersion.saved_by_id != practitioner_id),
            ~_signed(Kind.COSIGN),
        )
    )


def to_sign_count(store: Store, practitioner_id: int) -> int:
    """How many charts wait for this practitioner: to sign, or to co-sign (the home badge).
    Counted by the database, no rows built: it runs at each return to the home screen."""
    with store.read() as s:
        ids = [_unsigned(s, practitioner_id).with_only_columns(ChartVersion.id)]
        me = s.get(Practitioner, practitioner_id)
        if me is not None and may_cosign(me.role):
            ids.append(_awaiting(practitioner_id).with_only_columns(ChartVersion.id))
        count = (select(func.count()).select_from(q.order_by(None).subquery()) for q in ids)
        return sum(s.scalar(c) or 0 for c in count)
