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

A manifest is checked when it is opened. One whose shape is wrong (not an
object, another ``format``, ``files`` not an object, ``base_url`` not a string,
``races`` not a list) is a :class:`~generator.errors.ConfigError` naming the
file and the field. A single bad value costs only what it concerns: a file
entry with a wrong field (a ``fetched_at`` that is not an ISO 8601 time with a
UTC offset in the years 1970 to 2999, a ``status`` that is not a number...) is
a :class:`~generator.errors.DataError` for the races that need that file (a
fetch into the folder fetches it whole again), and a ``races`` entry that is
not a race code (``pkwkp/PP``, ``pkwkk/PPKK``) is left out, with a
:class:`~generator.errors.DataError` in :attr:`Archive.problems`.

The same class serves two roles: ``newsgen fetch`` records into it (a second
fetch into the same folder sends conditional requests for what it holds), and
``generate --archive`` replays it with no network at all (:meth:`Archive.get`).
The HTTP cache of live runs is a database instead (:mod:`generator.cache`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ConfigError, DataError, FetchError
from .fetch import Cached, Fetched, fetch_error, join_url
from .models import RACE_CODE
from .writer import atomic_write

MANIFEST = "manifest.json"
FORMAT = "newsgen-archive/1"
RACE = re.compile(RACE_CODE)
YEARS = range(1970, 3000)  # of a plausible fetched_at (0001 and 9999 overflow once moved to UTC)


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


_TEXT, _NUMBER = "a string", "a whole number"
#: Entry field -> (what it holds, may it be null, is it required)
_ENTRY_FIELDS = {
    "url": (_TEXT, False, True), "path": (_TEXT, False, True), "fetched_at": (_TEXT, False, True),
    "status": (_NUMBER, True, True), "etag": (_TEXT, True, False), "last_modified": (_TEXT, True, False),
    "sha256": (_TEXT, True, False), "bytes": (_NUMBER, True, False), "error": (_TEXT, True, False),
}
assert set(_ENTRY_FIELDS) == {f.name for f in fields(Entry)}


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def _entry(value: Any) -> Entry:
    """A manifest's file entry; ``ValueError(field, reason)`` for the first wrong field."""
    if not isinstance(value, dict):
        raise ValueError("", f"expected an object of the response's fields, found {_kind(value)}")
    unknown = sorted(value.keys() - _ENTRY_FIELDS.keys())
    if unknown:
        raise ValueError(f".{unknown[0]}", f"unknown field (expected {', '.join(_ENTRY_FIELDS)})")
    for name, (kind, nullable, required) in _ENTRY_FIELDS.items():
        if name not in value:
            if required:
                raise ValueError(f".{name}", "missing")
            continue
        item = value[name]
        ok = (item is None and nullable) or (
            isinstance(item, str) if kind is _TEXT else isinstance(item, int) and not isinstance(item, bool))
        if not ok:
            raise ValueError(f".{name}", f"expected {kind}{' or null' if nullable else ''}, found {_kind(item)}")
    entry = Entry(**value)
    if entry.status is not None and not 100 <= entry.status <= 599:
        raise ValueError(".status", f"expected an HTTP status (100 to 599), found {entry.status}")
    if not entry.url.startswith(("http://", "https://")):
        raise ValueError(".url", f"expected an http(s) URL, found {entry.url[:80]!r}")
    if entry.fetched_at:
        try:
            moment = datetime.fromisoformat(entry.fetched_at)
        except ValueError:
            moment = None
        if moment is None or moment.utcoffset() is None or moment.year not in YEARS:
            raise ValueError(".fetched_at", "expected an ISO 8601 time with a UTC offset in the years "
                             f"{YEARS.start} to {YEARS.stop - 1} (e.g. 2024-11-28T03:15:04+00:00), "
                             f"found {entry.fetched_at[:80]!r}")
    return entry


class Archive:
    """One archive folder. Open with :meth:`for_recording` or :meth:`for_replay`.

    ``entries`` are the usable file entries; ``bad`` the unusable ones, by
    object-store path, as (the value as found, the error a replay raises);
    ``problems`` the ``races`` entries left out.
    """

    def __init__(self, folder: Path, *, base_url: str | None, entries: dict[str, Entry], races: list[str],
                 bad: dict[str, tuple[Any, DataError]] | None = None, problems: list[DataError] | None = None) -> None:
        self.folder = Path(folder)
        self.base_url = base_url
        self.entries = entries
        self.races = races
        self.bad = bad or {}
        self.problems = problems or []

    # -- opening -----------------------------------------------------------

    @classmethod
    def _read_manifest(cls, folder: Path) -> dict[str, Any] | None:
        manifest = folder / MANIFEST
        try:
            data = json.loads(manifest.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise ConfigError(f"{manifest}: cannot read the archive manifest ({reason}); "
                              "use another folder or delete it") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError(f"{manifest}: not a newsgen archive manifest (expected format {FORMAT!r})")
        for name, kind, expected in (("files", dict, "an object of recorded files"),
                                     ("base_url", str, "the URL the files were fetched from"),
                                     ("races", list, 'a list of race codes such as "pkwkp/64"')):
            value = data.get(name)
            if not isinstance(value, kind) and (value is not None or name == "files"):
                raise ConfigError(f"{manifest}: field {name}: expected {expected}, found {_kind(data.get(name))}; "
                                  f"record the archive again with `newsgen fetch --archive {folder}`")
        return data

    @classmethod
    def _open(cls, folder: Path, data: dict[str, Any], base_url: str | None) -> Archive:
        """The archive ``data`` (a checked manifest) describes, bad values set aside."""
        manifest = folder / MANIFEST
        entries: dict[str, Entry] = {}
        bad: dict[str, tuple[Any, DataError]] = {}
        for key, value in data["files"].items():
            try:
                entries[key] = _entry(value)
            except ValueError as exc:
                field, reason = exc.args
                bad[key] = (value, DataError(f"{reason}; record the file again with `newsgen fetch --archive {folder}`",
                                             where=str(manifest), field=f"files[{json.dumps(key)}]{field}"))
        races, problems = [], []
        for index, race in enumerate(data.get("races") or []):
            if isinstance(race, str) and RACE.fullmatch(race):
                races.append(race)
            else:
                problems.append(DataError(
                    f"expected a race code, pkwkp/PP or pkwkk/PPKK (e.g. pkwkp/64), found {json.dumps(race)[:80]}; "
                    "the entry is left out", where=str(manifest), field=f"races[{index}]",
                    race=race if isinstance(race, str) else None))
        return cls(folder, base_url=base_url, entries=entries, races=sorted(set(races)), bad=bad, problems=problems)

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
        return cls._open(folder, data, base_url)

    @classmethod
    def for_replay(cls, folder: Path) -> Archive:
        """Read a recorded archive; no network is used."""
        folder = Path(folder)
        if not folder.is_dir():
            raise ConfigError(f"--archive {folder}: no such folder; record one with `newsgen fetch --archive {folder}`")
        data = cls._read_manifest(folder)
        if data is None:
            raise ConfigError(f"--archive {folder}: no {MANIFEST}; "
                              f"record the folder with `newsgen fetch --archive {folder}`")
        return cls._open(folder, data, data.get("base_url"))

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
        self.bad.pop(fetched.path, None)
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
        self.bad.pop(path, None)
        self.entries[path] = Entry(url=url, path="", fetched_at=fetched_at.isoformat(), status=status, error=reason)

    def add_races(self, races: list[str]) -> None:
        self.races = sorted(set(self.races) | set(races))

    def save(self) -> Path:
        """Write ``manifest.json`` (sorted, so two records of the same data diff cleanly).

        A bad file entry that was not fetched again is written back as it was found.
        """
        files: dict[str, Any] = {key: asdict(entry) for key, entry in self.entries.items()}
        files.update((key, value) for key, (value, _) in self.bad.items())
        data = {
            "format": FORMAT,
            "base_url": self.base_url,
            "races": sorted(self.races),
            "files": {key: files[key] for key in sorted(files)},
        }
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        target = self.folder / MANIFEST
        atomic_write(target, text.encode("utf-8"))
        return target

    # -- replay ------------------------------------------------------------------

    async def get(self, path: str) -> Fetched:
        """A recorded response, as the live run saw it (same URL, same bytes, same failure)."""
        url = join_url(self.base_url or "", path) if self.base_url else path
        if path in self.bad:
            found = self.bad[path][1]
            raise DataError(found.message, where=found.where, field=found.field)
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
