"""Role checks the services make themselves (issue #11, "Roles"): a screen that forgets to
hide a button still cannot act. The role is read from the database at the moment of the call,
never taken from what the caller says, so a demoted or deactivated practitioner who is still
signed in loses the right at once."""

from __future__ import annotations

from app.domain.roles import Role, at_least
from app.services.practitioners import PractitionerRecord
from app.store.database import Store
from app.store.errors import StoreError
from app.store.schema import Practitioner


class NotAllowedError(StoreError):
    """The practitioner's role does not allow this; str() says what is needed."""


def require(store: Store, actor_id: int | None, needed: Role, doing: str) -> PractitionerRecord:
    """The acting practitioner, if active and at least `needed`; NotAllowedError otherwise.
    `doing` completes "Only … may …" in the message, e.g. "change practitioners"."""
    with store.read() as s:
        p = s.get(Practitioner, actor_id) if actor_id is not None else None
        if p is None or not p.active or not at_least(p.role, needed):
            raise NotAllowedError(f"Only {needed.label.lower()}s may {doing}.")
        return PractitionerRecord(p.id, p.name, Role(p.role))
