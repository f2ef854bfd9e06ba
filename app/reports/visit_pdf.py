"""A visit's chart as a PDF (issue #12), drawn with reportlab (BSD; pure Python, so it runs
without a display and on every platform).

Page 1: clinic, patient, practitioner, visit, the version and its hash (short code and a QR
code of the full hash, so a reader can check the paper against the record), signatures,
warnings, products with lot, expiry and dilution, totals per product. Then one page per view:
the photo with the markings and numbered points drawn as on screen, and that view's points.
An unsigned version says "NOT SIGNED" across every page.

Photos are the display JPEGs (2560 px on the long side: about 300 dpi on the printed page),
embedded as they are stored, never re-encoded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.domain import strokes as geo
from app.domain.values import format_units
from app.reports import mn_pdf
from app.reports.model import ReportPoint, ReportView, VisitReport

# Streams are written as binary: ASCII85 text made a 3 MB report 25 % larger and spent most
# of its time encoding the photos.
rl_config.useA85 = 0

FONT, BOLD = "FaceChartSans", "FaceChartSans-Bold"
PENCILS = {"white": "#FFFFFF", "black": "#111111", "red": "#E5322D", "blue": "#1E6FE8"}
MARGIN = 15 * mm
INK = colors.HexColor("#10161C")
MUTED = colors.HexColor("#55606B")
POINT_RADIUS = 5.2  # points (1/72 in): the number inside stays legible in print
DEPTH_SHORT = {"intramuscular": "IM", "intradermal": "ID", "subcutaneous": "SC"}


def _register_fonts() -> None:
    """DejaVu Sans (resources/fonts): every accented or non-Latin name prints, where the PDF
    base fonts know Latin-1 only."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    fonts = resources.files("resources").joinpath("fonts")
    for name, file in ((FONT, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(fonts.joinpath(file).read_bytes())))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=12, leading=15, spaceBefore=8
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        "warn": ParagraphStyle(
            "warn", parent=body, textColor=colors.HexColor("#8A4B00"), leftIndent=6
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str, style: ParagraphStyle, fits: int = 24) -> str | Paragraph:
    """Short text as a plain cell; only text that may need wrapping pays for a Paragraph
    (a 240-point chart's tables took a second as Paragraphs)."""
    return text if len(text) <= fits else Paragraph(_esc(text), style)


def _when(t: datetime) -> str:
    return t.astimezone().strftime("%d %b %Y %H:%M")


class MarkedPhoto(Flowable):
    """A view's photo scaled into the frame, with its strokes and numbered points on top."""

    def __init__(self, view: ReportView, max_w: float, max_h: float) -> None:
        super().__init__()
        self.view = view
        fw, fh = view.frame
        self.scale = min(max_w / fw, max_h / fh)
        self.width, self.height = fw * self.scale, fh * self.scale

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale, self.height - y * self.scale

    def draw(self) -> None:
        c: Canvas = self.canv
        if self.view.photo_jpeg is not None:
            c.drawImage(
                ImageReader(io.BytesIO(self.view.photo_jpeg)), 0, 0, self.width, self.height
            )
        else:
            c.setFillColor(colors.HexColor("#2A3138"))
            c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        if self.view.areas:  # a microneedling chart's, under its strokes
            mn_pdf.draw_areas(c, self.view.areas, self._xy, BOLD)
        for stroke in self.view.strokes:
            self._stroke(c, stroke)
        for rp in self.view.points:
            self._point(c, rp)

    def _stroke(self, c: Canvas, stroke: Any) -> None:
        colour = colors.HexColor(PENCILS.get(stroke.color, stroke.color))
        # no spline points between samples: printed, samples are a fraction of a point apart
        curve = geo.smooth(stroke.samples, subdivisions=1)
        if not curve:
            return
        if stroke.style == "dashed":
            c.setStrokeColor(colour)
            c.setLineWidth(max(stroke.width * 0.6 * self.scale, 0.5))
            c.setDash(6, 4)
            path = c.beginPath()
            path.moveTo(*self._xy(curve[0][0], curve[0][1]))
            for x, y, _ in curve[1:]:
                path.lineTo(*self._xy(x, y))
            c.drawPath(path, stroke=1, fill=0)
            c.setDash()
            return
        c.setFillColor(colour)
        left, right = geo.outline(curve, stroke.width)
        path = c.beginPath()
        ring = left + right[::-1]
        path.moveTo(*self._xy(*ring[0]))
        for x, y in ring[1:]:
            path.lineTo(*self._xy(x, y))
        path.close()
        c.drawPath(path, stroke=0, fill=1, fillMode=1)
        for x, y, p in (curve[0], curve[-1]):  # round ends, like a pencil tip
            r = geo.width_at(stroke.width, p) / 2 * self.scale
            c.circle(*self._xy(x, y), r, stroke=0, fill=1)

    def _point(self, c: Canvas, rp: ReportPoint) -> None:
        """The editor's ring in the product's colour, with the point's number inside: the
        table beside the photo gives its units, so labels never pile up in a dense cluster."""
        x, y = self._xy(rp.point.x, rp.point.y)
        fill = self.view.product_colours.get(rp.point.product, "#F2C14E")
        c.setLineWidth(1.0)
        c.setStrokeColor(INK)
        c.setFillColor(colors.HexColor(fill))
        c.circle(x, y, POINT_RADIUS, stroke=1, fill=1)
        c.setFillColor(INK)
        c.setFont(BOLD, 5.6 if rp.number < 100 else 4.4)
        c.drawCentredString(x, y - 2.0, str(rp.number))


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
    t = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
                ("FONT", (0, 1), (-1, -1), FONT, 8.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#C9CFD4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return t


def _qr(data: str, size: float) -> Drawing:
    widget = QrCodeWidget(data)
    x0, y0, x1, y1 = widget.getBounds()
    d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    d.add(widget)
    return d


def _summary(r: VisitReport, st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    treatment = r.treatment.capitalize()
    story: list[Flowable] = [
        Paragraph(_esc(f"{treatment} treatment — {r.visit_date:%d %B %Y}"), st["title"]),
        Spacer(0, 4),
    ]
    version = (
        f"version {r.version_no} of {r.version_count}, saved {_when(r.saved_at)} by "
        f"{r.saved_by or 'unknown'}"
        if r.version_no is not None and r.saved_at is not None
        else "not saved"
    )
    facts = [
        ("Patient", r.patient_name),
        ("Date of birth", f"{r.date_of_birth:%d %B %Y}"),
        ("Record number", r.record_number or "—"),
        ("Practitioner", r.practitioner),
        ("Clinic", r.clinic),
        ("Chart", version),
    ]
    if r.amend_reason:
        facts.append(("Amended because", r.amend_reason))
    rows = [[Paragraph(_esc(k), st["small"]), Paragraph(_esc(v), st["body"])] for k, v in facts]
    info = Table(rows, colWidths=[32 * mm, width - 32 * mm - 36 * mm])
    info.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    )
    code = [
        _qr(r.content_hash or "unsaved", 30 * mm),
        Paragraph(_esc(f"Code {r.short_code or '—'}"), st["small"]),
    ]
    story.append(Table([[info, code]], colWidths=[width - 36 * mm, 36 * mm]))
    story.append(Paragraph(_esc(f"Version hash: {r.content_hash or '—'}"), st["small"]))
    if r.checkpoint_code:
        story.append(
            Paragraph(
                _esc(f"Signed checkpoint of the record: {r.checkpoint_code}"),
                st["small"],
            )
        )

    story.append(Paragraph("Signatures", st["h2"]))
    if r.signatures:
        for s in r.signatures:
            word = "Signed" if s.kind == "sign" else "Co-signed"
            story.append(Paragraph(_esc(f"{word} by {s.name}, {_when(s.signed_at)}"), st["body"]))
    else:
        story.append(Paragraph("NOT SIGNED", st["body"]))

    if r.warnings:
        story.append(Paragraph("Warnings (as of the visit's date)", st["h2"]))
        story += [Paragraph("• " + _esc(w), st["warn"]) for w in r.warnings]

    if r.microneedling is not None:
        story += mn_pdf.session_section(r.microneedling, st, width, _table, mm)

    if r.products:
        story.append(Paragraph("Products", st["h2"]))
        rows2: list[list[Any]] = [["Product", "Lot", "Expiry", "Dilution", "Total"]]
        rows2 += [
            [
                Paragraph(_esc(p.name), st["cell"]),
                p.lot or "—",
                f"{p.expiry:%m/%Y}" if p.expiry else "—",
                p.dilution or "—",
                p.total,
            ]
            for p in r.products
        ]
        story.append(_table(rows2, [55 * mm, 30 * mm, 22 * mm, 40 * mm, width - 147 * mm]))

    if not r.patient_copy and (r.chart_note or r.visit_notes):
        story.append(Paragraph("Clinical notes", st["h2"]))
        for note in (r.visit_notes, r.chart_note):
            if note:
                story.append(Paragraph(_esc(note).replace("\n", "<br/>"), st["body"]))
    return story


def _view_pages(r: VisitReport, st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    story: list[Flowable] = []
    for view in r.views:
        story += [PageBreak(), Paragraph(_esc(view.name), st["h2"]), Spacer(0, 3)]
        story.append(MarkedPhoto(view, width, 165 * mm))
        story.append(Spacer(0, 5))
        if view.areas:
            story += mn_pdf.areas_table(view.areas, st, width, r.patient_copy, _table, mm)
            continue
        if not view.points:
            story.append(Paragraph("No injection points on this view.", st["small"]))
            continue
        head = ["No.", "Product", "Units", "Volume", "Depth", "Zone", "Side"]
        if not r.patient_copy:
            head.append("Note")
        rows: list[list[Any]] = [head]
        for rp in view.points:
            p = rp.point
            row: list[Any] = [
                str(rp.number),
                _cell(rp.product_name, st["cell"]),
                f"{format_units(p.units)} {rp.unit_label}",
                f"{rp.volume_ml} mL" if rp.volume_ml else "—",
                DEPTH_SHORT.get(str(p.depth), str(p.depth)),
                _cell(p.zone or "—", st["cell"]),
                p.side.value if p.side is not None else "—",
            ]
            if not r.patient_copy:
                row.append(_cell(p.note, st["cell"], fits=12))
            rows.append(row)
        widths = [10 * mm, 36 * mm, 16 * mm, 19 * mm, 12 * mm, 40 * mm, 15 * mm]
        if not r.patient_copy:
            widths.append(width - sum(widths))
        story.append(
            KeepTogether([_table(rows, widths)]) if len(rows) < 25 else _table(rows, widths)
        )
    return story


def _decorate(r: VisitReport) -> Any:
    def on_page(c: Canvas, doc: Any) -> None:
        w, h = A4
        c.saveState()
        c.setFont(FONT, 8)
        c.setFillColor(MUTED)
        top = f"{r.clinic} · {r.patient_name} · born {r.date_of_birth:%d %b %Y}"
        if r.patient_copy:
            top += " · patient copy"
        c.drawString(MARGIN, h - 10 * mm, top)
        version = f"version {r.version_no}" if r.version_no is not None else "unsaved"
        c.drawString(
            MARGIN,
            8 * mm,
            f"{r.visit_date:%d %b %Y} · {version} · code {r.short_code or '—'}"
            + (f" · checkpoint {r.checkpoint_code}" if r.checkpoint_code else "")
            + f" · printed {_when(r.generated_at)}",
        )
        c.drawRightString(w - MARGIN, 8 * mm, f"page {doc.page}")
        c.restoreState()

    return on_page


class _ReportDoc(SimpleDocTemplate):
    """Draws "NOT SIGNED" over each finished page of an unsigned version, on top of the
    photos, so no page of it can pass for a signed record."""

    def __init__(self, out: BinaryIO, report: VisitReport, **kw: Any) -> None:
        super().__init__(out, **kw)
        self.report = report

    def afterPage(self) -> None:
        if self.report.signed:
            return
        c, (w, h) = self.canv, A4
        c.saveState()
        c.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.28))
        c.setFont(BOLD, 64)
        c.translate(w / 2, h / 2)
        c.rotate(45)
        c.drawCentredString(0, -20, "NOT SIGNED")
        c.restoreState()


def write_pdf(report: VisitReport, out: BinaryIO) -> None:
    _register_fonts()
    st = _styles()
    doc = _ReportDoc(
        out,
        report,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{report.treatment} {report.visit_date:%Y-%m-%d}",
        author=report.clinic,
        creator="FaceChart",
    )
    width = A4[0] - 2 * MARGIN
    story = _summary(report, st, width) + _view_pages(report, st, width)
    decorate = _decorate(report)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
