"""The order of things: snapshots -> stories -> text -> files.

Everything is read, validated and rendered in memory first; only then are
files written, so a bad race never leaves a half-written output folder and
files of races held back are left exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import __version__
from .config import Config, RaceNotes
from .errors import DataError, NewsgenError, OutputError
from .formatting import to_zone
from .links import link_stories
from .models import RaceSnapshot
from .names import person_name
from .phrases import Phrases
from .render import Renderer
from .story import Previous, Story, build_story
from .writer import Writer, front_matter, split_front_matter


@dataclass
class Report:
    """What a run did, race by race."""

    written: list[tuple[str, Path]] = field(default_factory=list)
    unchanged: list[tuple[str, Path]] = field(default_factory=list)
    held_back: list[tuple[str, str]] = field(default_factory=list)  # (race or file, message)
    no_data: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.held_back else 0

    def summary(self) -> str:
        return (
            f"{len(self.written)} written, {len(self.unchanged)} unchanged, "
            f"{len(self.held_back)} held back, {len(self.no_data)} without data yet"
        )


def apply_overrides(snapshot: RaceSnapshot, notes: RaceNotes) -> RaceSnapshot:
    """Editors' name overrides from ``races.yaml`` (by nomor urut)."""
    if not notes.tickets:
        return snapshot
    tickets = []
    for ticket in snapshot.tickets:
        override = notes.tickets.get(ticket.number)
        if override is None or ticket.empty_column:
            tickets.append(ticket)
            continue
        update = {}
        if override.head:
            update["head"] = person_name(override.head).full
        if override.deputy:
            update["deputy"] = person_name(override.deputy).full
        if override.head_short:
            update["head_short"] = override.head_short
        if override.deputy_short:
            update["deputy_short"] = override.deputy_short
        tickets.append(ticket.model_copy(update=update))
    data = snapshot.model_dump()
    data["tickets"] = tickets
    return RaceSnapshot.model_validate(data)


def default_now(snapshots: list[RaceSnapshot]) -> datetime | None:
    """Without ``--now``, the newest data timestamp: reruns stay byte-identical."""
    return max((s.timestamp for s in snapshots), default=None)


@dataclass(frozen=True)
class Existing:
    """What the article already on disk says about its data."""

    date: str | None
    lastmod: str | None
    current: Previous | None  # the data it was written from
    previous: Previous | None  # the data its update note compared with


def _previous_from_params(params: object) -> Previous | None:
    if not isinstance(params, dict):
        return None
    try:
        return Previous(
            timestamp=datetime.fromisoformat(str(params["data_timestamp"])),
            tps_reported=int(params["tps_reported"]),
            tps_total=int(params["tps_total"]),
            votes={int(k): int(v) for k, v in dict(params["results"]).items()},
        )
    except (KeyError, TypeError, ValueError):
        return None


def read_existing(writer: Writer, relative: str) -> Existing | None:
    """Front matter of an article written by an earlier run (None if absent or foreign)."""
    text = writer.read_existing(relative)
    if text is None:
        return None
    try:
        meta, _ = split_front_matter(text)
    except (OutputError, ValueError):
        return None
    params = meta.get("params") if isinstance(meta, dict) else None
    if not isinstance(params, dict):
        return None
    return Existing(
        date=str(meta.get("date")) if meta.get("date") else None,
        lastmod=str(meta.get("lastmod")) if meta.get("lastmod") else None,
        current=_previous_from_params(params),
        previous=_previous_from_params(params.get("previous")),
    )


def choose_previous(snapshot: RaceSnapshot, older: RaceSnapshot | None, existing: Existing | None) -> Previous | None:
    """The earlier data an update note compares with.

    The same data as the article on disk keeps that article's comparison (so a
    rerun is byte-identical); newer data compares with what is on disk, or with
    an older snapshot of the same input, whichever is more recent.
    """
    here = Previous.from_snapshot(snapshot)
    if existing and existing.current == here:
        return existing.previous
    candidates = [Previous.from_snapshot(older)] if older else []
    if existing and existing.current and existing.current.timestamp < snapshot.timestamp:
        candidates.append(existing.current)
    return max(candidates, key=lambda p: p.timestamp, default=None)


def article_file(
    story: Story, snapshot: RaceSnapshot, body: str, config: Config, now: datetime, existing: Existing | None
) -> str:
    """Front matter + body of one article."""
    pub = config.publication
    local_now = to_zone(now, story.zone).isoformat()
    unchanged = existing is not None and existing.current == Previous.from_snapshot(snapshot)
    date = (existing.date if existing and existing.date else None) or local_now
    lastmod = (existing.lastmod if unchanged and existing and existing.lastmod else None) or local_now
    params = {
        "race": snapshot.race,
        "stage": snapshot.stage.value,
        "data_timestamp": snapshot.timestamp.isoformat(),
        "tps_reported": snapshot.tps_reported,
        "tps_total": snapshot.tps_total,
        "results": {str(t.number): snapshot.votes[t.id] for t in sorted(snapshot.tickets, key=lambda t: t.number)},
        "source_url": snapshot.source_url,
        "newsgen_version": __version__,
    }
    if snapshot.data_sha256:
        params["data_sha256"] = snapshot.data_sha256
    if story.update and story.previous:
        params["previous"] = story.previous.as_params()
    data = {
        "title": story.headline,
        "slug": story.slug,
        "date": date,
        "lastmod": lastmod,
        "draft": True,
        "summary": story.summary,
        "author": pub.author,
        "tags": list(story.tags),
        "categories": list(pub.categories),
        "params": params,
    }
    return front_matter(data) + "\n" + body


def _by_race(snapshots: list[RaceSnapshot]) -> dict[str, tuple[RaceSnapshot, RaceSnapshot | None]]:
    """Newest snapshot of each race, with the one before it when given."""
    groups: dict[str, list[RaceSnapshot]] = {}
    for snap in snapshots:
        groups.setdefault(snap.race, []).append(snap)
    out = {}
    for race in sorted(groups):
        ordered = sorted(groups[race], key=lambda s: s.timestamp, reverse=True)
        out[race] = (ordered[0], ordered[1] if len(ordered) > 1 else None)
    return out


def generate(
    items: list[RaceSnapshot | DataError],
    config: Config,
    out: Path,
    *,
    now: datetime | None = None,
    renderer: Renderer | None = None,
    phrases: Phrases | None = None,
    report: Report | None = None,
) -> Report:
    """Render every usable race of ``items`` into ``out``."""
    report = report or Report()
    renderer = renderer or Renderer(config)
    phrases = phrases or Phrases.load()
    writer = Writer(out)
    snapshots: list[RaceSnapshot] = []
    for item in items:
        if isinstance(item, DataError):
            report.held_back.append((item.race or item.where or "?", str(item)))
            continue
        try:
            snapshots.append(apply_overrides(item, config.notes(item.race)))
        except NewsgenError as exc:
            report.held_back.append((item.race, str(exc)))
    races = _by_race(snapshots)
    ready: dict[str, tuple[RaceSnapshot, RaceSnapshot | None]] = {}
    for race, (snap, older) in races.items():
        if snap.has_data:
            ready[race] = (snap, older)
        else:
            report.no_data.append(race)
    now = now or default_now([s for s, _ in ready.values()])

    stories: dict[str, Story] = {}
    existing: dict[str, Existing | None] = {}
    for race, (snap, older) in ready.items():
        try:
            plain = build_story(snap, config, phrases)
            existing[race] = read_existing(writer, f"{plain.slug}.md")
            previous = choose_previous(snap, older, existing[race])
            stories[race] = build_story(snap, config, phrases, previous=previous) if previous else plain
        except NewsgenError as exc:
            report.held_back.append((race, str(exc)))

    # Render; a race that fails is dropped and its siblings re-linked without it.
    texts: dict[str, str] = {}
    while True:
        linked = link_stories(list(stories.values()), config)
        failed = False
        texts.clear()
        for story in linked:
            try:
                texts[story.race] = renderer.body(story)
            except NewsgenError as exc:
                report.held_back.append((story.race, str(exc)))
                del stories[story.race]
                failed = True
        if not failed:
            break

    for story in linked:
        snap = ready[story.race][0]
        try:
            text = article_file(story, snap, texts[story.race], config, now, existing.get(story.race))  # type: ignore[arg-type]
            path, changed = writer.write_text(f"{story.slug}.md", text)
        except NewsgenError as exc:
            report.held_back.append((story.race, str(exc)))
            continue
        (report.written if changed else report.unchanged).append((story.race, path))
    return report
