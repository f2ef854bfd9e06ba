"""The microneedling parts of a visit report (ADR 0029): the treated areas drawn on each
view's photo, shaded by depth and numbered, their table (area, depth, passes, note), and the
session's record with the contraindication answers. Nothing of units or label doses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from app.domain.microneedling import (
    CONTRAINDICATIONS,
    FITZPATRICK,
    MicroneedlingSession,
    TreatedArea,
    depth_colour,
    format_depth,
)
from app.domain.mn_editing import centroid

INK = colors.HexColor("#17212B")
Table = Callable[[list[list[Any]], list[float]], Flowable]


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def draw_areas(
    c: Canvas,
    areas: tuple[TreatedArea, ...],
    xy: Callable[[float, float], tuple[float, float]],
    font: str,
) -> None:
    """Each area's outline filled with its depth's colour (translucent: the skin shows), its
    number at its centre, as the table below the photo lists it."""
    for n, area in enumerate(areas, 1):
        colour = colors.HexColor(depth_colour(area.depth_mm))
        path = c.beginPath()
        path.moveTo(*xy(*area.polygon[0]))
        for x, y in area.polygon[1:]:
            path.lineTo(*xy(x, y))
        path.close()
        c.saveState()
        c.setFillColor(colour, alpha=0.4)
        c.setStrokeColor(colour)
        c.setLineWidth(1.2)
        c.drawPath(path, stroke=1, fill=1)
        c.restoreState()
        cx, cy = xy(*centroid(area.polygon))
        c.setFillColor(colors.white)
        c.setStrokeColor(INK)
        c.circle(cx, cy, 5.2, stroke=1, fill=1)
        c.setFillColor(INK)
        c.setFont(font, 5.6)
        c.drawCentredString(cx, cy - 2.0, str(n))


def areas_table(
    areas: tuple[TreatedArea, ...],
    st: dict[str, ParagraphStyle],
    width: float,
    patient_copy: bool,
    table: Table,
    mm: float,
) -> list[Flowable]:
    head = ["No.", "Area", "Needle depth", "Passes"]
    if not patient_copy:
        head.append("Note")
    rows: list[list[Any]] = [head]
    for n, a in enumerate(areas, 1):
        row: list[Any] = [str(n), a.name or "—", f"{format_depth(a.depth_mm)} mm", str(a.passes)]
        if not patient_copy:
            row.append(Paragraph(esc(a.note), st["cell"]) if a.note else "")
        rows.append(row)
    widths = [10 * mm, 50 * mm, 28 * mm, 18 * mm]
    if not patient_copy:
        widths.append(width - sum(widths))
    return [table(rows, widths)]


def session_facts(m: MicroneedlingSession) -> list[tuple[str, str]]:
    """The session's record as (label, value) lines for the report's summary."""
    at = m.anaesthetic_at.astimezone().strftime("%H:%M") if m.anaesthetic_at else "—"
    facts = [
        ("Device", m.device or "—"),
        ("Cartridge", m.cartridge or "—"),
        ("Cartridge lot", m.cartridge_lot or "—"),
        ("Serum or topical", m.serum or "—"),
        ("Topical anaesthetic at", at),
        ("Endpoint", m.endpoint or "—"),
        ("Skin type", f"Fitzpatrick {FITZPATRICK[m.fitzpatrick - 1]}" if m.fitzpatrick else "—"),
        ("Skin reaction", m.reaction or "—"),
        ("Aftercare", m.aftercare or "—"),
    ]
    if m.course_sessions:
        facts.append(("Course", f"{m.course_sessions} sessions planned"))
    if m.course_closed:
        facts.append(("Course", "closed after this session"))
    if m.contraindications is not None:
        for key, question in CONTRAINDICATIONS:
            a = m.contraindications.answer(key)
            facts.append((question, "not asked" if a is None else ("YES" if a else "no")))
    return facts


def session_section(
    m: MicroneedlingSession, st: dict[str, ParagraphStyle], width: float, table: Table, mm: float
) -> list[Flowable]:
    rows: list[list[Any]] = [["Recorded", ""]]
    rows += [
        [Paragraph(esc(k), st["cell"]), Paragraph(esc(v), st["cell"])] for k, v in session_facts(m)
    ]
    return [Paragraph("Microneedling session", st["h2"]), table(rows, [70 * mm, width - 70 * mm])]
