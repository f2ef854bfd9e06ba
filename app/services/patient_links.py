"""An admin's answer to an imported look-alike patient (issue #12, ADR 0023): the same person
("link to the existing patient") or two people ("keep apart").

Linking moves the imported patient's visits and photos (and so their charts, versions and
signatures, which hang off the visits) to the existing patient, in one transaction. Nothing a
version's hash or a signature covers changes: a version is its content and its parent's hash,
never its patient. The visits' and photos' own records do change (their patient), so each
move is written to the audit log naming the record, which is what `check` accepts as a change
made by FaceChart (app/integrity/verify.EXPLAINED_BY) until the next checkpoint signs it.

The imported patient's row stays, with its UUID and detail history, hidden from the patient
list: importing the same archive again finds it, and adds what is new to the existing patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.services.access import require
from app.services.integrity import checkpoint_quietly
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError, StoreError
from app.store.schema import (
    Patient,
    PatientLink,
    PatientSearchToken,
    Photo,
    Visit,
)

LINKED = "linked"
APART = "apart"


class LinkRefusedError(StoreError):
    """The two patients cannot be linked (not look-alikes, or one already decided)."""


@dataclass(frozen=True, slots=True)
class LinkResult:
    imported_id: int
    existing_id: int
    decision: str
    visits_moved: int = 0
    photos_moved: int = 0


def linked_target(s: Session, patient_id: int) -> int:
    """The patient an imported patient was linked to, else the patient itself."""
    target = s.scalar(
        select(PatientLink.existing_patient_id).where(
            PatientLink.imported_patient_id == patient_id, PatientLink.decision == LINKED
        )
    )
    return target if target is not None else patient_id


def decision(store: Store, imported_id: int) -> str | None:
    with store.read() as s:
        return s.scalar(
            select(PatientLink.decision).where(PatientLink.imported_patient_id == imported_id)
        )


def _check_pair(s: Session, imported_id: int, existing_id: int) -> tuple[Patient, Patient]:
    imported, existing = s.get(Patient, imported_id), s.get(Patient, existing_id)
    if imported is None or existing is None:
        raise NotFoundError("One of the two patients no longer exists.")
    if imported_id == existing_id or imported.origin_clinic is None:
        raise LinkRefusedError("Only a patient an archive brought can be linked to another.")
    if imported.date_of_birth != existing.date_of_birth:
        raise LinkRefusedError("The two patients have different dates of birth.")
    if s.scalar(select(PatientLink.id).where(PatientLink.imported_patient_id == imported_id)):
        raise LinkRefusedError("This imported patient has been decided on already.")
    if s.scalar(
        select(PatientLink.id).where(
            PatientLink.imported_patient_id == existing_id, PatientLink.decision == LINKED
        )
    ):
        raise LinkRefusedError("That patient was itself linked to another: link to that one.")
    return imported, existing


def link(store: Store, actor_id: int | None, imported_id: int, existing_id: int) -> LinkResult:
    """The imported patient is the existing one: their visits and photos move there."""
    require(store, actor_id, Role.ADMIN, "link imported patients")
    with store.write() as s:
        imported, existing = _check_pair(s, imported_id, existing_id)
        visits = list(s.scalars(select(Visit.id).where(Visit.patient_id == imported_id)))
        photos = list(s.scalars(select(Photo.id).where(Photo.patient_id == imported_id)))
        s.execute(
            update(Visit).where(Visit.patient_id == imported_id).values(patient_id=existing_id)
        )
        s.execute(
            update(Photo).where(Photo.patient_id == imported_id).values(patient_id=existing_id)
        )
        # The other clinic's trail stays on the imported row, as it was written: it is
        # append-only (the rooms' role cannot change it, app/server/grants.py); the link
        # below is how the existing patient's export and screens find it.
        # no longer found by a search: the existing patient is the one to open
        s.execute(delete(PatientSearchToken).where(PatientSearchToken.patient_id == imported_id))
        s.add(
            PatientLink(
                imported_patient_id=imported_id,
                existing_patient_id=existing_id,
                decision=LINKED,
                decided_by_id=actor_id,
            )
        )
        origin = imported.origin_clinic or "another clinic"
        for what, ids in (("visit", visits), ("photo", photos)):
            for ident in ids:
                audit_log.append(
                    s,
                    "patient_linked",
                    actor_id,
                    patient_id=existing_id,
                    visit_id=ident if what == "visit" else None,
                    subject=f"{what}:{ident}",
                    detail=f"moved from imported patient {imported_id} (from {origin})",
                )
        audit_log.append(
            s,
            "patient_linked",
            actor_id,
            patient_id=existing_id,
            subject=f"patient:{imported_id}",
            detail=(
                f"imported patient {imported_id} ({imported.display_name}, from {origin}) linked "
                f"to patient {existing_id} ({existing.display_name}): {len(visits)} visit(s), "
                f"{len(photos)} photo(s) moved"
            ),
        )
    # the moved records signed as they are now (the audit events explain them until then)
    checkpoint_quietly(store, "link")
    return LinkResult(imported_id, existing_id, LINKED, len(visits), len(photos))


def keep_apart(
    store: Store, actor_id: int | None, imported_id: int, existing_id: int
) -> LinkResult:
    """Two people who look alike: recorded, so they are not listed as look-alikes again."""
    require(store, actor_id, Role.ADMIN, "decide on imported patients")
    with store.write() as s:
        _check_pair(s, imported_id, existing_id)
        s.add(
            PatientLink(
                imported_patient_id=imported_id,
                existing_patient_id=existing_id,
                decision=APART,
                decided_by_id=actor_id,
            )
        )
        audit_log.append(
            s,
            "patient_kept_apart",
            actor_id,
            patient_id=imported_id,
            subject=f"patient:{imported_id}",
            detail=f"imported patient {imported_id} kept apart from patient {existing_id}",
        )
    return LinkResult(imported_id, existing_id, APART)
