"""Edits, sides, zones, totals and warnings of a chart, and the draft journal on disk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.chart import ChartContent, InjectionPoint, ProductUse, Stroke
from app.domain.editing import (
    add_stroke,
    put_point,
    put_product_use,
    remove_point,
    replace_strokes,
    side_of,
    suggest_zone,
)
from app.domain.totals import dose_warnings, expiry_warnings, interval_warning, totals
from app.domain.values import Dilution, Side
from app.services import drafts


def pt(x: float, product: str, units: str, zone: str, side: Side | None) -> InjectionPoint:
    return InjectionPoint(x, 10.0, product, Decimal(units), zone=zone, side=side)


def test_sides_are_the_patients_own() -> None:
    assert side_of(900, 1000) is Side.LEFT  # viewer's right of a frontal photo
    assert side_of(100, 1000) is Side.RIGHT
    assert side_of(510, 1000) is Side.MIDLINE
    assert suggest_zone("frown", Side.MIDLINE) == "procerus"
    assert suggest_zone("frown", Side.LEFT) == "corrugator supercilii"
    assert suggest_zone("smile", Side.RIGHT) == "orbicularis oculi (lateral)"
    assert suggest_zone("rest", Side.LEFT) == ""


def test_edits_are_pure() -> None:
    empty = ChartContent()
    s = Stroke(samples=((0, 0, 1, 0), (1, 1, 1, 5)))
    one = add_stroke(empty, "frown", s)
    assert empty.views == () and one.view("frown").strokes == (s,)  # type: ignore[union-attr]
    assert replace_strokes(one, "frown", [s.id], []).view("frown").strokes == ()  # type: ignore[union-attr]
    p = pt(1, "botox", "4", "procerus", Side.MIDLINE)
    with_p = put_point(one, "frown", p)
    moved = put_point(with_p, "frown", InjectionPoint(5, 5, "botox", Decimal(4), id=p.id))
    assert [q.x for q in moved.view("frown").points] == [5]  # type: ignore[union-attr]
    assert remove_point(moved, "frown", p.id).view("frown").points == ()  # type: ignore[union-attr]
    use = ProductUse("botox", "L1", date(2027, 1, 1), Dilution(Decimal(100), Decimal("2.5")))
    assert put_product_use(put_product_use(empty, use), use).products == (use,)


def test_totals_never_add_products_and_warn_above_label() -> None:
    c = ChartContent()
    for x, units, zone, side in [
        (1, "4", "procerus", Side.MIDLINE),
        (2, "8", "corrugator supercilii", Side.RIGHT),
        (3, "8.5", "corrugator supercilii", Side.LEFT),
    ]:
        c = put_point(c, "frown", pt(x, "botox", units, zone, side))
    c = put_point(c, "frown", pt(4, "dysport", "50", "procerus", Side.MIDLINE))
    t = totals(c)
    assert t["botox"].total == Decimal("20.5") and t["dysport"].total == Decimal(50)
    z = t["botox"].zones["corrugator supercilii"]
    assert (z.right, z.left, z.total) == (Decimal(8), Decimal("8.5"), Decimal("16.5"))
    assert t["botox"].views == {"frown": Decimal("20.5")}
    (w,) = dose_warnings(t)
    assert "Glabellar lines: 20.5 U" in w.text and "20 U" in w.text
    # 50 U of Dysport is no Botox overdose: other products have no label rule here.
    assert all("Dysport" not in x.text for x in dose_warnings(t))


def test_one_content_is_summed_once_and_an_edit_is_summed_afresh() -> None:
    """After a tap the totals page, the soft warnings and the point sheet all read the sums
    of the same (immutable) content: they get one sum; the next edit gets its own."""
    c = put_point(ChartContent(), "frown", pt(1, "botox", "4", "procerus", Side.MIDLINE))
    first = totals(c)
    assert totals(c) is first
    more = put_point(c, "frown", pt(2, "botox", "6", "procerus", Side.MIDLINE))
    assert totals(more)["botox"].total == Decimal(10)
    assert totals(c) is first and first["botox"].total == Decimal(4)  # the earlier is kept
    equal = put_point(ChartContent(), "frown", pt(1, "botox", "4", "procerus", Side.MIDLINE))
    assert totals(equal) == first  # an equal content sums the same, whoever asks


def test_interval_and_expiry_warnings() -> None:
    assert interval_warning(date(2026, 11, 1), date(2026, 9, 1)) is not None
    assert interval_warning(date(2026, 11, 30), date(2026, 9, 1)) is None
    assert interval_warning(date(2026, 11, 1), None) is None
    c = put_product_use(ChartContent(), ProductUse("botox", "A1", date(2026, 1, 1)))
    assert len(expiry_warnings(c, date(2026, 6, 1))) == 1
    assert expiry_warnings(c, date(2025, 6, 1)) == []


def test_draft_journal_round_trip(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    c = add_stroke(ChartContent(), "frown", Stroke(samples=((0.1234, 0, 1, 0), (1, 1, 1, 5))))
    assert drafts.load_draft(sqlite_store, 9) is None
    path = drafts.write_draft(sqlite_store, 9, 3, c)
    assert path.parent.name.endswith(".drafts")
    d = drafts.load_draft(sqlite_store, 9)
    assert d is not None and d.parent_version_id == 3 and d.visit_id == 9
    assert d.content.view("frown").strokes[0].samples[0][0] == 0.123  # type: ignore[union-attr]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left over
    path.write_bytes(b"{not json")  # a torn or foreign file is no draft, not a crash
    assert drafts.load_draft(sqlite_store, 9) is None
    drafts.clear_draft(sqlite_store, 9)
    assert not path.exists()


def test_every_draft_is_listed_newest_first_for_the_next_start(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    assert drafts.list_drafts(sqlite_store) == []  # no folder yet: nothing to offer
    c = add_stroke(ChartContent(), "frown", Stroke(samples=((1, 1, 1, 0), (2, 2, 1, 5))))
    drafts.write_draft(sqlite_store, 4, None, c)
    drafts.write_draft(sqlite_store, 7, 2, c)
    folder = drafts.drafts_dir(sqlite_store)
    (folder / "visit-8.json").write_bytes(b"{torn")  # passed over, not a crash
    (folder / "notes.txt").write_text("not a draft")
    assert [d.visit_id for d in drafts.list_drafts(sqlite_store)] == [7, 4]
    drafts.clear_draft(sqlite_store, 7)
    assert [d.visit_id for d in drafts.list_drafts(sqlite_store)] == [4]
