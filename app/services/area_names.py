"""The clinic's own names of microneedling areas (ADR 0029), offered as tap choices on the
area sheet next to the built-in areas: an admin adds and removes them in Settings.

Each name is one row of the `setting` table (key `mn_area_name:` and the name folded to lower
case, the name as written in its value): two rooms adding names at once each insert their own
row, and the same name twice is one row (INSERT … ON CONFLICT DO NOTHING), with no list to read,
change and write back. Each change is an admin's (checked here) and recorded as
`setting_changed` in the same transaction, as the clinic's other settings are. An area keeps
the name it was given when the name later leaves the list: the list only offers names.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.microneedling import area_kind
from app.domain.roles import Role
from app.services.access import require
from app.store import audit_log
from app.store.database import Store
from app.store.idempotent import insert_if_missing
from app.store.schema import Setting

PREFIX = "mn_area_name:"
MAX_LENGTH = 40  # a name fits a tap button of the area sheet
KEY_LENGTH = 100  # Setting.key's length


def tidy(name: str) -> str:
    """The name as it is kept: spaces at its ends dropped and runs of spaces made one."""
    return " ".join(name.split())


def _key(name: str) -> str:
    return PREFIX + tidy(name).casefold()


def clinic_area_names(store: Store) -> list[str]:
    """The clinic's area names, in alphabetical order."""
    with store.read() as s:
        rows = s.scalars(select(Setting).where(Setting.key.startswith(PREFIX)))
        names = [r.value for r in rows]
    return sorted(names, key=str.casefold)


def add_area_name(store: Store, actor_id: int | None, name: str) -> list[str]:
    """Add a name to the list (admins only); a name already there is left as it is. Returns
    the list."""
    name = tidy(name)
    if not name:
        raise ValueError("Type the area's name.")
    if len(name) > MAX_LENGTH:
        raise ValueError(f"An area's name is at most {MAX_LENGTH} characters.")
    if len(_key(name)) > KEY_LENGTH:  # folding can lengthen a name ("ﬃ" is "ffi")
        raise ValueError("That name is too long for the list; shorten it.")
    if area_kind(name) is not None:
        raise ValueError(f"{name} is already one of the standard areas.")
    require(store, actor_id, Role.ADMIN, "change the clinic's settings")
    with store.write() as s:
        # two rooms adding the same name at once: one row, and one "added" in the trail
        if insert_if_missing(s, Setting, {"key": _key(name), "value": name}, ["key"]):
            audit_log.append(
                s,
                "setting_changed",
                actor_id,
                subject="setting:mn_area_names",
                detail=f"microneedling area name “{name}” added",
            )
    return clinic_area_names(store)


def remove_area_name(store: Store, actor_id: int | None, name: str) -> list[str]:
    """Take a name off the list (admins only); areas already named so keep their name."""
    require(store, actor_id, Role.ADMIN, "change the clinic's settings")
    with store.write() as s:
        row = s.get(Setting, _key(name))
        if row is not None:
            kept = row.value
            s.delete(row)
            audit_log.append(
                s,
                "setting_changed",
                actor_id,
                subject="setting:mn_area_names",
                detail=f"microneedling area name “{kept}” removed",
            )
    return clinic_area_names(store)
