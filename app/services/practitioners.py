"""Practitioners: who they are and their role. Who is signed in is app/services/signin.py;
`default_practitioner` is for scripts, tests and demo data that need a clinician without
anyone signing in (the app itself always works as the signed-in practitioner)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import select

from app.domain.roles import Role
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Practitioner


@dataclass(frozen=True, slots=True)
class PractitionerRecord:
    id: int
    name: str
    role: Role = Role.INJECTOR


def list_practitioners(store: Store) -> list[PractitionerRecord]:
    with store.read() as s:
        rows = s.scalars(select(Practitioner).where(Practitioner.active).order_by(Practitioner.id))
        return [PractitionerRecord(p.id, p.name, Role(p.role)) for p in rows]


def get_practitioner(store: Store, practitioner_id: int) -> PractitionerRecord:
    with store.read() as s:
        p = s.get(Practitioner, practitioner_id)
        if p is None:
            raise NotFoundError(f"No practitioner {practitioner_id}.")
        return PractitionerRecord(p.id, p.name, Role(p.role))


def create_practitioner(store: Store, name: str, role: Role = Role.INJECTOR) -> PractitionerRecord:
    with store.write() as s:
        p = Practitioner(name=name.strip(), role=role.value)
        s.add(p)
        s.flush()
        return PractitionerRecord(p.id, p.name, Role(p.role))


def default_practitioner(store: Store) -> PractitionerRecord:
    """The first active practitioner, created from the computer's user name on first start."""
    existing = list_practitioners(store)
    if existing:
        return existing[0]
    try:
        name = getpass.getuser().replace(".", " ").title()
    except Exception:
        name = "Clinician"
    return create_practitioner(store, name or "Clinician", Role.ADMIN)
