"""Shared set-up for the fault tests (issue #2): a charted visit on a real store, row counts,
file fingerprints. Nothing here mocks the database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from app.domain.canonical import normalise
from app.domain.chart import ChartContent, InjectionPoint, Stroke, ViewChart
from app.services import charts, patients, photos, practitioners, visits
from app.services.charts import VersionInfo
from app.store.database import Store
from tests.images import face_image, jpeg_bytes

TABLES = ("patient", "visit", "photo", "photo_blob", "chart", "chart_version", "chart_part")


@dataclass(frozen=True)
class Charted:
    patient_id: int
    visit_id: int
    clinician_id: int
    photo_sha: str
    v1: VersionInfo
    v1_content: ChartContent


def content_v1(photo_sha: str) -> ChartContent:
    return ChartContent(
        views=(
            ViewChart(
                "frown",
                photo_sha,
                strokes=(Stroke(((10.0, 20.0, 0.5, 0.0), (30.0, 40.0, 0.7, 16.0)), id="s-1"),),
                points=(
                    InjectionPoint(120.25, 80.5, "botox", Decimal("4"), zone="procerus", id="p1"),
                    InjectionPoint(90.0, 70.0, "botox", Decimal("2.5"), zone="corrugator", id="p2"),
                ),
            ),
        ),
        note="first plan",
    )


def content_v2(photo_sha: str) -> ChartContent:
    v1 = content_v1(photo_sha)
    view = v1.views[0]
    extra = InjectionPoint(150.0, 75.0, "botox", Decimal("4"), zone="corrugator", id="p3")
    return ChartContent(
        views=(ViewChart(view.view, photo_sha, view.strokes, (*view.points, extra)),),
        note="touch-up added",
    )


def make_charted(store: Store) -> Charted:
    """A patient, a neurotoxin visit, a frown photo and version 1 of its chart."""
    clinician = practitioners.default_practitioner(store)
    patient = patients.create_patient(store, "Ada", "Lovelace", date(1985, 12, 10))
    visit = visits.start_visit(store, patient.id, clinician.id, "neurotoxin")
    photo = photos.add_photo_bytes(
        store, patient.id, "frown", jpeg_bytes(face_image(160, 200)), visit_id=visit.id
    )
    content = content_v1(photo.sha256)
    v1 = charts.save_version(
        store, visit.id, content, parent_version_id=None, saved_by_id=clinician.id
    )
    return Charted(patient.id, visit.id, clinician.id, photo.sha256, v1, content)


def row_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_v1_intact(store: Store, charted: Charted) -> None:
    """Version 1 is still the head, with exactly the content that was saved."""
    loaded = charts.load_version(store, charted.v1.id)
    assert loaded.content == normalise(charted.v1_content)
    assert loaded.info.content_hash == charted.v1.content_hash
    assert loaded.is_head
    assert [v.version_no for v in charts.history(store, charted.visit_id)] == [1]
