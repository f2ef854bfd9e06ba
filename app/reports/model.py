"""What a visit report shows, gathered by app/services/reports.py and drawn by visit_pdf.py:
plain values, so drawing never reads the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.chart import InjectionPoint, Stroke
from app.domain.microneedling import MicroneedlingSession, TreatedArea


@dataclass(frozen=True, slots=True)
class ReportPoint:
    number: int  # as labelled on the photo and in the table
    view_name: str
    point: InjectionPoint
    product_name: str
    unit_label: str
    volume_ml: str  # "0.1" or "" without a dilution


@dataclass(frozen=True, slots=True)
class ReportView:
    code: str
    name: str
    photo_jpeg: bytes | None  # the display JPEG (2560 px: about 300 dpi as printed)
    frame: tuple[int, int]  # the photo's upright size: the chart's coordinates
    strokes: tuple[Stroke, ...]
    points: tuple[ReportPoint, ...]
    product_colours: dict[str, str] = field(default_factory=dict)
    areas: tuple[TreatedArea, ...] = ()  # a microneedling chart's, numbered in this order


@dataclass(frozen=True, slots=True)
class ReportSignature:
    kind: str  # "sign" | "cosign"
    name: str
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class ReportProduct:
    name: str
    lot: str
    expiry: date | None
    dilution: str  # "100 U in 2.5 mL" or ""
    total: str  # "20 U"


@dataclass(frozen=True, slots=True)
class VisitReport:
    clinic: str
    patient_name: str
    date_of_birth: date
    record_number: str | None
    practitioner: str
    visit_date: date
    treatment: str
    version_no: int | None  # None: nothing saved yet
    version_count: int
    saved_at: datetime | None
    saved_by: str
    content_hash: str
    views: tuple[ReportView, ...]
    products: tuple[ReportProduct, ...]
    warnings: tuple[str, ...]
    signatures: tuple[ReportSignature, ...]
    chart_note: str  # "" in a patient copy
    visit_notes: str  # "" in a patient copy
    patient_copy: bool
    generated_at: datetime
    amend_reason: str | None = None
    # the newest signed checkpoint's short code when the report was made (ADR 0025): `check`
    # can tell whether the database still holds it, unchanged
    checkpoint_code: str | None = None
    # a microneedling chart's session record (device, cartridge and lot, ...), ADR 0029
    microneedling: MicroneedlingSession | None = None

    @property
    def signed(self) -> bool:
        return any(s.kind == "sign" for s in self.signatures)

    @property
    def short_code(self) -> str:
        """The first 12 hex digits of the version's hash: enough to find and compare it."""
        return self.content_hash[:12]
