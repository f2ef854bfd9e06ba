"""Two indexes (issue #8 and its leftovers): the photos' upright sizes, so opening a chart
reads them from an index instead of walking each original's pages, and the audit trail by
time, for the audit screens' date filters. Nothing stored is changed.

SQLite keeps a row's columns in order, and `photo_blob` stores the original (several MB)
before `width` and `height`: reading the four sizes of a chart's photos followed four chains
of overflow pages (~2 ms each). A covering index holds the sizes beside the hash. Building it
reads each row once the same way: the first start after the upgrade takes about 2 ms more per
stored photo (some 20 s for 10,000 photos), once.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_photo_blob_frame", "photo_blob", ["sha256", "width", "height"])
    op.create_index("ix_audit_event_at", "audit_event", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_at", table_name="audit_event")
    op.drop_index("ix_photo_blob_frame", table_name="photo_blob")
