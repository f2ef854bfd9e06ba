"""Command-line forms that need no display (CONTRACTS.md): they never create a QApplication."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from app.store.database import default_url, open_store
from app.store.errors import StoreError


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database URL (default: $FACECHART_DB, else SQLite in the user data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="facechart",
        parents=[common],
        description="FaceChart: charts of dynamic neurotoxin and microneedling treatments.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a throw-away database with sample patients and charts",
    )
    parser.add_argument(
        "--screenshot", metavar="FILE", help="render the first window to a PNG file and exit"
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        default="1366x768",
        help="window size for --screenshot (default 1366x768)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser(
        "check",
        parents=[common],
        help="verify every chart version's hash chain and every photo's hash",
    )
    align = sub.add_parser(
        "align",
        help="align an earlier photo to a new one and print the mapping as one JSON object",
    )
    align.add_argument("old", metavar="OLD", type=Path, help="the earlier photo")
    align.add_argument("new", metavar="NEW", type=Path, help="today's photo")
    align.add_argument(
        "--points", metavar="FILE", type=Path, help="JSON list of [x, y] in OLD to map into NEW"
    )
    return parser


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--size takes WxH, e.g. 1366x768, not {text!r}") from exc
    return w, h


def run_check(url: str) -> int:
    """Exit 0 when intact, 1 when any row was altered, 2 when the check could not run."""
    parsed = make_url(url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database
        and not parsed.database.startswith("file:")
        and not Path(parsed.database).exists()
    ):
        print(f"error: no database at {parsed.database}", file=sys.stderr)
        return 2
    try:
        store = open_store(url, migrate=False)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        from app.services.integrity import check_store

        report = check_store(store)
    except Exception as exc:  # a check that cannot finish must not look like "intact"
        print(f"error: the check could not finish: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    for alteration in report.alterations:
        print(alteration)
    state = "intact" if report.intact else f"{len(report.alterations)} altered row(s)"
    print(
        f"checked {report.versions_checked} chart versions, {report.parts_checked} chart parts, "
        f"{report.photos_checked} photos: {state}"
    )
    return 0 if report.intact else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    url = getattr(args, "db", None) or default_url()
    if args.command == "check":
        return run_check(url)
    if args.command == "align":
        from app.alignment.cli import run_align  # numpy/OpenCV only when aligning

        return run_align(args.old, args.new, args.points)
    size = parse_size(args.size)
    from ui.app import run_app  # only the GUI forms import Qt

    return run_app(url=url, demo=args.demo, screenshot=args.screenshot, size=size)
