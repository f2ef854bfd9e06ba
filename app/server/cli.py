"""`server-init URL [--app-role NAME]`: exit 0 done, 2 refused (not PostgreSQL, another
program's database, a newer schema, no rights); one line on stderr."""

from __future__ import annotations

import os
import sys

APP_ROLE_PASSWORD_ENV = "FACECHART_APP_ROLE_PASSWORD"


def run_server_init(url: str, app_role: str | None) -> int:
    from sqlalchemy.exc import DBAPIError

    from app.server.init import server_init
    from app.store.errors import StoreError, driver_summary

    try:
        report = server_init(url, app_role, os.environ.get(APP_ROLE_PASSWORD_ENV))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:  # e.g. the role may not create roles: say which statement
        print(f"error: the server refused: {driver_summary(exc)}", file=sys.stderr)
        return 2
    for line in report.lines:
        print(line)
    return 0
