"""The draft journal: the unsaved chart on disk while it is edited, so a crash or power cut
loses at most the last second or two (ADR 0010).

One file per visit, canonical JSON of the content plus the version it was edited from, written
atomically (temporary file, fsync, os.replace): a crash mid-write leaves the previous draft,
never half of one. The folder sits beside a SQLite database (a draft belongs to that database)
or in the user data folder for a server database.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.canonical import content_from_json, content_to_json, dumps
from app.domain.chart import ChartContent
from app.domain.values import utcnow
from app.store.database import Store, default_data_dir
from app.store.private import private_dir

FORMAT = 1


@dataclass(frozen=True, slots=True)
class Draft:
    visit_id: int
    parent_version_id: int | None
    content: ChartContent
    written_at: datetime


def drafts_dir(store: Store) -> Path:
    url = store.url
    if store.is_sqlite and url.database and url.database != ":memory:":
        db = Path(url.database.removeprefix("file:").split("?")[0])
        return db.with_name(db.name + ".drafts")
    key = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return default_data_dir() / "drafts" / key


def _path(store: Store, visit_id: int) -> Path:
    return drafts_dir(store) / f"visit-{visit_id}.json"


def write_draft(
    store: Store, visit_id: int, parent_version_id: int | None, content: ChartContent
) -> Path:
    folder = private_dir(drafts_dir(store))  # 0700: the draft is a patient's chart
    payload = dumps(
        {
            "format": FORMAT,
            "visit_id": visit_id,
            "parent_version_id": parent_version_id,
            "written_at": utcnow().isoformat(),
            "content": content_to_json(content),
        }
    )
    target = _path(store, visit_id)
    fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def load_draft(store: Store, visit_id: int) -> Draft | None:
    """The journalled draft of a visit, or None (also for a file that cannot be read: a draft
    is a convenience, never a reason to refuse opening the chart)."""
    path = _path(store, visit_id)
    try:
        d = json.loads(path.read_bytes())
        return Draft(
            int(d["visit_id"]),
            d["parent_version_id"],
            content_from_json(d["content"]),
            datetime.fromisoformat(d["written_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def list_drafts(store: Store) -> list[Draft]:
    """Every journalled draft of this database, newest first: what a crash or power cut left,
    offered on the next start. Unreadable files are passed over (as in load_draft)."""
    found: list[Draft] = []
    for path in drafts_dir(store).glob("visit-*.json"):
        try:
            visit_id = int(path.stem.removeprefix("visit-"))
        except ValueError:
            continue
        draft = load_draft(store, visit_id)
        if draft is not None and draft.visit_id == visit_id:
            found.append(draft)
    return sorted(found, key=lambda d: d.written_at, reverse=True)


def clear_draft(store: Store, visit_id: int) -> None:
    _path(store, visit_id).unlink(missing_ok=True)
