"""The content hash of a chart version (CONTRACTS.md, ADR 0003).

hash = SHA-256( canonical_json(content) ‖ parent_hash ), where canonical_json is UTF-8 JSON
with sorted keys, no whitespace, decimals as strings and floats rounded to 3 decimals, and
parent_hash is the parent version's hash as 64 lower-case hex characters in ASCII (nothing for
a chart's first version).
"""

from __future__ import annotations

import hashlib
from typing import Any

from app.domain.canonical import content_to_json, dumps
from app.domain.chart import ChartContent


def hash_json(content_json: dict[str, Any], parent_hash: str) -> str:
    return hash_canonical(dumps(content_json), parent_hash)


def hash_canonical(canonical: bytes, parent_hash: str) -> str:
    """The hash of content already serialised by `dumps(content_to_json(...))`."""
    digest = hashlib.sha256(canonical)
    digest.update(parent_hash.encode("ascii"))
    return digest.hexdigest()


def content_hash(content: ChartContent, parent_hash: str) -> str:
    return hash_json(content_to_json(content), parent_hash)
