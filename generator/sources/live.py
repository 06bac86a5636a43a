"""The night's races from KPU's object store, live or replayed from an archive.

Which files a race needs (paths as in ``sirekap``)::

    /pilkada/paslon/{pkwkp,pkwkk}.json      candidates (once per run; failure stops the run)
    /wilayah/pilkada/pkwkp/0.json           province names             (governor races)
    /wilayah/pilkada/pkwkp/{p}.json         kab/kota names             (both)
    /wilayah/pilkada/pkwkk/{p}/{k}.json     kecamatan names            (regent/mayor; optional)
    /pilkada/hhcw/pkwkp/{p}.json            governor tally, a row per kab/kota
    /pilkada/hhcw/pkwkk/{p}/{k}.json        regent/mayor tally, a row per kecamatan

A list of sub-region names that does not exist (404) costs the race only its
breakdown; any other failure holds the race back with a :class:`DataError`
naming the race, the URL and the reason, and the other races go on. Every
file is fetched once per run however many races need it. The snapshot's
``data_sha256`` is the sha256 of the race's tally bytes.

:func:`fetch_live`, :func:`record_archive` and :func:`replay_archive` are the
synchronous entry points; :func:`collect` does the work for any ``source``
with an async ``get(path) -> Fetched`` (a :class:`~generator.fetch.Fetcher`
or an :class:`~generator.archive.Archive`).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import ValidationError

from ..archive import Archive
from ..cache import HttpCache
from ..errors import ConfigError, DataError, FetchError
from ..fetch import Fetched, Fetcher, FetchSettings, build_client
from ..models import RACE_CODE, RaceSnapshot
from ..yamlsafe import json_checked
from . import sirekap
from .read import Pending, Progress, Read, built

GOVERNOR, REGIONAL = "pkwkp", "pkwkk"
KINDS = (GOVERNOR, REGIONAL)
_RACE = re.compile(rf"^({RACE_CODE})$")
_PROVINCE = re.compile(r"^\d{2}$")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def parse_race(text: str) -> str:
    """``pkwkp/64`` or ``pkwkk/6472``; a :class:`ConfigError` otherwise."""
    value = text.strip().strip("/")
    if not _RACE.match(value):
        raise ConfigError(
            f"--race {text!r}: expected pkwkp/PP (governor, 2-digit province code, e.g. pkwkp/64) "
            "or pkwkk/PPKK (regent/mayor, 4-digit kab/kota code, e.g. pkwkk/6472)"
        )
    return value


def parse_province(text: str) -> str:
    value = text.strip()
    if not _PROVINCE.match(value):
        raise ConfigError(f"--province {text!r}: expected a 2-digit province code, e.g. 64 for Kalimantan Timur")
    return value


@dataclass(frozen=True)
class Selection:
    """Races asked for: explicit races, whole provinces, or (both empty) every race."""

    races: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()

    @classmethod
    def parse(cls, races: Iterable[str] = (), provinces: Iterable[str] = ()) -> Selection:
        return cls(tuple(parse_race(r) for r in races), tuple(parse_province(p) for p in provinces))

    @property
    def everything(self) -> bool:
        return not self.races and not self.provinces

    def kinds(self) -> tuple[str, ...]:
        """The candidate masters this selection needs."""
        if self.provinces or not self.races:
            return KINDS
        return tuple(k for k in KINDS if any(r.startswith(k + "/") for r in self.races))


Masters = dict[str, dict[str, tuple[sirekap.PaslonEntry, ...]]]


def select_races(masters: Masters, selection: Selection) -> list[str]:
    """The sorted race codes of ``selection``, checked against the candidate masters."""
    if selection.everything:
        return sorted(f"{kind}/{code}" for kind in KINDS for code in masters.get(kind, {}))
    chosen: set[str] = set()
    unknown = []
    for race in selection.races:
        kind, code = race.split("/")
        (chosen.add(race) if code in masters.get(kind, {}) else unknown.append(race))
    if unknown:
        raise ConfigError(
            f"--race {', '.join(unknown)}: not in KPU's candidate list {sirekap.paslon_path(unknown[0].split('/')[0])} "
            "(no such race in 2024; DI Yogyakarta has no governor race and DKI Jakarta no regent/mayor races)"
        )
    for province in selection.provinces:
        found = [f"{GOVERNOR}/{province}"] if province in masters.get(GOVERNOR, {}) else []
        found += [f"{REGIONAL}/{code}" for code in masters.get(REGIONAL, {}) if code[:2] == province]
        if not found:
            raise ConfigError(f"--province {province}: KPU's candidate lists have no race in that province")
        chosen.update(found)
    return sorted(chosen)


def decode_json(fetched: Fetched, *, race: str | None = None) -> Any:
    """The JSON payload of a fetched file, or a :class:`DataError` saying what came instead."""
    body = fetched.body
    head = body.lstrip()[:1]
    if not head:
        raise DataError(f"empty response ({len(body)} bytes) where a JSON file was expected; try again later",
                        where=fetched.url, race=race)
    if head == b"<":
        match = _TITLE.search(body[:4096])
        title = " ".join(match.group(1).decode("utf-8", "replace").split())[:80] if match else ""
        page = f"an HTML page ({title!r})" if title else "an HTML page"
        raise DataError(f"expected JSON but received {page}; the server is overloaded or showing an error page, "
                        "try again later", where=fetched.url, race=race)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError("the response is not UTF-8 text; expected a JSON file", where=fetched.url, race=race) from None
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except _DuplicateKey:
        dup = json_checked(text)[1][0]
        raise DataError(f"key {dup.key!r} is given twice in one object; JSON readers keep either one, so the file "
                        "is ambiguous", where=fetched.url, race=race, field=".".join((*dup.path, dup.key))) from None
    except RecursionError:
        raise DataError("the JSON is nested too deeply to be a KPU file", where=fetched.url, race=race) from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            reason = f"the JSON ends early after {len(body):,} bytes (a truncated response); try again later"
        else:
            reason = f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})"
        raise DataError(reason, where=fetched.url, race=race) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise DataError(f"a number in the JSON is out of range ({exc})", where=fetched.url, race=race) from None


class _DuplicateKey(ValueError):
    """A JSON object with a key given twice."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (json keeps the last one silently)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey
    return obj


def _for_race(exc: DataError, race: str) -> DataError:
    """The same error, naming ``race`` (shared files fail for every race that needs them)."""
    if exc.race == race:
        return exc
    copy = type(exc)(exc.message, where=exc.where, race=race, field=exc.field)
    if hasattr(exc, "status"):
        copy.status = exc.status  # type: ignore[attr-defined]
    return copy


class Source(Protocol):
    async def get(self, path: str) -> Fetched: ...


class _Loader:
    """Fetches and parses each path once per run, however many races ask for it."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def _once(self, key: str, make: Callable[[], Awaitable[Any]]) -> asyncio.Task[Any]:
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = asyncio.ensure_future(make())
        return task

    def fetch(self, path: str) -> asyncio.Task[Any]:
        return self._once(path, lambda: self.source.get(path))

    def parsed(self, path: str, parse: Callable[..., Any]) -> asyncio.Task[Any]:
        async def run() -> Any:
            fetched = await self.fetch(path)
            return parse(decode_json(fetched), where=fetched.url)

        return self._once(f"parsed:{path}", run)

    async def optional(self, path: str, parse: Callable[..., Any]) -> Any:
        """Parsed file, or None when the server says it does not exist (404)."""
        try:
            return await self.parsed(path, parse)
        except FetchError as exc:
            if getattr(exc, "status", None) == 404:
                return None
            raise

    async def settle(self) -> None:
        """Wait for every started task, so none is left pending or unretrieved."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)


async def _first_error(*aws: Awaitable[Any]) -> list[Any]:
    """Await all; raise the first failure in argument order (deterministic messages)."""
    results = await asyncio.gather(*aws, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


async def load_masters(loader: _Loader, kinds: Iterable[str]) -> Masters:
    """The candidate masters; any failure stops the whole run (no race can be named without them)."""
    kinds = tuple(kinds)
    try:
        parsed = await _first_error(*(loader.parsed(sirekap.paslon_path(k), sirekap.parse_paslon) for k in kinds))
    except DataError as exc:
        cls = FetchError if isinstance(exc, FetchError) else DataError
        raise cls(f"cannot load KPU's candidate list, so no race can be written: {exc.message}",
                  where=exc.where, field=exc.field) from None
    return dict(zip(kinds, parsed, strict=True))


def _snapshot(race: str, fetched: Fetched, candidates: tuple[sirekap.PaslonEntry, ...] | None,
              paslon_url: str, names: sirekap.Wilayah, child_names: dict[str, str] | None) -> RaceSnapshot:
    """The race's snapshot from its files; raises :class:`DataError` naming the file, race and field."""
    code = race.split("/")[1]
    tally = sirekap.parse_tally(decode_json(fetched, race=race), where=fetched.url, race=race)
    try:
        return sirekap.snapshot_from_tally(
            race, tally, {code: candidates} if candidates else {},
            region_name=names[code], child_names=child_names, source_url=fetched.url,
            data_sha256=fetched.sha256, paslon_url=paslon_url, names_url=names.where,
            region_field=names.field(code),
        )
    except ValidationError as exc:
        # A candidate entry the parser let through but a Ticket refuses (odd colour,
        # nomor urut, empty name): hold back this race instead of ending the night.
        first = exc.errors()[0]
        raise DataError(f"a candidate entry for {code} is not usable: {first['msg']}",
                        where=paslon_url, race=race, field=f"{code}") from None


def _sha(loader: _Loader, path: str) -> str:
    """The sha256 of a file the loader fetched ("-" when it was not there)."""
    task = loader.fetch(path)
    if task.done() and not task.cancelled() and task.exception() is None:
        return str(task.result().sha256)
    return "-"


async def _race(loader: _Loader, masters: Masters, race: str) -> Pending:
    kind, code = race.split("/")
    province = code[:2]
    if kind == GOVERNOR:  # province names; kab/kota names
        names_path, children_path = sirekap.wilayah_path(GOVERNOR), sirekap.wilayah_path(GOVERNOR, province)
    else:  # kab/kota names; kecamatan names
        names_path, children_path = (sirekap.wilayah_path(GOVERNOR, province),
                                     sirekap.wilayah_path(REGIONAL, province, code))
    # All three files are asked for at once, so races complete one by one from the start
    # of a fetch (were the name lists asked for only when parsed, every tally would go first).
    tally_task = loader.fetch(sirekap.tally_path(race))
    loader.fetch(names_path)
    loader.fetch(children_path)
    fetched, names, children = await _first_error(
        tally_task,
        loader.parsed(names_path, sirekap.parse_wilayah),
        loader.optional(children_path, sirekap.parse_wilayah),
    )
    region_name = names.get(code)
    if region_name is None:
        names_url = loader.fetch(names_path).result().url  # fetched already: it was just parsed
        raise DataError(f"region {code} is not in this list of region names; the race cannot be named",
                        where=names_url, race=race, field="kode")
    paslon_path = sirekap.paslon_path(kind)
    paslon_url = loader.fetch(paslon_path).result().url
    parts = (race, fetched.sha256, _sha(loader, paslon_path), _sha(loader, names_path), _sha(loader, children_path))
    key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return Pending(race, key, functools.partial(_snapshot, race, fetched, masters[kind].get(code), paslon_url,
                                                 names, children))


async def collect(source: Source, selection: Selection, *, progress: Progress | None = None,
                  on_races: Callable[[list[str]], None] | None = None) -> tuple[list[str], list[Read]]:
    """Every selected race as a :class:`Pending` snapshot, or the :class:`DataError` that holds it back
    (race order).

    Raises :class:`DataError`/:class:`FetchError` when the candidate masters
    cannot be read and :class:`ConfigError` for a race that does not exist.
    """
    loader = _Loader(source)
    try:
        masters = await load_masters(loader, selection.kinds())
        races = select_races(masters, selection)
        if on_races is not None:
            on_races(races)
        if progress is not None:
            progress.start(len(races))

        async def one(race: str) -> Read:
            try:
                return await _race(loader, masters, race)
            except DataError as exc:
                return _for_race(exc, race)
            finally:
                if progress is not None:
                    progress.advance(race)

        items = await asyncio.gather(*(one(race) for race in races))
    finally:
        await loader.settle()
    return races, list(items)


# -- synchronous entry points ------------------------------------------------------


@dataclass
class Run:
    """What a fetch or replay produced."""

    races: list[str] = field(default_factory=list)
    items: list[Read] = field(default_factory=list)
    stats: Counter[int] = field(default_factory=Counter)  # responses by HTTP status (0 = none)
    archive: Path | None = None

    @property
    def held_back(self) -> list[DataError]:
        """The races that could not be fetched or parsed."""
        return [item for item in built(self.items) if isinstance(item, DataError)]


# The coroutines handed to asyncio.run fill a Run and return None: on the way out
# asyncio.run (3.11) builds the repr of its main task, result included, and the
# repr of hundreds of snapshots costs a noticeable fraction of a second.


async def _live(run: Run, base_url: str, selection: Selection, settings: FetchSettings,
                store: Archive | HttpCache | None, progress: Progress | None,
                transport: httpx.AsyncBaseTransport | None) -> None:
    on_races = store.add_races if isinstance(store, Archive) else None
    async with build_client(settings, transport=transport) as client:
        fetcher = Fetcher(client, base_url, settings=settings, store=store)
        try:
            run.races, run.items = await collect(
                fetcher, selection, progress=progress, on_races=on_races,
            )
        finally:
            run.stats = fetcher.stats
            if store is not None:
                store.save()


async def _replay(run: Run, archive: Archive, selection: Selection, progress: Progress | None) -> None:
    run.races, run.items = await collect(archive, selection, progress=progress)


def fetch_live(base_url: str, selection: Selection, *, settings: FetchSettings | None = None,
               cache: Path | None = None, progress: Progress | None = None,
               transport: httpx.AsyncBaseTransport | None = None) -> Run:
    """Fetch the selected races from ``base_url``; ``cache`` keeps bodies for conditional requests."""
    store = HttpCache(cache, base_url) if cache is not None else None
    run = Run(archive=None)
    asyncio.run(_live(run, base_url, selection, settings or FetchSettings(), store, progress, transport))
    return run


def record_archive(folder: Path, base_url: str, selection: Selection, *, settings: FetchSettings | None = None,
                   progress: Progress | None = None, transport: httpx.AsyncBaseTransport | None = None) -> Run:
    """Fetch the selected races and record every response under ``folder`` (``newsgen fetch``)."""
    store = Archive.for_recording(folder, base_url)
    run = Run(archive=store.folder)
    asyncio.run(_live(run, base_url, selection, settings or FetchSettings(), store, progress, transport))
    return run


def replay_archive(folder: Path, selection: Selection, *, progress: Progress | None = None) -> Run:
    """The races recorded in ``folder`` (those the fetch selected, unless ``selection`` says otherwise)."""
    archive = Archive.for_replay(folder)
    if selection.everything and archive.races:
        selection = Selection(races=tuple(archive.races))
    run = Run(archive=archive.folder)
    asyncio.run(_replay(run, archive, selection, progress))
    return run
