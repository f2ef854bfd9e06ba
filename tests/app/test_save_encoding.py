"""A save encodes each stroke once in its life and splices the hash's canonical bytes from the
parts (app/store/chart_parts.py): the bytes must be exactly `dumps(content_to_json(content))`,
the canonical form every version's hash is taken over (ADR 0003), on every kind of content."""

from __future__ import annotations

from dataclasses import replace

from app.domain.canonical import content_from_json, content_to_json, dumps
from app.domain.chart import ChartContent, Stroke, ViewChart
from app.store import chart_parts
from bench import _store_data as data
from tests.app.fault_helpers import content_v1, content_v2
from tests.app.mn_factory import full_face


def _odd() -> ChartContent:
    """A note with quotes, a backslash, an emoji and a line separator; an overlay; a stroke at
    -0.0 and at values that round up at the third decimal."""
    odd = content_to_json(content_v1("ef" * 32))
    odd["note"] = 'Zoë "Ø" \\ 👍 \u2028'
    odd["views"]["frown"]["overlays"] = [
        {"version_hash": "01" * 32, "photo_sha256": "02" * 32, "mapping": '{"m": [1.5, 2]}'}
    ]
    content = content_from_json(odd)
    frown = content.view("frown")
    assert frown is not None
    edge = Stroke(((-0.0, 0.0004, 0.9995, 1.0), (1e-9, 2.0005, 0.5, 12.3456)), id="edge")
    return content.with_view(replace(frown, strokes=(*frown.strokes, edge)))


def _contents() -> list[ChartContent]:
    shas: dict[str, str | None] = {v: None for v in data.VIEWS}
    shas["frown"] = "ab" * 32
    return [
        data.chart(shas, 1200, 1600, 60, 24, 40, seed=1),
        content_v2("cd" * 32),
        full_face("f" * 64, "e" * 64),  # microneedling: areas and the session record
        _odd(),
        ChartContent(views=(ViewChart("frown", None),)),
    ]


def test_the_spliced_bytes_are_the_canonical_bytes() -> None:
    for content in _contents():
        manifest, parts, canonical = chart_parts.split_content(content)
        assert canonical == dumps(content_to_json(content))
        assert (manifest, parts) == chart_parts.split(content)
        again = chart_parts.split_content(content)  # now from the stroke cache
        assert again == (manifest, parts, canonical)


def test_a_stroke_changed_under_the_same_id_is_encoded_anew() -> None:
    """The cache is keyed on the whole stroke, never on its id: a partial erase or an edit
    that kept an id must not reuse the old bytes."""
    content = _contents()[0]
    chart_parts.split_content(content)
    frown = content.view("frown")
    assert frown is not None
    first = frown.strokes[0]
    moved = replace(first, samples=tuple((x + 1.0, y, p, t) for x, y, p, t in first.samples))
    changed = content.with_view(replace(frown, strokes=(moved, *frown.strokes[1:])))
    _, _, canonical = chart_parts.split_content(changed)
    assert canonical == dumps(content_to_json(changed))
    assert canonical != dumps(content_to_json(content))
