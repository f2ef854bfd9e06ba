"""The built-in catalogue: views, capture protocols and products a new database starts with.

Facts from shared/DOMAIN.md. Clinics add their own rows; these are only the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.values import TreatmentType


@dataclass(frozen=True, slots=True)
class ViewSeed:
    code: str
    name: str
    instruction: str  # the line the clinician reads to the patient
    muscles: tuple[str, ...]  # muscles/zones marked on this view, suggestions for the editor


BUILTIN_VIEWS: tuple[ViewSeed, ...] = (
    ViewSeed("rest", "Rest", "Relax your face and look straight ahead", ()),
    ViewSeed(
        "frown",
        "Frown",
        "Frown as if you are cross",
        ("procerus", "corrugator supercilii", "depressor supercilii"),
    ),
    ViewSeed("brow_raise", "Brow raise", "Raise your eyebrows as high as you can", ("frontalis",)),
    ViewSeed("smile", "Smile", "Smile broadly and squint", ("orbicularis oculi (lateral)",)),
    ViewSeed("front", "Front", "Look straight ahead", ()),
    ViewSeed("left_45", "Left 45°", "Turn your head to show your left side", ()),
    ViewSeed("right_45", "Right 45°", "Turn your head to show your right side", ()),
)

# Muscles and zones clinics add beyond the three classic areas (DOMAIN.md).
EXTRA_ZONES: tuple[str, ...] = (
    "nasalis",
    "mentalis",
    "depressor anguli oris",
    "platysma",
    "masseter",
)

BUILTIN_PROTOCOLS: dict[TreatmentType, tuple[str, ...]] = {
    TreatmentType.NEUROTOXIN: ("rest", "frown", "brow_raise", "smile"),
    TreatmentType.MICRONEEDLING: ("front", "left_45", "right_45"),
    TreatmentType.OTHER: ("front",),
}


@dataclass(frozen=True, slots=True)
class ProductSeed:
    code: str
    brand: str
    generic: str


BUILTIN_TOXINS: tuple[ProductSeed, ...] = (
    ProductSeed("botox", "Botox Cosmetic", "onabotulinumtoxinA"),
    ProductSeed("dysport", "Dysport", "abobotulinumtoxinA"),
    ProductSeed("xeomin", "Xeomin", "incobotulinumtoxinA"),
    ProductSeed("jeuveau", "Jeuveau", "prabotulinumtoxinA"),
    ProductSeed("daxxify", "Daxxify", "daxibotulinumtoxinA"),
    ProductSeed("letybo", "Letybo", "letibotulinumtoxinA"),
)
