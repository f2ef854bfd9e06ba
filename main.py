"""FaceChart's entry point: `python main.py` and the installed `facechart` launcher.

It parses the whole command line (CONTRACTS.md) and hands over: a display-free command to
`app.cli`, which never loads Qt; no subcommand to `ui.app`, which starts the GUI. It lives
outside `app/` so that the core never imports the UI.
"""

from __future__ import annotations

import argparse
import sys

from app.cli import add_commands, common_options, database_url, run_command


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--size takes WxH, e.g. 1366x768, not {text!r}") from exc
    return w, h


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
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
        "--screenshot", metavar="FILE", help="render a screen of the app to a PNG file and exit"
    )
    parser.add_argument(
        "--screen",
        metavar="NAME",
        help="with --screenshot: the screen to render (docs/screens.md lists the names; "
        "default the first window), on the demo clinic unless --db is given",
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        type=parse_size,  # a bad size is a usage error (exit 2), not a traceback
        default="1366x768",
        help="window size for --screenshot (default 1366x768)",
    )
    add_commands(parser.add_subparsers(dest="command"), common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is not None:
        return run_command(args)
    # A named screen is shown on the demo clinic unless a database was chosen (CONTRACTS.md).
    demo = args.demo or (args.screen is not None and getattr(args, "db", None) is None)
    url = database_url(args)
    if not demo:
        from app.store.database import parse_database_url
        from app.store.errors import StoreError

        try:  # a mistyped --db is one line and exit 2, before Qt (or a display) is needed
            parse_database_url(url)
        except StoreError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    from ui.app import run_app  # only the GUI forms import Qt

    return run_app(
        url=url,
        demo=demo,
        screenshot=args.screenshot,
        size=args.size,
        screen=args.screen,
    )


if __name__ == "__main__":
    sys.exit(main())
