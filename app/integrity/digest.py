"""The fixed-size digest a checkpoint signs, and the hash tree whose root it carries (ADR 0025).

Tree: each map entry is a leaf, `leaf = SHA-256(0x00 ‖ key ‖ 0x00 ‖ label ‖ 0x00 ‖ value)`
(key and label UTF-8, value the record's 32-byte hash). Leaves fall into 256 buckets by the
first byte of SHA-256(key); `bucket = SHA-256(0x02 ‖ leaves of the bucket in key order)`. The
root is RFC 6962's Merkle tree hash over the 256 bucket hashes, `node = SHA-256(0x01 ‖ l ‖ r)`.
A checkpoint that changes k records recomputes k buckets and the top of the tree, so a check
replays thousands of checkpoints in seconds.

Statement (168 bytes, big-endian integers), the bytes that are signed with Ed25519:
    0  16  magic "FaceChart-CP-v1\\n"
   16  16  the database's id (setting `database_id`, 32 hex digits)
   32   8  seq, from 1
   40   8  created_at, microseconds since 1970-01-01T00:00:00Z
   48   8  number of entries in the map
   56  32  root of the tree
   88  32  SHA-256 of the previous checkpoint's statement (zeros for seq 1)
  120  32  SHA-256 of the signer's raw Ed25519 public key
  152  16  key_ref, ASCII, zero-padded ("installation", "practitioner:12")
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAGIC = b"FaceChart-CP-v1\n"
STATEMENT_SIZE = 168
BUCKETS = 256
ZERO32 = bytes(32)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAYOUT = struct.Struct(">16s16sQqQ32s32s32s16s")
assert _LAYOUT.size == STATEMENT_SIZE


@dataclass(frozen=True, slots=True)
class Statement:
    database_id: str  # 32 hex digits
    seq: int
    created_at: datetime
    entries: int
    root: bytes
    previous: bytes  # SHA-256 of the previous statement
    key_fingerprint: bytes  # SHA-256 of the signer's public key
    key_ref: str

    def to_bytes(self) -> bytes:
        ref = self.key_ref.encode("ascii")
        if len(ref) > 16:
            raise ValueError(f"key_ref too long: {self.key_ref!r}")
        micros = (self.created_at - EPOCH) // timedelta(microseconds=1)
        return _LAYOUT.pack(
            MAGIC,
            bytes.fromhex(self.database_id),
            self.seq,
            micros,
            self.entries,
            self.root,
            self.previous,
            self.key_fingerprint,
            ref.ljust(16, b"\0"),
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Statement:
        if len(raw) != STATEMENT_SIZE:
            raise ValueError(f"a checkpoint statement is {STATEMENT_SIZE} bytes, not {len(raw)}")
        magic, db, seq, micros, n, root, prev, fpr, ref = _LAYOUT.unpack(raw)
        if magic != MAGIC:
            raise ValueError("not a FaceChart checkpoint statement")
        return cls(
            db.hex(),
            seq,
            EPOCH + timedelta(microseconds=micros),
            n,
            root,
            prev,
            fpr,
            ref.rstrip(b"\0").decode("ascii"),
        )

    def digest(self) -> bytes:
        return hashlib.sha256(self.to_bytes()).digest()


def leaf_hash(key: str, label: str, value: bytes) -> bytes:
    data = b"\0" + key.encode() + b"\0" + label.encode() + b"\0" + value
    return hashlib.sha256(data).digest()


def bucket_of(key: str) -> int:
    return hashlib.sha256(key.encode()).digest()[0]


def merkle_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash over already-hashed leaves (a power of two here: 256)."""
    level = leaves
    while len(level) > 1:
        level = [
            hashlib.sha256(b"\1" + level[i] + level[i + 1]).digest()
            if i + 1 < len(level)
            else level[i]
            for i in range(0, len(level), 2)
        ]
    return level[0] if level else hashlib.sha256(b"").digest()


class MapTree:
    """The record map with its tree, kept up to date entry by entry."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, bytes]] = {}  # key → (label, value)
        self._buckets: list[dict[str, bytes]] = [{} for _ in range(BUCKETS)]
        self._bucket_hash = [hashlib.sha256(b"\2").digest()] * BUCKETS
        self._dirty: set[int] = set()

    def __len__(self) -> int:
        return len(self.entries)

    def put(self, key: str, label: str, value: bytes | None) -> None:
        """Set a record's entry; value None removes it."""
        b = bucket_of(key)
        if value is None:
            self.entries.pop(key, None)
            self._buckets[b].pop(key, None)
        else:
            self.entries[key] = (label, value)
            self._buckets[b][key] = leaf_hash(key, label, value)
        self._dirty.add(b)

    def root(self) -> bytes:
        for b in self._dirty:
            bucket = self._buckets[b]
            self._bucket_hash[b] = hashlib.sha256(
                b"\2" + b"".join(bucket[k] for k in sorted(bucket))
            ).digest()
        self._dirty.clear()
        return merkle_root(self._bucket_hash)

    def copy(self) -> MapTree:
        other = MapTree()
        other.entries = dict(self.entries)
        other._buckets = [dict(b) for b in self._buckets]
        self.root()
        other._bucket_hash = list(self._bucket_hash)
        return other
