"""The protocol walk: which views a visit needs, which are done, which one is next.

A plain state machine so the capture screen only draws it; retakes and imports move it the
same way a shutter does. A retake never removes anything: the new photo becomes the view's
current one and the older photo stays in the store (ADR 0004).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.services.catalogue import ViewRecord
from app.services.photos import PhotoRecord


@dataclass
class ProtocolWalk:
    views: list[ViewRecord]
    # the current photo of each view: the newest one taken or imported for it
    taken: dict[str, PhotoRecord] = field(default_factory=dict)
    index: int = 0

    def __post_init__(self) -> None:
        if not self.views:
            raise ValueError("The visit's protocol has no views to capture.")
        self.index = self.first_open(0) or 0

    @property
    def current(self) -> ViewRecord:
        return self.views[self.index]

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.views]

    def is_done(self, code: str) -> bool:
        return code in self.taken

    @property
    def done_count(self) -> int:
        return sum(1 for v in self.views if v.code in self.taken)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.views)

    def go_to(self, code: str) -> ViewRecord:
        """Choose a view (a tap on its tab, or "Retake" on a done one)."""
        self.index = self.codes.index(code)
        return self.current

    def record(self, photo: PhotoRecord) -> ViewRecord:
        """A photo was stored for `photo.view_code`; move on to the next view still missing
        (stay put when all are done, so the last photo stays on screen for a check)."""
        self.taken[photo.view_code] = photo
        if photo.view_code in self.codes:
            here = self.codes.index(photo.view_code)
            following = self.first_open(here + 1)
            self.index = here if following is None else following
        return self.current

    def first_open(self, start: int) -> int | None:
        """The first view not yet done from `start` on, wrapping round; None when all are."""
        n = len(self.views)
        for k in range(n):
            i = (start + k) % n
            if self.views[i].code not in self.taken:
                return i
        return None
