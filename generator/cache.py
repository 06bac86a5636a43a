"""The HTTP cache of live runs: one SQLite file per object store.

``newsgen generate`` and ``newsgen watch`` keep each KPU file they fetched,
with its ETag and Last-Modified, so the next poll asks "changed since?" and
KPU can answer 304 Not Modified. One database file instead of a file per
response: a national run stores about 1,100 responses in one transaction,
where creating 1,100 files costs a noticeable part of the run.

The cache is a convenience, never a source: a copy whose sha256 no longer
matches is fetched whole again, a file that is not an SQLite database or is one
of another layout (other tables or columns) is set aside (renamed
``cache.sqlite3.broken``, :attr:`HttpCache.set_aside` says so) and the run
starts afresh, fetching everything whole; failures are not stored (the last
good copy stays). Recorded nights for replay are archives
(:mod:`generator.archive`), plain files a person can read.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .fetch import Cached, Fetched

FILENAME = "cache.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    path TEXT PRIMARY KEY,       -- object-store path, "/pilkada/hhcw/pkwkp/64.json"
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
#: Every table of the database and its columns, in order (``record`` inserts by position).
_LAYOUT = {
    "responses": ["path", "url", "etag", "last_modified", "sha256", "body", "fetched_at"],
    "settings": ["key", "value"],
}
BROKEN = FILENAME + ".broken"


class _OtherLayout(sqlite3.DatabaseError):
    """An SQLite database, but not one this version wrote."""


class HttpCache:
    """Responses of one object store (``base_url``), kept in ``folder/cache.sqlite3``.

    Implements the fetch layer's ``Store``: :meth:`lookup` before a request,
    :meth:`record` after a 200 or 304. New responses are written by
    :meth:`save`, in one transaction, at the end of the run; a 304 that leaves
    the stored copy as it is (same URL, validators and bytes) writes nothing, so
    a poll in which KPU changed nothing leaves the database untouched
    (``fetched_at`` is when the stored row was last written).
    """

    def __init__(self, folder: Path, base_url: str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILENAME
        self.base_url = base_url.rstrip("/")
        self._new: dict[str, tuple[Any, ...]] = {}
        #: What :meth:`lookup` found stored, per path: (url, etag, last_modified, sha256).
        self._stored: dict[str, tuple[Any, ...]] = {}
        self.set_aside: Path | None = None  # where an unusable database was moved, if one was
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"--cache {self.folder}: cannot create the folder ({exc.strerror}); "
                              "choose another with --cache or use --no-cache") from None
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            try:
                return self._connect()
            except sqlite3.OperationalError:
                raise  # locked by another run, unreadable folder: not a damaged database
            except sqlite3.DatabaseError:
                # Not a database, a damaged one or another layout: keep it for a look, start anew.
                self.set_aside = self.path.with_name(BROKEN)
                for suffix in ("", "-journal", "-wal", "-shm"):  # a hot journal must not meet the new file
                    side = self.path.with_name(FILENAME + suffix)
                    if side.exists():
                        side.replace(self.path.with_name(BROKEN + suffix))
                return self._connect()
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(f"{self.path}: cannot open the HTTP cache ({exc}); "
                              "choose another folder with --cache or use --no-cache") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            found = _layout(db)
            if found and found != _LAYOUT:
                raise _OtherLayout(f"tables {found}, expected {_LAYOUT}")
            db.executescript(_SCHEMA)
            stored = dict(db.execute("SELECT key, value FROM settings"))
            if stored.get("base_url") != self.base_url or stored.get("schema") != str(SCHEMA_VERSION):
                with db:  # another object store (or an older layout): its copies are no use here
                    db.execute("DELETE FROM responses")
                    db.executemany("INSERT OR REPLACE INTO settings VALUES (?, ?)",
                                   [("base_url", self.base_url), ("schema", str(SCHEMA_VERSION))])
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def lookup(self, path: str) -> Cached | None:
        """The stored copy of ``path`` with what it can be revalidated with; None if none is usable."""
        row = self._db.execute(
            "SELECT url, etag, last_modified, sha256, body FROM responses WHERE path = ?", (path,)
        ).fetchone()
        if row is None:
            return None
        url, etag, last_modified, sha256, body = row
        if not (isinstance(body, bytes) and isinstance(sha256, str) and isinstance(etag, str | None)
                and isinstance(last_modified, str | None)):
            return None  # written by something else: fetch it whole again
        if not (etag or last_modified) or hashlib.sha256(body).hexdigest() != sha256:
            return None  # nothing to revalidate with, or damaged: fetch it whole again
        self._stored[path] = (url, etag, last_modified, sha256)
        return Cached(body=body, etag=etag, last_modified=last_modified)

    def record(self, fetched: Fetched) -> None:
        if self._stored.get(fetched.path) == (fetched.url, fetched.etag, fetched.last_modified, fetched.sha256):
            return  # revalidated and unchanged: the stored row is this response already
        fetched_at = fetched.fetched_at.isoformat() if fetched.fetched_at else None
        self._new[fetched.path] = (fetched.path, fetched.url, fetched.etag, fetched.last_modified,
                                   fetched.sha256, fetched.body, fetched_at)

    def record_failure(self, path: str, url: str, status: int | None, reason: str, fetched_at: datetime) -> None:
        """A cache keeps its last good copy."""

    def save(self) -> None:
        """Store this run's responses (one transaction) and close the database."""
        rows, self._new = list(self._new.values()), {}
        try:
            if rows:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot store fetched files ({exc}); "
                              "choose another folder with --cache or use --no-cache") from None
        finally:
            self._db.close()


def _layout(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Each table of ``db`` with its columns, and each index, view or trigger of its own (``{}``: a new file)."""
    found: dict[str, list[str]] = {}
    for kind, name in db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'"):
        columns = [column for (column,) in db.execute("SELECT name FROM pragma_table_info(?)", (name,))]
        found[name if kind == "table" else f"{kind} {name}"] = columns if kind == "table" else []
    return found
