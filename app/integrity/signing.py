"""Who signs a checkpoint (ADR 0025): the `Signer` protocol, this installation's own key, and
the public keys a check trusts.

The installation key is an Ed25519 key in an owner-only file (0600, in a 0700 folder) in the
user data folder, never in the database: someone holding only the database (another account,
a copied backup, a colleague with a database tool) cannot sign. It signs when nobody is signed
in; a signed-in practitioner's own signer (issue #11's sign-in work) signs otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.database import default_data_dir
from app.store.private import PRIVATE_FILE_MODE, private_dir, restrict
from app.store.schema import InstallationKey

INTEGRITY_DIR_ENV = "FACECHART_INTEGRITY_DIR"  # tests and benchmarks keep theirs apart
KEY_FILE = "installation-key.ed25519"
INSTALLATION = "installation"


class Signer(Protocol):
    """Anything that signs a checkpoint. `key_ref` says whose key: "installation" or
    "practitioner:<id>"; `public_key` is the raw Ed25519 public key (32 bytes)."""

    @property
    def key_ref(self) -> str: ...

    @property
    def public_key(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


def integrity_dir() -> Path:
    """Where the installation key and the checkpoints files live: the user data folder."""
    env = os.environ.get(INTEGRITY_DIR_ENV)
    return Path(env) if env else default_data_dir() / "integrity"


def fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class InstallationSigner:
    """This installation's key, made on first use."""

    key_ref = INSTALLATION

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self._public = raw_public(key)

    @property
    def public_key(self) -> bytes:
        return self._public

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    @classmethod
    def load_or_create(cls, folder: Path | None = None) -> InstallationSigner:
        path = (folder or integrity_dir()) / KEY_FILE
        key = _read_key(path)
        if key is None:
            private_dir(path.parent)
            key = Ed25519PrivateKey.generate()
            raw = key.private_bytes_raw()
            try:  # O_EXCL: two windows starting together must not make two keys
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
            except FileExistsError:
                key = _read_key(path)
                if key is None:
                    raise OSError(f"the installation key {path} is unreadable") from None
                return cls(key)
            try:
                os.write(fd, raw)
                os.fsync(fd)
            finally:
                os.close(fd)
        restrict(path, PRIVATE_FILE_MODE)
        return cls(key)


def _read_key(path: Path) -> Ed25519PrivateKey | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(raw) != 32:
        raise OSError(f"the installation key {path} is damaged")
    return Ed25519PrivateKey.from_private_bytes(raw)


def installation_public_key(folder: Path | None = None) -> bytes | None:
    """This installation's public key, or None when it has none yet (nothing is created)."""
    with contextlib.suppress(OSError):
        key = _read_key((folder or integrity_dir()) / KEY_FILE)
        return raw_public(key) if key else None
    return None


def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError, TypeError):  # TypeError: text where bytes belong
        return False
    return True


# --- which public keys a check trusts ------------------------------------------------------

KeySource = Callable[[Session], Iterable[bytes]]
_key_sources: dict[str, KeySource] = {}


def register_key_source(kind: str, source: KeySource) -> None:
    """Trust the keys `source(session)` returns for checkpoints whose key_ref starts with
    `kind`. The sign-in work adds practitioners' keys (current and retired, so old signatures
    still verify): `register_key_source("practitioner", practitioner_public_keys)`."""
    _key_sources[kind] = source


def trusted_keys(session: Session) -> dict[str, set[bytes]]:
    """Per kind of key, the public keys a checkpoint may be signed with."""
    out: dict[str, set[bytes]] = {INSTALLATION: set()}
    own = installation_public_key()
    if own is not None:
        out[INSTALLATION].add(own)
    # Other laptops on the same server register theirs (ADR 0022 says what that trusts). A
    # SQLite file is one laptop's: a key registered in it by anyone else is not trusted.
    if session.get_bind().dialect.name != "sqlite":
        out[INSTALLATION] |= set(session.scalars(select(InstallationKey.public_key)))
    for kind, source in _key_sources.items():
        out.setdefault(kind, set()).update(source(session))
    return out


def key_kind(key_ref: str) -> str:
    return key_ref.split(":", 1)[0]
