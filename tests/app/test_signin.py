"""Signing in, backing off, locking, first start and an admin's changes (issue #11), on a real
database (SQLite, and PostgreSQL when FACECHART_TEST_PG is set): the practitioner rows and the
audit events are read back from the store, never assumed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.roles import Role
from app.domain.values import clock_at, utcnow
from app.security import keys
from app.services import credentials, drafts, practitioner_admin, signin
from app.services.access import NotAllowedError
from app.services.practitioners import create_practitioner, default_practitioner
from app.services.signin import SignInRefused
from app.store.database import Store
from app.store.schema import AuditEvent, Practitioner

PIN, PASSWORD = "4821", "correct horse"


def events(store: Store) -> list[tuple[str, int | None, str]]:
    with store.read() as s:
        return [(e.kind, e.actor_id, e.detail) for e in s.scalars(select(AuditEvent))]


def row(store: Store, pid: int) -> Practitioner:
    with store.read() as s:
        p = s.get(Practitioner, pid)
        assert p is not None
        s.expunge(p)
        return p


def test_first_start_creates_the_admin_and_signs_them_in(store: Store) -> None:
    assert signin.setup_state(store) == "first_admin"
    with pytest.raises(credentials.WeakSecretError):
        signin.create_first_admin(store, "Dr Ada", "12", PASSWORD)  # a PIN is 4–8 digits
    assert signin.tiles(store) == []  # nothing half made
    who = signin.create_first_admin(store, "  Dr Ada  ", PIN, PASSWORD)
    assert who.practitioner.name == "Dr Ada" and who.practitioner.role is Role.ADMIN
    assert who.signer is not None and who.must_replace == frozenset()
    stored = row(store, who.practitioner.id)
    assert stored.pin_hash and stored.pin_hash.startswith("$argon2id$")
    assert PIN not in stored.pin_hash and PASSWORD not in (stored.password_hash or "")
    assert signin.setup_state(store) == "ready"
    assert [e[0] for e in events(store)] == ["practitioner_changed", "sign_in"]
    with pytest.raises(SignInRefused):
        signin.create_first_admin(store, "Mallory", "9999", "another password")


def test_an_upgraded_databases_admin_sets_theirs_and_others_wait_for_an_admin(
    store: Store,
) -> None:
    root = default_practitioner(store)  # today's "anyone at the laptop" practitioner: admin
    nurse = create_practitioner(store, "Nurse Bo", Role.INJECTOR)
    assert signin.setup_state(store) == "claim"
    tiles = {t.name: t for t in signin.tiles(store)}
    assert tiles[root.name].may_set_up and not tiles[root.name].ready
    assert not tiles["Nurse Bo"].may_set_up
    with pytest.raises(SignInRefused):
        signin.claim(store, nurse.id, PIN, PASSWORD)  # an injector cannot claim
    with pytest.raises(SignInRefused, match="an admin sets"):
        signin.sign_in(store, nurse.id, PIN, PASSWORD)
    who = signin.claim(store, root.id, PIN, PASSWORD)
    assert who.signer is not None and signin.setup_state(store) == "ready"
    with pytest.raises(SignInRefused):  # once someone has credentials, nobody claims
        signin.claim(store, nurse.id, PIN, PASSWORD)
    tiles = {t.name: t for t in signin.tiles(store)}
    assert tiles[root.name].ready and not tiles["Nurse Bo"].may_set_up


def test_sign_in_opens_the_key_and_failures_back_off_across_restarts(store: Store) -> None:
    admin = signin.create_first_admin(store, "Dr Ada", PIN, PASSWORD).practitioner
    who = signin.sign_in(store, admin.id, PIN, PASSWORD)
    assert who.signer is not None
    assert keys.verify(who.signer.public_key, who.signer.sign(b"x"), b"x")
    for n in (1, 2):
        with pytest.raises(SignInRefused) as refused:
            signin.sign_in(store, admin.id, "0000", PASSWORD)
        assert refused.value.wait_seconds is None and row(store, admin.id).failed_attempts == n
    with pytest.raises(SignInRefused) as refused:  # a wrong password counts the same
        signin.sign_in(store, admin.id, PIN, "wrong password")
    assert refused.value.wait_seconds == 30 and "30 seconds" in str(refused.value)
    stored = row(store, admin.id)
    assert stored.failed_attempts == 3 and stored.retry_after is not None
    # stored on the row: a restarted app (a fresh read) waits all the same, right secrets too
    with pytest.raises(SignInRefused, match="Try again in") as waiting:
        signin.sign_in(store, admin.id, PIN, PASSWORD)
    assert waiting.value.wait_seconds is not None and 0 < waiting.value.wait_seconds <= 30
    later = utcnow() + timedelta(seconds=31)
    with clock_at(later), pytest.raises(SignInRefused) as refused:
        signin.sign_in(store, admin.id, "0000", PASSWORD)
    assert refused.value.wait_seconds == 60  # doubles
    with clock_at(later + timedelta(seconds=61)):
        signin.sign_in(store, admin.id, PIN, PASSWORD)
    assert row(store, admin.id).failed_attempts == 0 and row(store, admin.id).retry_after is None
    failed = [e for e in events(store) if e[0] == "sign_in_failed"]
    assert len(failed) == 4 and all(actor == admin.id for _, actor, _ in failed)
    assert "wrong password" in failed[2][2] and "wrong PIN" in failed[0][2]
    assert signin.backoff_seconds(40) == signin.MAX_WAIT_S  # capped


def test_a_password_opened_ahead_of_the_pin_counts_only_at_sign_in(store: Store) -> None:
    admin = signin.create_first_admin(store, "Dr Ada", PIN, PASSWORD).practitioner
    bad = signin.open_key(store, admin.id, "not the password")
    assert bad.signer is None and row(store, admin.id).failed_attempts == 0
    with pytest.raises(SignInRefused):
        signin.sign_in(store, admin.id, PIN, bad)
    assert row(store, admin.id).failed_attempts == 1
    good = signin.open_key(store, admin.id, PASSWORD)
    assert signin.sign_in(store, admin.id, PIN, good).signer == good.signer


def test_unlock_is_the_pin_alone_and_lock_and_sign_out_are_logged(store: Store) -> None:
    admin = signin.create_first_admin(store, "Dr Ada", PIN, PASSWORD).practitioner
    signin.lock(store, admin.id, "idle")
    with pytest.raises(SignInRefused, match="PIN is not right"):
        signin.unlock(store, admin.id, "1111")
    signin.unlock(store, admin.id, PIN)
    signin.sign_out(store, admin.id)
    kinds = [k for k, _, _ in events(store)]
    assert kinds[-4:] == ["lock", "sign_in_failed", "unlock", "sign_out"]


def test_admin_adds_resets_and_the_practitioner_replaces_what_the_admin_set(
    store: Store,
) -> None:
    admin = signin.create_first_admin(store, "Dr Ada", PIN, PASSWORD).practitioner
    added = practitioner_admin.add(store, admin.id, "Nurse Bo", Role.INJECTOR, "1357", "first-pass")
    assert added.ready and added.temporary == {"pin", "password"}
    bo = signin.sign_in(store, added.id, "1357", "first-pass")
    assert bo.must_replace == {"pin", "password"} and bo.signer is not None
    admin_known = bo.signer.public_key
    own = signin.replace_temporary(store, added.id, "8642", "bo's own secret")
    assert own is not None and own.public_key != admin_known
    assert signin.temporary_parts(store, added.id) == frozenset()
    # a forgotten password: the admin resets it, a new key, the old public keys all kept
    practitioner_admin.reset_password(store, admin.id, added.id, "temporary-2")
    kept = credentials.public_keys(store, added.id)
    assert [k.retired for k in kept] == [True, True, False]
    assert kept[1].public_key == own.public_key  # still there to verify what it signed
    again = signin.sign_in(store, added.id, "8642", "temporary-2")
    assert again.must_replace == {"password"} and again.signer is not None
    assert again.signer.public_key == kept[2].public_key
    practitioner_admin.reset_pin(store, admin.id, added.id, "2222")
    assert signin.sign_in(store, added.id, "2222", "temporary-2").must_replace == {
        "pin",
        "password",
    }
    details = [d for k, _, d in events(store) if k == "practitioner_changed"]
    assert "added as injector" in details and "PIN reset by an admin" in details
    assert any("new signing key" in d for d in details)


def test_only_an_admin_changes_practitioners_and_settings(store: Store) -> None:
    admin = signin.create_first_admin(store, "Dr Ada", PIN, PASSWORD).practitioner
    nurse = practitioner_admin.add(store, admin.id, "Nurse Bo", Role.INJECTOR, "1357", "first-pass")
    doc = practitioner_admin.add(store, admin.id, "Dr Cy", Role.PRESCRIBER, "2468", "first-pass")
    for actor in (nurse.id, doc.id):
        with pytest.raises(NotAllowedError):
            practitioner_admin.add(store, actor, "Eve", Role.ADMIN, "1111", "password1")
        with pytest.raises(NotAllowedError):
            practitioner_admin.set_role(store, actor, actor, Role.ADMIN)
        with pytest.raises(NotAllowedError):
            practitioner_admin.reset_pin(store, actor, admin.id, "0000")
        with pytest.raises(NotAllowedError):
            practitioner_admin.set_idle_lock_minutes(store, actor, 30)
        with pytest.raises(NotAllowedError):
            practitioner_admin.list_all(store, actor)
    assert row(store, nurse.id).role == "injector"
    assert practitioner_admin.idle_lock_minutes(store) == 5  # the default
    practitioner_admin.set_idle_lock_minutes(store, admin.id, 2)
    assert practitioner_admin.idle_lock_minutes(store) == 2
    practitioner_admin.set_role(store, admin.id, doc.id, Role.ADMIN)
    assert row(store, doc.id).role == "admin"
    practitioner_admin.set_role(store, admin.id, doc.id, Role.PRESCRIBER)
    with pytest.raises(NotAllowedError, match="at least one admin"):
        practitioner_admin.set_active(store, admin.id, admin.id, False)
    practitioner_admin.set_active(store, admin.id, nurse.id, False)
    with pytest.raises(SignInRefused, match="no longer works here"):
        signin.sign_in(store, nurse.id, "1357", "first-pass")
    with pytest.raises(NotAllowedError):  # deactivated: their rights went with it
        practitioner_admin.set_active(store, nurse.id, nurse.id, True)
    assert "Nurse Bo" not in [t.name for t in signin.tiles(store)]
    kinds = [k for k, _, _ in events(store)]
    assert kinds.count("setting_changed") == 1
    changed = [d for k, a, d in events(store) if k == "practitioner_changed" and a == admin.id]
    assert "role prescriber → admin" in changed and "deactivated" in changed


def test_a_draft_belongs_to_its_author(store: Store) -> None:
    from app.domain.chart import ChartContent

    # a server database's drafts live in the user data folder, shared by every run on it
    def ours() -> list[drafts.Draft]:
        return [d for d in drafts.list_drafts(store, 2) if d.visit_id in (5, 6)]

    for visit, author in ((5, 1), (5, 2), (6, None)):
        drafts.clear_draft(store, visit, author)
    content = ChartContent()
    drafts.write_draft(store, 5, None, content, author_id=1)
    assert drafts.load_draft(store, 5, 1) is not None
    assert drafts.load_draft(store, 5, 2) is None  # never offered to another practitioner
    assert [d.author_id for d in drafts.list_drafts(store, 1) if d.visit_id == 5] == [1]
    assert ours() == []
    drafts.write_draft(store, 6, None, content)  # from before sign-in: anybody's
    assert drafts.load_draft(store, 6, 2) is not None
    assert {d.visit_id for d in ours()} == {6}
    drafts.clear_draft(store, 5, 2)  # another's clear leaves it
    assert drafts.load_draft(store, 5, 1) is not None
    drafts.clear_draft(store, 5, 1)
    drafts.clear_draft(store, 6, None)
    assert drafts.load_draft(store, 5, 1) is None and ours() == []
