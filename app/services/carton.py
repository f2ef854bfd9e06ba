"""Scanning a vial's carton (issue #9): its GS1 DataMatrix gives GTIN, lot and expiry; the GTIN
says which catalogue product it is once a clinician has told FaceChart, the first time that
carton is scanned (remembered in `product_gtin`, with who and when).

The UI reaches the decoder and the GTIN table only through here (app.imaging and app.store
are below the services layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from app.domain.gs1 import Gs1Label
from app.domain.values import utcnow
from app.imaging.carton_code import NO_CODE, read_codes, read_codes_in_photo
from app.imaging.decode import ImageError
from app.imaging.files import read_photo_file
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.idempotent import insert_missing
from app.store.schema import Product, ProductGtin

__all__ = ["NO_CODE", "CartonScan", "Gs1Label", "product_for_gtin", "remember_gtin"]


@dataclass(frozen=True, slots=True)
class CartonScan:
    """What a scan read: the first carton code (a photo of several cartons is rare; the first
    read is the one nearest the top left), or why nothing could be used."""

    label: Gs1Label | None
    reason: str = ""


def _first(labels: tuple[Gs1Label, ...], reason: str) -> CartonScan:
    return CartonScan(labels[0], "") if labels else CartonScan(None, reason or NO_CODE)


def scan_photo_file(path: Path | str, today: date) -> CartonScan:
    """A photo of the carton chosen from a file; a file that cannot be read as a photo gives
    the clinician's sentence why, as the reason."""
    try:
        read = read_codes_in_photo(read_photo_file(path), today)
    except ImageError as exc:
        return CartonScan(None, str(exc))
    return _first(read.labels, read.reason)


def scan_frame(rgb: NDArray[np.uint8], today: date, quick: bool = True) -> CartonScan:
    """A camera frame (RGB array); `quick` for a live preview that tries again next frame."""
    read = read_codes(rgb, today, quick=quick)
    return _first(read.labels, read.reason)


def product_for_gtin(store: Store, gtin: str) -> str | None:
    """The catalogue product code a clinician said this GTIN is, or None if never asked."""
    with store.read() as s:
        row = s.get(ProductGtin, gtin)
        return row.product_code if row is not None else None


def remember_gtin(store: Store, gtin: str, product_code: str, practitioner_id: int | None) -> None:
    """Remember (or correct) which product the GTIN is: one transaction, who and when kept."""
    with store.write() as s:
        if s.scalar(select(Product.id).where(Product.code == product_code)) is None:
            raise NotFoundError(f"No product {product_code!r} in the catalogue.")
        # two rooms scanning a new carton at once: one row, no failed transaction
        insert_missing(
            s,
            ProductGtin,
            [{"gtin": gtin, "product_code": product_code, "added_at": utcnow()}],
            ["gtin"],
        )
        row = s.get_one(ProductGtin, gtin)
        row.product_code = product_code
        row.added_at = utcnow()
        row.added_by_id = practitioner_id
