"""Where one earlier chart stands on one of today's views: aligning, shown, or why not.

Plain data plus the words the clinician reads. Confidence words are the alignment's own
("good", "check", "could not align", app/alignment/align.py); a mapping corrected by hand says
so, and a mapping read back from a saved version says it is the saved one.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.values import TreatmentType
from app.services.alignment import AlignmentResult, Mapping
from app.services.touchup import EarlierView, OverlaySource
from ui.common import format as fmt

HAND_METHODS = ("manual", "corrected")
HAND_WORDS = "adjusted by hand"
SAVED_WORDS = "saved with this chart"
ALIGNING = "Aligning…"
READING = "Reading…"  # a chart chosen after the lookup: its views come off the worker
HINT = "Check it against the face; correct it by hand with Compare / adjust."
HINT_FAILED = "Nothing is drawn on this view: align it by hand with Compare / adjust."


def short_label(source: OverlaySource) -> str:
    """'1 Oct 2026 · Neurotoxin · v2': fits a legend row and a side-panel button."""
    treatment = TreatmentType(source.treatment).label
    return f"{fmt.day(source.visit_date)} · {treatment} · v{source.version_no}"


@dataclass
class ViewOverlay:
    status: str  # "reading" | "aligning" | "ready" | "failed" | "absent"
    earlier: EarlierView | None = None
    mapping: Mapping | None = None
    words: str = ""
    message: str = ""
    saved: bool = False  # the mapping was read from the chart content, not aligned now

    @property
    def ready(self) -> bool:
        return self.status == "ready" and self.mapping is not None

    @property
    def pending(self) -> bool:
        """Not final yet: its view is being read, or aligned."""
        return self.status in ("reading", "aligning")

    @property
    def needs_hand(self) -> bool:
        """Not good enough to trust without a look: offer Compare / adjust."""
        return self.status == "failed" or self.words in ("check", "could not align")

    def short(self) -> str:
        """For the legend: one word or two."""
        if self.status == "reading":
            return READING
        if self.status == "aligning":
            return ALIGNING
        if self.status == "absent":
            return self.message or "not charted in this view"
        return self.words

    def long(self) -> str:
        """For the panel: the words, the reason and what to do."""
        if self.pending or self.status == "absent":
            return self.short()
        text = f"Alignment: {self.words}"
        if self.message:
            text += f" — {plain(self.message).rstrip('.')}"
        if self.needs_hand:
            text += f". {HINT_FAILED if self.status == 'failed' else HINT}"
        return text


def plain(message: str) -> str:
    """The aligner speaks of OLD and NEW photos; the clinician of earlier and today's."""
    return message.replace("the new photo", "today's photo").replace(
        "the old photo", "the earlier photo"
    )


def from_result(earlier: EarlierView | None, result: AlignmentResult) -> ViewOverlay:
    if result.method == "none":
        reason = result.message or "no matching face found"
        return ViewOverlay("failed", earlier, None, "could not align", reason)
    words = HAND_WORDS if result.method in HAND_METHODS else result.words
    message = result.message if words != "good" else ""
    return ViewOverlay("ready", earlier, result.mapping, words, message)


def from_saved(earlier: EarlierView, mapping: Mapping) -> ViewOverlay:
    if mapping.method == "none":
        return ViewOverlay("failed", earlier, None, "could not align", "", saved=True)
    words = HAND_WORDS if mapping.method in HAND_METHODS else SAVED_WORDS
    return ViewOverlay("ready", earlier, mapping, words, "", saved=True)


def failed(earlier: EarlierView | None, reason: str) -> ViewOverlay:
    return ViewOverlay("failed", earlier, None, "could not align", reason)
