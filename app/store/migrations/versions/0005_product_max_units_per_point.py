"""A clinic's largest single dose per point of each product (issue 9): a point above it is
said to be implausible where no area label dose applies. Empty by default: the label gives no
such figure, so nothing is invented.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.add_column(
            sa.Column("max_units_per_point", sa.Numeric(precision=7, scale=2), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.drop_column("max_units_per_point")
