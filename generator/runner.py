"""A run, start to end: read the source, then generate, unless nothing changed.

::

    run(source, config, out)      the library's one entry point (``generate``, each ``watch`` cycle)
    unchanged_night(...)          a poll where no input changed: no race built, nothing written
    Report                        what a run did, race by race

Deciding, rendering and writing are :mod:`generator.pipeline`'s, imported only
when a run has something to generate: a poll in which KPU changed nothing
(every file answered 304) loads neither the models of the story nor the
article's renderers, audits and checks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import ConfigError, Problem
from .models import RACE_CODE
from .output import load_manifest
from .render import Renderer
from .sources.read import Pending, built
from .state import check_outside, default_state_dir, locked
from .writer import Writer

if TYPE_CHECKING:
    from .config import Config
    from .phrases import Phrases
    from .sources.read import Progress, Read, Source

#: What ``--stories`` may name; ``races`` is always written (the other pages link to it).
KINDS = ("races", "local", "kecamatan", "roundups")


def parse_stories(text: str | Iterable[str] | None) -> frozenset[str]:
    """``"races,local"`` -> ``{"races", "local"}``; races are always in. A ConfigError names an unknown kind."""
    items = text.split(",") if isinstance(text, str) else list(text or ())
    wanted = {i.strip() for i in items if i.strip()}
    unknown = sorted(wanted - set(KINDS))
    if unknown:
        raise ConfigError(f"--stories: unknown story type(s) {', '.join(unknown)}; expected a comma-separated "
                          f"list of {', '.join(KINDS)} (e.g. --stories races,local,roundups)")
    return frozenset({"races", *wanted})


#: The default story types: one story per race (``--stories races``).
RACES_ONLY = frozenset({"races"})
_RACE = re.compile(RACE_CODE)

#: Exit codes (documented in the README and ``newsgen --help``).
EXIT_OK, EXIT_HELD_BACK, EXIT_CONFIG = 0, 1, 2


@dataclass
class Report:
    """What a run did, race by race."""

    written: list[tuple[str, Path]] = field(default_factory=list)
    unchanged: list[tuple[str, Path]] = field(default_factory=list)
    held_back: list[Problem] = field(default_factory=list)
    no_data: list[str] = field(default_factory=list)
    #: Races whose article an editor changed: the update waits in the state folder (pending/).
    waiting: list[tuple[str, Path]] = field(default_factory=list)
    #: A dry run: what would have been written or deleted.
    planned: list[str] = field(default_factory=list)
    #: The state folder (manifest, review page, waiting updates).
    state: Path | None = None
    #: Why the manifest or review page could not be written (the articles were).
    bookkeeping_error: str | None = None
    #: A note about the fetch ("fetched 1,094 files from ..."), when the source was fetched.
    fetch_note: str | None = None

    @property
    def exit_code(self) -> int:
        """2 when a template or configuration problem held a race back, 1 for data, else 0."""
        if any(p.kind in ("template", "config") for p in self.held_back):
            return EXIT_CONFIG
        return EXIT_HELD_BACK if self.held_back or self.bookkeeping_error else EXIT_OK

    @property
    def changed(self) -> bool:
        """Whether the run changed anything an editor or reader would see."""
        return bool(self.written or self.held_back or self.waiting or self.planned)

    def summary(self) -> str:
        waiting = f", {len(self.waiting)} waiting (edited by an editor)" if self.waiting else ""
        return (
            f"{len(self.written)} written, {len(self.unchanged)} unchanged, "
            f"{len(self.held_back)} held back, {len(self.no_data)} without data yet{waiting}"
        )


def run(source: Source, config: Config, out: Path, *, now: datetime | None = None, strict: bool = False,
        jobs: int = 0, renderer: Renderer | None = None, phrases: Phrases | None = None,
        progress: Progress | None = None, state: Path | None = None, dry_run: bool = False,
        stories: frozenset[str] = RACES_ONLY) -> Report:
    """Read ``source`` and write its races into ``out``: the library's one entry point.

    ``stories`` (``--stories``) adds local pages and round-ups (see :mod:`generator.extra`).

    ``newsgen generate`` calls it once, ``newsgen watch`` once per poll.
    Raises :class:`~generator.errors.ConfigError` (and, for a source that
    cannot be read at all, :class:`~generator.errors.DataError`); problems of
    single races are in the report.
    """
    renderer = renderer or Renderer(config)  # a broken template stops the run before anything is read
    phrases = phrases or renderer.phrases
    state_dir = state or default_state_dir(out)
    check_outside(state_dir, out)
    read, note = source.read(progress)
    settings = run_fingerprint(config, renderer, strict, phrases, stories)
    keys = {i.race: input_key(i.key, settings) for i in read if isinstance(i, Pending)}
    with locked(state_dir):
        report = unchanged_night(read, keys, Writer(out), Writer(state_dir))
        if report is None:
            from .pipeline import _generate  # deciding, rendering, writing: only when something changed

            report = _generate(
                built(read, year=config.publication.election_year), config, Writer(out, dry_run=dry_run),
                Writer(state_dir, dry_run=dry_run), now=now, strict=strict, jobs=jobs, renderer=renderer,
                phrases=phrases, input_keys=keys, stories=stories)
    report.fetch_note = note
    report.state = state_dir
    return report


def run_fingerprint(config: Config, renderer: Renderer, strict: bool, phrases: Phrases | None = None,
                    stories: frozenset[str] = frozenset()) -> str:
    """Everything besides its data that a race's files depend on: newsgen's version, the
    templates (a user's folder and newsgen's own, phrases.yaml included), the configuration,
    the phrases when the run was handed its own, and the story types when more than races."""
    parts: tuple[str, ...] = (
        __version__, renderer.fingerprint, config.regions.model_dump_json(), config.races.model_dump_json(),
        str(strict), *([phrases.fingerprint] if phrases is not None and phrases is not renderer.phrases else []))
    if stories - RACES_ONLY:
        parts = (*parts, ",".join(sorted(stories)))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def input_key(data_key: str, settings: str) -> str:
    return hashlib.sha256(f"{data_key}\0{settings}".encode()).hexdigest()[:32]


def unchanged_night(read: list[Read], keys: dict[str, str], writer: Writer, state: Writer) -> Report | None:
    """A report of "all unchanged" when every race's inputs and settings are those of the
    last run and its files are still there (a poll where KPU changed nothing); else None.

    Nothing is parsed or written then. Any change, error or missing file means a full run.
    """
    everything = load_manifest(state)
    old = {race: entry for race, entry in everything.items() if _RACE.fullmatch(race)}
    if not read or len(keys) != len(read) or set(old) != set(keys):
        return None
    report = Report()
    for race, entry in everything.items():  # local pages and round-ups: their files must still be there
        if race in old or entry.get("status") not in ("written", "unchanged") or not entry.get("path"):
            continue
        if not (writer.folder / str(entry["path"])).is_file():
            return None
        report.unchanged.append((race, writer.folder / str(entry["path"])))
    for race, key in keys.items():
        entry = old[race]
        if entry.get("input_key") != key or entry.get("status") not in ("written", "unchanged", "no_data") \
                or entry.get("waiting"):
            return None
        if entry.get("status") == "no_data":
            report.no_data.append(race)
            continue
        path = writer.folder / str(entry.get("path"))
        if not path.is_file():
            return None
        report.unchanged.append((race, path))
    return report
