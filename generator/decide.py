"""Decide one race: editors' overrides, plausibility checks, the story, its place.

Pure functions of a snapshot, the configuration and what is already on disk
(read through the :class:`~generator.writer.Writer`, never written here). The
pipeline calls :func:`decide_race` for each race and :func:`place` once the
run's time is known; a race that cannot be used comes back as a
:class:`~generator.errors.Problem`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .chart import chart_alt_text
from .config import Config, RaceNotes, Regions
from .errors import Problem
from .models import RaceSnapshot
from .names import person_name
from .output import Existing, find_existing, placement, read_existing
from .phrases import Phrases
from .story import ChartRef, Story, build_story, with_previous
from .updates import Previous
from .validate import Finding, Limits, check_identity, check_incumbents, check_snapshot, check_texts, located
from .writer import Writer


def apply_overrides(snapshot: RaceSnapshot, notes: RaceNotes, regions: Regions | None = None) -> RaceSnapshot:
    """Editors' name and colour overrides from ``races.yaml`` (by nomor urut), and the
    house spelling of place names from ``regions.yaml``."""
    if regions is not None and (regions.places or regions.abbreviations):
        snapshot = _places(snapshot, regions)
    if not notes.tickets:
        return snapshot
    tickets = []
    for ticket in snapshot.tickets:
        override = notes.tickets.get(ticket.number)
        if override is None or ticket.empty_column:
            tickets.append(ticket)
            continue
        update: dict[str, str] = {}
        if override.head:
            update["head"] = person_name(override.head).full
        if override.deputy:
            update["deputy"] = person_name(override.deputy).full
        for name in ("head_short", "deputy_short", "colour"):
            value = getattr(override, name)
            if value:
                update[name] = value
                if name != "colour":
                    update[f"{name}_problem"] = ""  # the editor's short form replaces KPU's
        tickets.append(ticket.model_copy(update=update))
    data = snapshot.model_dump()
    data["tickets"] = tickets
    return RaceSnapshot.model_validate(data)


def _places(snapshot: RaceSnapshot, regions: Regions) -> RaceSnapshot:
    region = regions.place(snapshot.region.name)
    rows = [(row, regions.place(row.name)) for row in snapshot.sub_regions]
    if region == snapshot.region.name and all(name == row.name for row, name in rows):
        return snapshot
    return snapshot.model_copy(update={
        "region": snapshot.region.model_copy(update={"name": region}),
        "sub_regions": tuple(row.model_copy(update={"name": name}) for row, name in rows),
    })


def name_flags(snapshot: RaceSnapshot) -> tuple[str, ...]:
    """Review flags for short forms KPU's names could not give (the full name stands in)."""
    flags = []
    for ticket in snapshot.tickets:
        for part, problem in (("head_short", ticket.head_short_problem), ("deputy_short", ticket.deputy_short_problem)):
            if problem:
                flags.append(f"race {snapshot.race}: field tickets.{ticket.number}.{part}: the short form {problem}; "
                             f"the full name is printed until an editor sets {part} for nomor urut {ticket.number} "
                             "in races.yaml")
    return tuple(flags)


def with_data_hash(snapshot: RaceSnapshot) -> RaceSnapshot:
    """Give snapshots from editor files a hash of their figures, as feeds have of their bytes."""
    if snapshot.data_sha256:
        return snapshot
    digest = hashlib.sha256(snapshot.model_dump_json(exclude={"data_sha256"}).encode()).hexdigest()
    return snapshot.model_copy(update={"data_sha256": digest})


def as_run(snapshot: RaceSnapshot, config: Config) -> RaceSnapshot:
    """A snapshot as a run works with it: editors' overrides applied, a hash of its data set."""
    return with_data_hash(apply_overrides(snapshot, config.notes(snapshot.race), config.regions))


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
    snapshot: RaceSnapshot, older: RaceSnapshot | None, existing: Existing | None, config: Config,
    *, now: datetime | None = None,
) -> list[Finding]:
    """Validation against the newest earlier figures known (an older snapshot of
    the input or the article on disk, which may be newer than this data), the
    run's time (``now``: ``--now``, else the clock), the region table, the
    election year and the length of editors' texts.

    Each finding names its field as the source spells it (a KPU file by its JSON
    path) and the file or URL that holds it (``Finding.where``).
    """
    province = config.regions.provinces.get(snapshot.region.province_code)
    notes = config.notes(snapshot.race)
    publication = config.publication
    found = check_identity(snapshot, province_name=province.name if province else None,
                           election_year=publication.election_year)
    found += check_texts(snapshot, notes=notes.notes, region_context=notes.region_context,
                         notes_where=str(config.path("races.yaml")))
    found += check_incumbents(snapshot, notes.incumbents, where=str(config.path("races.yaml")))
    earlier = [older] if older else []
    here = Previous.from_snapshot(snapshot)
    if existing and existing.current and existing.current != here:
        on_disk = snapshot_at(snapshot, existing.current)
        if on_disk is None:
            return located(snapshot, [*found, Finding(
                snapshot.race, "tickets", "expected the tickets of the article on disk, "
                f"found other ballot numbers ({sorted(existing.current.votes)} before)", "suspicious",
                where=existing.path)])
        earlier.append(on_disk)
    previous = max(earlier, key=lambda s: s.timestamp, default=None)
    thresholds = publication.thresholds
    limits = Limits(tps_capacity=thresholds.tps_capacity, share_jump_points=thresholds.share_jump_points,
                    future_tolerance=timedelta(minutes=thresholds.future_tolerance_minutes))
    found += check_snapshot(snapshot, previous=previous, limits=limits, now=now or datetime.now(UTC))
    return sorted(located(snapshot, found), key=lambda f: f.severity != "error")


@dataclass
class RaceWork:
    """One race decided: its data, its story and where its files go."""

    snapshot: RaceSnapshot
    story: Story
    existing: Existing | None
    found: str | None  # the article already on disk (relative path), if any
    flags: tuple[str, ...] = ()
    path: str = ""  # set by place
    chart: str | None = None
    aliases: tuple[str, ...] = ()
    #: The time written as date/lastmod of a new or changed article: --now, else the race's own data time.
    now: datetime | None = None


def _problem(snapshot: RaceSnapshot, findings: list[Finding], prefix: str, kind: str) -> Problem:
    field = findings[0].field if len(findings) == 1 else None
    reason = "; ".join(f.reason if field else f"{f.field}: {f.reason}" for f in findings)
    where = (findings[0].where if len(findings) == 1 else None) or snapshot.where  # races.yaml for its own texts
    return Problem(snapshot.race, prefix + reason, where=where, field=field, kind=kind)


def decide_race(snapshot: RaceSnapshot, older: RaceSnapshot | None, config: Config, phrases: Phrases,
                writer: Writer, *, strict: bool, now: datetime | None = None) -> RaceWork | Problem:
    """Check one race against its earlier figures and decide its story."""
    plain = build_story(snapshot, config, phrases)
    found = find_existing(writer, plain.slug, config)
    existing = read_existing(writer, found) if found else None
    findings = check(snapshot, older, existing, config, now=now)
    errors = [f for f in findings if f.severity == "error"]
    suspicious = [f for f in findings if f.severity != "error"]
    if errors:
        return _problem(snapshot, errors, "", "data")
    if strict and suspicious:
        return _problem(snapshot, suspicious, "suspicious data (--strict): ", "suspicious")
    previous = choose_previous(snapshot, older, existing)
    story = with_previous(plain, snapshot, previous)  # the story above, compared with its earlier data
    return RaceWork(snapshot, story, existing, found, flags=(*name_flags(snapshot), *(str(f) for f in suspicious)))


def place(item: RaceWork, config: Config, now: datetime | None, old_slug: str | None,
          phrases: Phrases | None = None) -> None:
    """Where a race's files go, its chart reference (alt text worded by ``phrases``, newsgen's
    own when not given), and aliases when its slug moved.

    Without ``now`` (``--now``), the race's own data time dates it: no other
    race's timestamp ever sets its date, and a rerun is byte-identical.
    """
    snap, story, existing = item.snapshot, item.story, item.existing
    now = item.now = now or snap.timestamp
    date = existing.date if existing and existing.date else now.isoformat()
    where = placement(story.slug, config, date)
    if where.chart_url:
        story = story.evolve(chart=ChartRef(where.chart_url, chart_alt_text(snap, story.race_short, phrases)))
    aliases = existing.aliases if existing else ()
    if old_slug and old_slug != story.slug:
        pub = config.publication
        aliases = (*aliases, pub.link_pattern.format(section=pub.section, slug=old_slug, race=snap.race))
    item.story, item.path, item.chart, item.aliases = story, item.found or where.article, where.chart, aliases
