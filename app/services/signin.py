"""Signing in, locking and unlocking (issue #11, "Practitioners sign in"; ADR 0018).

A sign-in is practitioner + PIN + password: the PIN (4–8 digits, a touch keypad) says "it is
me at the screen", the password (asked once per sign-in) opens the practitioner's signing key,
held in memory only while they are signed in. Unlocking after a lock is the PIN alone: the same
practitioner keeps the key they opened. Failed attempts back off: after FREE_TRIES failures in a
row each further one makes the next wait, doubling up to MAX_WAIT_S, stored on the practitioner
row so that restarting the app does not reset it.

Who sets the first PIN and password:
- an empty database: whoever starts FaceChart first creates the admin (`create_first_admin`);
- an existing database where nobody has credentials yet (before sign-in existed: its first
  practitioner became admin in migration 0007): its admins set their own at first start
  (`claim`), gated by nothing, as before sign-in anyone at the laptop was that practitioner;
- everyone else: an admin sets their first PIN and password (app/services/practitioner_admin),
  marked temporary, and at their first sign-in they replace them with their own
  (`replace_temporary`), so no admin keeps knowing another practitioner's secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.domain.values import utcnow
from app.security import secrets
from app.services import credentials
from app.services.credentials import KeySigner, WeakSecretError, WrongPasswordError
from app.services.practitioners import PractitionerRecord
from app.store import audit_log
from app.store.database import Store
from app.store.errors import NotFoundError, StoreError
from app.store.schema import Practitioner, PractitionerKey, Setting

__all__ = ["PIN_DIGITS", "KeySigner", "SignInRefused", "SignedIn", "WeakSecretError"]

PIN_DIGITS = secrets.PIN_DIGITS  # for the keypad: ui/ reaches app/ through the services

FREE_TRIES = 3  # failures in a row before the first wait
FIRST_WAIT_S = 30
MAX_WAIT_S = 15 * 60
_TEMPORARY = "signin.temporary:"  # + practitioner id: which secrets an admin set ("pin,password")

SetupState = Literal["first_admin", "claim", "ready"]
Part = Literal["pin", "password"]


class SignInRefused(StoreError):
    """Not signed in: the message says why, and how long to wait when backing off."""

    def __init__(self, message: str, wait_seconds: int | None = None) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True, slots=True)
class Tile:
    """One practitioner on the sign-in screen."""

    id: int
    name: str
    role: Role
    ready: bool  # has a PIN and password
    may_set_up: bool  # may set their own first ones now (an upgraded database's admin)


@dataclass(frozen=True, slots=True)
class SignedIn:
    practitioner: PractitionerRecord
    signer: KeySigner | None  # their opened signing key (None: they have none yet)
    # secrets an admin set for them, to be replaced with their own before they work
    must_replace: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class OpenedKey:
    """A password tried on a practitioner's key ahead of the PIN (the screen does this on a
    worker while the PIN is tapped): no attempt is counted until `sign_in` gets it."""

    practitioner_id: int
    signer: KeySigner | None  # None: the password did not open it
    password_ok: bool


def wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"


def backoff_seconds(failures: int) -> int:
    """The wait after `failures` failed attempts in a row."""
    if failures < FREE_TRIES:
        return 0
    return int(min(FIRST_WAIT_S * 2 ** (failures - FREE_TRIES), MAX_WAIT_S))


# -- who can sign in ------------------------------------------------------------------------


def _has_secrets(p: Practitioner) -> bool:
    return p.pin_hash is not None and p.password_hash is not None


def setup_state(store: Store) -> SetupState:
    """first_admin: nobody to sign in as, create the admin; claim: nobody has credentials yet
    and there are admins to set theirs; ready: sign in."""
    with store.read() as s:
        active = [
            (_has_secrets(p), p.role)
            for p in s.scalars(select(Practitioner).where(Practitioner.active))
        ]
    if any(ready for ready, _ in active):
        return "ready"
    if any(role == Role.ADMIN.value for _, role in active):
        return "claim"
    return "first_admin"


def tiles(store: Store) -> list[Tile]:
    state = setup_state(store)
    with store.read() as s:
        rows = s.scalars(
            select(Practitioner).where(Practitioner.active).order_by(Practitioner.name)
        )
        return [
            Tile(
                p.id,
                p.name,
                Role(p.role),
                _has_secrets(p),
                state == "claim" and p.role == Role.ADMIN.value,
            )
            for p in rows
        ]


def _record(p: Practitioner) -> PractitionerRecord:
    return PractitionerRecord(p.id, p.name, Role(p.role))


def _subject(practitioner_id: int) -> str:
    return f"practitioner:{practitioner_id}"


# -- first start ----------------------------------------------------------------------------


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise WeakSecretError("Give the practitioner's name.")
    if len(name) > 200 or "\x00" in name:
        raise WeakSecretError("That name cannot be stored.")
    return name


def create_first_admin(store: Store, name: str, pin: str, password: str) -> SignedIn:
    """An empty database's first practitioner, an admin, signed in at once."""
    pid, signer = _first_admin(store, name, pin, password, "first admin created", signs_in=True)
    with store.read() as s:
        return SignedIn(_record(_get(s, pid)), signer)


def set_up_first_admin(store: Store, name: str, pin: str, password: str) -> PractitionerRecord:
    """The first admin of a clinic server, made by `server-init` (issue #13): the same rows,
    hashes and sealed key as at the app's first start, but nobody is signed in."""
    pid, _ = _first_admin(
        store, name, pin, password, "first admin created by server-init", signs_in=False
    )
    with store.read() as s:
        return _record(_get(s, pid))


def _first_admin(
    store: Store, name: str, pin: str, password: str, detail: str, *, signs_in: bool
) -> tuple[int, KeySigner]:
    name = check_name(name)
    secrets.check_pin(pin)
    secrets.check_password(password)
    if setup_state(store) != "first_admin":
        raise SignInRefused("FaceChart already has an admin: sign in instead.")
    with store.write() as s:
        p = Practitioner(name=name, role=Role.ADMIN.value)
        s.add(p)
        s.flush()
        pid = p.id
        audit_log.append(s, "practitioner_changed", pid, subject=_subject(pid), detail=detail)

    def signed_in(s: Session) -> None:
        audit_log.append(s, "sign_in", pid, subject=_subject(pid))

    signer = credentials.set_credentials(
        store, pid, pin, password, also=signed_in if signs_in else None
    )
    return pid, signer


def claim(store: Store, practitioner_id: int, pin: str, password: str) -> SignedIn:
    """An upgraded database's admin sets their own first PIN and password (allowed only while
    nobody has any) and is signed in."""
    secrets.check_pin(pin)
    secrets.check_password(password)
    with store.read() as s:
        p = _get(s, practitioner_id)
        allowed = p.active and p.role == Role.ADMIN.value and not _has_secrets(p)
    if not allowed or setup_state(store) != "claim":
        raise SignInRefused("An admin sets this practitioner's first PIN and password.")

    def record(s: Session) -> None:
        audit_log.append(
            s,
            "practitioner_changed",
            practitioner_id,
            subject=_subject(practitioner_id),
            detail="set their first PIN and password",
        )
        audit_log.append(s, "sign_in", practitioner_id, subject=_subject(practitioner_id))

    signer = credentials.set_credentials(store, practitioner_id, pin, password, also=record)
    with store.read() as s:
        return SignedIn(_record(_get(s, practitioner_id)), signer)


# -- signing in -----------------------------------------------------------------------------


def _get(s: Session, practitioner_id: int) -> Practitioner:
    p = s.get(Practitioner, practitioner_id)
    if p is None:
        raise NotFoundError(f"No practitioner {practitioner_id}.")
    return p


def _may_try(store: Store, practitioner_id: int) -> tuple[str, str]:
    """The stored PIN and password hashes, or SignInRefused (inactive, not set up, waiting)."""
    with store.read() as s:
        p = _get(s, practitioner_id)
        if not p.active:
            raise SignInRefused(f"{p.name} no longer works here: ask an admin.")
        if p.pin_hash is None or p.password_hash is None:
            raise SignInRefused(
                f"{p.name} has no PIN and password yet: an admin sets the first ones."
            )
        if p.retry_after is not None and p.retry_after > utcnow():
            wait = max(1, int((p.retry_after - utcnow()).total_seconds() + 0.999))
            raise SignInRefused(f"Too many tries. Try again in {wait_words(wait)}.", wait)
        return p.pin_hash, p.password_hash


def _try_password(
    store: Store, practitioner_id: int, password_hash: str, password: str
) -> tuple[KeySigner | None, bool]:
    try:
        return credentials.open_signer(store, practitioner_id, password), True
    except WrongPasswordError:
        pass
    with store.read() as s:  # no key at all (not made by this version): the hash decides
        has_key = s.scalar(
            select(PractitionerKey.id).where(PractitionerKey.practitioner_id == practitioner_id)
        )
    return None, has_key is None and secrets.verify_secret(password_hash, password)


def open_key(store: Store, practitioner_id: int, password: str) -> OpenedKey:
    """Try the password on the practitioner's key; changes nothing (see OpenedKey)."""
    with store.read() as s:
        password_hash = _get(s, practitioner_id).password_hash
    if password_hash is None:
        return OpenedKey(practitioner_id, None, False)
    signer, ok = _try_password(store, practitioner_id, password_hash, password)
    return OpenedKey(practitioner_id, signer, ok)


def _failed(store: Store, practitioner_id: int, what: str, words: str) -> SignInRefused:
    with store.write() as s:
        p = _get(s, practitioner_id)
        p.failed_attempts = (p.failed_attempts or 0) + 1
        wait = backoff_seconds(p.failed_attempts)
        p.retry_after = utcnow() + timedelta(seconds=wait) if wait else None
        audit_log.append(
            s,
            "sign_in_failed",
            practitioner_id,
            subject=_subject(practitioner_id),
            detail=f"{what} (attempt {p.failed_attempts} in a row)",
        )
    if wait:
        return SignInRefused(f"{words} Too many tries: wait {wait_words(wait)}.", wait)
    return SignInRefused(words)


def _succeeded(s: Session, practitioner_id: int, kind: str) -> Practitioner:
    p = _get(s, practitioner_id)
    p.failed_attempts, p.retry_after = 0, None
    audit_log.append(s, kind, practitioner_id, subject=_subject(practitioner_id))
    return p


def sign_in(store: Store, practitioner_id: int, pin: str, password: str | OpenedKey) -> SignedIn:
    """PIN and password right: signed in, with the opened signing key. Otherwise
    SignInRefused; the attempt is counted and logged (sign_in_failed)."""
    pin_hash, password_hash = _may_try(store, practitioner_id)
    pin_ok = secrets.verify_secret(pin_hash, pin)
    if isinstance(password, OpenedKey) and password.practitioner_id == practitioner_id:
        signer, password_ok = password.signer, password.password_ok
    elif isinstance(password, OpenedKey):
        signer, password_ok = None, False
    else:  # tried even after a wrong PIN: the time taken says nothing about which was wrong
        signer, password_ok = _try_password(store, practitioner_id, password_hash, password)
    if not (pin_ok and password_ok):
        what = "wrong PIN" if not pin_ok else "wrong password"
        raise _failed(store, practitioner_id, what, "That PIN or password is not right.")
    with store.write() as s:
        p = _succeeded(s, practitioner_id, "sign_in")
        record = _record(p)
        temporary = _temporary(s, practitioner_id)
    return SignedIn(record, signer, temporary)


def unlock(store: Store, practitioner_id: int, pin: str) -> None:
    """The signed-in practitioner back after a lock: the PIN alone (SignInRefused if wrong)."""
    pin_hash, _ = _may_try(store, practitioner_id)
    if not secrets.verify_secret(pin_hash, pin):
        raise _failed(store, practitioner_id, "wrong PIN at the lock", "That PIN is not right.")
    with store.write() as s:
        _succeeded(s, practitioner_id, "unlock")


def lock(store: Store, practitioner_id: int, why: str = "") -> None:
    with store.write(only_logs=True) as s:  # changes no record: a chart read ahead stays
        audit_log.append(s, "lock", practitioner_id, subject=_subject(practitioner_id), detail=why)


def sign_out(store: Store, practitioner_id: int, why: str = "") -> None:
    with store.write() as s:
        audit_log.append(
            s, "sign_out", practitioner_id, subject=_subject(practitioner_id), detail=why
        )


# -- secrets an admin set -------------------------------------------------------------------


def _temporary(s: Session, practitioner_id: int) -> frozenset[str]:
    row = s.get(Setting, f"{_TEMPORARY}{practitioner_id}")
    return frozenset(part for part in (row.value if row else "").split(",") if part)


def mark_temporary(s: Session, practitioner_id: int, parts: set[str]) -> None:
    """Inside an admin's write: these secrets were set by an admin (admin module)."""
    key = f"{_TEMPORARY}{practitioner_id}"
    now = _temporary(s, practitioner_id) | parts
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=",".join(sorted(now))))
    else:
        row.value = ",".join(sorted(now))


def temporary_parts(store: Store, practitioner_id: int) -> frozenset[str]:
    with store.read() as s:
        return _temporary(s, practitioner_id)


def replace_temporary(
    store: Store, practitioner_id: int, pin: str | None, password: str | None
) -> KeySigner | None:
    """The signed-in practitioner's own PIN and/or password in place of what an admin set;
    a new password makes a new signing key (returned), the admin-known one retired."""
    needed = temporary_parts(store, practitioner_id)
    if ("pin" in needed and pin is None) or ("password" in needed and password is None):
        raise WeakSecretError("Choose both a PIN and a password of your own.")
    if pin is not None:
        secrets.check_pin(pin)
    if password is not None:
        secrets.check_password(password)
    changed = [w for w, v in (("PIN", pin), ("password", password)) if v is not None]

    def record(s: Session) -> None:
        row = s.get(Setting, f"{_TEMPORARY}{practitioner_id}")
        if row is not None:
            s.delete(row)
        audit_log.append(
            s,
            "practitioner_changed",
            practitioner_id,
            subject=_subject(practitioner_id),
            detail=f"chose their own {' and '.join(changed)}",
        )

    if pin is not None and password is not None:
        return credentials.set_credentials(store, practitioner_id, pin, password, also=record)
    if password is not None:
        return credentials.set_password(store, practitioner_id, password, also=record)
    if pin is not None:
        credentials.set_pin(store, practitioner_id, pin, also=record)
    return None
