"""When a patient is due back (DOMAIN.md, "Timeline of a treatment" and "Microneedling"): the
day counts behind the follow-up list, in one place. A rule lists a patient from its first day
to its last day inclusive, counted from the visit it follows; after the last day the patient
is no longer "due" but simply a patient who did not come back, and leaves the list.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.doses import MIN_DAYS_BETWEEN_TREATMENTS


class Reason(enum.StrEnum):
    """Why a patient is on the follow-up list, in the order the list shows them."""

    TOUCH_UP = "touch_up"
    REPEAT = "repeat"
    COURSE_SESSION = "course_session"
    NOT_SIGNED = "not_signed"

    @property
    def label(self) -> str:
        return {
            "touch_up": "Touch-up due",
            "repeat": "Repeat due",
            "course_session": "Course session due",
            "not_signed": "Not signed",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Window:
    """Due from `first` days after the visit to `last` days after it, both inclusive."""

    first: int
    last: int

    def due_on(self, visit_date: date) -> date:
        return visit_date + timedelta(days=self.first)

    def visits_due(self, today: date) -> tuple[date, date]:
        """The oldest and newest visit dates that are due `today` (inclusive range)."""
        return today - timedelta(days=self.last), today - timedelta(days=self.first)

    def contains(self, visit_date: date, today: date) -> bool:
        oldest, newest = self.visits_due(today)
        return oldest <= visit_date <= newest


# Full effect at about 2 weeks, hence the touch-up then; by 4 weeks a late touch-up is still
# booked, after that the first treatment has settled and the next step is a repeat.
TOUCH_UP = Window(14, 28)
# The effect lasts roughly 3-4 months; treatments are at least 90 days apart.
REPEAT = Window(MIN_DAYS_BETWEEN_TREATMENTS, 122)
# Microneedling sessions about 4 weeks apart: due from 4 weeks, listed for 4 weeks more.
COURSE_SESSION = Window(28, 56)

WINDOWS: dict[Reason, Window] = {
    Reason.TOUCH_UP: TOUCH_UP,
    Reason.REPEAT: REPEAT,
    Reason.COURSE_SESSION: COURSE_SESSION,
}
