"""A visit's report (issue #12): gathered the way the editor opens a chart
(`chart_opening.open_chart`), so the paper shows what the screen shows, then drawn to PDF by
app/reports/visit_pdf.py. Writing one is recorded in the audit trail."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from app.domain.checks import SafetyChecks
from app.domain.mn_totals import depth_warnings
from app.domain.totals import totals
from app.domain.values import TreatmentType, format_units, utcnow
from app.integrity.checkpoints import latest_code
from app.reports import visit_pdf
from app.reports.model import (
    ReportPoint,
    ReportProduct,
    ReportSignature,
    ReportView,
    VisitReport,
)
from app.services import charts
from app.services.chart_opening import open_chart
from app.services.integrity import checkpoint_quietly
from app.store import audit_log
from app.store.database import Store
from app.store.private import created_dirs, session_temp_dir
from app.store.schema import ChartSignature, ChartVersion, Setting

__all__ = ["VisitReport", "file_name", "keep_copy", "preview_report", "visit_report"]
__all__ += ["write_visit_report"]

CLINIC_SETTING = "clinic_name"
DEFAULT_CLINIC = "FaceChart clinic"
# the editor's product colours, in the order products first appear (ui/editor/items.py)
PRODUCT_COLOURS = ("#F2C14E", "#4FC3F7", "#B388FF", "#81C784", "#FF8A65", "#F06292")


def visit_report(
    store: Store, visit_id: int, version_id: int | None = None, *, patient_copy: bool = False
) -> VisitReport:
    """What the report of one version shows (the newest unless `version_id` is given)."""
    opening = open_chart(store, visit_id, version_id)
    visit, patient, content = opening.visit, opening.patient, opening.content
    products = {p.code: p for p in opening.products}
    history = charts.history(store, visit_id)
    version = opening.version

    def name(code: str) -> str:
        return products[code].name if code in products else code

    def unit(code: str) -> str:
        return products[code].unit_label if code in products else "U"

    dilutions = {u.product: u.dilution for u in content.products if u.dilution is not None}
    colours: dict[str, str] = {}
    views: list[ReportView] = []
    number = 0
    for code in opening.view_codes:
        chart = content.view(code)
        if chart is None:
            continue
        numbered = []
        for p in chart.points:
            number += 1
            colours.setdefault(p.product, PRODUCT_COLOURS[len(colours) % len(PRODUCT_COLOURS)])
            d = dilutions.get(p.product)
            numbered.append(
                ReportPoint(
                    number,
                    opening.view_names.get(code, code),
                    p,
                    name(p.product),
                    unit(p.product),
                    format_units(d.volume_ml(p.units)) if d is not None else "",
                )
            )
        photo = opening.photos.get(code)
        views.append(
            ReportView(
                code,
                opening.view_names.get(code, code),
                photo.display_jpeg if photo else None,
                photo.size if photo else (1000, 1250),
                chart.strokes,
                tuple(numbered),
                colours,
                # by name, then id: the report's numbering reads down the table
                tuple(sorted(chart.areas, key=lambda a: (a.name.lower(), a.id))),
            )
        )

    per_product = totals(content)
    used = {u.product: u for u in content.products}
    report_products = []
    for code in sorted(set(per_product) | set(used), key=name):
        use = used.get(code)
        t = per_product.get(code)
        dil = use.dilution if use else None
        report_products.append(
            ReportProduct(
                name(code),
                use.lot if use else "",
                use.expiry if use else None,
                f"{format_units(dil.vial_units)} {unit(code)} in {format_units(dil.diluent_ml)} mL"
                if dil
                else "",
                f"{format_units(t.total)} {unit(code)}" if t else "—",
            )
        )

    previous = None
    if visit.touch_up_of_id is None and opening.previous_toxin is not None:
        previous = opening.previous_toxin.visit_date
    checks = SafetyChecks(
        visit.visit_date,
        visit.visit_date,  # as of the visit's date: a lot expired since then was fine then
        previous,
        opening.dose_history,
        opening.warning_switches,
        max_per_point={
            p.code: p.max_units_per_point
            for p in opening.products
            if p.max_units_per_point is not None
        },
    )
    if visit.treatment_type is TreatmentType.MICRONEEDLING:
        # the toxin rows (label doses, 90 days) say nothing of a microneedling session
        shown = opening.warning_switches.shown(depth_warnings(content))
        warnings = tuple(w.text for w in shown)
    else:
        warnings = tuple(w.text for w in checks.for_chart(content))

    signatures: tuple[ReportSignature, ...] = ()
    amend_reason = None
    clinic = DEFAULT_CLINIC
    with store.read() as s:
        if version is not None:
            rows = s.scalars(
                select(ChartSignature)
                .where(ChartSignature.chart_version_id == version.id)
                .order_by(ChartSignature.signed_at)
            )
            signatures = tuple(
                ReportSignature(r.kind, r.practitioner.name, r.signed_at) for r in rows
            )
            amend_reason = s.scalar(
                select(ChartVersion.amend_reason).where(ChartVersion.id == version.id)
            )
        setting = s.get(Setting, CLINIC_SETTING)
        if setting is not None and setting.value.strip():
            clinic = setting.value.strip()

    return VisitReport(
        clinic=clinic,
        patient_name=patient.display_name,
        date_of_birth=patient.date_of_birth,
        record_number=patient.record_number,
        practitioner=visit.practitioner,
        visit_date=visit.visit_date,
        treatment=str(visit.treatment_type.value),
        version_no=version.version_no if version else None,
        version_count=len(history),
        saved_at=version.saved_at if version else None,
        saved_by=version.saved_by if version else "",
        content_hash=version.content_hash if version else "",
        views=tuple(views),
        products=tuple(report_products),
        warnings=warnings,
        signatures=signatures,
        chart_note="" if patient_copy else content.note,
        visit_notes="" if patient_copy else visit.notes,
        patient_copy=patient_copy,
        generated_at=utcnow(),
        amend_reason=amend_reason,
        microneedling=content.microneedling,
    )


def write_visit_report(
    store: Store,
    visit_id: int,
    out: Path,
    *,
    version_id: int | None = None,
    patient_copy: bool = False,
    actor_id: int | None = None,
) -> VisitReport:
    """Write the PDF to `out` (through a temporary file, so a failed write leaves no half
    report) and record it in the audit trail."""
    # A report is a moment the records are vouched for: sign a checkpoint and print its code
    checkpoint_quietly(store, "report")
    report = replace(
        visit_report(store, visit_id, version_id, patient_copy=patient_copy),
        checkpoint_code=latest_code(store),
    )
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            visit_pdf.write_pdf(report, f)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    with store.write() as s:
        audit_log.append(
            s,
            "report",
            actor_id,
            patient_id=None,
            visit_id=visit_id,
            subject=f"chart_version:{report.version_no}" if report.version_no else "",
            detail="patient copy" if patient_copy else "",
        )
    return report


def preview_report(
    store: Store,
    visit_id: int,
    *,
    version_id: int | None = None,
    patient_copy: bool = False,
    actor_id: int | None = None,
) -> tuple[VisitReport, Path]:
    """The report written into this run's private temporary folder, for the preview screen
    (it holds patient data: never a shared temporary folder)."""
    folder = session_temp_dir("facechart-reports-")
    fd, name = tempfile.mkstemp(prefix="report-", suffix=".pdf", dir=folder)
    os.close(fd)
    out = Path(name)
    report = write_visit_report(
        store,
        visit_id,
        out,
        version_id=version_id,
        patient_copy=patient_copy,
        actor_id=actor_id,
    )
    return report, out


def file_name(report: VisitReport) -> str:
    """`2026-08-02 Zoë Martin neurotoxin v2.pdf`: sorts by date, says whose and which."""
    unsafe = '<>:"/\\|?*'
    who = "".join("_" if ch in unsafe or ord(ch) < 32 else ch for ch in report.patient_name)
    version = f" v{report.version_no}" if report.version_no else ""
    copy = " patient copy" if report.patient_copy else ""
    return f"{report.visit_date:%Y-%m-%d} {who} {report.treatment}{version}{copy}.pdf"


def keep_copy(pdf: Path, report: VisitReport, folder: Path) -> Path:
    """Copy a previewed report into `folder` (made if missing) without overwriting another."""
    created_dirs(folder)
    target = folder / file_name(report)
    n = 2
    while target.exists():
        target = folder / f"{target.stem.rsplit(' (', 1)[0]} ({n}).pdf"
        n += 1
    target.write_bytes(pdf.read_bytes())
    return target
