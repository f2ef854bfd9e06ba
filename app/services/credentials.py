"""A practitioner's PIN, password and signing key (issue #11): setting them, checking them,
and opening the signing key for the time they are signed in.

Setting a password (first start, a change, an admin's reset) always makes a new signing key:
a forgotten password cannot open the old one, and the old public key stays (retired) so the
signatures it made still verify.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.values import utcnow
from app.security import keys, secrets
from app.security.keys import KeySigner, SealedKey, WrongPasswordError
from app.security.secrets import WeakSecretError
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Practitioner, PractitionerKey

__all__ = ["KEY_REF_KIND", "KeySigner", "WeakSecretError", "WrongPasswordError"]

# An opened key names its `practitioner_key` row as "pkey:<id>": short, because a checkpoint's
# fixed-size statement holds the signer's reference in 16 ASCII bytes (ADR 0025).
KEY_REF_KIND = "pkey"

# more writes for the same transaction (the audit event, a flag): a change and its record
# land together or not at all
Also = Callable[[Session], None] | None


@dataclass(frozen=True, slots=True)
class PublicKey:
    id: int
    practitioner_id: int
    public_key: bytes
    retired: bool

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint(self.public_key)


def has_credentials(store: Store, practitioner_id: int) -> bool:
    with store.read() as s:
        p = s.get(Practitioner, practitioner_id)
        return p is not None and p.pin_hash is not None and p.password_hash is not None


def set_credentials(
    store: Store, practitioner_id: int, pin: str, password: str, *, also: Also = None
) -> KeySigner:
    """Store the PIN and password as Argon2id hashes and seal a new signing key under the
    password; the practitioner's earlier key is retired. Returns the opened new key."""
    secrets.check_pin(pin)
    secrets.check_password(password)
    sealed, private = keys.seal_new_key(password)
    pin_hash, password_hash = secrets.hash_secret(pin), secrets.hash_secret(password)
    with store.write() as s:
        p = _practitioner(s, practitioner_id)
        p.pin_hash, p.password_hash = pin_hash, password_hash
        p.failed_attempts, p.retry_after = 0, None
        key_id = _add_key(s, practitioner_id, sealed)
        if also is not None:
            also(s)
    return KeySigner(f"{KEY_REF_KIND}:{key_id}", sealed.public_key, private)


def set_password(
    store: Store, practitioner_id: int, password: str, *, also: Also = None
) -> KeySigner:
    """A new password alone (an admin's reset of a forgotten one): the PIN is untouched, and
    a new signing key is sealed under it, the earlier key retired (a forgotten password
    cannot open the old one; its public half stays to verify what it signed)."""
    secrets.check_password(password)
    sealed, private = keys.seal_new_key(password)
    password_hash = secrets.hash_secret(password)
    with store.write() as s:
        p = _practitioner(s, practitioner_id)
        p.password_hash, p.failed_attempts, p.retry_after = password_hash, 0, None
        key_id = _add_key(s, practitioner_id, sealed)
        if also is not None:
            also(s)
    return KeySigner(f"{KEY_REF_KIND}:{key_id}", sealed.public_key, private)


def set_pin(store: Store, practitioner_id: int, pin: str, *, also: Also = None) -> None:
    """A new PIN alone (an admin's reset of a forgotten PIN): the key is untouched."""
    secrets.check_pin(pin)
    pin_hash = secrets.hash_secret(pin)
    with store.write() as s:
        p = _practitioner(s, practitioner_id)
        p.pin_hash, p.failed_attempts, p.retry_after = pin_hash, 0, None
        if also is not None:
            also(s)


def pin_matches(store: Store, practitioner_id: int, pin: str) -> bool:
    with store.read() as s:
        stored = _practitioner(s, practitioner_id).pin_hash
    return stored is not None and secrets.verify_secret(stored, pin)


def open_signer(store: Store, practitioner_id: int, password: str) -> KeySigner:
    """The practitioner's current signing key, opened with their password (WrongPasswordError
    otherwise). Hold it only while they are signed in."""
    with store.read() as s:
        row = s.scalar(
            select(PractitionerKey)
            .where(
                PractitionerKey.practitioner_id == practitioner_id,
                PractitionerKey.retired_at.is_(None),
            )
            .order_by(PractitionerKey.id.desc())
            .limit(1)
        )
        if row is None:
            raise WrongPasswordError("No signing key has been set up for this practitioner.")
        sealed = SealedKey(row.public_key, row.kdf_salt, row.nonce, row.sealed_private_key)
        key_id = row.id
    private = keys.open_sealed(sealed, password)
    return KeySigner(f"{KEY_REF_KIND}:{key_id}", sealed.public_key, private)


def public_keys(store: Store, practitioner_id: int | None = None) -> list[PublicKey]:
    """Every stored public key (retired ones too), to verify signatures."""
    with store.read() as s:
        q = select(PractitionerKey).order_by(PractitionerKey.id)
        if practitioner_id is not None:
            q = q.where(PractitionerKey.practitioner_id == practitioner_id)
        return [
            PublicKey(k.id, k.practitioner_id, k.public_key, k.retired_at is not None)
            for k in s.scalars(q)
        ]


def key_id_of(signer: KeySigner) -> int:
    """The `practitioner_key` row an opened key belongs to."""
    kind, _, number = signer.key_ref.partition(":")
    if kind != KEY_REF_KIND or not number.isdigit():
        raise ValueError(f"not a practitioner's key: {signer.key_ref!r}")
    return int(number)


def _practitioner(s: Session, practitioner_id: int) -> Practitioner:
    p = s.get(Practitioner, practitioner_id)
    if p is None:
        raise NotFoundError(f"No practitioner {practitioner_id}.")
    return p


def _add_key(s: Session, practitioner_id: int, sealed: SealedKey) -> int:
    now = utcnow()
    for old in s.scalars(
        select(PractitionerKey).where(
            PractitionerKey.practitioner_id == practitioner_id,
            PractitionerKey.retired_at.is_(None),
        )
    ):
        old.retired_at = now
    row = PractitionerKey(
        practitioner_id=practitioner_id,
        public_key=sealed.public_key,
        kdf_salt=sealed.salt,
        nonce=sealed.nonce,
        sealed_private_key=sealed.ciphertext,
        created_at=now,
    )
    s.add(row)
    s.flush()
    return row.id
