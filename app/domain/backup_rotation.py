"""Which automatic backups to keep (issue #12): the newest of each of the last 7 days that have
one, of the last 4 weeks, and of the last 12 months ("grandfather-father-son"). The newest
backup is always kept; a backup is removed only when no rule keeps it."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

DAILY, WEEKLY, MONTHLY = 7, 4, 12


def _newest_per(
    items: Sequence[tuple[datetime, T]], period: Callable[[datetime], Hashable], how_many: int
) -> set[int]:
    """Indexes of the newest item in each of the `how_many` most recent periods."""
    kept: set[int] = set()
    seen: set[Hashable] = set()
    for index, (when, _) in sorted(enumerate(items), key=lambda e: e[1][0], reverse=True):
        key = period(when)
        if key in seen:
            continue
        if len(seen) == how_many:
            break
        seen.add(key)
        kept.add(index)
    return kept


def to_keep(backups: Iterable[tuple[datetime, T]]) -> tuple[list[T], list[T]]:
    """(kept, removable) among backups given as (taken at, anything)."""
    items = list(backups)
    if not items:
        return [], []
    kept = (
        _newest_per(items, lambda t: t.date(), DAILY)
        | _newest_per(items, lambda t: t.isocalendar()[:2], WEEKLY)
        | _newest_per(items, lambda t: (t.year, t.month), MONTHLY)
    )
    return (
        [x for i, (_, x) in enumerate(items) if i in kept],
        [x for i, (_, x) in enumerate(items) if i not in kept],
    )
