"""A crash in the middle of a save (issue #2): the process is killed with SIGKILL at each step
of saving version 2. Afterwards version 1 is intact, no partial version 2 exists, `check` finds
the store intact, and version 2 can be saved again from version 1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app.services import charts, integrity
from app.store.database import open_store, sqlite_url
from tests.app.fault_helpers import (
    Charted,
    assert_v1_intact,
    content_v1,
    content_v2,
    row_counts,
)

REPO = Path(__file__).resolve().parents[2]
STEPS = ["begin", "parts_written", "version_added", "before_commit"]
MARKER = "STOPPED AT "

CHILD = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, sys.argv[1])
    from app.services import charts
    from app.store.database import open_store
    from tests.app.fault_helpers import content_v2, make_charted

    url, step = sys.argv[2], sys.argv[3]
    store = open_store(url)
    c = make_charted(store)
    print(json.dumps({"patient_id": c.patient_id, "visit_id": c.visit_id,
                      "clinician_id": c.clinician_id, "photo_sha": c.photo_sha,
                      "v1_id": c.v1.id}), flush=True)

    def hook(name):
        if name == step:
            print("STOPPED AT " + name, flush=True)
            time.sleep(120)  # killed here

    charts.save_step_hook = hook
    charts.save_version(store, c.visit_id, content_v2(c.photo_sha),
                        parent_version_id=c.v1.id, saved_by_id=c.clinician_id)
    print("SAVED WITHOUT STOPPING", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("step", STEPS)
def test_kill_during_save_leaves_version_1_and_no_partial_version(tmp_path: Path, step: str):
    path = tmp_path / "facechart.db"
    url = sqlite_url(path)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(REPO), url, step],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    watchdog = threading.Timer(60, proc.kill)  # never hang the suite
    watchdog.start()
    try:
        ids = json.loads(proc.stdout.readline() or "null") if proc.stdout else None
        marker = proc.stdout.readline().strip() if proc.stdout else ""
        assert ids is not None, proc.stderr.read() if proc.stderr else ""
        assert marker == MARKER + step, f"never reached {step!r}: {marker!r}"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()

    store = open_store(url)
    try:
        charted = Charted(
            ids["patient_id"],
            ids["visit_id"],
            ids["clinician_id"],
            ids["photo_sha"],
            charts.load_version(store, ids["v1_id"]).info,
            content_v1(ids["photo_sha"]),
        )
        counts = row_counts(store)
        assert counts["chart_version"] == 1 and counts["chart"] == 1
        assert_v1_intact(store, charted)
        report = integrity.check_store(store)
        assert report.intact and report.versions_checked == 1
        # Only version 1's parts are stored: nothing of version 2 survived the kill.
        assert counts["chart_part"] == 3  # its products, stroke, points

        v2 = charts.save_version(
            store,
            charted.visit_id,
            content_v2(charted.photo_sha),
            parent_version_id=charted.v1.id,
            saved_by_id=charted.clinician_id,
        )
        assert v2.version_no == 2 and v2.parent_hash == charted.v1.content_hash
        assert (
            charts.load_head(store, charted.visit_id).content
            == charts.load_version(store, v2.id).content
        )
        assert integrity.check_store(store).intact
    finally:
        store.dispose()
