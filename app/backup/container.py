"""The encrypted backup file: a header in the clear, then the database in AES-256-GCM chunks.

    b"FACECHART-BACKUP\\n"   magic, 17 bytes
    u32 big-endian          header length H
    H bytes                 header: UTF-8 JSON (format, kdf salt and cost, nonce prefix,
                            what the backup holds); authenticated, not secret
    chunks                  u32 length L, then L bytes of AES-GCM ciphertext (+16-byte tag)

Each chunk's nonce is the header's 4-byte random prefix and the chunk's 8-byte number; its
associated data is the SHA-256 of the header, the chunk number and a last-chunk flag. So the
header cannot be swapped, chunks cannot be reordered or dropped, and a file cut short is caught
(no chunk carries the last flag). The key is Argon2id of the passphrase (app/security).
Backups leave the laptop (USB disks, network shares): only the passphrase opens them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.security import secrets

MAGIC = b"FACECHART-BACKUP\n"
FORMAT = 1
CHUNK_BYTES = 4 * 1024 * 1024
_MAX_HEADER = 1 << 20


class Readable(Protocol):
    """What `write` reads the database from: a file, or a file read through a hash."""

    def read(self, n: int = -1, /) -> bytes: ...


class BackupFileError(ValueError):
    """Not a FaceChart backup, damaged, or the wrong passphrase: the message says which."""


@dataclass(frozen=True, slots=True)
class Header:
    """What a backup says about itself (in the clear: no patient data, only counts)."""

    info: dict[str, Any]
    raw: bytes

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()


def _aad(header: Header, number: int, last: bool) -> bytes:
    return header.digest + struct.pack(">QB", number, 1 if last else 0)


@dataclass(frozen=True, slots=True)
class BackupKey:
    """The AES key of a passphrase and its salt. Automatic backups keep one (outside the
    database, owner-only) so they run without asking; the passphrase itself is never kept."""

    salt: bytes
    key: bytes

    @classmethod
    def from_passphrase(cls, passphrase: str, salt: bytes | None = None) -> BackupKey:
        salt = salt if salt is not None else os.urandom(secrets.SALT_BYTES)
        return cls(salt, secrets.derive_key(passphrase, salt))


def _key(passphrase: str, kdf: dict[str, Any]) -> bytes:
    if (kdf.get("t"), kdf.get("m"), kdf.get("p")) != (
        secrets.TIME_COST,
        secrets.MEMORY_COST_KIB,
        secrets.PARALLELISM,
    ):
        raise BackupFileError("This backup was written with key settings this FaceChart lacks.")
    return secrets.derive_key(passphrase, base64.b64decode(kdf["salt"]))


def write(source: Readable, out: BinaryIO, key: BackupKey, info: dict[str, Any]) -> None:
    """Encrypt `source` (read to its end) into `out` with `info` in the header."""
    prefix = os.urandom(4)
    body = {
        **info,
        "format": FORMAT,
        "kdf": {
            "name": "argon2id",
            "t": secrets.TIME_COST,
            "m": secrets.MEMORY_COST_KIB,
            "p": secrets.PARALLELISM,
            "salt": base64.b64encode(key.salt).decode("ascii"),
        },
        "nonce_prefix": prefix.hex(),
    }
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    header = Header(body, raw)
    aead = AESGCM(key.key)
    out.write(MAGIC + struct.pack(">I", len(raw)) + raw)
    number, chunk = 0, source.read(CHUNK_BYTES)
    while True:
        following = source.read(CHUNK_BYTES)
        last = not following
        nonce = prefix + struct.pack(">Q", number)
        sealed = aead.encrypt(nonce, chunk, _aad(header, number, last))
        out.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        number, chunk = number + 1, following


def read_header(f: BinaryIO) -> Header:
    if f.read(len(MAGIC)) != MAGIC:
        raise BackupFileError("This file is not a FaceChart backup.")
    size_bytes = f.read(4)
    if len(size_bytes) != 4:
        raise BackupFileError("This backup file is cut short: it was not copied whole.")
    (size,) = struct.unpack(">I", size_bytes)
    raw = f.read(size)
    if size > _MAX_HEADER or len(raw) != size:
        raise BackupFileError("This backup file is damaged (its header cannot be read).")
    try:
        info = json.loads(raw)
    except ValueError:
        raise BackupFileError("This backup file is damaged (its header cannot be read).") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise BackupFileError("This backup was written by another version of FaceChart.")
    return Header(info, raw)


def decrypt(f: BinaryIO, header: Header, passphrase: str) -> Iterator[bytes]:
    """The plaintext chunks of a file positioned after its header."""
    return decrypt_with_key(f, header, _key(passphrase, header.info["kdf"]))


def decrypt_with_key(f: BinaryIO, header: Header, key: bytes) -> Iterator[bytes]:
    aead = AESGCM(key)
    prefix = bytes.fromhex(header.info["nonce_prefix"])
    number = 0
    while True:
        size_bytes = f.read(4)
        if len(size_bytes) != 4:
            raise BackupFileError("This backup file is cut short: it was not copied whole.")
        (size,) = struct.unpack(">I", size_bytes)
        sealed = f.read(size)
        if len(sealed) != size:
            raise BackupFileError("This backup file is cut short: it was not copied whole.")
        nonce = prefix + struct.pack(">Q", number)
        for last in (False, True):
            try:
                plain = aead.decrypt(nonce, sealed, _aad(header, number, last))
            except InvalidTag:
                continue
            yield plain
            if last:
                if f.read(1):
                    raise BackupFileError("This backup file has data after its end: damaged.")
                return
            break
        else:
            if number == 0:
                raise BackupFileError(
                    "The passphrase does not open this backup (or the file is damaged)."
                )
            raise BackupFileError(f"This backup file is damaged (part {number + 1}).")
        number += 1
