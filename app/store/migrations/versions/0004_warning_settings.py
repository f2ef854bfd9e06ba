"""The clinic's switches for soft warnings (issue 10): one row per warning the clinic switched,
with who switched it and when. A warning without a row keeps its default (on).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warning_setting",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["practitioner.id"],
            name=op.f("fk_warning_setting_changed_by_id_practitioner"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_warning_setting")),
    )


def downgrade() -> None:
    op.drop_table("warning_setting")
