"""What `check` can tell from the rows alone, without any checkpoint: every photo's bytes and
its two screen images against their stored hashes, every chart part against its address, every
version's hash chain and its summary recomputed from its content, and links that cannot be
(a photo of one patient on another's visit, a touch-up of another patient's visit)."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.values import format_units
from app.integrity.report import Alteration, CheckReport
from app.store import chart_parts
from app.store.hash_chain import hash_canonical, hash_json
from app.store.schema import Chart, ChartPart, ChartVersion, Photo, PhotoBlob, Visit


def check_rows(s: Session, report: CheckReport, images: bool = True) -> None:
    """`images` False: a database from before migration 0008 (`check` never migrates) has no
    hashes of its screen images to compare."""
    _photo_blobs(s, report, images)
    checked: set[str] = set()  # parts whose address was verified on the way
    _versions(s, report, checked)
    _chart_parts(s, report, checked)
    _links(s, report)


def _sha(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


def _photo_blobs(s: Session, report: CheckReport, images: bool) -> None:
    """One photo at a time, so a clinic's originals never sit in memory together."""
    found = report.alterations
    for sha in s.scalars(select(PhotoBlob.sha256).order_by(PhotoBlob.sha256)).all():
        if not images:
            data = s.scalar(select(PhotoBlob.data).where(PhotoBlob.sha256 == sha))
            display = thumb = display_sha = thumb_sha = None
        else:
            data, display, thumb, display_sha, thumb_sha = s.execute(
                select(
                    PhotoBlob.data,
                    PhotoBlob.display_jpeg,
                    PhotoBlob.thumb_jpeg,
                    PhotoBlob.display_sha256,
                    PhotoBlob.thumb_sha256,
                ).where(PhotoBlob.sha256 == sha)
            ).one()
        report.photos_checked += 1
        key = f"sha256={sha}"
        actual = _sha(data)
        if actual != sha:
            found.append(Alteration("photo_blob", key, f"the stored bytes hash to {actual}"))
        if not images:
            continue
        for what, image, stored in (
            ("display image", display, display_sha),
            ("thumbnail", thumb, thumb_sha),
        ):
            if stored is None:
                found.append(Alteration("photo_blob", key, f"its {what} has no stored hash"))
            elif _sha(image) != stored:
                found.append(
                    Alteration("photo_blob", key, f"its {what} is not the one stored with it")
                )


def _chart_parts(s: Session, report: CheckReport, checked: set[str]) -> None:
    """The parts no version uses (the versions' own were verified as they were read)."""
    rest = [sha for sha in s.scalars(select(ChartPart.sha256)) if sha not in checked]
    _read_parts(s, rest, report, checked)


def _read_parts(
    s: Session, shas: Sequence[str], report: CheckReport, checked: set[str]
) -> dict[str, bytes]:
    """The parts' canonical bytes; each part's address is verified the first time it is read
    (a part is addressed by the SHA-256 of its canonical JSON)."""
    out: dict[str, bytes] = {}
    ordered = sorted(shas)
    for i in range(0, len(ordered), 500):  # IN lists well under any driver's limit
        rows = s.execute(
            select(ChartPart.sha256, ChartPart.data).where(
                ChartPart.sha256.in_(ordered[i : i + 500])
            )
        )
        for sha, data in rows:
            try:
                raw: bytes | None = zlib.decompress(data)
                actual = hashlib.sha256(raw or b"").hexdigest()
            except (zlib.error, TypeError):
                raw, actual = None, "undecodable data"
            if raw is not None:
                out[sha] = raw
            if sha in checked:
                continue
            checked.add(sha)
            report.parts_checked += 1
            if actual != sha:
                report.alterations.append(
                    Alteration(
                        "chart_part",
                        f"sha256={sha}",
                        f"its content no longer matches its address ({actual})",
                    )
                )
    return out


def _versions(s: Session, report: CheckReport, checked: set[str]) -> None:
    """Recompute every version from its content and its parent's stored hash, and its summary
    from its points. One pass over all versions, chart by chart; the parts a chart's versions
    share are read once."""
    found = report.alterations
    charts = {
        c.id: c
        for c in s.execute(
            select(Chart.id, Visit.id.label("visit_id"), Visit.patient_id).join(Visit)
        )
    }
    rows = s.execute(
        select(
            ChartVersion.id,
            ChartVersion.chart_id,
            ChartVersion.version_no,
            ChartVersion.parent_id,
            ChartVersion.parent_hash,
            ChartVersion.content_hash,
            ChartVersion.manifest,
            ChartVersion.point_count,
            ChartVersion.stroke_count,
            ChartVersion.units_summary,
        ).order_by(ChartVersion.chart_id, ChartVersion.version_no)
    )
    previous: Any = None
    parts: dict[str, bytes] = {}
    points_of: dict[str, tuple[int, dict[str, Decimal]]] = {}
    for v, manifest in _with_parts(s, rows.all(), parts, report, checked):
        if previous is not None and previous.chart_id != v.chart_id:
            previous = None  # a new chart
        report.versions_checked += 1
        chart = charts.get(v.chart_id)
        where = (
            f"id={v.id} (patient {chart.patient_id}, visit {chart.visit_id}, "
            f"version {v.version_no})"
            if chart
            else f"id={v.id} (chart {v.chart_id}, which is gone, version {v.version_no})"
        )
        expected_parent = previous.content_hash if previous else ""
        if v.parent_hash != expected_parent or v.parent_id != (previous.id if previous else None):
            found.append(
                Alteration("chart_version", where, "it no longer links to its parent version")
            )
        summary: tuple[int, int, str] | None = None
        try:
            if isinstance(manifest, Exception):
                raise manifest
            actual = _content_hash(manifest, parts, v.parent_hash, v.content_hash)
            summary = _summary(manifest, parts, points_of)
        except (KeyError, ValueError, TypeError, AttributeError, zlib.error) as exc:
            actual = f"unreadable content ({exc})"
        if actual != v.content_hash:
            found.append(Alteration("chart_version", where, "its content does not match its hash"))
        elif summary is not None and summary != (
            v.point_count,
            v.stroke_count,
            v.units_summary,
        ):
            found.append(
                Alteration(
                    "chart_version",
                    where,
                    f"its summary ({v.point_count} points, {v.stroke_count} strokes, "
                    f"units {v.units_summary}) is not its content's ({summary[0]} points, "
                    f"{summary[1]} strokes, units {summary[2]})",
                )
            )
        previous = v


BATCH = 200  # versions whose parts are read together: a few queries, a few MB at a time


def _with_parts(
    s: Session,
    rows: Sequence[Any],
    parts: dict[str, bytes],
    report: CheckReport,
    checked: set[str],
) -> Iterator[tuple[Any, dict[str, Any] | Exception]]:
    """The versions in order, each with its manifest (or why it cannot be read), once the
    parts of its batch are in `parts` (which holds one batch at a time)."""
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        manifests: list[dict[str, Any] | Exception] = []
        wanted: set[str] = set()
        for v in batch:
            try:
                manifest = chart_parts.decode_manifest(v.manifest)
                wanted |= chart_parts.manifest_shas(manifest)
                manifests.append(manifest)
            except (KeyError, ValueError, TypeError, AttributeError, zlib.error) as exc:
                manifests.append(exc)
        parts.clear()
        parts.update(_read_parts(s, list(wanted), report, checked))
        yield from zip(batch, manifests, strict=True)


def _content_hash(
    manifest: dict[str, Any], parts: dict[str, bytes], parent_hash: str, stored: str
) -> str:
    """The version's hash (ADR 0003). The canonical bytes are spliced from the parts' own
    canonical bytes (JSON is compositional); only when that disagrees with the stored hash is
    the content parsed and serialised again, so a part stored in another but equal spelling
    is judged exactly as the save that made it."""
    quick = hash_canonical(chart_parts.splice(manifest, parts), parent_hash)
    if quick == stored:
        return quick
    return hash_json(chart_parts.assemble(manifest, parts), parent_hash)


def _summary(
    manifest: dict[str, Any],
    parts: dict[str, bytes],
    points_of: dict[str, tuple[int, dict[str, Decimal]]],
) -> tuple[int, int, str]:
    """`version_summary` of the content, from its points parts (each read once)."""
    points = 0
    units: dict[str, Decimal] = {}
    strokes = 0
    for v in manifest["views"].values():
        strokes += len(v["strokes"])
        sha = v["points"]
        if sha not in points_of:
            per: dict[str, Decimal] = {}
            listed = json.loads(parts[sha])
            for p in listed:
                per[p["product"]] = per.get(p["product"], Decimal(0)) + Decimal(p["units"])
            points_of[sha] = (len(listed), per)
        n, per = points_of[sha]
        points += n
        for product, u in per.items():
            units[product] = units.get(product, Decimal(0)) + u
    return points, strokes, json.dumps({k: format_units(u) for k, u in sorted(units.items())})


def _links(s: Session, report: CheckReport) -> None:
    """Links the app never makes: each one means a row was moved."""
    photo_visits = s.execute(
        select(Photo.id, Photo.patient_id, Visit.id, Visit.patient_id)
        .join(Visit, Visit.id == Photo.visit_id)
        .where(Photo.patient_id != Visit.patient_id)
    )
    for photo_id, photo_patient, visit_id, visit_patient in photo_visits:
        report.alterations.append(
            Alteration(
                "photo",
                f"id={photo_id} (patient {photo_patient}, visit {visit_id})",
                f"it belongs to patient {photo_patient} but sits on visit {visit_id} of "
                f"patient {visit_patient}",
            )
        )
    earlier = Visit.__table__.alias("earlier")
    touch_ups = s.execute(
        select(Visit.id, Visit.patient_id, earlier.c.id, earlier.c.patient_id)
        .join(earlier, earlier.c.id == Visit.touch_up_of_id)
        .where(earlier.c.patient_id != Visit.patient_id)
    )
    for visit_id, patient, other_id, other_patient in touch_ups:
        report.alterations.append(
            Alteration(
                "visit",
                f"id={visit_id} (patient {patient})",
                f"it is a touch-up of visit {other_id}, which is patient {other_patient}'s",
            )
        )
