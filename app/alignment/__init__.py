"""Aligning an earlier photo's face to today's: models, detection, mesh, mappings (ADR 0009).

Qt-free; the app, `main.py align` and the benchmarks all call `align_images`.
"""

from __future__ import annotations

from app.alignment.align import AlignmentResult, align_images, confidence_words
from app.alignment.mapping import (
    MeshMapping,
    NoMapping,
    SimilarityMapping,
    mapping_from_dict,
)

__all__ = [
    "AlignmentResult",
    "MeshMapping",
    "NoMapping",
    "SimilarityMapping",
    "align_images",
    "confidence_words",
    "mapping_from_dict",
]
