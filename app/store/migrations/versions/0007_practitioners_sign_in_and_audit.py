"""Sign-in, sign-off, the audit trail and patient-detail history (issue #11): practitioners'
roles and Argon2id-hashed PIN and password, their sealed Ed25519 keys, signatures on chart
versions, an amendment's reason, the hash-chained audit log, and old values of patient details.

A database from before sign-in keeps its practitioners: the first becomes the admin (someone
must be able to manage the others), and each is asked to set a PIN and password on first start.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("practitioner") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="injector")
        )
        batch.add_column(sa.Column("pin_hash", sa.Text(), nullable=True))
        batch.add_column(sa.Column("password_hash", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("retry_after", _UTC, nullable=True))
    op.execute(
        "UPDATE practitioner SET role = 'admin' "
        "WHERE id = (SELECT MIN(id) FROM practitioner WHERE active)"
    )
    with op.batch_alter_table("chart_version") as batch:
        batch.add_column(sa.Column("amend_reason", sa.Text(), nullable=True))

    op.create_table(
        "practitioner_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("kdf_salt", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("retired_at", _UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioner.id"],
            name=op.f("fk_practitioner_key_practitioner_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner_key")),
    )
    op.create_index(
        op.f("ix_practitioner_key_practitioner_id"), "practitioner_key", ["practitioner_id"]
    )

    op.create_table(
        "chart_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chart_version_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", _UTC, nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_version_id"],
            ["chart_version.id"],
            name=op.f("fk_chart_signature_chart_version_id_chart_version"),
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["practitioner_key.id"],
            name=op.f("fk_chart_signature_key_id_practitioner_key"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioner.id"],
            name=op.f("fk_chart_signature_practitioner_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_signature")),
        sa.UniqueConstraint(
            "chart_version_id",
            "practitioner_id",
            "kind",
            name=op.f("uq_chart_signature_chart_version_id_practitioner_id_kind"),
        ),
    )
    op.create_index(
        op.f("ix_chart_signature_chart_version_id"), "chart_signature", ["chart_version_id"]
    )

    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["practitioner.id"], name=op.f("fk_audit_event_actor_id_practitioner")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_audit_event_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_audit_event_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_event_prev_hash")),
    )
    op.create_index("ix_audit_event_patient", "audit_event", ["patient_id", "seq"])
    op.create_index("ix_audit_event_actor", "audit_event", ["actor_id", "seq"])

    op.create_table(
        "patient_detail_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", _UTC, nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["practitioner.id"],
            name=op.f("fk_patient_detail_change_changed_by_id_practitioner"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_detail_change_patient_id_patient"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_detail_change")),
    )
    op.create_index(
        op.f("ix_patient_detail_change_patient_id"), "patient_detail_change", ["patient_id"]
    )


def downgrade() -> None:
    op.drop_table("patient_detail_change")
    op.drop_table("audit_event")
    op.drop_table("chart_signature")
    op.drop_table("practitioner_key")
    with op.batch_alter_table("chart_version") as batch:
        batch.drop_column("amend_reason")
    with op.batch_alter_table("practitioner") as batch:
        for column in ("retry_after", "failed_attempts", "password_hash", "pin_hash", "role"):
            batch.drop_column(column)
