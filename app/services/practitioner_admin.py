"""What an admin does to practitioners and the sign-in settings (issue #11): add one with a
role, change a role, deactivate (never delete: records name them), set a first or reset a
forgotten PIN or password, and the idle-lock minutes. Every function checks the acting
practitioner's role itself (app/services/access.py) and records a `practitioner_changed` or
`setting_changed` audit event in the same transaction as the change.

A PIN or password set here is marked temporary: the practitioner replaces it with their own at
their next sign-in (app/services/signin.py), so the admin does not keep knowing it. A new
password makes a new signing key; the old public key is kept, so earlier signatures verify.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.security import secrets
from app.services import credentials, signin
from app.services.access import NotAllowedError, require
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Practitioner, Setting

IDLE_LOCK_KEY = "idle_lock_minutes"
IDLE_LOCK_DEFAULT = 5
IDLE_LOCK_RANGE = range(1, 61)
_DOING = "change practitioners"


@dataclass(frozen=True, slots=True)
class PractitionerRow:
    id: int
    name: str
    role: Role
    active: bool
    ready: bool  # has a PIN and password
    temporary: frozenset[str]  # set by an admin, not yet replaced


def _subject(pid: int) -> str:
    return f"practitioner:{pid}"


def _get(s: Session, pid: int) -> Practitioner:
    p = s.get(Practitioner, pid)
    if p is None:
        raise NotFoundError(f"No practitioner {pid}.")
    return p


def list_all(store: Store, actor_id: int) -> list[PractitionerRow]:
    """Everyone, the deactivated too (an admin's view)."""
    require(store, actor_id, Role.ADMIN, "see the practitioners' settings")
    with store.read() as s:
        rows = list(
            s.scalars(select(Practitioner).order_by(Practitioner.active.desc(), Practitioner.name))
        )
        temporary = {
            r.key: r.value
            for r in s.scalars(select(Setting).where(Setting.key.startswith("signin.temporary:")))
        }
        return [
            PractitionerRow(
                p.id,
                p.name,
                Role(p.role),
                p.active,
                p.pin_hash is not None and p.password_hash is not None,
                frozenset(x for x in temporary.get(f"signin.temporary:{p.id}", "").split(",") if x),
            )
            for p in rows
        ]


def _log(s: Session, actor_id: int, pid: int, detail: str) -> None:
    audit_log.append(s, "practitioner_changed", actor_id, subject=_subject(pid), detail=detail)


def _admins_left(s: Session, without: int) -> int:
    return len(
        [
            p
            for p in s.scalars(
                select(Practitioner).where(
                    Practitioner.active, Practitioner.role == Role.ADMIN.value
                )
            )
            if p.id != without
        ]
    )


def add(
    store: Store, actor_id: int, name: str, role: Role, pin: str, password: str
) -> PractitionerRow:
    """A new practitioner with a role and a first PIN and password (temporary)."""
    require(store, actor_id, Role.ADMIN, _DOING)
    name = signin.check_name(name)
    secrets.check_pin(pin)
    secrets.check_password(password)
    with store.write() as s:
        p = Practitioner(name=name, role=Role(role).value)
        s.add(p)
        s.flush()
        pid = p.id
        _log(s, actor_id, pid, f"added as {Role(role).value}")

    def record(s: Session) -> None:
        signin.mark_temporary(s, pid, {"pin", "password"})
        _log(s, actor_id, pid, "first PIN and password set by an admin")

    credentials.set_credentials(store, pid, pin, password, also=record)
    return _row(store, pid)


def set_first_secrets(store: Store, actor_id: int, pid: int, pin: str, password: str) -> None:
    """A practitioner without a PIN and password (one from before sign-in) gets first ones."""
    require(store, actor_id, Role.ADMIN, _DOING)

    def record(s: Session) -> None:
        signin.mark_temporary(s, pid, {"pin", "password"})
        _log(s, actor_id, pid, "first PIN and password set by an admin")

    credentials.set_credentials(store, pid, pin, password, also=record)


def reset_pin(store: Store, actor_id: int, pid: int, pin: str) -> None:
    """A forgotten PIN: a new one (temporary); the signing key is untouched."""
    require(store, actor_id, Role.ADMIN, _DOING)

    def record(s: Session) -> None:
        if pid != actor_id:
            signin.mark_temporary(s, pid, {"pin"})
        _log(s, actor_id, pid, "PIN reset by an admin")

    credentials.set_pin(store, pid, pin, also=record)


def reset_password(store: Store, actor_id: int, pid: int, password: str) -> None:
    """A forgotten password: a new one (temporary) and so a new signing key; the old public
    key is retired and kept, so what it signed still verifies."""
    require(store, actor_id, Role.ADMIN, _DOING)

    def record(s: Session) -> None:
        if pid != actor_id:
            signin.mark_temporary(s, pid, {"password"})
        _log(s, actor_id, pid, "password reset by an admin: new signing key, the old one retired")

    credentials.set_password(store, pid, password, also=record)


def set_role(store: Store, actor_id: int, pid: int, role: Role) -> None:
    require(store, actor_id, Role.ADMIN, _DOING)
    role = Role(role)
    with store.write() as s:
        p = _get(s, pid)
        if p.role == role.value:
            return
        if p.role == Role.ADMIN.value and p.active and _admins_left(s, pid) == 0:
            raise NotAllowedError("FaceChart needs at least one admin: make another admin first.")
        _log(s, actor_id, pid, f"role {p.role} → {role.value}")
        p.role = role.value


def set_active(store: Store, actor_id: int, pid: int, active: bool) -> None:
    """Deactivate (they can no longer sign in; their records keep their name) or bring back."""
    require(store, actor_id, Role.ADMIN, _DOING)
    with store.write() as s:
        p = _get(s, pid)
        if p.active == active:
            return
        if not active and p.role == Role.ADMIN.value and _admins_left(s, pid) == 0:
            raise NotAllowedError("FaceChart needs at least one admin: make another admin first.")
        p.active = active
        _log(s, actor_id, pid, "reactivated" if active else "deactivated")


def _row(store: Store, pid: int) -> PractitionerRow:
    with store.read() as s:
        p = _get(s, pid)
        ready = p.pin_hash is not None and p.password_hash is not None
        temporary = signin.temporary_parts(store, pid)
        return PractitionerRow(p.id, p.name, Role(p.role), p.active, ready, temporary)


# -- settings -------------------------------------------------------------------------------


def idle_lock_minutes(store: Store) -> int:
    """Minutes without input before the app locks (the admin's choice; 5 by default)."""
    with store.read() as s:
        row = s.get(Setting, IDLE_LOCK_KEY)
        value = row.value if row is not None else None
    try:
        minutes = int(value) if value is not None else IDLE_LOCK_DEFAULT
    except ValueError:
        return IDLE_LOCK_DEFAULT
    return minutes if minutes in IDLE_LOCK_RANGE else IDLE_LOCK_DEFAULT


def set_idle_lock_minutes(store: Store, actor_id: int, minutes: int) -> int:
    require(store, actor_id, Role.ADMIN, "change settings")
    if minutes not in IDLE_LOCK_RANGE:
        raise ValueError(f"The idle lock is {IDLE_LOCK_RANGE[0]} to {IDLE_LOCK_RANGE[-1]} minutes.")
    with store.write() as s:
        row = s.get(Setting, IDLE_LOCK_KEY)
        before = row.value if row is not None else str(IDLE_LOCK_DEFAULT)
        if row is None:
            s.add(Setting(key=IDLE_LOCK_KEY, value=str(minutes)))
        else:
            row.value = str(minutes)
        audit_log.append(
            s,
            "setting_changed",
            actor_id,
            subject=f"setting:{IDLE_LOCK_KEY}",
            detail=f"idle lock {before} → {minutes} minutes",
        )
    return minutes
