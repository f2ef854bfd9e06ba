"""`server-init URL [--app-role NAME]`: exit 0 done, 2 refused (not PostgreSQL, another
program's database, a newer schema, no rights, no usable first admin); one line on stderr.

The first admin's name, PIN and password come from FACECHART_ADMIN_NAME, FACECHART_ADMIN_PIN and
FACECHART_ADMIN_PASSWORD, or are asked on the terminal (the PIN and password without echo)."""

from __future__ import annotations

import getpass
import os
import sys

from app.server.init import FirstAdmin, ServerInitError

APP_ROLE_PASSWORD_ENV = "FACECHART_APP_ROLE_PASSWORD"
ADMIN_NAME_ENV = "FACECHART_ADMIN_NAME"
ADMIN_PIN_ENV = "FACECHART_ADMIN_PIN"
ADMIN_PASSWORD_ENV = "FACECHART_ADMIN_PASSWORD"


def ask_admin() -> FirstAdmin:
    """The first admin from the environment, else from the terminal; never from a pipe (a
    script sets the variables instead of echoing secrets into one)."""
    name = os.environ.get(ADMIN_NAME_ENV)
    pin = os.environ.get(ADMIN_PIN_ENV)
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if name and pin and password:
        return FirstAdmin(name, pin, password)
    if not sys.stdin.isatty():
        raise ServerInitError(
            f"The database has no admin yet: set {ADMIN_NAME_ENV}, {ADMIN_PIN_ENV} and "
            f"{ADMIN_PASSWORD_ENV}, or run server-init on a terminal to be asked. "
            "Nothing was changed."
        )
    print("The database has no admin yet: the first admin adds everyone else.", file=sys.stderr)
    name = name or input("First admin's name: ")
    pin = pin or getpass.getpass("Their PIN (4 to 8 digits): ")
    if not password:
        password = getpass.getpass("Their password (at least 8 characters): ")
        if getpass.getpass("The password again: ") != password:
            raise ServerInitError("The two passwords differ. Nothing was changed.")
    return FirstAdmin(name, pin, password)


def run_server_init(url: str, app_role: str | None) -> int:
    from sqlalchemy.exc import DBAPIError

    from app.server.init import server_init
    from app.store.errors import StoreError, driver_summary, translate

    try:
        report = server_init(url, app_role, os.environ.get(APP_ROLE_PASSWORD_ENV), ask_admin)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:  # e.g. the role may not create roles: say which statement
        known = translate(exc)  # unreachable, a certificate not trusted, a wrong password
        print(f"error: {known or f'the server refused: {driver_summary(exc)}'}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):  # the terminal closed, or Ctrl+C, while asking
        print("error: no first admin given. Nothing was changed.", file=sys.stderr)
        return 2
    for line in report.lines:
        print(line)
    return 0
