"""Which catalogue product a carton's GTIN is: remembered once told, correctable, and only
ever a product the catalogue has (issue #9)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services import carton
from app.services.practitioners import default_practitioner
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import ProductGtin
from tests.carton_images import carton as carton_image
from tests.carton_images import jpeg

GTIN = "05391526930052"


def test_a_gtin_is_remembered_with_who_and_can_be_corrected(store: Store) -> None:
    who = default_practitioner(store).id
    assert carton.product_for_gtin(store, GTIN) is None
    carton.remember_gtin(store, GTIN, "botox", who)
    assert carton.product_for_gtin(store, GTIN) == "botox"
    carton.remember_gtin(store, GTIN, "xeomin", who)
    assert carton.product_for_gtin(store, GTIN) == "xeomin"
    with store.read() as s:
        row = s.get(ProductGtin, GTIN)
        assert row is not None and row.added_by_id == who and row.added_at is not None
    with pytest.raises(NotFoundError):
        carton.remember_gtin(store, "04006381333931", "no_such_product", who)
    assert carton.product_for_gtin(store, "04006381333931") is None


def test_scan_photo_file_gives_a_sentence_for_a_file_that_is_no_photo(tmp_path: Path) -> None:
    bad = tmp_path / "carton.jpg"
    bad.write_bytes(b"not a photo at all")
    scan = carton.scan_photo_file(bad, date(2026, 11, 30))
    assert scan.label is None and scan.reason and "Traceback" not in scan.reason
    good = tmp_path / "good.jpg"
    good.write_bytes(jpeg(carton_image()))
    label = carton.scan_photo_file(good, date(2026, 11, 30)).label
    assert label is not None and label.gtin == GTIN
