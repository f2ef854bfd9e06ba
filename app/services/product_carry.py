"""What the patient's earlier visits recorded for each product (lot, expiry, dilution), offered
on the Products panel for one-tap confirmation (issue #9): the same vial is often used again
at the touch-up two weeks later, and the same dilution at every repeat treatment.

Only offered, never copied by itself: a different vial is as likely, and a lot recorded for
the wrong visit is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from app.domain.chart import ProductUse
from app.services import charts
from app.store.database import Store
from app.store.errors import NotFoundError
from app.store.schema import Visit

LOOK_BACK_VISITS = 12  # the most recent earlier visits read: a year of touch-ups and repeats


@dataclass(frozen=True, slots=True)
class EarlierUse:
    """A product's lot, expiry and dilution as the visit of `visit_date` recorded them."""

    use: ProductUse
    visit_date: date

    @property
    def recorded(self) -> bool:
        return bool(self.use.lot or self.use.expiry or self.use.dilution)


def earlier_product_uses(store: Store, visit_id: int) -> dict[str, EarlierUse]:
    """Per product, the most recent earlier visit's record of it (its newest saved version),
    visits entered in error left out; products an earlier visit used without recording a
    lot, expiry or dilution are skipped for an older one that did."""
    with store.read() as s:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFoundError(f"No visit {visit_id}.")
        earlier = list(
            s.scalars(
                select(Visit)
                .where(
                    Visit.patient_id == visit.patient_id,
                    or_(
                        Visit.visit_date < visit.visit_date,
                        and_(Visit.visit_date == visit.visit_date, Visit.id < visit.id),
                    ),
                    Visit.error_at.is_(None),
                )
                .order_by(Visit.visit_date.desc(), Visit.id.desc())
                .limit(LOOK_BACK_VISITS)
            )
        )
        dates = [(v.id, v.visit_date) for v in earlier]
    found: dict[str, EarlierUse] = {}
    for earlier_id, day in dates:
        head = charts.load_head(store, earlier_id)
        if head is None:
            continue
        for use in head.content.products:
            candidate = EarlierUse(use, day)
            if use.product not in found and candidate.recorded:
                found[use.product] = candidate
    return found
