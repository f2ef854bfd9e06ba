"""Which catalogue product a carton's GTIN is (issue #9): asked once, the first time a carton
code with that GTIN is scanned, then remembered with who said so and when.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_gtin",
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("product_code", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["practitioner.id"],
            name=op.f("fk_product_gtin_added_by_id_practitioner"),
        ),
        sa.ForeignKeyConstraint(
            ["product_code"],
            ["product.code"],
            name=op.f("fk_product_gtin_product_code_product"),
        ),
        sa.PrimaryKeyConstraint("gtin", name=op.f("pk_product_gtin")),
    )


def downgrade() -> None:
    op.drop_table("product_gtin")
