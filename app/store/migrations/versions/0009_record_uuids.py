"""Stable UUIDs on the records a portable archive carries (issue #12, ADR 0023), the clinic an
imported record came from, and the audit events an archive brings from another database.

Existing rows get a fresh UUID each; new rows get one on insert (the models' default). The
UUID is what makes importing the same archive twice create nothing twice.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)

# table → its primary key column
UUID_TABLES = {
    "practitioner": "id",
    "practitioner_key": "id",
    "patient": "id",
    "visit": "id",
    "photo": "id",
    "chart": "id",
    "chart_version": "id",
    "chart_signature": "id",
    "patient_detail_change": "id",
    "audit_event": "seq",
}
ORIGIN_TABLES = ("practitioner", "practitioner_key", "patient", "chart_signature")


def _fill(table: str, key: str) -> None:
    conn = op.get_bind()
    t = sa.table(table, sa.column(key, sa.Integer), sa.column("uuid", sa.String))
    ids = conn.execute(sa.select(t.c[key])).scalars().all()
    for i in range(0, len(ids), 1000):
        conn.execute(
            t.update().where(t.c[key] == sa.bindparam("k")).values(uuid=sa.bindparam("u")),
            [{"k": k, "u": str(uuid.uuid4())} for k in ids[i : i + 1000]],
        )


def upgrade() -> None:
    for table, key in UUID_TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("uuid", sa.String(length=36), nullable=True))
            if table in ORIGIN_TABLES:
                batch.add_column(sa.Column("origin_clinic", sa.String(length=200), nullable=True))
        _fill(table, key)
        # A unique index, not NOT NULL plus a constraint: on SQLite those rebuild the table,
        # which its foreign keys refuse inside the migration's transaction.
        op.create_index(op.f(f"ix_{table}_uuid"), table, ["uuid"], unique=True)

    op.create_table(
        "imported_audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("origin_clinic", sa.String(length=200), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("imported_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["practitioner.id"],
            name=op.f("fk_imported_audit_event_actor_id_practitioner"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_imported_audit_event_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_imported_audit_event_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_audit_event")),
    )
    op.create_index(
        op.f("ix_imported_audit_event_uuid"), "imported_audit_event", ["uuid"], unique=True
    )
    op.create_index(
        op.f("ix_imported_audit_event_patient_id"), "imported_audit_event", ["patient_id"]
    )


def downgrade() -> None:
    op.drop_table("imported_audit_event")
    for table in reversed(list(UUID_TABLES)):
        op.drop_index(op.f(f"ix_{table}_uuid"), table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("uuid")
            if table in ORIGIN_TABLES:
                batch.drop_column("origin_clinic")
