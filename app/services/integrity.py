"""`check`: walk every chart's hash chain and every stored photo's hash; report altered rows."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass

from sqlalchemy import select

from app.services.audit import verify_audit
from app.store import chart_parts
from app.store.database import Store
from app.store.hash_chain import hash_json
from app.store.schema import Chart, ChartPart, ChartVersion, PhotoBlob, Visit


@dataclass(frozen=True, slots=True)
class Alteration:
    table: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"ALTERED {self.table} {self.key}: {self.problem}"


@dataclass(frozen=True, slots=True)
class CheckReport:
    alterations: list[Alteration]
    versions_checked: int
    photos_checked: int
    parts_checked: int

    @property
    def intact(self) -> bool:
        return not self.alterations


def check_store(store: Store) -> CheckReport:
    found: list[Alteration] = []
    photos = parts = versions = 0
    with store.read() as s:
        # Photo originals: one at a time, so a large record never sits in memory at once.
        for sha in s.scalars(select(PhotoBlob.sha256).order_by(PhotoBlob.sha256)).all():
            data = s.scalar(select(PhotoBlob.data).where(PhotoBlob.sha256 == sha)) or b""
            actual = hashlib.sha256(data).hexdigest()
            photos += 1
            if actual != sha:
                found.append(
                    Alteration("photo_blob", f"sha256={sha}", f"the stored bytes hash to {actual}")
                )
        # Chart parts: each is addressed by the hash of its canonical JSON.
        for sha, data in s.execute(select(ChartPart.sha256, ChartPart.data)):
            parts += 1
            try:
                actual = hashlib.sha256(zlib.decompress(data)).hexdigest()
            except zlib.error:
                actual = "undecodable data"
            if actual != sha:
                found.append(
                    Alteration(
                        "chart_part",
                        f"sha256={sha}",
                        f"its content no longer matches its address ({actual})",
                    )
                )
        # Hash chains: recompute every version from its content and its parent's stored hash.
        charts = s.execute(select(Chart.id, Visit.id, Visit.patient_id).join(Visit)).all()
        for chart_id, visit_id, patient_id in charts:
            previous: ChartVersion | None = None
            rows = s.scalars(
                select(ChartVersion)
                .where(ChartVersion.chart_id == chart_id)
                .order_by(ChartVersion.version_no)
            )
            for v in rows:
                versions += 1
                where = (
                    f"id={v.id} (patient {patient_id}, visit {visit_id}, version {v.version_no})"
                )
                expected_parent = previous.content_hash if previous else ""
                if v.parent_hash != expected_parent or v.parent_id != (
                    previous.id if previous else None
                ):
                    found.append(
                        Alteration(
                            "chart_version", where, "it no longer links to its parent version"
                        )
                    )
                try:
                    manifest = chart_parts.decode_manifest(v.manifest)
                    raw = chart_parts.read_parts(s, chart_parts.manifest_shas(manifest))
                    content_json = chart_parts.assemble(manifest, raw)
                    actual = hash_json(content_json, v.parent_hash)
                except (KeyError, ValueError, zlib.error, json.JSONDecodeError) as exc:
                    actual = f"unreadable content ({exc})"
                if actual != v.content_hash:
                    found.append(
                        Alteration("chart_version", where, "its content does not match its hash")
                    )
                previous = v
        # The audit trail's hash chain (issue #11): each edited or removed event, by seq.
        found.extend(Alteration("audit_event", f"seq={p.seq}", p.problem) for p in verify_audit(s))
    return CheckReport(found, versions, photos, parts)
