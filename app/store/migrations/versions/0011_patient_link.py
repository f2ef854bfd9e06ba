"""An admin's decision on an imported look-alike patient (issue #12, ADR 0023): linked to the
existing patient or kept apart.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_patient_id", sa.Integer(), nullable=False),
        sa.Column("existing_patient_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_link_imported_patient_id_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["existing_patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_link_existing_patient_id_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["practitioner.id"],
            name=op.f("fk_patient_link_decided_by_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_link")),
    )
    op.create_index(
        op.f("ix_patient_link_imported_patient_id"),
        "patient_link",
        ["imported_patient_id"],
        unique=True,
    )
    op.create_index(
        op.f("ix_patient_link_existing_patient_id"), "patient_link", ["existing_patient_id"]
    )


def downgrade() -> None:
    op.drop_table("patient_link")
