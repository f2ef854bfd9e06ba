"""The canonical serialisation of chart content, the input of the version hash (ADR 0003).

UTF-8 JSON, keys sorted, no whitespace, decimals as strings, floats rounded to 3 decimals.
Content is normalised (floats rounded) before it is stored, so loading and re-serialising a
version gives the same bytes on SQLite and PostgreSQL.

An overlay's alignment mapping needs more than 3 decimals (a similarity matrix has 9), so it is
held as one string, its own canonical JSON, inside the content: exact, and still no float
rounded differently from the rule (ADR 0009, "Saved with the version").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.domain.chart import (
    ChartContent,
    InjectionPoint,
    OverlayUse,
    PointOrigin,
    ProductUse,
    Stroke,
    ViewChart,
)
from app.domain.microneedling import (
    AreaOrigin,
    ContraindicationCheck,
    MicroneedlingSession,
    TreatedArea,
    format_depth,
    parse_depth,
)
from app.domain.values import Depth, Dilution, Side, Source, format_units, parse_units

FORMAT = 1


def r3(value: float) -> float:
    """Round to 3 decimals; -0.0 becomes 0.0 so that equal positions serialise equally."""
    rounded = round(float(value), 3)
    return rounded + 0.0 if rounded == 0 else rounded


def dumps(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def stroke_to_json(s: Stroke) -> dict[str, Any]:
    return {
        "id": s.id,
        "color": s.color,
        "style": s.style,
        "width": r3(s.width),
        # r3 inlined: samples are most of a chart and this runs on every save.
        # round(…) + 0.0 equals r3 exactly (adding 0.0 only turns -0.0 into 0.0).
        "samples": [
            [
                round(float(x), 3) + 0.0,
                round(float(y), 3) + 0.0,
                round(float(p), 3) + 0.0,
                round(float(t), 3) + 0.0,
            ]
            for x, y, p, t in s.samples
        ],
    }


def stroke_from_json(d: dict[str, Any]) -> Stroke:
    return Stroke(
        id=d["id"],
        color=d["color"],
        style=d["style"],
        width=float(d["width"]),
        # a list, then a tuple: through a generator this took a third longer (a chart of 160
        # strokes has ~10,000 samples)
        samples=tuple([(float(a), float(b), float(c), float(e)) for a, b, c, e in d["samples"]]),
    )


def point_to_json(p: InjectionPoint) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": p.id,
        "x": r3(p.x),
        "y": r3(p.y),
        "product": p.product,
        "units": format_units(p.units),
        "depth": p.depth.value,
        "zone": p.zone,
        "side": p.side.value if p.side else None,
        "note": p.note,
        "origin": (
            {"point_id": p.origin.point_id, "version_hash": p.origin.version_hash}
            if p.origin
            else None
        ),
    }
    # Absent when unknown, so points saved before provenance was recorded keep their hash.
    if p.side_source is not None:
        out["side_source"] = p.side_source.value
    if p.zone_source is not None:
        out["zone_source"] = p.zone_source.value
    return out


def point_from_json(d: dict[str, Any]) -> InjectionPoint:
    origin = d.get("origin")
    return InjectionPoint(
        id=d["id"],
        x=float(d["x"]),
        y=float(d["y"]),
        product=d["product"],
        units=parse_units(d["units"]),
        depth=Depth(d["depth"]),
        zone=d.get("zone", ""),
        side=Side(d["side"]) if d.get("side") else None,
        note=d.get("note", ""),
        origin=PointOrigin(origin["point_id"], origin["version_hash"]) if origin else None,
        side_source=Source(d["side_source"]) if d.get("side_source") else None,
        zone_source=Source(d["zone_source"]) if d.get("zone_source") else None,
    )


def points_to_json(points: tuple[InjectionPoint, ...]) -> list[dict[str, Any]]:
    # Points have no order of their own: sort by id so the serialisation is canonical.
    return [point_to_json(p) for p in sorted(points, key=lambda p: p.id)]


def product_use_to_json(u: ProductUse) -> dict[str, Any]:
    return {
        "product": u.product,
        "lot": u.lot,
        "expiry": u.expiry.isoformat() if u.expiry else None,
        "dilution": (
            {
                "vial_units": format_units(u.dilution.vial_units),
                "diluent_ml": format_units(u.dilution.diluent_ml),
            }
            if u.dilution
            else None
        ),
    }


def product_use_from_json(d: dict[str, Any]) -> ProductUse:
    dil = d.get("dilution")
    return ProductUse(
        product=d["product"],
        lot=d.get("lot", ""),
        expiry=date.fromisoformat(d["expiry"]) if d.get("expiry") else None,
        dilution=(
            Dilution(Decimal(dil["vial_units"]), Decimal(dil["diluent_ml"])) if dil else None
        ),
    )


def products_to_json(products: tuple[ProductUse, ...]) -> list[dict[str, Any]]:
    return [product_use_to_json(u) for u in sorted(products, key=lambda u: (u.product, u.lot))]


def mapping_text(mapping: Any) -> str:
    """An alignment mapping as canonical JSON text. Python writes each float as the shortest
    text that reads back to the same float, so the text holds the mapping exactly."""
    return json.dumps(
        mapping, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def overlay_to_json(o: OverlayUse) -> dict[str, Any]:
    return {
        "version_hash": o.version_hash,
        "photo_sha256": o.photo_sha256,
        "mapping": mapping_text(o.mapping),
    }


def overlay_from_json(d: dict[str, Any]) -> OverlayUse:
    return OverlayUse(
        version_hash=d["version_hash"],
        photo_sha256=d.get("photo_sha256"),
        mapping=json.loads(d["mapping"]),
    )


def area_to_json(a: TreatedArea) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "polygon": [[r3(x), r3(y)] for x, y in a.polygon],  # drawing order: it is the outline
        "depth_mm": format_depth(a.depth_mm),
        "passes": a.passes,
        "note": a.note,
        "origin": (
            {"area_id": a.origin.area_id, "version_hash": a.origin.version_hash}
            if a.origin
            else None
        ),
    }


def area_from_json(d: dict[str, Any]) -> TreatedArea:
    origin = d.get("origin")
    return TreatedArea(
        id=d["id"],
        name=d["name"],
        polygon=tuple((float(x), float(y)) for x, y in d["polygon"]),
        depth_mm=parse_depth(d["depth_mm"]),
        passes=int(d["passes"]),
        note=d.get("note", ""),
        origin=AreaOrigin(origin["area_id"], origin["version_hash"]) if origin else None,
    )


def areas_to_json(areas: tuple[TreatedArea, ...]) -> list[dict[str, Any]]:
    # Areas have no order of their own (each is drawn whole): by id, like points.
    return [area_to_json(a) for a in sorted(areas, key=lambda a: a.id)]


def session_to_json(m: MicroneedlingSession) -> dict[str, Any]:
    check = m.contraindications
    return {
        "device": m.device,
        "cartridge": m.cartridge,
        "cartridge_lot": m.cartridge_lot,
        "serum": m.serum,
        # whole seconds in UTC: a time of day the clinician picks, stored as CONTRACTS.md says
        "anaesthetic_at": (
            m.anaesthetic_at.astimezone(UTC).replace(microsecond=0).isoformat()
            if m.anaesthetic_at
            else None
        ),
        "endpoint": m.endpoint,
        "fitzpatrick": m.fitzpatrick,
        "reaction": m.reaction,
        "aftercare": m.aftercare,
        "contraindications": ({k: v for k, v in check.answers} if check is not None else None),
        "course_sessions": m.course_sessions,
        "course_closed": m.course_closed,
    }


def session_from_json(d: dict[str, Any]) -> MicroneedlingSession:
    check = d.get("contraindications")
    at = d.get("anaesthetic_at")
    return MicroneedlingSession(
        device=d.get("device", ""),
        cartridge=d.get("cartridge", ""),
        cartridge_lot=d.get("cartridge_lot", ""),
        serum=d.get("serum", ""),
        anaesthetic_at=datetime.fromisoformat(at) if at else None,
        endpoint=d.get("endpoint", ""),
        fitzpatrick=d.get("fitzpatrick"),
        reaction=d.get("reaction", ""),
        aftercare=d.get("aftercare", ""),
        contraindications=(
            ContraindicationCheck(tuple(sorted((k, bool(v)) for k, v in check.items())))
            if check is not None
            else None
        ),
        course_sessions=d.get("course_sessions"),
        course_closed=bool(d.get("course_closed", False)),
    )


def view_to_json(v: ViewChart, stroke: Callable[[Stroke], Any] = stroke_to_json) -> dict[str, Any]:
    """`stroke` encodes each stroke: the store passes a stand-in for its cached bytes."""
    out: dict[str, Any] = {
        "photo_sha256": v.photo_sha256,
        "strokes": [stroke(s) for s in v.strokes],
        "points": points_to_json(v.points),
    }
    if v.overlays:  # absent when empty, so versions saved before overlays keep their hash
        out["overlays"] = [overlay_to_json(o) for o in v.overlays]  # legend order
    if v.areas:  # absent when empty: a toxin chart's bytes are as before microneedling
        out["areas"] = areas_to_json(v.areas)
    return out


def content_to_json(
    content: ChartContent, stroke: Callable[[Stroke], Any] = stroke_to_json
) -> dict[str, Any]:
    """The whole version content as the canonical JSON object."""
    out: dict[str, Any] = {
        "format": FORMAT,
        "note": content.note,
        "products": products_to_json(content.products),
        "views": {v.view: view_to_json(v, stroke) for v in content.views},
    }
    if content.microneedling is not None:  # absent on toxin charts: their hashes unchanged
        out["microneedling"] = session_to_json(content.microneedling)
    return out


def content_from_json(d: dict[str, Any]) -> ChartContent:
    mn = d.get("microneedling")
    return ChartContent(
        note=d.get("note", ""),
        products=tuple(product_use_from_json(u) for u in d.get("products", [])),
        views=tuple(
            ViewChart(
                view=code,
                photo_sha256=v.get("photo_sha256"),
                strokes=tuple(stroke_from_json(s) for s in v.get("strokes", [])),
                points=tuple(point_from_json(p) for p in v.get("points", [])),
                overlays=tuple(overlay_from_json(o) for o in v.get("overlays", [])),
                areas=tuple(area_from_json(a) for a in v.get("areas", [])),
            )
            for code, v in sorted(d.get("views", {}).items())
        ),
        microneedling=session_from_json(mn) if mn is not None else None,
    )


def normalise(content: ChartContent) -> ChartContent:
    """The content exactly as it will read back after a save (floats rounded, order canonical)."""
    return content_from_json(json.loads(dumps(content_to_json(content))))
