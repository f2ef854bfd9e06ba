"""Guards for the save-path optimisations the store benchmarks led to (bench/store.py).

save_version serialises content once instead of normalising it first; these check that the one
pass gives exactly the hash, counts and stored content that normalising first would give.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.canonical import content_to_json, normalise, stroke_to_json
from app.domain.chart import ChartContent, InjectionPoint, ProductUse, Stroke, ViewChart
from app.domain.values import Dilution
from app.services import charts, patients, visits
from app.store.hash_chain import content_hash


def awkward_content() -> ChartContent:
    samples = ((0, -0.0, 1, 2), (-0.0004, 2.0005, 0.5, 8), (1e6 + 0.0005, 3.14159, 0.25, 16.5))
    return ChartContent(
        views=(
            ViewChart("rest", None, (Stroke(samples, id="s1"),)),
            ViewChart(
                "frown",
                None,
                (Stroke(((1.23456, 2, 0.3, 0),), id="s2"),),
                (
                    InjectionPoint(-0.0, 5, "botox", Decimal("2.50"), id="b"),
                    InjectionPoint(1.0005, 2, "dysport", Decimal("10"), id="a"),
                    InjectionPoint(3, 4, "botox", Decimal("4"), id="c"),
                ),
            ),
        ),
        products=(
            ProductUse("botox", "L1", date(2027, 1, 1), Dilution(Decimal(100), Decimal("2.50"))),
        ),
        note="n",
    )


def test_one_pass_serialisation_equals_normalised() -> None:
    content = awkward_content()
    assert content_to_json(content) == content_to_json(normalise(content))
    assert stroke_to_json(content.views[0].strokes[0])["samples"][0] == [0.0, 0.0, 1.0, 2.0]


def test_saved_hash_counts_and_content_match_normalised(store, clinician) -> None:
    p = patients.create_patient(store, "Zoë", "Weiß", date(1980, 1, 1))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    content = awkward_content()
    info = charts.save_version(store, v.id, content, parent_version_id=None, saved_by_id=None)
    assert info.content_hash == content_hash(normalise(content), "")
    assert (info.point_count, info.stroke_count) == (3, 2)
    assert info.units == {"botox": Decimal("6.5"), "dysport": Decimal(10)}
    assert charts.load_version(store, info.id).content == normalise(content)
