"""When sign-off began in this database (issue #11, ADR 0019): the setting `sign_off_since`,
the UTC time this migration ran. A version saved before it was saved when nothing could be
signed, and shows as "unsigned (before sign-off)"; a later one without a signature as "not
signed".

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KEY = "sign_off_since"
_setting = sa.table("setting", sa.column("key", sa.String), sa.column("value", sa.Text))


def upgrade() -> None:
    # the same text app/services/signoff.py writes and reads: ISO-8601 UTC to the microsecond
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    op.execute(_setting.delete().where(_setting.c.key == KEY))
    op.execute(_setting.insert().values(key=KEY, value=now))


def downgrade() -> None:
    op.execute(_setting.delete().where(_setting.c.key == KEY))
