"""The archive's layout inside its ZIP (ADR 0023) and its verification.

    manifest.json            format, created, clinic, scope, counts, and per file its SHA-256
                             and size (every file of the archive but the manifest itself)
    clinic.json              practitioners with their public keys, the views and products
    audit.json               audit events (and events this database imported earlier)
    patients/<uuid>.json     one patient: details, detail history, consent, visits, photos'
                             metadata, charts with every version (canonical content, hashes,
                             signatures)
    photos/<sha256>          each photo original, byte for byte (stored, not recompressed)

The manifest itself is covered by the encryption (AES-GCM authenticates every byte); each other
file by its SHA-256 in the manifest, checked on every read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

FORMAT_NAME = "facechart-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CLINIC = "clinic.json"
AUDIT = "audit.json"
PATIENTS_DIR = "patients/"
PHOTOS_DIR = "photos/"
_READ_BYTES = 1 << 20


class ArchiveVerificationError(ValueError):
    """The archive (or the database it is written from) does not verify: exit 1."""


def patient_file(uuid: str) -> str:
    return f"{PATIENTS_DIR}{uuid}.json"


def photo_file(sha256: str) -> str:
    return f"{PHOTOS_DIR}{sha256}"


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"a time without its zone: {value!r}")
    return parsed.astimezone(UTC)


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def from_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def from_b64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def json_bytes(obj: Any) -> bytes:
    """Compact JSON (sorted keys) in UTF-8. Compact because `indent` forces Python's pure-Python
    encoder (the C one cannot indent): ~0.2 s of a clinic's export. Any JSON reader
    pretty-prints it; the importer reads indented files (archives written before) the same."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


@dataclass(frozen=True, slots=True)
class VerifiedArchive:
    manifest: dict[str, Any]

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        files: dict[str, dict[str, Any]] = self.manifest["files"]
        return files


def _sha256_of(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    with zf.open(info) as f:
        while piece := f.read(_READ_BYTES):
            digest.update(piece)
    return digest.hexdigest()


def verify_zip(zf: zipfile.ZipFile) -> VerifiedArchive:
    """Every file named by the manifest is present, nothing else is, and each has the SHA-256
    and size the manifest says; ArchiveVerificationError naming the first that does not."""
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise ArchiveVerificationError("The archive has no manifest.") from None
    except (ValueError, zipfile.BadZipFile) as exc:
        raise ArchiveVerificationError(f"The archive's manifest cannot be read ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ArchiveVerificationError("The archive's manifest is not a FaceChart manifest.")
    if manifest.get("version") != FORMAT_VERSION:
        raise ArchiveVerificationError(
            f"This archive has layout version {manifest.get('version')}; this FaceChart reads "
            f"version {FORMAT_VERSION}."
        )
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise ArchiveVerificationError("The archive's manifest lists no files.")
    infos = {i.filename: i for i in zf.infolist() if i.filename != MANIFEST}
    extra = sorted(set(infos) - set(files))
    missing = sorted(set(files) - set(infos))
    if missing:
        raise ArchiveVerificationError(f"The archive lacks {missing[0]}, which its manifest lists.")
    if extra:
        raise ArchiveVerificationError(f"The archive holds {extra[0]}, which its manifest lacks.")
    for name, expected in files.items():
        info = infos[name]
        try:
            actual = _sha256_of(zf, info)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ArchiveVerificationError(
                f"{name} in the archive cannot be read ({exc})."
            ) from None
        if actual != expected.get("sha256") or info.file_size != expected.get("bytes"):
            raise ArchiveVerificationError(
                f"{name} in the archive does not match its SHA-256 in the manifest: it was altered."
            )
    return VerifiedArchive(manifest)
