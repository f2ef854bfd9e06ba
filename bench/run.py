"""Run FaceChart's benchmarks: `python bench/run.py [--json] [--quick] [NAME ...]`.

Prints a readable table, or with --json one JSON object as the last line (CONTRACTS.md,
"Benchmarks"): every figure under its key in the unit its name ends with, null plus
`<key>_skipped` when it could not be measured, and "machine" and "when". NAME is a benchmark
name, a figure key or an area (module) name; none means all.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import shutil
import signal
import sys
import tempfile
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from the repository root
    sys.path.insert(0, str(REPO))

from bench.registry import QUICK_ENV, Benchmark, Context, Report  # noqa: E402

# Modules of the package that are not areas.
_NOT_AREAS = {"run", "registry"}


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    benchmarks: tuple[Benchmark, ...]


def discover() -> tuple[list[Area], dict[str, str]]:
    """Every module of `bench/` that defines BENCHMARKS, in name order, and the modules that
    failed to import (one broken area must not stop the others' figures)."""
    import bench

    areas = []
    broken: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if info.name in _NOT_AREAS or info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"bench.{info.name}")
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            broken[info.name] = f"{type(exc).__name__}: {exc}"
            continue
        benchmarks = getattr(module, "BENCHMARKS", None)
        if benchmarks:
            areas.append(Area(info.name, tuple(benchmarks)))
    return areas, broken


def select(areas: list[Area], names: list[str]) -> list[Benchmark]:
    chosen: list[Benchmark] = []
    for area in areas:
        for b in area.benchmarks:
            if not names or {area.name, b.name, *b.keys} & set(names):
                chosen.append(b)
    known = {n for a in areas for b in a.benchmarks for n in (a.name, b.name, *b.keys)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(
            f"unknown benchmark {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return chosen


def _version(module: str, attr: str = "__version__") -> str | None:
    try:
        return str(getattr(importlib.import_module(module), attr))
    except Exception:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):  # not on Windows
        return None


def machine() -> dict[str, object]:
    import sqlite3

    try:
        from PySide6 import QtCore  # no QApplication: only the library's version

        qt: str | None = QtCore.qVersion()
    except Exception:
        qt = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyside6": _version("PySide6"),
        "qt": qt,
        "opencv": _version("cv2"),
        "sqlalchemy": _version("sqlalchemy"),
        "sqlite": sqlite3.sqlite_version,
    }


def pg_server(url: str) -> str | None:
    """The PostgreSQL server's version string, for the record of a `--pg` run."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return str(conn.execute(text("SHOW server_version")).scalar_one())
        finally:
            engine.dispose()
    except Exception as exc:
        return f"unknown ({type(exc).__name__})"


class ContextArgs(TypedDict):
    """The Context fields every benchmark of one run shares (each gets its own `tmp`)."""

    faces: Path
    quick: bool
    pg_url: str | None


def run_one(b: Benchmark, ctx_args: ContextArgs, tmp_root: Path) -> tuple[Report, bool]:
    """Run one benchmark in its own temp folder; a crash nulls its keys instead of the run."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{b.name}-", dir=tmp_root))
    ok = True
    try:
        report = b.run(Context(tmp=tmp, **ctx_args))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        report = Report()
        for key in b.keys:
            report.skip(key, f"failed: {type(exc).__name__}: {exc}")
        ok = False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for key in b.keys:  # a benchmark that forgot a key must not make a silent hole
        if key not in report.figures:
            report.skip(key, "not reported by the benchmark")
    return report, ok


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def table(chosen: list[Benchmark], reports: dict[str, Report], mach: dict[str, object]) -> str:
    head = ("figure", "median", "goal", "reps", "")
    rows: list[tuple[str, str, str, str, str] | tuple[str, str]] = []
    for b in chosen:
        r = reports[b.name]
        for key in b.keys:
            value = r.figures.get(key)
            goal = b.goals.get(key)
            verdict = ""
            if value is not None and goal is not None:
                verdict = "ok" if goal.met(value) else "MISSED"
            elif value is None:
                verdict = f"skipped: {r.skipped.get(key, '')}"
            rows.append((key, _fmt(value), str(goal or ""), str(r.reps.get(key, "")), verdict))
        rows.extend((f"  {label}", text) for label, text in r.notes)
    full = [head, *(row for row in rows if len(row) == 5)]
    widths = [max(len(row[i]) for row in full) for i in range(4)]
    widths[0] = max(len(row[0]) for row in [head, *rows])
    lines = []
    for row in [head, *rows]:
        if len(row) == 2:  # a note: label under the figure, free text after it
            lines.append(f"{row[0].ljust(widths[0])}  {row[1]}")
        else:
            lines.append("  ".join([*(c.ljust(widths[i]) for i, c in enumerate(row[:4])), row[4]]))
    lines = [line.rstrip() for line in lines]
    lines.append("")
    lines.append("machine: " + ", ".join(f"{k} {v}" for k, v in mach.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks, keys or areas")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument(
        "--faces", type=Path, default=REPO.parent / "shared" / "faces", help="real face photos"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get(QUICK_ENV, "") not in ("", "0"),
        help=f"tiny sizes to test the runner (also {QUICK_ENV}=1); figures are meaningless",
    )
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="run the store figures on this PostgreSQL server (needs CREATEDB: each benchmark "
        "makes and drops its own scratch database)",
    )
    parser.add_argument("--list", action="store_true", help="list benchmarks and keys")
    args = parser.parse_args(argv)

    areas, broken = discover()
    if args.list:
        for area in areas:
            for b in area.benchmarks:
                print(f"{area.name}/{b.name}: {', '.join(b.keys)}  {b.about}")
        return 0
    chosen = select(areas, args.names)
    ctx_args = ContextArgs(faces=args.faces.resolve(), quick=args.quick, pg_url=args.pg)

    load_before = _loadavg()
    # `timeout` and CI stop a run with SIGTERM: exit through Python so the temp folder (with
    # its 24 MP photos and databases) is removed, as on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    reports: dict[str, Report] = {}
    all_ok = not broken
    with tempfile.TemporaryDirectory(prefix="facechart-bench-") as tmp_root:
        for b in chosen:
            print(f"running {b.name} ...", file=sys.stderr, flush=True)
            reports[b.name], ok = run_one(b, ctx_args, Path(tmp_root))
            all_ok &= ok

    mach = machine()
    if args.pg:
        mach["postgresql"] = pg_server(args.pg)
    if not args.json:
        print(table(chosen, reports, mach))
        for name, why in broken.items():
            print(f"bench/{name}.py could not be imported: {why}")
        return 0 if all_ok else 1

    out: dict[str, object] = {}
    details: dict[str, object] = {
        "mode": "quick" if args.quick else "full",
        "backend": "postgresql" if args.pg else "sqlite",
        # other work on a shared machine skews timings: the 1-minute load before and after
        "loadavg_1m": [load_before, _loadavg()],
    }
    if broken:
        details["import_errors"] = broken
    for b in chosen:
        r = reports[b.name]
        for key in b.keys:
            out[key] = r.figures[key]
            if r.figures[key] is None:
                out[f"{key}_skipped"] = r.skipped.get(key, "not measured")
            entry: dict[str, object] = {}
            if key in r.reps:
                entry["reps"] = r.reps[key]
            if key in b.goals:
                entry["goal"] = str(b.goals[key])
            if entry:
                details[key] = entry
        if r.details:
            details[b.name] = r.details
    out["machine"] = mach
    out["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    out["details"] = details
    # ASCII: the line must survive a console or pipe that is not UTF-8
    print(json.dumps(out, ensure_ascii=True, allow_nan=False))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
