"""The order of things: snapshots -> stories -> text -> files.

Everything is read, validated and rendered in memory first; only then are
files written, so a bad race never leaves a half-written output folder and
files of races held back are left exactly as they were.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from . import __version__
from .chart import chart_alt_text, render_chart
from .config import Config, RaceNotes
from .drafts import Draft, audit, finish, story_repr
from .errors import DataError, NewsgenError
from .links import link_stories
from .models import RaceSnapshot
from .names import person_name
from .output import (
    BOOKKEEPING,
    Existing,
    ManifestEntry,
    article_head,
    find_existing,
    load_manifest,
    placement,
    read_existing,
    write_manifest,
)
from .phrases import Phrases
from .render import Renderer
from .review import ReviewEntry, build_review, entry_from_snapshot
from .story import ChartRef, Previous, Story, build_story
from .validate import Finding, Limits, check_snapshot
from .writer import Writer


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
    """Editors' name and colour overrides from ``races.yaml`` (by nomor urut)."""
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
        if override.colour:
            update["colour"] = override.colour
        tickets.append(ticket.model_copy(update=update))
    data = snapshot.model_dump()
    data["tickets"] = tickets
    return RaceSnapshot.model_validate(data)


def with_data_hash(snapshot: RaceSnapshot) -> RaceSnapshot:
    """Give snapshots from editor files a hash of their figures, as feeds have of their bytes."""
    if snapshot.data_sha256:
        return snapshot
    digest = hashlib.sha256(snapshot.model_dump_json(exclude={"data_sha256"}).encode()).hexdigest()
    return snapshot.model_copy(update={"data_sha256": digest})


def as_run(snapshot: RaceSnapshot, config: Config) -> RaceSnapshot:
    """A snapshot as a run works with it: editors' overrides applied, a hash of its data set."""
    return with_data_hash(apply_overrides(snapshot, config.notes(snapshot.race)))


def default_now(snapshots: list[RaceSnapshot]) -> datetime | None:
    """Without ``--now``, the newest data timestamp: reruns stay byte-identical."""
    return max((s.timestamp for s in snapshots), default=None)


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


def snapshot_at(snapshot: RaceSnapshot, earlier: Previous) -> RaceSnapshot | None:
    """``snapshot`` with the figures an earlier article recorded (for the checks)."""
    numbers = {t.number: t.id for t in snapshot.tickets}
    if set(earlier.votes) != set(numbers):
        return None
    data = snapshot.model_dump()
    data.update(
        votes={numbers[n]: v for n, v in earlier.votes.items()},
        tps_reported=earlier.tps_reported, tps_total=earlier.tps_total,
        timestamp=earlier.timestamp, sub_regions=(), data_sha256=None,
    )
    try:
        return RaceSnapshot.model_validate(data)
    except ValueError:
        return None


def check(
    snapshot: RaceSnapshot, older: RaceSnapshot | None, existing: Existing | None, config: Config
) -> list[Finding]:
    """Validation against the newest earlier figures known: an older snapshot of
    the input or the article on disk (which may be newer than this data)."""
    earlier = [older] if older else []
    here = Previous.from_snapshot(snapshot)
    if existing and existing.current and existing.current != here:
        on_disk = snapshot_at(snapshot, existing.current)
        if on_disk is None:
            return [Finding(snapshot.race, "tickets", "expected the tickets of the article on disk, "
                            f"found other ballot numbers ({sorted(existing.current.votes)} before)", "suspicious")]
        earlier.append(on_disk)
    previous = max(earlier, key=lambda s: s.timestamp, default=None)
    thresholds = config.publication.thresholds
    limits = Limits(tps_capacity=thresholds.tps_capacity, share_jump_points=thresholds.share_jump_points)
    return check_snapshot(snapshot, previous=previous, limits=limits)


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


def _fingerprint(story: Story, renderer: Renderer, draft: Draft | None = None) -> str:
    """Everything an article's text depends on: the story, templates, config, version."""
    text = (draft and story_repr(draft, story)) or repr(story)
    return hashlib.sha256(f"{__version__}\x00{renderer.fingerprint}\x00{text}".encode()).hexdigest()[:16]


@dataclass
class RaceWork:
    """One race on its way through a run."""

    snapshot: RaceSnapshot
    story: Story
    existing: Existing | None
    found: str | None  # the article already on disk (relative path), if any
    flags: tuple[str, ...] = ()
    path: str = ""  # set by place
    chart: str | None = None
    aliases: tuple[str, ...] = ()
    fingerprint: str = ""
    draft: Draft | None = None


def prepare(
    snap: RaceSnapshot,
    older: RaceSnapshot | None,
    config: Config,
    phrases: Phrases,
    writer: Writer,
    strict: bool,
    memo: dict | None,
) -> RaceWork | str:
    """Validate one race and decide its story; a string is the reason to hold it back.

    With ``memo`` (kept by ``newsgen watch`` across polls, filled by helper
    processes during a fetch), a race whose data and article on disk are as
    when the entry was made is not worked out again.
    """
    race = snap.race
    try:
        plain = None
        slugs = memo.setdefault("_slugs", {}) if memo is not None else {}
        slug = slugs.get(race)
        if slug is None:  # the slug depends on names and config only, not on the figures
            plain = build_story(snap, config, phrases)
            slug = slugs[race] = plain.slug
        found = find_existing(writer, slug, config)
        key = None
        if memo is not None:
            stat = (writer.folder / found).stat() if found else None
            key = (snap.data_sha256, older.data_sha256 if older else None, strict, found,
                   (stat.st_mtime_ns, stat.st_size) if stat else None)
            hit = memo.get(race)
            if hit is not None and hit[0] == key:
                return hit[1] if isinstance(hit[1], str) else replace(hit[1], snapshot=snap)
        plain = plain or build_story(snap, config, phrases)
        existing = read_existing(writer, found) if found else None
        findings = check(snap, older, existing, config)
        errors = [str(f) for f in findings if f.severity == "error"]
        suspicious = tuple(str(f) for f in findings if f.severity != "error")
        if errors or (strict and suspicious):
            kind = "" if errors else "suspicious data (--strict): "
            result: RaceWork | str = kind + "; ".join(errors or suspicious)
        else:
            previous = choose_previous(snap, older, existing)
            story = build_story(snap, config, phrases, previous=previous) if previous else plain
            result = RaceWork(snap, story, existing, found, flags=suspicious)
    except NewsgenError as exc:
        result = str(exc)
    if memo is not None and key is not None:
        memo[race] = (key, result if isinstance(result, str) else replace(result))
    return result


def place(item: RaceWork, config: Config, now: datetime, old_entry: dict) -> None:
    """Where a race's files go, its chart reference, and aliases when its slug moved."""
    snap, story, existing = item.snapshot, item.story, item.existing
    date = existing.date if existing and existing.date else now.isoformat()
    place = placement(story.slug, config, date)
    if place.chart_url:
        story = story.evolve(chart=ChartRef(place.chart_url, chart_alt_text(snap, story.race_short)))
    aliases = existing.aliases if existing else ()
    old_slug = old_entry.get("slug")
    if old_slug and old_slug != story.slug:
        pub = config.publication
        aliases = (*aliases, pub.link_pattern.format(section=pub.section, slug=old_slug, race=item.snapshot.race))
    item.story, item.path, item.chart, item.aliases = story, item.found or place.article, place.chart, aliases


def generate(
    items: list[RaceSnapshot | DataError],
    config: Config,
    out: Path,
    *,
    now: datetime | None = None,
    renderer: Renderer | None = None,
    phrases: Phrases | None = None,
    report: Report | None = None,
    strict: bool = False,
    memo: dict | None = None,
) -> Report:
    """Render every usable race of ``items`` into ``out``.

    A race is held back (its files left as they were) when its data is wrong,
    when its text fails the fact audit, or, with ``strict``, when its data is
    suspicious; suspicious data is otherwise written with review flags.
    """
    report = report or Report()
    renderer = renderer or Renderer(config)
    phrases = phrases or Phrases.load()
    writer = Writer(out)
    old_manifest = load_manifest(writer)
    manifest: dict[str, ManifestEntry] = {}
    review: dict[str, ReviewEntry] = {}
    narrow = config.publication.thresholds.narrow_margin

    def hold(race: str, message: str, snapshot: RaceSnapshot | None = None) -> None:
        report.held_back.append((race, message))
        old = old_manifest.get(race, {})
        manifest[race] = ManifestEntry(race=race, status="held_back", path=old.get("path"), slug=old.get("slug"),
                                       headline=old.get("headline"), reason=message)
        review[race] = (entry_from_snapshot(snapshot, status="held_back", narrow_margin=narrow, reason=message)
                        if snapshot else ReviewEntry(race=race, status="held_back", reason=message))

    snapshots: list[RaceSnapshot] = []
    for item in items:
        if isinstance(item, DataError):
            hold(item.race or item.where or "?", str(item))
            continue
        try:
            snapshots.append(as_run(item, config))
        except NewsgenError as exc:
            hold(item.race, str(exc), item)
    ready: dict[str, tuple[RaceSnapshot, RaceSnapshot | None]] = {}
    for race, (snap, older) in _by_race(snapshots).items():
        if snap.has_data:
            ready[race] = (snap, older)
        else:
            report.no_data.append(race)
            manifest[race] = ManifestEntry(race=race, status="no_data", data_timestamp=snap.timestamp.isoformat())
            review[race] = entry_from_snapshot(snap, status="no_data", narrow_margin=narrow)
    now = now or default_now([s for s, _ in ready.values()])

    races: dict[str, RaceWork] = {}
    for race, (snap, older) in ready.items():
        prepared = prepare(snap, older, config, phrases, writer, strict, memo)
        if isinstance(prepared, str):
            hold(race, prepared, snap)
        else:
            place(prepared, config, now, old_manifest.get(race, {}))  # type: ignore[arg-type]
            races[race] = prepared

    # Render; a race that fails is dropped and its siblings re-linked without it.
    texts: dict[str, str] = {}
    heads: dict[str, str] = {}  # front matter of races whose draft was used
    while True:
        linked = {s.race: s for s in link_stories([r.story for r in races.values()], config)}
        failed = False
        texts.clear()
        heads.clear()
        for race, story in linked.items():
            item = races[race]
            item.story = story
            old = old_manifest.get(race, {})
            item.fingerprint = _fingerprint(story, renderer, item.draft)
            if item.existing and old.get("path") == item.path and old.get("fingerprint") == item.fingerprint:
                continue  # same data, same links, same templates: not re-rendered
            try:
                done = item.draft and finish(item.draft, story, now,  # type: ignore[arg-type]
                                             existing=item.existing, aliases=item.aliases, flags=item.flags)
                if done:
                    heads[race], body = done
                    problems = item.draft.problems  # type: ignore[union-attr]
                else:
                    body = renderer.body(story)
                    problems = audit(story, body, item.snapshot, renderer)
                if problems:
                    hold(race, "fact audit: " + "; ".join(problems), item.snapshot)
                    del races[race]
                    failed = True
                    continue
                texts[race] = body
            except NewsgenError as exc:
                hold(race, str(exc), item.snapshot)
                del races[race]
                failed = True
        if not failed:
            break

    for race, item in races.items():
        story, snap = item.story, item.snapshot
        path = writer.folder / item.path
        if race not in texts:
            writer.claim(item.path)
            report.unchanged.append((race, path))
            status = "unchanged"
        else:
            try:
                drafted = item.draft if race in heads else None
                head = heads[race] if drafted else article_head(
                    story, snap, config, now=now, existing=item.existing,  # type: ignore[arg-type]
                    aliases=item.aliases, flags=item.flags)
                text = head + "\n" + texts[race]
                if item.chart:
                    svg = drafted.chart_svg if drafted else None
                    writer.write_text(item.chart, svg or render_chart(snap, title=story.headline))
                path, changed = writer.write_text(item.path, text)
            except NewsgenError as exc:
                hold(race, str(exc), snap)
                continue
            status = "written" if changed else "unchanged"
            (report.written if changed else report.unchanged).append((race, path))
        manifest[race] = ManifestEntry(
            race=race, status=status, path=item.path, slug=story.slug, headline=story.headline,
            data_timestamp=snap.timestamp.isoformat(), data_sha256=snap.data_sha256,
            fingerprint=item.fingerprint, flags=item.flags,
        )
        review[race] = entry_from_snapshot(snap, status=status, narrow_margin=narrow, headline=story.headline,
                                           path=item.path, flags=item.flags)
        old_path = old_manifest.get(race, {}).get("path")
        if old_path and old_path != item.path:
            writer.remove(old_path)  # the race moved to a new slug (its old URL is an alias now)

    # Races not in this run keep their manifest entries (a run may cover one province).
    for race, old in old_manifest.items():
        if race not in manifest:
            manifest[race] = ManifestEntry(**{k: (tuple(v) if k == "flags" else v) for k, v in old.items()
                                              if k in ManifestEntry.__dataclass_fields__})
    if write_manifest(writer, list(manifest.values())) or report.written or report.held_back:
        markdown, html = build_review(list(review.values()), generated_at=now or datetime.now().astimezone())
        writer.write_text(f"{BOOKKEEPING}/review.md", markdown)
        writer.write_text(f"{BOOKKEEPING}/review.html", html)
    return report
