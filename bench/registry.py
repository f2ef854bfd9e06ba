"""What a benchmark module provides, and the helpers every area shares.

An area module (`bench/store.py`, later `bench/editor.py`, `bench/capture.py`, …) defines
`BENCHMARKS: tuple[Benchmark, ...]`; `bench/run.py` finds every such module in this package,
so adding an area means adding one file. A benchmark owns a few figure keys (CONTRACTS.md,
"Benchmarks": the key ends in its unit) and returns a `Report` with a value or a reason per key.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

QUICK_ENV = "FACECHART_BENCH_QUICK"


@dataclass(frozen=True, slots=True)
class Context:
    """What a run hands every benchmark."""

    tmp: Path  # a fresh folder for this benchmark's databases and files, removed afterwards
    faces: Path  # real face photos (CONTRACTS.md `--faces`)
    quick: bool = False  # tiny sizes, for the runner's own test: the figures mean nothing
    pg_url: str | None = None  # a PostgreSQL server to run store figures on instead of SQLite

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True, slots=True)
class Goal:
    """The figure should be at most (or, with at_least, at least) `value`."""

    value: float
    at_least: bool = False

    def met(self, figure: float) -> bool:
        return figure >= self.value if self.at_least else figure <= self.value

    def __str__(self) -> str:
        return f"{'≥' if self.at_least else '≤'} {self.value:g}"


@dataclass
class Report:
    """A benchmark's outcome: per key a number, or None and the reason it is missing."""

    figures: dict[str, float | None] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    reps: dict[str, int] = field(default_factory=dict)
    # anything worth printing under the figure: (label, text) rows of the readable table
    notes: list[tuple[str, str]] = field(default_factory=list)
    # machine-readable extras (per-query medians, sizes used), kept under "details" in the JSON
    details: dict[str, object] = field(default_factory=dict)

    def put(self, key: str, value: float, reps: int) -> None:
        self.figures[key] = value
        self.reps[key] = reps

    def skip(self, key: str, why: str) -> None:
        self.figures[key] = None
        self.skipped[key] = why


@dataclass(frozen=True, slots=True)
class Benchmark:
    name: str  # what `run.py NAME` selects (a figure key selects its benchmark too)
    keys: tuple[str, ...]
    run: Callable[[Context], Report]
    goals: dict[str, Goal] = field(default_factory=dict)
    about: str = ""


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def timed_ms(fn: Callable[[], T]) -> tuple[float, T]:
    """(milliseconds the call took, its result), on the monotonic high-resolution clock."""
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000.0, result


def repeat_ms(fn: Callable[[], object], reps: int, warmup: int) -> list[float]:
    """Times of `reps` calls after `warmup` untimed ones (caches, statement cache, page cache)."""
    for _ in range(warmup):
        fn()
    return [timed_ms(fn)[0] for _ in range(reps)]
