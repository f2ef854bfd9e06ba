"""Search keys carry the patient's name, and words' first one and two letters are keys too.

A one- or two-letter search ("m", "jo") matched a fifth of 100,000 patients, and listing its
first page sorted every match: 30–60 ms. Now a short word is one key whose rows the index
holds in list order (family name, given name, id), and a longer word sorts only its index
entries, not patient rows (ADR 0005).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PREFIX_KEYS = 2  # the same as app.services.patients.PREFIX_KEYS when this was written


def upgrade() -> None:
    with op.batch_alter_table("patient_search_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("family_name", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("given_name", sa.String(length=200), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE patient_search_token SET "
        "family_name = (SELECT p.family_name FROM patient p WHERE p.id = patient_id), "
        "given_name = (SELECT p.given_name FROM patient p WHERE p.id = patient_id)"
    )
    # substr counts characters on both backends, as Python's slicing does in the service.
    for n in range(1, PREFIX_KEYS + 1):
        op.execute(
            "INSERT INTO patient_search_token (token, patient_id, family_name, given_name) "
            f"SELECT DISTINCT substr(t.token, 1, {n}), t.patient_id, t.family_name, t.given_name "
            f"FROM patient_search_token t WHERE length(t.token) > {n} AND NOT EXISTS ("
            "SELECT 1 FROM patient_search_token k "
            f"WHERE k.patient_id = t.patient_id AND k.token = substr(t.token, 1, {n}))"
        )
    with op.batch_alter_table("patient_search_token", schema=None) as batch_op:
        batch_op.alter_column("family_name", server_default=None)
        batch_op.alter_column("given_name", server_default=None)
        batch_op.drop_index("ix_patient_search_token_patient_id")
        batch_op.create_index(
            "ix_patient_search_token_order",
            ["token", "family_name", "given_name", "patient_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_patient_search_token_patient", ["patient_id", "token"], unique=False
        )


def downgrade() -> None:
    raise NotImplementedError("FaceChart never migrates a clinical database backwards")
