"""The clinic's switches for soft warnings: read when a chart opens, changed on the settings
screen. Each change is one transaction that records who switched the row and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain.roles import Role
from app.domain.soft_warnings import RULE_BY_KEY, RULES, SoftWarningRule, Switches
from app.domain.values import utcnow
from app.services.access import require
from app.store import audit_log
from app.store.database import Store
from app.store.idempotent import insert_missing
from app.store.schema import WarningSetting


@dataclass(frozen=True, slots=True)
class WarningState:
    rule: SoftWarningRule
    on: bool
    changed_at: datetime | None = None  # None: never switched, the default holds
    changed_by: str | None = None


def list_warning_states(store: Store) -> list[WarningState]:
    """Every row of the table, in its order, with the clinic's switch."""
    with store.read() as s:
        rows = {w.key: w for w in s.scalars(select(WarningSetting))}
        out = []
        for rule in RULES:
            row = rows.get(rule.key)
            if row is None:
                out.append(WarningState(rule, rule.default_on))
            else:
                who = row.changed_by.name if row.changed_by is not None else None
                out.append(WarningState(rule, row.enabled, row.changed_at, who))
        return out


def warning_switches(store: Store) -> Switches:
    with store.read() as s:
        stored = {w.key: w.enabled for w in s.scalars(select(WarningSetting))}
    return Switches.from_settings(stored)


def set_warning(store: Store, key: str, on: bool, practitioner_id: int | None) -> WarningState:
    """Switch a row (admins only: issue #11, the service checks), with a setting_changed audit
    event in the same transaction."""
    if key not in RULE_BY_KEY:
        raise KeyError(f"No soft warning {key!r}.")
    require(store, practitioner_id, Role.ADMIN, "change the clinic's settings")
    with store.write() as s:
        # two rooms switching the same row at once: one row, the later switch kept
        insert_missing(
            s,
            WarningSetting,
            [{"key": key, "enabled": on, "changed_at": utcnow()}],
            ["key"],
        )
        row = s.get_one(WarningSetting, key)
        row.enabled = on
        row.changed_at = now = utcnow()
        row.changed_by_id = practitioner_id
        audit_log.append(
            s,
            "setting_changed",
            practitioner_id,
            subject=f"soft_warning:{key}",
            detail=f"soft warning “{RULE_BY_KEY[key].title}” switched {'on' if on else 'off'}",
            at=now,
        )
        s.flush()
        s.refresh(row)
        who = row.changed_by.name if row.changed_by is not None else None
        return WarningState(RULE_BY_KEY[key], on, row.changed_at, who)
