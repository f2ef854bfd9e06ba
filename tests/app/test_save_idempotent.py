"""A save is idempotent by its version UUID (issue #13, ADR 0027): a retry after the clinic
server went away finds the version an earlier attempt committed instead of saving it twice,
and the same UUID with other content is an error, never "already saved". The faults that mean
"the server cannot be reached" are told apart from the ones that do not (a busy SQLite file)."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app.services import charts, patients, photos, visits
from app.services.practitioners import PractitionerRecord
from app.store.database import Store, open_store, sqlite_url
from app.store.errors import (
    DatabaseLockedError,
    DatabaseUnavailableError,
    ServerUnreachableError,
    VersionIdentityError,
)
from app.store.schema import AuditEvent, ChartVersion
from tests.app.chart_factory import glabella
from tests.conftest import PG_URL
from tests.images import jpeg_bytes


@pytest.fixture
def visit_and_sha(store: Store, clinician: PractitionerRecord) -> tuple[int, str]:
    p = patients.create_patient(store, "Zoë", "Martin", date(1984, 3, 12))
    v = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    ph = photos.add_photo_bytes(store, p.id, "frown", jpeg_bytes(), visit_id=v.id)
    return v.id, ph.sha256


def _count(store: Store, model: type[ChartVersion] | type[AuditEvent]) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_retry_with_the_same_uuid_returns_the_saved_version_and_writes_nothing(
    store: Store, clinician: PractitionerRecord, visit_and_sha: tuple[int, str]
) -> None:
    visit_id, sha = visit_and_sha
    key = str(uuid.uuid4())
    content = glabella(sha)
    first = charts.save_version(
        store,
        visit_id,
        content,
        parent_version_id=None,
        saved_by_id=clinician.id,
        comment="plan",
        version_uuid=key,
    )
    versions, events = _count(store, ChartVersion), _count(store, AuditEvent)
    # The answer was lost: the retry is made from the same parent, the version is the head now.
    again = charts.save_version(
        store,
        visit_id,
        content,
        parent_version_id=None,
        saved_by_id=clinician.id,
        comment="plan",
        version_uuid=key,
    )
    assert again == first
    assert (_count(store, ChartVersion), _count(store, AuditEvent)) == (versions, events)
    with store.read() as s:
        assert s.scalar(select(ChartVersion.uuid).where(ChartVersion.id == first.id)) == key
    # the next save goes on from it as usual
    second = charts.save_version(
        store,
        visit_id,
        content,
        parent_version_id=first.id,
        saved_by_id=clinician.id,
        version_uuid=str(uuid.uuid4()),
    )
    assert second.version_no == 2


def test_the_same_uuid_with_other_content_is_an_error_not_success(
    store: Store, clinician: PractitionerRecord, visit_and_sha: tuple[int, str]
) -> None:
    visit_id, sha = visit_and_sha
    key = str(uuid.uuid4())
    content = glabella(sha)
    charts.save_version(
        store,
        visit_id,
        content,
        parent_version_id=None,
        saved_by_id=clinician.id,
        version_uuid=key,
    )
    view = content.views[0]
    moved = replace(view, points=(replace(view.points[0], units=Decimal(9)), *view.points[1:]))
    other = replace(content, views=(moved, *content.views[1:]))
    with pytest.raises(VersionIdentityError, match="identity is already taken"):
        charts.save_version(
            store,
            visit_id,
            other,
            parent_version_id=None,
            saved_by_id=clinician.id,
            version_uuid=key,
        )
    with pytest.raises(VersionIdentityError):  # same content, another comment: not this save
        charts.save_version(
            store,
            visit_id,
            content,
            parent_version_id=None,
            saved_by_id=clinician.id,
            comment="other",
            version_uuid=key,
        )
    assert _count(store, ChartVersion) == 1


def test_a_uuid_taken_by_another_visits_version_is_an_error(
    store: Store, clinician: PractitionerRecord, visit_and_sha: tuple[int, str]
) -> None:
    visit_id, sha = visit_and_sha
    p = patients.create_patient(store, "Ada", "Other", date(1990, 1, 1))
    other_visit = visits.start_visit(store, p.id, clinician.id, "neurotoxin")
    key = str(uuid.uuid4())
    content = glabella(sha)
    charts.save_version(
        store,
        visit_id,
        content,
        parent_version_id=None,
        saved_by_id=clinician.id,
        version_uuid=key,
    )
    ph = photos.add_photo_bytes(store, p.id, "frown", jpeg_bytes(), visit_id=other_visit.id)
    with pytest.raises(VersionIdentityError):
        charts.save_version(
            store,
            other_visit.id,
            glabella(ph.sha256),
            parent_version_id=None,
            saved_by_id=clinician.id,
            version_uuid=key,
        )


def test_a_busy_sqlite_file_is_locked_not_an_outage(tmp_path: Path) -> None:
    path = tmp_path / "facechart.db"
    store = open_store(sqlite_url(path), busy_timeout_ms=50)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another room's write in progress
    try:
        with pytest.raises(DatabaseLockedError) as info, store.write() as s:
            s.execute(text("SELECT 1"))  # BEGIN IMMEDIATE waits for the other writer
        assert not isinstance(info.value, DatabaseUnavailableError)
    finally:
        holder.rollback()
        holder.close()
        store.dispose()


def test_a_refused_server_connection_is_an_outage_naming_the_server() -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    with pytest.raises(ServerUnreachableError) as info:
        open_store("postgresql://facechart@127.0.0.1:1/facechart", busy_timeout_ms=200)
    assert "The clinic server (127.0.0.1:1) cannot be reached" in str(info.value)


needs_pg = pytest.mark.skipif(not PG_URL, reason="FACECHART_TEST_PG names no server")


def _link(store: Store) -> dict[str, str]:
    """The libpq parameters the room's connection was made with (the client's socket)."""
    raw = store.engine.raw_connection()
    try:
        return dict(raw.driver_connection.info.get_parameters())  # type: ignore[union-attr]  # psycopg
    finally:
        raw.close()


@needs_pg
def test_server_connections_notice_a_dead_link_and_never_cut_a_long_save() -> None:
    """A room's connection: a 5 s connect timeout, TCP keepalives after 10 s of silence and a
    30 s limit on unacknowledged data, and no statement timeout (a 12 MP photo's save may
    rightly be long); the pool pings before use; the URL's own setting wins."""
    assert PG_URL
    store = open_store(PG_URL, migrate=False)
    try:
        assert store.engine.pool._pre_ping  # a pooled connection the server dropped is noticed
        link = _link(store)
        assert link["connect_timeout"] == "5" and link["keepalives"] == "1"
        assert (link["keepalives_idle"], link["keepalives_interval"]) == ("10", "5")
        assert (link["keepalives_count"], link["tcp_user_timeout"]) == ("3", "30000")
        with store.read() as s:
            assert s.scalar(text("SHOW statement_timeout")) == "0"
    finally:
        store.dispose()
    url = make_url(PG_URL)
    mine = url.update_query_dict({"keepalives_idle": "42"})
    store = open_store(mine.render_as_string(hide_password=False), migrate=False)
    try:
        assert _link(store)["keepalives_idle"] == "42"
        assert store.server == f"{url.host}:{url.port or 5432}"
    finally:
        store.dispose()
