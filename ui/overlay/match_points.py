"""The points a clinician taps to align by hand: earlier, today, earlier, today … (2–3 pairs).

Alternating keeps the pairs in step (point 2 on the earlier photo goes with point 2 on
today's) and lets the hint always say exactly which photo to tap next.
"""

from __future__ import annotations

from app.services.alignment import SimilarityMapping, from_point_pairs

MAX_PAIRS = 3
WHAT = "a pupil, the nose tip or a mouth corner"


class MatchPoints:
    def __init__(self) -> None:
        self.earlier: list[tuple[float, float]] = []
        self.today: list[tuple[float, float]] = []

    def next_side(self) -> str | None:
        """Which photo the next tap belongs on; None when all pairs are placed."""
        if len(self.earlier) == len(self.today):
            return "earlier" if len(self.earlier) < MAX_PAIRS else None
        return "today"

    def add(self, side: str, x: float, y: float) -> bool:
        """Keep a tap if it is on the photo whose turn it is."""
        if side != self.next_side():
            return False
        (self.earlier if side == "earlier" else self.today).append((x, y))
        return True

    def clear(self) -> None:
        self.earlier.clear()
        self.today.clear()

    def pairs(self) -> int:
        return min(len(self.earlier), len(self.today))

    def ready(self) -> bool:
        return len(self.earlier) == len(self.today) >= 2

    def mapping(self) -> SimilarityMapping:
        return from_point_pairs(self.earlier, self.today)

    def hint(self) -> str:
        side, n = self.next_side(), len(self.earlier)
        if side == "today":
            return f"Now tap the same point {n} on today's photo (right)."
        if side is None:
            return "Three pairs matched. Use these points, or clear them and start again."
        if n == 0:
            return f"Tap point 1 on the earlier photo (left): {WHAT}."
        more = " or use these points" if n >= 2 else ""
        return f"Pair {n} matched. Tap point {n + 1} on the earlier photo (left){more}."
