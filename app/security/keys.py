"""A practitioner's signing key: Ed25519, its private half sealed with AES-GCM under a key
derived from the practitioner's password (never the PIN), opened only while they are signed in.

The public half is stored in the clear beside it and kept after a reset, so signatures made
with a retired key still verify.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.security.secrets import SALT_BYTES, derive_key

NONCE_BYTES = 12
# bound into the ciphertext: a sealed key copied onto another practitioner's row will not open
_AAD_PREFIX = b"facechart-signing-key-v1:"


class WrongPasswordError(ValueError):
    """The password does not open this sealed key."""


@dataclass(frozen=True, slots=True)
class SealedKey:
    public_key: bytes  # raw Ed25519, 32 bytes
    salt: bytes
    nonce: bytes
    ciphertext: bytes  # the raw 32-byte private key, AES-256-GCM


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(public_key: bytes) -> str:
    """A short name for a public key, for screens and checkpoint records."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def _aad(public_key: bytes) -> bytes:
    return _AAD_PREFIX + public_key


def seal_new_key(password: str) -> tuple[SealedKey, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    return seal(private, password), private


def seal(private: Ed25519PrivateKey, password: str) -> SealedKey:
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    public = raw_public(private)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    ciphertext = AESGCM(derive_key(password, salt)).encrypt(nonce, raw, _aad(public))
    return SealedKey(public, salt, nonce, ciphertext)


def open_sealed(sealed: SealedKey, password: str) -> Ed25519PrivateKey:
    try:
        raw = AESGCM(derive_key(password, sealed.salt)).decrypt(
            sealed.nonce, sealed.ciphertext, _aad(sealed.public_key)
        )
    except InvalidTag:
        raise WrongPasswordError("That password does not open this signing key.") from None
    private = Ed25519PrivateKey.from_private_bytes(raw)
    if raw_public(private) != sealed.public_key:
        raise WrongPasswordError("The signing key does not match its public key.")
    return private


def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class KeySigner:
    """An opened key that signs (the `Signer` shape checkpoints take): `key_ref` names the
    stored public key it belongs to, e.g. "pkey:7" (a `practitioner_key` row)."""

    key_ref: str
    public_key: bytes
    private: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)
