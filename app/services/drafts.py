"""The draft journal: the unsaved chart on disk while it is edited, so a crash or power cut
loses at most the last second or two (ADR 0010).

One file per visit and author (issue #11: a draft returns to the practitioner who made it,
never to whoever signs in next), canonical JSON of the content plus the version it was edited
from and its author's id, written atomically (temporary file, fsync, os.replace): a crash
mid-write leaves the previous draft, never half of one. A file without an author
(`visit-N.json`, written before sign-in existed) is anybody's. The folder sits beside a SQLite
database (a draft belongs to that database) or in the user data folder for a server database.
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
    author_id: int | None = None  # None: from before sign-in, anybody's


def drafts_dir(store: Store) -> Path:
    url = store.url
    if store.is_sqlite and url.database and url.database != ":memory:":
        db = Path(url.database.removeprefix("file:").split("?")[0])
        return db.with_name(db.name + ".drafts")
    key = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return default_data_dir() / "drafts" / key


def _path(store: Store, visit_id: int, author_id: int | None = None) -> Path:
    if author_id is None:
        return drafts_dir(store) / f"visit-{visit_id}.json"
    return drafts_dir(store) / f"visit-{visit_id}-by-{author_id}.json"


def write_draft(
    store: Store,
    visit_id: int,
    parent_version_id: int | None,
    content: ChartContent,
    author_id: int | None = None,
) -> Path:
    folder = private_dir(drafts_dir(store))  # 0700: the draft is a patient's chart
    payload = dumps(
        {
            "format": FORMAT,
            "visit_id": visit_id,
            "parent_version_id": parent_version_id,
            "author_id": author_id,
            "written_at": utcnow().isoformat(),
            "content": content_to_json(content),
        }
    )
    target = _path(store, visit_id, author_id)
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


def _read(path: Path) -> Draft | None:
    try:
        d = json.loads(path.read_bytes())
        author = d.get("author_id")
        return Draft(
            int(d["visit_id"]),
            d["parent_version_id"],
            content_from_json(d["content"]),
            datetime.fromisoformat(d["written_at"]),
            int(author) if author is not None else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def load_draft(store: Store, visit_id: int, author_id: int | None = None) -> Draft | None:
    """The journalled draft of a visit by this author (else one from before sign-in, which is
    anybody's), or None (also for a file that cannot be read: a draft is a convenience, never
    a reason to refuse opening the chart). Another practitioner's draft is never returned."""
    for path in (_path(store, visit_id, author_id), _path(store, visit_id)):
        draft = _read(path)
        if draft is None or draft.visit_id != visit_id:
            continue
        if draft.author_id in (None, author_id):
            return draft
    return None


def list_drafts(store: Store, author_id: int | None = None) -> list[Draft]:
    """The journalled drafts of this database, newest first: what a crash, a power cut or a
    lock left, offered on the next start. With `author_id`, only that practitioner's and
    those from before sign-in; without, everyone's. Unreadable files are passed over."""
    found: list[Draft] = []
    for path in drafts_dir(store).glob("visit-*.json"):
        name = path.stem.removeprefix("visit-")
        visit, _, by = name.partition("-by-")
        try:
            visit_id, owner = int(visit), (int(by) if by else None)
        except ValueError:
            continue
        if author_id is not None and owner not in (None, author_id):
            continue
        draft = _read(path)
        if draft is not None and draft.visit_id == visit_id and draft.author_id == owner:
            found.append(draft)
    return sorted(found, key=lambda d: d.written_at, reverse=True)


def clear_draft(store: Store, visit_id: int, author_id: int | None = None) -> None:
    """The author's draft of the visit is gone (saved or discarded), and one from before
    sign-in with it (it was offered to them)."""
    _path(store, visit_id, author_id).unlink(missing_ok=True)
    _path(store, visit_id).unlink(missing_ok=True)
