"""Content-addressed storage of chart content (ADR 0003).

A version's content is split into parts (each stroke, the points of each view, the products
used, each overlay with its alignment mapping; a microneedling view's areas, and its session
record), stored once per SHA-256 as zlib-compressed
canonical JSON. A version row keeps a small
manifest of part hashes, so a version that changes one point costs one view's points and the
manifest, not the whole chart again; a mesh mapping (~31 kB) kept by the next version costs
nothing but its hash in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.canonical import content_to_json, dumps, stroke_to_json
from app.domain.chart import ChartContent, Stroke
from app.store.idempotent import insert_missing
from app.store.schema import ChartPart


@dataclass(frozen=True, slots=True)
class _CachedStroke:
    """A stroke in the content object where its canonical bytes go: `_address` takes them from
    the cache instead of encoding the stroke again."""

    stroke: Stroke


@lru_cache(maxsize=4096)  # ~16 MB at most: every chart of a busy day
def _stroke_address(stroke: Stroke) -> tuple[str, bytes]:
    """A stroke's part address and canonical bytes. Strokes are immutable and most of a chart,
    and every save sends them all: all but the new ones were encoded by the save before
    (re-encoding them was half of a full-face save's CPU, issue #13). Equal strokes (the
    cache's key) have equal canonical bytes: every field is in them."""
    raw = dumps(stroke_to_json(stroke))
    return hashlib.sha256(raw).hexdigest(), raw


def _address(obj: Any) -> tuple[str, bytes]:
    if isinstance(obj, _CachedStroke):
        return _stroke_address(obj.stroke)
    raw = dumps(obj)
    return hashlib.sha256(raw).hexdigest(), raw


def split(content: ChartContent) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Content → (manifest, {sha: (kind, canonical bytes)})."""
    return split_json(content_to_json(content))


def split_content(
    content: ChartContent,
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]], bytes]:
    """Content → (manifest, parts, the canonical bytes the hash is taken over): what a save
    stores. Each stroke is encoded once in its life (`_stroke_address`); the canonical bytes
    are spliced from the parts, equal to `dumps(content_to_json(content))` (tested)."""
    manifest, parts = split_json(content_to_json(content, stroke=_CachedStroke))
    return manifest, parts, splice(manifest, {sha: raw for sha, (_, raw) in parts.items()})


def split_json(
    content_json: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """The canonical content object (`content_to_json`) → (manifest, parts). Saving uses this
    so the content is serialised once, not once for the hash and again for the parts."""
    parts: dict[str, tuple[str, bytes]] = {}

    def put(kind: str, obj: Any) -> str:
        sha, raw = _address(obj)
        parts[sha] = (kind, raw)
        return sha

    def view(v: dict[str, Any]) -> dict[str, Any]:
        out = {
            "photo_sha256": v["photo_sha256"],
            "strokes": [put("stroke", s) for s in v["strokes"]],
            "points": put("points", v["points"]),
        }
        if "overlays" in v:
            out["overlays"] = [put("overlay", o) for o in v["overlays"]]
        if "areas" in v:  # a microneedling view's areas: one part, as its points are
            out["areas"] = put("areas", v["areas"])
        return out

    manifest = {
        "format": content_json["format"],
        "note": content_json["note"],
        "products": put("products", content_json["products"]),
        "views": {code: view(v) for code, v in content_json["views"].items()},
    }
    if "microneedling" in content_json:
        manifest["microneedling"] = put("mn_session", content_json["microneedling"])
    return manifest, parts


def write_parts(session: Session, parts: dict[str, tuple[str, bytes]]) -> int:
    """Store the parts not stored yet; returns how many were not stored when looked at. A part
    another room stores at the same moment is not an error (app/store/idempotent.py)."""
    if not parts:
        return 0
    existing: set[str] = set()
    shas = list(parts)
    for i in range(0, len(shas), 500):  # keep IN lists well under any driver's limit
        existing |= set(
            session.scalars(select(ChartPart.sha256).where(ChartPart.sha256.in_(shas[i : i + 500])))
        )
    new = [
        {"sha256": sha, "kind": kind, "data": zlib.compress(raw, 6)}
        for sha, (kind, raw) in parts.items()
        if sha not in existing
    ]
    insert_missing(session, ChartPart, new, ["sha256"])
    return len(new)


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    return zlib.compress(dumps(manifest), 6)


def decode_manifest(data: bytes) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(zlib.decompress(data))
    return manifest


def manifest_shas(manifest: dict[str, Any]) -> set[str]:
    shas = {manifest["products"]}
    for v in manifest["views"].values():
        shas.update(v["strokes"])
        shas.add(v["points"])
        shas.update(v.get("overlays", ()))
        if "areas" in v:
            shas.add(v["areas"])
    if "microneedling" in manifest:
        shas.add(manifest["microneedling"])
    return shas


def read_parts(session: Session, shas: set[str]) -> dict[str, bytes]:
    """{sha: canonical bytes} for the given parts (as stored: not verified here; `check` does)."""
    out: dict[str, bytes] = {}
    ordered = sorted(shas)
    for i in range(0, len(ordered), 500):
        rows = session.execute(
            select(ChartPart.sha256, ChartPart.data).where(
                ChartPart.sha256.in_(ordered[i : i + 500])
            )
        )
        out.update((sha, zlib.decompress(data)) for sha, data in rows)
    return out


def assemble(manifest: dict[str, Any], parts: dict[str, bytes]) -> dict[str, Any]:
    """Manifest + parts → the canonical content JSON object (the hash's input)."""

    def part(sha: str) -> Any:
        if sha not in parts:
            raise KeyError(f"chart part {sha} is missing")
        return json.loads(parts[sha])

    def view(v: dict[str, Any]) -> dict[str, Any]:
        out = {
            "photo_sha256": v["photo_sha256"],
            "strokes": [part(s) for s in v["strokes"]],
            "points": part(v["points"]),
        }
        if "overlays" in v:
            out["overlays"] = [part(o) for o in v["overlays"]]
        if "areas" in v:
            out["areas"] = part(v["areas"])
        return out

    out = {
        "format": manifest["format"],
        "note": manifest["note"],
        "products": part(manifest["products"]),
        "views": {code: view(v) for code, v in manifest["views"].items()},
    }
    if "microneedling" in manifest:
        out["microneedling"] = part(manifest["microneedling"])
    return out


def _key(k: str) -> bytes:
    return json.dumps(k, ensure_ascii=False).encode("utf-8")


def _obj(items: Iterable[tuple[str, bytes]]) -> bytes:
    body = b",".join(_key(k) + b":" + v for k, v in sorted(items, key=lambda kv: kv[0]))
    return b"{" + body + b"}"


def _arr(items: Iterable[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


def splice(manifest: dict[str, Any], parts: dict[str, bytes]) -> bytes:
    """`dumps(assemble(manifest, parts))` without parsing a part: JSON is compositional, and
    canonical JSON's keys are sorted (KeyError: a part is missing). A save, `check` and the
    archive all splice this one way."""

    def part(sha: str) -> bytes:
        if sha not in parts:
            raise KeyError(f"chart part {sha} is missing")
        return parts[sha]

    def view(v: dict[str, Any]) -> bytes:
        items = [
            ("photo_sha256", dumps(v["photo_sha256"])),
            ("strokes", _arr(part(sha) for sha in v["strokes"])),
            ("points", part(v["points"])),
        ]
        if "overlays" in v:
            items.append(("overlays", _arr(part(sha) for sha in v["overlays"])))
        if "areas" in v:
            items.append(("areas", part(v["areas"])))
        return _obj(items)

    top = [
        ("format", dumps(manifest["format"])),
        ("note", dumps(manifest["note"])),
        ("products", part(manifest["products"])),
        ("views", _obj((code, view(v)) for code, v in manifest["views"].items())),
    ]
    if "microneedling" in manifest:
        top.append(("microneedling", part(manifest["microneedling"])))
    return _obj(top)
