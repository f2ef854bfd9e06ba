"""The clinic server restarting during saves (issue #13, ADR 0027): 50 saves from the real chart
editor while the server is stopped (fast: its sessions are ended) and started again twice;
versions lost and versions saved twice, counted on the server.

The server is always one started here (scripts/pg-test-server on its own port and folder): a
server that `--pg` names is used by others and is never stopped. Without the PostgreSQL
binaries the keys are skipped, saying why.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench import _editor_busy as busy
from bench._outage import OwnServer, pg_binaries, saves_through_restarts
from bench.registry import Benchmark, Context, Goal, Report

KEYS = ("outage_lost_versions", "outage_duplicate_versions")
PORT = 54401  # not the shared test server's 54329, nor the outage test's 54400


def bench_outage(ctx: Context) -> Report:
    report = Report()
    missing = pg_binaries()
    if missing:
        for key in KEYS:
            report.skip(key, missing)
        return report
    a = busy.app()
    # a short folder: the server's socket path must stay under 108 bytes
    folder = Path(tempfile.mkdtemp(prefix="fc-outage-"))
    folder.chmod(0o755)  # the server runs as postgres, which must reach its folder inside
    server = OwnServer(PORT, folder / "pg")
    url = server.start()
    try:
        saves = ctx.size(50, 8)
        restart_at = (10, 30) if saves >= 30 else (3,)
        run = saves_through_restarts(
            url,
            lambda: server.restart(down_s=1.0),
            a.processEvents,
            saves=saves,
            restart_at=restart_at,
        )
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report.put("outage_lost_versions", run.lost, 1)
    report.put("outage_duplicate_versions", run.duplicates, 1)
    report.notes.append(
        (
            "run",
            f"{run.saves} saves, {len(restart_at)} restarts (1 s down): "
            f"{run.versions} versions stored, "
            f"{run.outages} waits for the server, {len(run.other_failures)} other failures, "
            f"{run.seconds:.1f} s",
        )
    )
    report.details["outage"] = {
        "saves": run.saves,
        "versions": run.versions,
        "outages": run.outages,
        "other_failures": run.other_failures[:5],
        "seconds": round(run.seconds, 2),
    }
    return report


BENCHMARKS = (
    Benchmark(
        "outage",
        KEYS,
        bench_outage,
        goals={"outage_lost_versions": Goal(0), "outage_duplicate_versions": Goal(0)},
        about="versions lost / saved twice when the clinic server restarts during 50 saves",
    ),
)
