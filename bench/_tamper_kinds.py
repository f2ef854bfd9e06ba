"""The 12 kinds of tampering issue #11 lists, each done with raw SQL behind FaceChart's back,
the way someone with the database file or a database tool would (foreign keys off on SQLite,
triggers off on PostgreSQL). Shared by the tests (tests/app/test_tamper.py) and the benchmark
(bench/tamper.py), so both prove the same thing.

Each kind takes the store and a `Target` (records chosen by the caller: the tests take fixed
ones, the benchmark random ones) and returns the texts `check` must print to have *named* it:
each expected text must appear in one of check's lines.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text

from app.domain.canonical import content_from_json, content_to_json, dumps
from app.domain.totals import version_summary
from app.services import charts
from app.store import chart_parts
from app.store.database import Store
from app.store.hash_chain import hash_canonical


@dataclass(frozen=True, slots=True)
class Target:
    patient_id: int
    chart_id: int
    visit_id: int
    versions: tuple[int, ...]  # the chart's version ids, oldest first (at least 3)
    photo_id: int  # a photo on a visit of the patient
    photo_sha: str
    other_patient_id: int  # another patient, with a visit to move the photo to
    other_visit_id: int


def raw(store: Store, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Statements on a connection of its own, outside FaceChart's settings: SQLite's foreign
    keys off (its default), PostgreSQL's triggers (so foreign keys) off, as a database tool's
    superuser can."""
    engine = create_engine(store.url)
    try:
        with engine.begin() as conn:
            if not store.is_sqlite:
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for sql, params in statements:
                conn.execute(text(sql), params)
    finally:
        engine.dispose()


def one(store: Store, sql: str, **params: Any) -> Any:
    with store.engine.connect() as conn:
        return conn.execute(text(sql), params).one()


def _version(t: Target, i: int) -> str:
    return f"chart_version id={t.versions[i]} "


# --- the kinds --------------------------------------------------------------------------------


def units_and_photo_bytes(store: Store, t: Target) -> list[str]:
    """(1) A point's units changed inside its stored part, and the photo's bytes changed."""
    version = t.versions[0]
    manifest = chart_parts.decode_manifest(
        one(store, "SELECT manifest FROM chart_version WHERE id = :v", v=version)[0]
    )
    view = sorted(manifest["views"])[0]
    sha = manifest["views"][view]["points"]
    data = one(store, "SELECT data FROM chart_part WHERE sha256 = :s", s=sha)[0]
    points = json.loads(zlib.decompress(data))
    points[0]["units"] = "40" if points[0]["units"] != "40" else "41"
    new = zlib.compress(json.dumps(points, sort_keys=True, separators=(",", ":")).encode(), 6)
    photo = one(store, "SELECT data FROM photo_blob WHERE sha256 = :s", s=t.photo_sha)[0]
    mid = len(photo) // 2
    altered = photo[:mid] + bytes([photo[mid] ^ 1]) + photo[mid + 1 :]
    raw(
        store,
        [
            ("UPDATE chart_part SET data = :d WHERE sha256 = :s", {"d": new, "s": sha}),
            ("UPDATE photo_blob SET data = :d WHERE sha256 = :s", {"d": altered, "s": t.photo_sha}),
        ],
    )
    return [_version(t, 0), f"chart_part sha256={sha}", f"photo_blob sha256={t.photo_sha}"]


def delete_middle_version(store: Store, t: Target) -> list[str]:
    """(2)"""
    raw(store, [("DELETE FROM chart_version WHERE id = :v", {"v": t.versions[1]})])
    return [f"MISSING {_version(t, 1)}"]


def swap_versions(store: Store, t: Target) -> list[str]:
    """(3) The first two versions trade places (numbers swapped through a spare one)."""
    a, b = t.versions[0], t.versions[1]
    raw(
        store,
        [
            ("UPDATE chart_version SET version_no = -7 WHERE id = :a", {"a": a}),
            ("UPDATE chart_version SET version_no = 1 WHERE id = :b", {"b": b}),
            ("UPDATE chart_version SET version_no = 2 WHERE id = :a", {"a": a}),
        ],
    )
    return [_version(t, 0), _version(t, 1)]


def delete_newest_version(store: Store, t: Target) -> list[str]:
    """(4)"""
    raw(store, [("DELETE FROM chart_version WHERE id = :v", {"v": t.versions[-1]})])
    return [f"MISSING {_version(t, -1)}"]


def delete_every_version(store: Store, t: Target) -> list[str]:
    """(5)"""
    raw(store, [("DELETE FROM chart_version WHERE chart_id = :c", {"c": t.chart_id})])
    return [f"MISSING {_version(t, i)}" for i in range(len(t.versions))]


def append_forged_version(store: Store, t: Target) -> list[str]:
    """(6) A well-made forgery: the newest content with one point's units changed, a correct
    chain and summary, dated an hour before the version it follows (a forgery wants to look
    old: one dated after the newest checkpoint is caught only by the missing sign-off, ADR
    0018)."""
    head = charts.load_version(store, t.versions[-1])
    content = _more_units(content_to_json(head.content))
    manifest, parts = chart_parts.split_json(content)
    digest = hash_canonical(dumps(content), head.info.content_hash)
    points, strokes, units = version_summary(content_from_json(content))
    statements = _new_parts(store, parts)
    statements.append(
        (
            "INSERT INTO chart_version (chart_id, version_no, parent_id, parent_hash, "
            "content_hash, manifest, saved_at, saved_by_id, comment, point_count, stroke_count, "
            "units_summary) VALUES (:c, :n, :p, :ph, :h, :m, :at, NULL, '', :pc, :sc, :u)",
            {
                "c": t.chart_id,
                "n": head.info.version_no + 1,
                "p": head.info.id,
                "ph": head.info.content_hash,
                "h": digest,
                "m": chart_parts.encode_manifest(manifest),
                "at": _stored_time(store, head.info.saved_at - timedelta(hours=1)),
                "pc": points,
                "sc": strokes,
                "u": units,
            },
        )
    )
    raw(store, statements)
    forged = one(store, "SELECT id FROM chart_version WHERE content_hash = :h", h=digest)[0]
    return [f"chart_version id={forged} "]


def recompute_chain(store: Store, t: Target) -> list[str]:
    """(7) The middle version's content edited and every hash after it recomputed, the
    summary too: the rows alone look perfect."""
    statements: list[tuple[str, dict[str, Any]]] = []
    parent_hash = charts.load_version(store, t.versions[0]).info.content_hash
    for i, vid in enumerate(t.versions[1:], start=1):
        loaded = charts.load_version(store, vid)
        content = content_to_json(loaded.content)
        if i == 1:
            content = _more_units(content)
        manifest, parts = chart_parts.split_json(content)
        canonical = dumps(content)
        digest = hash_canonical(canonical, parent_hash)
        points, strokes, units = version_summary(content_from_json(content))
        statements += _new_parts(store, parts, {p["s"] for _, p in statements if "s" in p})
        statements.append(
            (
                "UPDATE chart_version SET parent_hash = :ph, content_hash = :h, manifest = :m, "
                "point_count = :pc, stroke_count = :sc, units_summary = :u WHERE id = :v",
                {
                    "ph": parent_hash,
                    "h": digest,
                    "m": chart_parts.encode_manifest(manifest),
                    "pc": points,
                    "sc": strokes,
                    "u": units,
                    "v": vid,
                },
            )
        )
        parent_hash = digest
    raw(store, statements)
    return [_version(t, 1)]


def units_summary_400(store: Store, t: Target) -> list[str]:
    """(8) The timeline then shows 400 U."""
    raw(
        store,
        [
            (
                "UPDATE chart_version SET units_summary = :u WHERE id = :v",
                {"u": '{"botox": "400"}', "v": t.versions[-1]},
            )
        ],
    )
    return [_version(t, -1)]


def saved_by_and_saved_at(store: Store, t: Target) -> list[str]:
    """(9) One version said saved by nobody, another a day earlier."""
    at = one(store, "SELECT saved_at FROM chart_version WHERE id = :v", v=t.versions[1])[0]
    raw(
        store,
        [
            ("UPDATE chart_version SET saved_by_id = NULL WHERE id = :v", {"v": t.versions[0]}),
            (
                "UPDATE chart_version SET saved_at = :at WHERE id = :v",
                {"at": _shifted(at), "v": t.versions[1]},
            ),
        ],
    )
    return [_version(t, 0), _version(t, 1)]


def replace_screen_images(store: Store, t: Target) -> list[str]:
    """(10) The display JPEG and the thumbnail replaced by other pictures; the thumbnail's
    stored hash rewritten to match (a careful forger), the display's left."""
    fake = b"\xff\xd8\xff\xe0not the patient\xff\xd9"
    raw(
        store,
        [
            (
                "UPDATE photo_blob SET display_jpeg = :d, thumb_jpeg = :d, thumb_sha256 = :h "
                "WHERE sha256 = :s",
                {"d": fake, "h": hashlib.sha256(fake).hexdigest(), "s": t.photo_sha},
            )
        ],
    )
    return [f"photo_blob sha256={t.photo_sha}: its display image", f"photo id={t.photo_id} "]


def move_photo(store: Store, t: Target) -> list[str]:
    """(11) The photo moved, visit and all, onto another patient."""
    raw(
        store,
        [
            (
                "UPDATE photo SET patient_id = :p, visit_id = :v WHERE id = :id",
                {"p": t.other_patient_id, "v": t.other_visit_id, "id": t.photo_id},
            )
        ],
    )
    return [f"photo id={t.photo_id} ", f"it is now (patient {t.other_patient_id},"]


def patient_name_and_birth(store: Store, t: Target) -> list[str]:
    """(12)"""
    raw(
        store,
        [
            (
                "UPDATE patient SET family_name = :f, date_of_birth = :d WHERE id = :id",
                {"f": "Someone-Else", "d": "1999-09-09", "id": t.patient_id},
            )
        ],
    )
    return [f"ALTERED patient id={t.patient_id}"]


def _new_parts(
    store: Store, parts: dict[str, tuple[str, bytes]], pending: set[str] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """INSERTs of the parts not stored yet (nor about to be)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for sha, (kind, data) in parts.items():
        with store.engine.connect() as conn:
            known = conn.execute(
                text("SELECT 1 FROM chart_part WHERE sha256 = :s"), {"s": sha}
            ).first()
        if known is None and sha not in (pending or set()):
            out.append(
                (
                    "INSERT INTO chart_part (sha256, kind, data) VALUES (:s, :k, :d)",
                    {"s": sha, "k": kind, "d": zlib.compress(data, 6)},
                )
            )
    return out


def _more_units(content: dict[str, Any]) -> dict[str, Any]:
    for view in sorted(content["views"]):
        points = content["views"][view]["points"]
        if points:
            points[0]["units"] = str(int(float(points[0]["units"])) + 10)
            return content
    raise ValueError("a chart without points")


def _shifted(value: Any) -> Any:
    """A stored time, a day earlier, in the form it was read (text on SQLite)."""
    if isinstance(value, str):
        return (datetime.fromisoformat(value) - timedelta(days=1)).isoformat(sep=" ")
    return value - timedelta(days=1)


def _stored_time(store: Store, at: datetime) -> Any:
    """A time as the store writes it: SQLite keeps UTC text without a zone."""
    if store.is_sqlite:
        return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return at


KINDS: dict[str, Callable[[Store, Target], list[str]]] = {
    "units_and_photo_bytes": units_and_photo_bytes,
    "delete_middle_version": delete_middle_version,
    "swap_versions": swap_versions,
    "delete_newest_version": delete_newest_version,
    "delete_every_version": delete_every_version,
    "append_forged_version": append_forged_version,
    "recompute_chain": recompute_chain,
    "units_summary_400": units_summary_400,
    "saved_by_and_saved_at": saved_by_and_saved_at,
    "replace_screen_images": replace_screen_images,
    "move_photo": move_photo,
    "patient_name_and_birth": patient_name_and_birth,
}


def named(expected: list[str], lines: list[str]) -> bool:
    """Every expected text is in one of check's lines."""
    return all(any(e in line for line in lines) for e in expected)
