"""Practitioners' roles (issue #11) and what each may do; each role can do all the one before
it can. Checked by the services, so a screen that forgets a check still cannot act."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    INJECTOR = "injector"  # charts, signs own charts, sees the audit of own actions
    PRESCRIBER = "prescriber"  # + co-signs, sees the audit of patients they treated
    ADMIN = "admin"  # + practitioners, settings, backups, restores, the whole audit

    @property
    def label(self) -> str:
        return self.value.capitalize()


_RANK = {Role.INJECTOR: 0, Role.PRESCRIBER: 1, Role.ADMIN: 2}


def at_least(role: Role | str, needed: Role) -> bool:
    return _RANK[Role(role)] >= _RANK[needed]


def may_cosign(role: Role | str) -> bool:
    return at_least(role, Role.PRESCRIBER)


def may_administer(role: Role | str) -> bool:
    """Practitioners, settings, backups, restores and the whole audit."""
    return at_least(role, Role.ADMIN)
