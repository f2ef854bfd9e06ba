"""The display-free commands (CONTRACTS.md): `check`, `align`, `locate`, `same-person`,
`recall` and the others registered below.
They never create a QApplication, and each loads only what it uses: this module imports nothing
beyond argparse, so `align` (numpy, OpenCV) never loads SQLAlchemy or Alembic, which only
`check` needs.

`main.py` builds the whole command line: it adds these commands with `add_commands` and hands
a parsed one to `run_command`; the GUI forms go to `ui.app` instead. `main` below parses the
display-free forms alone, for callers without the GUI (tests, scripts).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def common_options() -> argparse.ArgumentParser:
    """`--db URL`, which every form takes (before or after the subcommand)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database URL (default: $FACECHART_DB, else SQLite in the user data folder)",
    )
    return common


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Register the display-free subcommands on a parser's subcommand set."""
    sub.add_parser(
        "check",
        parents=[common],
        help="verify every hash chain, photo hash and signed checkpoint; name what changed",
    )
    align = sub.add_parser(
        "align",
        parents=[common],  # CONTRACTS.md: every subcommand takes --db (align ignores it)
        help="align an earlier photo to a new one and print the mapping as one JSON object",
    )
    align.add_argument("old", metavar="OLD", type=Path, help="the earlier photo")
    align.add_argument("new", metavar="NEW", type=Path, help="today's photo")
    align.add_argument(
        "--points", metavar="FILE", type=Path, help="JSON list of [x, y] in OLD to map into NEW"
    )
    locate = sub.add_parser(
        "locate",
        parents=[common],  # accepted and ignored: locate uses no database
        help="print each point's side and muscle/zone from the face in a photo (JSON list)",
    )
    locate.add_argument("photo", metavar="PHOTO", type=Path, help="the photo")
    locate.add_argument(
        "--points", metavar="FILE", type=Path, required=True, help="JSON list of [x, y]"
    )
    locate.add_argument(
        "--view",
        metavar="VIEW",
        help="the view's code (frown, brow_raise, smile, rest, …); without it, any view's zones",
    )
    backup = sub.add_parser(
        "backup",
        parents=[common],
        help="write a consistent, encrypted, verified backup (passphrase: $FACECHART_PASSPHRASE)",
    )
    backup.add_argument(
        "dest", metavar="DEST", type=Path, help="a folder, or a file name ending in .fcbackup"
    )
    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="put a backup in place of the database, keeping the current one aside",
    )
    restore.add_argument("backup", metavar="BACKUP", type=Path, help="a .fcbackup file")
    export = sub.add_parser(
        "export",
        parents=[common],
        help="write the portable archive: encrypted ZIP of every record and photo, verified",
    )
    export.add_argument("out", metavar="OUT.zip", type=Path, help="the archive to write")
    export.add_argument(
        "--patient", type=int, metavar="ID", help="only this patient's records and events"
    )
    imp = sub.add_parser(
        "import",
        parents=[common],
        help="load a portable archive; what is here already is skipped, look-alikes listed",
    )
    imp.add_argument("archive", metavar="ARCHIVE", type=Path, help="an archive from `export`")
    report = sub.add_parser("report", parents=[common], help="write a visit's PDF report")
    report.add_argument("visit_id", metavar="VISIT_ID", type=int, help="the visit (see `visits`)")
    report.add_argument("out", metavar="OUT.pdf", type=Path, help="the PDF to write")
    report.add_argument(
        "--version", type=int, metavar="N", help="that version number (default: the newest)"
    )
    report.add_argument(
        "--patient-copy", action="store_true", help="without the clinical notes, for the patient"
    )
    ba = sub.add_parser(
        "before-after",
        parents=[common],
        help="write a before/after image (PNG or JPEG) of one view of two visits, aligned",
    )
    ba.add_argument("visit_a", metavar="VISIT_A", type=int, help="a visit (see `visits`)")
    ba.add_argument("visit_b", metavar="VISIT_B", type=int, help="another of the patient's")
    ba.add_argument("out", metavar="OUT.png", type=Path, help="the image: .png, .jpg or .jpeg")
    ba.add_argument(
        "--view", metavar="VIEW", help="the view's code (default: the first both visits have)"
    )
    ba.add_argument("--markings", action="store_true", help="draw each visit's strokes and points")
    visits = sub.add_parser("visits", parents=[common], help="list every visit")
    visits.add_argument(
        "--json", action="store_true", required=True, help="one JSON object per line"
    )
    recall = sub.add_parser(
        "recall",
        parents=[common],
        help="every use of a lot in the newest version of each chart (JSON list)",
    )
    recall.add_argument("lot", metavar="LOT", help="the lot, as typed or scanned")
    recall.add_argument("--json", action="store_true", required=True, help="print a JSON list")
    sub.add_parser(
        "demo", parents=[common], help="fill an empty database (--db) with the demo clinic"
    )
    server = sub.add_parser(
        "server-init",
        parents=[common],
        help="create or upgrade the schema of a clinic's PostgreSQL database (owner's role)",
    )
    server.add_argument("server_url", metavar="URL", help="postgresql://owner@host/database")
    server.add_argument(
        "--app-role",
        metavar="NAME",
        help="create the rooms' login role with only the rights they need "
        "(password from $FACECHART_APP_ROLE_PASSWORD)",
    )
    same = sub.add_parser(
        "same-person",
        parents=[common],  # accepted and ignored: no database is opened
        help='do two photos show the same person? prints {"same", "score", "threshold"}',
    )
    same.add_argument("a", metavar="A", type=Path, help="a photo")
    same.add_argument("b", metavar="B", type=Path, help="another photo")


def database_url(args: argparse.Namespace) -> str:
    """`--db`, else `FACECHART_DB`, else SQLite in the user data folder."""
    from app.store.database import default_url  # SQLAlchemy: only for forms with a database

    return getattr(args, "db", None) or default_url()


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed display-free command; each imports what it needs only when it runs."""
    if args.command == "check":
        return run_check(database_url(args))
    if args.command == "align":
        from app.alignment.cli import run_align  # numpy/OpenCV only when aligning

        return run_align(args.old, args.new, args.points)
    if args.command == "locate":
        from app.alignment.locate import run_locate  # numpy/OpenCV only when locating

        return run_locate(args.photo, args.points, args.view)
    if args.command in ("backup", "restore"):
        from app.backup.cli import run_backup, run_restore  # cryptography only when needed

        if args.command == "backup":
            return run_backup(database_url(args), args.dest)
        return run_restore(database_url(args), args.backup)
    if args.command == "server-init":
        from app.server.cli import run_server_init

        return run_server_init(args.server_url, args.app_role)
    if args.command in ("export", "import"):
        from app.archive import cli as archive_cli  # cryptography and zipfile only when needed

        if args.command == "export":
            return archive_cli.run_export(database_url(args), args.out, args.patient)
        return archive_cli.run_import(database_url(args), args.archive)
    if args.command == "before-after":
        from app.reports.cli import run_before_after  # OpenCV and the face nets only here

        return run_before_after(
            database_url(args), args.visit_a, args.visit_b, args.out, args.view, args.markings
        )
    if args.command in ("report", "visits", "demo"):
        from app.reports import cli as reports_cli  # reportlab only when reporting

        if args.command == "report":
            return reports_cli.run_report(
                database_url(args), args.visit_id, args.out, args.version, args.patient_copy
            )
        if args.command == "visits":
            return reports_cli.run_visits(database_url(args))
        return reports_cli.run_demo(database_url(args))
    if args.command == "recall":
        return run_recall(database_url(args), args.lot)
    if args.command == "same-person":
        from app.identity.cli import run_same_person  # dlib only when comparing faces

        return run_same_person(args.a, args.b)
    raise ValueError(f"not a display-free command: {args.command!r}")


def _missing_sqlite_file(url: str) -> str | None:
    """An error line when `url` is a SQLite file that does not exist (opening would make it)."""
    from app.store.database import parse_database_url

    parsed = parse_database_url(url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database
        and not parsed.database.startswith("file:")
        and not Path(parsed.database).exists()
    ):
        return f"no database at {parsed.database}"
    return None


def run_recall(url: str, lot: str) -> int:
    """Print the lot's uses as one JSON list (CONTRACTS.md); exit 0, 2 when it cannot run."""
    import json

    from app.store.database import open_store
    from app.store.errors import StoreError

    try:
        missing = _missing_sqlite_file(url)
        if missing:
            print(f"error: {missing}", file=sys.stderr)
            return 2
        store = open_store(url, migrate=False)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        from app.services.recall import as_json, recall

        found = as_json(recall(store, lot))
    except Exception as exc:  # e.g. a database that predates the lot index (migration 0011)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(
            f"error: the lot could not be looked up ({first}); a database from before lot "
            "recall is brought up to date by opening it in FaceChart once",
            file=sys.stderr,
        )
        return 2
    finally:
        store.dispose()
    print(json.dumps(found, ensure_ascii=False))
    return 0


def run_check(url: str) -> int:
    """Exit 0 when intact, 1 when any row was altered, 2 when the check could not run."""
    from app.store.database import open_store, parse_database_url
    from app.store.errors import StoreError

    try:
        parsed = parse_database_url(url)
    except StoreError as exc:  # a mistyped URL is one line and exit 2, never a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database
        and not parsed.database.startswith("file:")
        and not Path(parsed.database).exists()
    ):
        print(f"error: no database at {parsed.database}", file=sys.stderr)
        return 2
    from app.integrity.report import DAMAGED
    from app.services.recovery import diagnose_url, is_damage

    # the file itself first: a damaged page in a table no check reads would otherwise pass
    found = diagnose_url(url, thorough=True)
    if found is not None:
        _file, why = found
        detail = f" ({why.detail})" if why.detail else ""
        print(f"error: {why.words}{detail} {DAMAGED}", file=sys.stderr)
        return 2
    try:
        store = open_store(url, migrate=False)
    except StoreError as exc:
        print(f"error: {exc}" + (f" {DAMAGED}" if is_damage(exc) else ""), file=sys.stderr)
        return 2
    try:
        from app.services.integrity import check_store

        report = check_store(store)
    except Exception as exc:  # a check that cannot finish must not look like "intact"
        after = f" {DAMAGED}" if is_damage(exc) else ""
        print(f"error: the check could not finish: {exc}.{after}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    for alteration in report.alterations:
        print(alteration.with_next_step())
    state = "intact" if report.intact else f"{len(report.alterations)} altered row(s)"
    covered = (
        f"; {report.uncovered} record(s) newer than the last checkpoint" if report.uncovered else ""
    )
    if report.predates_checkpoints:
        covered = "; no checkpoints yet (open the database in FaceChart once to add them)"
    print(
        f"checked {report.checkpoints_checked} checkpoints, {report.versions_checked} chart "
        f"versions, {report.parts_checked} chart parts, {report.photos_checked} photos: "
        f"{state}{covered}"
    )
    return 0 if report.intact else 1


def main(argv: list[str] | None = None) -> int:
    """The display-free forms alone (`--db URL check`, `align OLD NEW`), without the GUI's."""
    common = common_options()
    parser = argparse.ArgumentParser(prog="facechart", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub, common)
    return run_command(parser.parse_args(argv))
