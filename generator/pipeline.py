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
from .errors import DataError, NewsgenError
from .formatting import to_zone
from .models import RaceSnapshot
from .names import person_name
from .render import Renderer
from .story import Story, build_story, link_stories
from .writer import Writer, front_matter


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
        parts = [f"{len(self.written)} written", f"{len(self.unchanged)} unchanged"]
        parts.append(f"{len(self.held_back)} held back")
        parts.append(f"{len(self.no_data)} without data yet")
        return ", ".join(parts)


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


def article_file(story: Story, snapshot: RaceSnapshot, body: str, config: Config, now: datetime) -> str:
    """Front matter + body of one article."""
    pub = config.publication
    local_now = to_zone(now, story.zone).isoformat()
    params = {
        "race": snapshot.race,
        "stage": snapshot.stage.value,
        "data_timestamp": snapshot.timestamp.isoformat(),
        "tps_reported": snapshot.tps_reported,
        "tps_total": snapshot.tps_total,
        "source_url": snapshot.source_url,
        "newsgen_version": __version__,
    }
    if snapshot.data_sha256:
        params["data_sha256"] = snapshot.data_sha256
    data = {
        "title": story.headline,
        "slug": story.slug,
        "date": local_now,
        "lastmod": local_now,
        "draft": True,
        "summary": story.summary,
        "author": pub.author,
        "tags": list(story.tags),
        "categories": list(pub.categories),
        "params": params,
    }
    return front_matter(data) + "\n" + body


def _newest_per_race(snapshots: list[RaceSnapshot]) -> list[RaceSnapshot]:
    newest: dict[str, RaceSnapshot] = {}
    for snap in snapshots:
        kept = newest.get(snap.race)
        if kept is None or snap.timestamp > kept.timestamp:
            newest[snap.race] = snap
    return [newest[race] for race in sorted(newest)]


def generate(
    items: list[RaceSnapshot | DataError],
    config: Config,
    out: Path,
    *,
    now: datetime | None = None,
    renderer: Renderer | None = None,
    report: Report | None = None,
) -> Report:
    """Render every usable race of ``items`` into ``out``."""
    report = report or Report()
    renderer = renderer or Renderer(config)
    snapshots: list[RaceSnapshot] = []
    for item in items:
        if isinstance(item, DataError):
            report.held_back.append((item.race or item.where or "?", str(item)))
            continue
        try:
            snapshots.append(apply_overrides(item, config.notes(item.race)))
        except NewsgenError as exc:
            report.held_back.append((item.race, str(exc)))
    snapshots = _newest_per_race(snapshots)
    ready = []
    for snap in snapshots:
        if not snap.has_data:
            report.no_data.append(snap.race)
        else:
            ready.append(snap)
    now = now or default_now(ready)

    stories: dict[str, Story] = {}
    for snap in ready:
        try:
            stories[snap.race] = build_story(snap, config)
        except NewsgenError as exc:
            report.held_back.append((snap.race, str(exc)))

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

    writer = Writer(out)
    by_race = {s.race: s for s in ready}
    for story in linked:
        snap = by_race[story.race]
        try:
            text = article_file(story, snap, texts[story.race], config, now)  # type: ignore[arg-type]
            path, changed = writer.write_text(f"{story.slug}.md", text)
        except NewsgenError as exc:
            report.held_back.append((story.race, str(exc)))
            continue
        (report.written if changed else report.unchanged).append((story.race, path))
    return report
