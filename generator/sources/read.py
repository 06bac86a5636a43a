"""Which source a run reads, and reading it: editor files, KPU Sirekap or an archive.

A :class:`Source` is plain data (what the command line asked for); its
:meth:`Source.read` returns every race as a snapshot or as the
:class:`~generator.errors.DataError` that holds it back, plus a one-line note
about the fetch. The HTTP stack is imported only for the Sirekap and archive
sources, the editor format only for editor files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from ..config import data_path
from ..errors import ConfigError, DataError
from ..models import RaceSnapshot
from .sirekap import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from collections import Counter

    from ..fetch import FetchSettings
    from .live import Selection

Kind = Literal["file", "sirekap", "archive"]
Item = RaceSnapshot | DataError


@dataclass(frozen=True)
class Pending:
    """A race whose files are in but not yet parsed.

    ``key`` is a hash of every byte the snapshot is made from, so a run can tell
    that nothing changed since the last one without parsing anything.
    """

    race: str
    key: str
    build: Callable[[], RaceSnapshot]  # raises DataError naming the file, race and field

    def item(self) -> Item:
        try:
            return self.build()
        except DataError as exc:
            return exc if exc.race == self.race else DataError(exc.message, where=exc.where, race=self.race,
                                                                field=exc.field)


Read = RaceSnapshot | DataError | Pending


class Progress(Protocol):
    """Told how many races there are, then about each race as it finishes."""

    def start(self, total: int) -> None: ...

    def advance(self, race: str) -> None: ...


@dataclass(frozen=True)
class Source:
    """Where a run's figures come from."""

    kind: Kind = "file"
    inputs: tuple[Path, ...] = ()  # editor files; none: the embedded example data
    archive: Path | None = None
    base_url: str = DEFAULT_BASE_URL
    selection: Selection | None = None  # races of Sirekap or an archive; None: every race
    settings: FetchSettings | None = None
    cache: Path | None = None  # keeps fetched files for conditional requests; None: no cache

    def read(self, progress: Progress | None = None) -> tuple[list[Read], str | None]:
        """Every race read: (items in race order, a note about the fetch or None).

        KPU's files come as :class:`Pending` races, parsed when the run needs them."""
        if self.kind == "file":
            return read_inputs(self.inputs), None
        from . import live  # only the Sirekap paths need the HTTP stack

        selection = self.selection or live.Selection()
        if self.kind == "sirekap":
            fetched = live.fetch_live(self.base_url, selection, settings=self.settings, cache=self.cache,
                                      progress=progress)
            return fetched.items, fetch_note("fetched", fetched.stats, self.base_url)
        if self.archive is None:
            raise ConfigError("--source archive needs --archive DIR")
        replayed = live.replay_archive(self.archive, selection, progress=progress)
        return replayed.items, None


def built(items: list[Read], *, year: int | None = None) -> list[Item]:
    """Every item parsed: a snapshot, or the error that holds its race back.

    KPU's files (:class:`Pending`) name no year: with ``year`` (the run's election,
    publication.yaml ``election_year``) their races are of that election."""
    return [_of_year(i.item(), year) if isinstance(i, Pending) else i for i in items]


def _of_year(item: Item, year: int | None) -> Item:
    if year is None or not isinstance(item, RaceSnapshot) or item.year == year:
        return item
    return item.model_copy(update={"year": year})


def read_inputs(inputs: tuple[Path, ...]) -> list[Read]:
    """The races of editor files (the embedded example data when none are given)."""
    from .files import read_file  # the editor format's models: only for editor files

    files = list(inputs) or sorted(data_path("examples", "data").glob("*.yaml"))
    items: list[Read] = []
    for path in files:
        if not path.exists():
            raise ConfigError(f"--input {path}: no such file")
        try:
            items.extend(read_file(path))
        except DataError as exc:
            items.append(exc)
    return items


def fetch_note(verb: str, stats: Counter[int], url: str) -> str:
    """``newsgen: fetched 1,094 files from URL (0 not modified)``."""
    ok = sum(n for status, n in stats.items() if 200 <= status < 300)
    line = f"newsgen: {verb} {ok + stats.get(304, 0)} files from {url} ({stats.get(304, 0)} not modified"
    retried = sum(n for status, n in stats.items() if status == 0 or status == 429 or status >= 500)
    return line + (f", {retried} failed tries)" if retried else ")")
