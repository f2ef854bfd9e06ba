"""Practitioners. Until sign-in exists (a later issue) the app works as one default clinician."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import select

from app.domain.roles import Role
from app.store.database import Store
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
