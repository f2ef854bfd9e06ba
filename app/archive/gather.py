"""Reading what an export writes, a batch of patients at a time (ADR 0023).

One query per table per batch instead of several per patient: a clinic of thousands of patients
spent most of its export in per-patient round trips. A version's canonical content is spliced
from its stored parts' bytes (each part is the canonical JSON of its piece, and canonical JSON
composes), so the chart is not parsed and re-serialised; the splice is checked by the content
hash like any assembly, and a mismatch falls back to the parse-and-serialise path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, undefer

from app.archive.layout import ArchiveVerificationError
from app.domain.canonical import dumps
from app.store import chart_parts
from app.store.hash_chain import hash_canonical
from app.store.schema import (
    Chart,
    ChartSignature,
    ChartVersion,
    Patient,
    PatientDetailChange,
    Photo,
    View,
    Visit,
)

BATCH = 200  # patients per round of queries (IN lists stay well under drivers' limits)


@dataclass
class Batch:
    """The records of some patients, grouped by their owner."""

    patients: list[Patient]
    visits: dict[int, list[Visit]] = field(default_factory=lambda: defaultdict(list))
    charts: dict[int, Chart] = field(default_factory=dict)  # by visit id
    versions: dict[int, list[ChartVersion]] = field(default_factory=lambda: defaultdict(list))
    signatures: dict[int, list[ChartSignature]] = field(default_factory=lambda: defaultdict(list))
    photos: dict[int, list[tuple[Photo, str]]] = field(default_factory=lambda: defaultdict(list))
    changes: dict[int, list[PatientDetailChange]] = field(default_factory=lambda: defaultdict(list))


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def load_batch(s: Session, patient_ids: list[int]) -> Batch:
    batch = Batch(
        list(s.scalars(select(Patient).where(Patient.id.in_(patient_ids)).order_by(Patient.id)))
    )
    visits = s.scalars(
        select(Visit)
        .where(Visit.patient_id.in_(patient_ids))
        .options(lazyload("*"))
        .order_by(Visit.id)
    ).all()
    for v in visits:
        batch.visits[v.patient_id].append(v)
    visit_ids = [v.id for v in visits]
    for ids in _chunks(visit_ids):
        for c in s.scalars(select(Chart).where(Chart.visit_id.in_(ids))):
            batch.charts[c.visit_id] = c
    chart_ids = [c.id for c in batch.charts.values()]
    version_ids = []
    for ids in _chunks(chart_ids):
        for ver in s.scalars(
            select(ChartVersion)
            .where(ChartVersion.chart_id.in_(ids))
            .options(lazyload("*"), undefer(ChartVersion.manifest))
            .order_by(ChartVersion.chart_id, ChartVersion.version_no)
        ):
            batch.versions[ver.chart_id].append(ver)
            version_ids.append(ver.id)
    for ids in _chunks(version_ids):
        for g in s.scalars(
            select(ChartSignature)
            .where(ChartSignature.chart_version_id.in_(ids))
            .options(lazyload("*"))
            .order_by(ChartSignature.id)
        ):
            batch.signatures[g.chart_version_id].append(g)
    for photo, code in s.execute(
        select(Photo, View.code)
        .join(View, View.id == Photo.view_id)
        .where(Photo.patient_id.in_(patient_ids))
        .options(lazyload("*"))
        .order_by(Photo.id)
    ):
        batch.photos[photo.patient_id].append((photo, code))
    for change in s.scalars(
        select(PatientDetailChange)
        .where(PatientDetailChange.patient_id.in_(patient_ids))
        .options(lazyload("*"))
        .order_by(PatientDetailChange.id)
    ):
        batch.changes[change.patient_id].append(change)
    return batch


def canonical_versions(s: Session, versions: list[ChartVersion]) -> list[bytes]:
    """Each version's canonical content, its hash checked (ArchiveVerificationError if not)."""
    manifests = [chart_parts.decode_manifest(v.manifest) for v in versions]
    wanted: set[str] = set()
    for m in manifests:
        wanted |= chart_parts.manifest_shas(m)
    parts = chart_parts.read_parts(s, wanted)  # a chart's versions share most parts: read once
    out = []
    for v, m in zip(versions, manifests, strict=True):
        try:
            canonical = chart_parts.splice(m, parts)
            if hash_canonical(canonical, v.parent_hash) != v.content_hash:
                canonical = dumps(chart_parts.assemble(m, parts))
        except KeyError as exc:
            raise ArchiveVerificationError(
                f"Chart version {v.id} cannot be read ({exc}); run `check`. Nothing was written."
            ) from None
        if hash_canonical(canonical, v.parent_hash) != v.content_hash:
            raise ArchiveVerificationError(
                f"Chart version {v.id} does not match its hash; run `check`. Nothing was written."
            )
        out.append(canonical)
    return out
