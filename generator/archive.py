"""A folder of raw object-store responses: the record of a night, for replay.

Layout (the object store's own paths below the folder)::

    DIR/manifest.json                       what was fetched, from where, when
    DIR/pilkada/paslon/pkwkp.json           byte for byte as served
    DIR/wilayah/pilkada/pkwkp/0.json
    DIR/pilkada/hhcw/pkwkp/64.json
    ...

``manifest.json``::

    {"format": "newsgen-archive/1",
     "base_url": "https://sirekappilkada-obj-data.kpu.go.id",
     "races": ["pkwkp/64", ...],                 # what the fetch runs selected
     "files": {"/pilkada/hhcw/pkwkp/64.json": {
         "url": ..., "path": "pilkada/hhcw/pkwkp/64.json", "fetched_at": ...,
         "status": 200, "etag": ..., "last_modified": ..., "sha256": ..., "bytes": 2776}}}

A path that could not be fetched is listed with ``"error"`` (and its status,
if any) and no file, so a replay holds back the same races for the same reason.

The same class serves two roles: ``newsgen fetch`` records into it (a second
fetch into the same folder sends conditional requests for what it holds), and
``generate --archive`` replays it with no network at all (:meth:`Archive.get`).
The HTTP cache of live runs is a database instead (:mod:`generator.cache`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from .errors import ConfigError, FetchError
from .fetch import Cached, Fetched, fetch_error, join_url
from .writer import atomic_write

MANIFEST = "manifest.json"
FORMAT = "newsgen-archive/1"


@dataclass(frozen=True)
class Entry:
    """One manifest line: the last response recorded for an object-store path."""

    url: str
    path: str  # relative file path inside the archive ("" when nothing was stored)
    fetched_at: str
    status: int | None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    bytes: int | None = None
    error: str | None = None


class Archive:
    """One archive folder. Open with :meth:`for_recording` or :meth:`for_replay`."""

    def __init__(self, folder: Path, *, base_url: str | None, entries: dict[str, Entry], races: list[str]) -> None:
        self.folder = Path(folder)
        self.base_url = base_url
        self.entries = entries
        self.races = races

    # -- opening -----------------------------------------------------------

    @classmethod
    def _read_manifest(cls, folder: Path) -> dict | None:
        manifest = folder / MANIFEST
        try:
            data = json.loads(manifest.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{manifest}: cannot read the archive manifest ({exc}); use another folder or delete it") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
            raise ConfigError(f"{manifest}: not a newsgen archive manifest (expected format {FORMAT!r})")
        return data

    @classmethod
    def _entries(cls, data: dict, manifest: Path) -> dict[str, Entry]:
        entries = {}
        for key, value in data["files"].items():
            try:
                entries[key] = Entry(**value)
            except TypeError as exc:
                raise ConfigError(f"{manifest}: entry {key!r} is malformed ({exc})") from None
        return entries

    @classmethod
    def for_recording(cls, folder: Path, base_url: str) -> Archive:
        """Record into ``folder`` (created if needed); what it holds is revalidated, not refetched."""
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"--archive {folder}: is a file, not a folder")
        data = cls._read_manifest(folder)
        if data is None:
            return cls(folder, base_url=base_url, entries={}, races=[])
        recorded = data.get("base_url")
        if recorded and recorded.rstrip("/") != base_url.rstrip("/"):
            raise ConfigError(
                f"--archive {folder} holds files recorded from {recorded}, not {base_url}; "
                "record into a new folder (one archive per source)"
            )
        return cls(folder, base_url=base_url, entries=cls._entries(data, folder / MANIFEST),
                   races=list(data.get("races") or []))

    @classmethod
    def for_replay(cls, folder: Path) -> Archive:
        """Read a recorded archive; no network is used."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ConfigError(f"--archive {folder}: no such folder; record one with `newsgen fetch --archive {folder}`")
        data = cls._read_manifest(folder)
        if data is None:
            raise ConfigError(f"--archive {folder}: no {MANIFEST}; record the folder with `newsgen fetch --archive {folder}`")
        return cls(folder, base_url=data.get("base_url"), entries=cls._entries(data, folder / MANIFEST),
                   races=list(data.get("races") or []))

    # -- files ---------------------------------------------------------------

    def file_for(self, path: str) -> Path:
        """The archive file of an object-store path; refuses anything that would leave the folder."""
        parts = PurePosixPath(path.lstrip("/")).parts
        if not parts or any(p in ("", ".", "..") or "\\" in p for p in parts) or path.startswith("//"):
            raise ConfigError(f"refusing archive path {path!r}: not a plain object-store path")
        return self.folder.joinpath(*parts)

    def _read_verified(self, entry: Entry, key: str) -> bytes | None:
        if entry.sha256 is None or not entry.path:
            return None
        try:
            body = self.file_for(key).read_bytes()
        except OSError:
            return None
        return body if hashlib.sha256(body).hexdigest() == entry.sha256 else None

    # -- the fetch layer's Store protocol --------------------------------------

    def lookup(self, path: str) -> Cached | None:
        entry = self.entries.get(path)
        if entry is None or entry.error is not None or not (entry.etag or entry.last_modified):
            return None
        body = self._read_verified(entry, path)
        if body is None:
            return None  # missing or edited since: fetch it whole again
        return Cached(body=body, etag=entry.etag, last_modified=entry.last_modified)

    def record(self, fetched: Fetched) -> None:
        target = self.file_for(fetched.path)
        sha = fetched.sha256
        old = self.entries.get(fetched.path)
        if old is None or old.sha256 != sha or self._read_verified(old, fetched.path) is None:
            atomic_write(target, fetched.body)  # never a torn file
        self.entries[fetched.path] = Entry(
            url=fetched.url,
            path=target.relative_to(self.folder).as_posix(),
            fetched_at=(fetched.fetched_at.isoformat() if fetched.fetched_at else ""),
            status=fetched.status,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            sha256=sha,
            bytes=len(fetched.body),
        )

    def record_failure(self, path: str, url: str, status: int | None, reason: str, fetched_at: datetime) -> None:
        self.file_for(path).unlink(missing_ok=True)
        self.entries[path] = Entry(url=url, path="", fetched_at=fetched_at.isoformat(), status=status, error=reason)

    def add_races(self, races: list[str]) -> None:
        self.races = sorted(set(self.races) | set(races))

    def save(self) -> Path:
        """Write ``manifest.json`` (sorted, so two records of the same data diff cleanly)."""
        data = {
            "format": FORMAT,
            "base_url": self.base_url,
            "races": sorted(self.races),
            "files": {key: asdict(self.entries[key]) for key in sorted(self.entries)},
        }
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        target = self.folder / MANIFEST
        atomic_write(target, text.encode("utf-8"))
        return target

    # -- replay ------------------------------------------------------------------

    async def get(self, path: str) -> Fetched:
        """A recorded response, as the live run saw it (same URL, same bytes, same failure)."""
        url = join_url(self.base_url or "", path) if self.base_url else path
        entry = self.entries.get(path)
        if entry is None:
            raise FetchError(
                f"not in the archive {self.folder}; record it with `newsgen fetch --archive {self.folder}` "
                "and the same --race/--province", where=url,
            )
        if entry.error is not None:
            raise fetch_error(entry.error, entry.url, entry.status)
        body = self._read_verified(entry, path)
        if body is None:
            raise FetchError(
                f"the archive file {self.file_for(path)} is missing or changed since it was recorded "
                f"(sha256 {entry.sha256}); record the archive again", where=entry.url,
            )
        return Fetched(path=path, url=entry.url, body=body, status=entry.status or 200,
                       etag=entry.etag, last_modified=entry.last_modified,
                       fetched_at=datetime.fromisoformat(entry.fetched_at) if entry.fetched_at else None)
