"""What `check` can tell from the rows alone, without any checkpoint: every photo's bytes and
its two screen images against their stored hashes, every chart part against its address, every
version's hash chain and its summary recomputed from its content, and links that cannot be
(a photo of one patient on another's visit, a touch-up of another patient's visit)."""

from __future__ import annotations

import hashlib
import json
import zlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.canonical import content_from_json
from app.domain.totals import version_summary
from app.integrity.report import Alteration, CheckReport
from app.store import chart_parts
from app.store.hash_chain import hash_json
from app.store.schema import Chart, ChartPart, ChartVersion, Photo, PhotoBlob, Visit


def check_rows(s: Session, report: CheckReport) -> None:
    _photo_blobs(s, report)
    _chart_parts(s, report)
    _versions(s, report)
    _links(s, report)


def _sha(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


def _photo_blobs(s: Session, report: CheckReport) -> None:
    """One photo at a time, so a clinic's originals never sit in memory together."""
    found = report.alterations
    for sha in s.scalars(select(PhotoBlob.sha256).order_by(PhotoBlob.sha256)).all():
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


def _chart_parts(s: Session, report: CheckReport) -> None:
    """Each part is addressed by the hash of its canonical JSON."""
    for sha, data in s.execute(select(ChartPart.sha256, ChartPart.data)):
        report.parts_checked += 1
        try:
            actual = hashlib.sha256(zlib.decompress(data)).hexdigest()
        except zlib.error:
            actual = "undecodable data"
        if actual != sha:
            report.alterations.append(
                Alteration(
                    "chart_part",
                    f"sha256={sha}",
                    f"its content no longer matches its address ({actual})",
                )
            )


def _versions(s: Session, report: CheckReport) -> None:
    """Recompute every version from its content and its parent's stored hash."""
    found = report.alterations
    charts = s.execute(select(Chart.id, Visit.id, Visit.patient_id).join(Visit)).all()
    for chart_id, visit_id, patient_id in charts:
        previous: ChartVersion | None = None
        rows = s.scalars(
            select(ChartVersion)
            .where(ChartVersion.chart_id == chart_id)
            .order_by(ChartVersion.version_no)
        )
        for v in rows:
            report.versions_checked += 1
            where = f"id={v.id} (patient {patient_id}, visit {visit_id}, version {v.version_no})"
            expected_parent = previous.content_hash if previous else ""
            if v.parent_hash != expected_parent or v.parent_id != (
                previous.id if previous else None
            ):
                found.append(
                    Alteration("chart_version", where, "it no longer links to its parent version")
                )
            summary: tuple[int, int, str] | None = None
            try:
                manifest = chart_parts.decode_manifest(v.manifest)
                raw = chart_parts.read_parts(s, chart_parts.manifest_shas(manifest))
                content_json = chart_parts.assemble(manifest, raw)
                actual = hash_json(content_json, v.parent_hash)
                summary = version_summary(content_from_json(content_json))
            except (KeyError, ValueError, TypeError, zlib.error, json.JSONDecodeError) as exc:
                actual = f"unreadable content ({exc})"
            if actual != v.content_hash:
                found.append(
                    Alteration("chart_version", where, "its content does not match its hash")
                )
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
