"""The clinic's microneedling area names (ADR 0029): an admin's list in the `setting` table,
each change audited in its own transaction; anyone else is refused by the service."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.roles import Role
from app.services import area_names
from app.services.access import NotAllowedError
from app.services.practitioners import create_practitioner, default_practitioner
from app.store import audit_log
from app.store.database import Store
from app.store.schema import AuditEvent, Setting


def _events(store: Store) -> list[tuple[str, str, int | None, str]]:
    with store.read() as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        return [(e.kind, e.subject, e.actor_id, e.detail) for e in rows]


def test_an_admin_adds_and_removes_names_each_audited(store: Store) -> None:
    admin = default_practitioner(store).id
    assert area_names.clinic_area_names(store) == []
    area_names.add_area_name(store, admin, "  décolletage ")
    got = area_names.add_area_name(store, admin, "Back of  hands")
    assert got == ["Back of hands", "décolletage"]  # tidied, in alphabetical order
    before = len(_events(store))
    assert area_names.add_area_name(store, admin, "DÉCOLLETAGE") == got  # the same name
    assert len(_events(store)) == before  # nothing changed, nothing said
    with store.read() as s:
        rows = {r.key: r.value for r in s.scalars(select(Setting))}
    assert rows["mn_area_name:décolletage"] == "décolletage"
    assert area_names.remove_area_name(store, admin, "Décolletage") == ["Back of hands"]
    *_, added, removed = _events(store)
    assert added[:3] == ("setting_changed", "setting:mn_area_names", admin)
    assert "“Back of hands” added" in added[3]
    assert removed[:3] == ("setting_changed", "setting:mn_area_names", admin)
    assert "“décolletage” removed" in removed[3]
    with store.read() as s:
        assert list(audit_log.verify(s)) == []


def test_only_an_admin_may_change_the_list(store: Store) -> None:
    default_practitioner(store)  # the admin exists
    injector = create_practitioner(store, "Dr Ana Ruiz", Role.INJECTOR).id
    with pytest.raises(NotAllowedError, match="Only"):
        area_names.add_area_name(store, injector, "Décolletage")
    with pytest.raises(NotAllowedError, match="Only"):
        area_names.remove_area_name(store, injector, "Décolletage")
    assert area_names.clinic_area_names(store) == []


@pytest.mark.parametrize("name", ["", "   ", "Cheeks", "scar area", "x" * 41])
def test_names_that_cannot_be_a_clinic_name_are_refused(store: Store, name: str) -> None:
    admin = default_practitioner(store).id
    with pytest.raises(ValueError):
        area_names.add_area_name(store, admin, name)
    assert area_names.clinic_area_names(store) == []


def test_a_name_whose_folded_key_is_too_long_is_refused_before_the_database(
    store: Store,
) -> None:
    """Forty characters may fold to three times as many ("ﬃ" is "ffi"): past the key's
    100 the name is refused with a message, not by PostgreSQL's "value too long"."""
    admin = default_practitioner(store).id
    with pytest.raises(ValueError, match="too long"):
        area_names.add_area_name(store, admin, "ﬃ" * 40)
    assert area_names.clinic_area_names(store) == []
    assert area_names.add_area_name(store, admin, "ﬃ" * 29) == ["ﬃ" * 29]  # 13 + 87 = 100


def test_only_the_insert_that_adds_a_row_says_so(store: Store) -> None:
    """Two rooms adding one name at once: the row is inserted once, and only the room whose
    insert added it records "added" (the other's insert finds it there)."""
    from app.store.idempotent import insert_if_missing

    row = {"key": "mn_area_name:neck folds", "value": "Neck folds"}
    with store.write() as s:
        assert insert_if_missing(s, Setting, row, ["key"])
    with store.write() as s:
        assert not insert_if_missing(s, Setting, row, ["key"])
    assert area_names.clinic_area_names(store) == ["Neck folds"]
