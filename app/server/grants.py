"""What the rooms' database role may do (issue #13): read everything, add rows, and change or
remove only what the app itself changes. Rows that are records once written — chart versions,
chart parts, photo bytes, audit events, signatures, checkpoints, patient-detail history — are
never updated or deleted by the app, and the database enforces it: the rooms' role has no
UPDATE or DELETE on them (nor DROP, TRUNCATE or any schema change; only the owner migrates).
"""

from __future__ import annotations

# Tables the app adds to and reads, and never changes: INSERT and SELECT only.
APPEND_ONLY = (
    "chart_version",
    "chart_part",
    "photo_blob",
    "audit_event",
    "chart_signature",
    "patient_detail_change",
    "checkpoint",
    "checkpoint_entry",
    "installation_key",  # the public keys checkpoints were signed with
    "imported_audit_event",  # another clinic's trail, as an archive brought it
    "lot_use",  # the lot index: written with each version, never changed (ADR 0030)
)
# Tables whose rows the app changes (error marks, details with their history, settings) or
# replaces (a patient's search keys when the name changes).
MUTABLE = (
    "practitioner",
    "practitioner_key",  # a reset retires the old key
    "patient",
    "patient_search_token",
    "view",
    "protocol",
    "protocol_step",
    "product",
    "product_gtin",
    "visit",
    "photo",
    "chart",
    "setting",
    "warning_setting",
)


def grant_statements(role: str, tables: set[str]) -> list[str]:
    """The GRANTs for `role` on the tables that exist (quoted identifiers)."""
    quoted = '"' + role.replace('"', '""') + '"'
    out = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE CREATE ON SCHEMA public FROM {quoted}",
        # PostgreSQL 14 and older let every role (PUBLIC) create tables in `public`: a revoke
        # from the rooms' role alone would leave it that right through PUBLIC
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
    for table in sorted(tables):
        if table == "alembic_version":
            out.append(f"GRANT SELECT ON alembic_version TO {quoted}")
        elif table in MUTABLE:
            out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {quoted}")
        else:  # append-only, and any table not named above: the safe default
            out.append(f"GRANT SELECT, INSERT ON {table} TO {quoted}")
            out.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}")
    return out
