"""The clinic server restarting while a room saves (issue #13, ADR 0027): a PostgreSQL server of
our own that can be stopped and started keeping its data, and a run of saves from the real chart
editor through restarts, counting the versions lost and the versions saved twice.

Shared by the benchmark (`bench/outage.py`) and its test (tests/ui/test_server_outage.py).
Only a server started here is ever stopped: never the one a `--pg` URL names, which others use.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.editor.editor_window import ChartEditor

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "pg-test-server"


def pg_binaries() -> str | None:
    """Why our own server cannot be started here, or None when it can."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        return "the PostgreSQL server binaries are not installed (apt-get install postgresql)"
    if shutil.which("bash") is None:
        return "bash is missing (scripts/pg-test-server is a bash script)"
    if os.geteuid() == 0 and shutil.which("su") is None:
        return "running as root needs `su` to run the server as postgres"
    return None


@dataclass
class OwnServer:
    """A throw-away server on `port`, its cluster in `folder` (scripts/pg-test-server)."""

    port: int
    folder: Path
    url: str = ""

    def _run(self, command: str) -> str:
        env = {
            **os.environ,
            "FACECHART_PG_PORT": str(self.port),
            "FACECHART_PG_DIR": str(self.folder),
        }
        done = subprocess.run(
            ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"pg-test-server {command}: {done.stderr.strip()}")
        return done.stdout.strip()

    def start(self) -> str:
        self.url = self._run("start").splitlines()[-1]
        return self.url

    def pause(self) -> None:
        """Stopped (sessions ended: 57P01), its data kept."""
        self._run("pause")

    def resume(self) -> None:
        self._run("resume")

    def restart(self, down_s: float = 0.0) -> None:
        self.pause()
        time.sleep(down_s)
        self.resume()

    def stop(self) -> None:
        """Stopped and its folder removed."""
        self._run("stop")


@dataclass
class RestartRun:
    saves: int
    versions: int  # chart versions stored at the end
    lost: int  # saves whose content is in no stored version
    duplicates: int  # versions storing a save's content a second time
    outages: int  # times a save met the outage and waited for the server
    other_failures: list[str] = field(default_factory=list)  # conflicts, errors: none expected
    seconds: float = 0.0


def _visit(url: str) -> tuple[int, int]:
    """A patient with a toxin visit and a frown photo on the server: (visit id, who)."""
    from app.services import patients, photos, visits
    from app.services.practitioners import default_practitioner
    from app.store.database import open_store
    from bench._store_data import photo_jpegs

    store = open_store(url)
    try:
        who = default_practitioner(store).id
        p = patients.create_patient(store, "Outage", "Patient", date(1980, 1, 1))
        v = visits.start_visit(store, p.id, who, "neurotoxin", date(2026, 11, 30))
        photos.add_photo_bytes(store, p.id, "frown", photo_jpegs(800, 1000, 1)[0], visit_id=v.id)
        return v.id, who
    finally:
        store.dispose()


def _wait(process_events: Callable[[], None], done: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            return False
        process_events()
        time.sleep(0.005)
    return True


def saves_through_restarts(
    url: str,
    restart: Callable[[], None],
    process_events: Callable[[], None],
    saves: int = 50,
    restart_at: tuple[int, ...] = (10, 30),
    shown: Callable[[ChartEditor], None] | None = None,
) -> RestartRun:
    """`saves` saves from the chart editor, each adding a stroke and waiting until it is stored
    (through any outage: the editor retries on its own); `restart()` runs on a thread when save
    number n in `restart_at` starts, so the server goes down under saves in flight. Then the
    versions are counted on the server: each save's stroke count must be stored exactly once."""
    from sqlalchemy import select

    from app.store.database import open_store
    from app.store.schema import Chart, ChartVersion
    from bench._store_data import stroke
    from ui.editor.editor_window import ChartEditor

    visit_id, who = _visit(url)
    store = open_store(url)
    ed = ChartEditor(store, visit_id, who)
    if shown is not None:
        shown(ed)
    outages: list[str] = []
    failures: list[str] = []
    ed.session.server_unreachable.connect(outages.append)
    ed.session.save_failed.connect(failures.append)
    rng = random.Random(13)
    restarts: list[threading.Thread] = []
    started = time.perf_counter()
    try:
        for n in range(1, saves + 1):
            if n in restart_at:
                t = threading.Thread(target=restart, name=f"restart-{n}")
                t.start()
                restarts.append(t)
                time.sleep(0.05)  # the stop reaches the server while this save runs
            ed.session.add_stroke("frown", stroke(rng, 800, 1000, 12))
            if not ed.save():
                failures.append(f"save {n} did not start")
                continue
            stored = _wait(
                process_events,
                lambda: not ed.session.saving and ed.session.waiting is None,
                timeout_s=120,
            )
            if not stored:
                failures.append(f"save {n} still waiting after 120 s")
                break
        for t in restarts:
            t.join(120)
        seconds = time.perf_counter() - started
    finally:
        ed.session.journal.timer.stop()
        ed.close()
        ed.deleteLater()
        process_events()
        store.dispose()

    check = open_store(url)
    try:
        with check.read() as s:
            counts = list(
                s.scalars(
                    select(ChartVersion.stroke_count)
                    .join(Chart)
                    .where(Chart.visit_id == visit_id)
                    .order_by(ChartVersion.version_no)
                )
            )
    finally:
        check.dispose()
    distinct = set(counts)
    return RestartRun(
        saves=saves,
        versions=len(counts),
        lost=len(set(range(1, saves + 1)) - distinct),
        duplicates=len(counts) - len(distinct),
        outages=len(outages),
        other_failures=failures,
        seconds=seconds,
    )
