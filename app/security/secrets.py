"""PINs and passwords: stored only as Argon2id hashes; a password also derives the key that
unlocks its practitioner's signing key (ADR 0018 states the parameters and why).

One parameter set for both: about 200 ms per guess on the 2-core reference machine
(docs/BENCHMARKS.md), so an attacker holding the database pays at least that per guess while a
sign-in stays well under half a second.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type, hash_secret_raw

TIME_COST = 2
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 1
KEY_BYTES = 32
SALT_BYTES = 16

PIN_DIGITS = range(4, 9)
PASSWORD_MIN_CHARS = 8

_hasher = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST_KIB,
    parallelism=PARALLELISM,
    hash_len=KEY_BYTES,
    salt_len=SALT_BYTES,
    type=Type.ID,
)


class WeakSecretError(ValueError):
    """A PIN or password that does not meet the rules; the message says which rule."""


def check_pin(pin: str) -> None:
    if not pin.isdigit() or not pin.isascii() or len(pin) not in PIN_DIGITS:
        raise WeakSecretError("A PIN is 4 to 8 digits.")


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_CHARS:
        raise WeakSecretError(f"A password has at least {PASSWORD_MIN_CHARS} characters.")
    if "\x00" in password:
        raise WeakSecretError("A password cannot contain a NUL character.")


def hash_secret(secret: str) -> str:
    """The PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) to store."""
    return _hasher.hash(secret)


def verify_secret(stored: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


def derive_key(password: str, salt: bytes) -> bytes:
    """A 32-byte key from a password (Argon2id raw output), for sealing a signing key."""
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=TIME_COST,
        memory_cost=MEMORY_COST_KIB,
        parallelism=PARALLELISM,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
