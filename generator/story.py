"""Editorial decisions: a :class:`RaceSnapshot` becomes a :class:`Story`.

A story is plain data: which scenario applies, the headline and slug, every
figure already formatted in house style, which paragraphs appear, and the
"Baca Juga" links. Templates only place it in sentences, so every decision here
is tested without Jinja.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from .config import Config, Province
from .formatting import (
    count_words,
    format_decimal2,
    format_moment,
    format_percent,
    format_votes,
    join_words,
    ordinal,
)
from .models import RaceKind, RaceSnapshot, Stage, SubRegion, TicketResult

#: Race names: the short form (headlines) and the long form (first mention).
RACE_SHORT = {RaceKind.GUBERNUR: "Pilgub", RaceKind.BUPATI: "Pilbup", RaceKind.WALIKOTA: "Pilwalkot"}
RACE_LONG = {
    RaceKind.GUBERNUR: "Pemilihan Gubernur",
    RaceKind.BUPATI: "Pemilihan Bupati",
    RaceKind.WALIKOTA: "Pemilihan Wali Kota",
}
#: Who adopts the official result, by race level.
KPU_BODY = {RaceKind.GUBERNUR: "KPU Provinsi", RaceKind.BUPATI: "KPU", RaceKind.WALIKOTA: "KPU"}


@dataclass(frozen=True)
class TicketFacts:
    """One ticket as the article names it, figures formatted."""

    number: int
    full: str
    short: str
    votes: str
    share: str
    rank: int
    position: str  # "pertama", "kedua"
    incumbent: bool
    empty_column: bool


@dataclass(frozen=True)
class Link:
    headline: str
    url: str


@dataclass(frozen=True)
class SubRegionLead:
    """Where one ticket led among the sub-regions."""

    ticket: str  # short name
    count: str  # "delapan"
    names: str  # "Kota Samarinda dan Mahakam Ulu" (listed when few)
    largest: str  # "Kutai Kartanegara" (largest vote haul among those led)
    largest_votes: str


@dataclass(frozen=True)
class Breakdown:
    level: str  # "kabupaten/kota", "kecamatan"
    total: str  # "sepuluh"
    leads: tuple[SubRegionLead, ...]
    no_data: str  # count of rows without data, "" when none


@dataclass(frozen=True)
class Story:
    race: str
    kind: str
    stage: str
    slug: str
    headline: str
    summary: str
    tags: tuple[str, ...]
    race_short: str  # "Pilgub Kaltim 2024"
    race_long: str  # "Pemilihan Gubernur (Pilgub) Kalimantan Timur 2024"
    region: str  # "Kalimantan Timur", "Kota Samarinda"
    province: str
    zone: str
    kpu_body: str  # "KPU Provinsi Kalimantan Timur"
    tickets: tuple[TicketFacts, ...]  # rank order
    leader: TicketFacts
    runner_up: TicketFacts | None
    others: tuple[TicketFacts, ...]  # third place onwards
    ticket_count: str  # "dua"
    margin_votes: str
    margin_points: str
    margin_kind: str  # "narrow" | "clear" | "landslide"
    tie: bool
    tps_reported: str
    tps_total: str
    progress: str  # "96,40%"
    progress_kind: str  # "early" | "mid" | "complete"
    data_moment: str  # "Kamis (28/11/2024) pukul 11.15 Wita"
    source_url: str
    breakdown: Breakdown | None
    incumbent_note: str
    incumbent_position: str  # "leading" | "trailing" | "" (no incumbent)
    notes: tuple[str, ...]
    region_context: str
    timestamp: datetime
    links: tuple[Link, ...] = field(default=())


def slugify(text: str) -> str:
    """Stable ASCII slug: ``Pilgub Kaltim 2024`` -> ``pilgub-kaltim-2024``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def region_short(snapshot: RaceSnapshot, province: Province) -> str:
    """Headline form of the region: ``Kaltim``, ``Samarinda``, ``Kutai Kartanegara``."""
    if snapshot.kind is RaceKind.GUBERNUR:
        return province.short
    name = snapshot.region.name
    for prefix in ("Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def margin_kind(points: Decimal, config: Config) -> str:
    thresholds = config.publication.thresholds
    if points < thresholds.narrow_margin:
        return "narrow"
    if points > thresholds.landslide_margin:
        return "landslide"
    return "clear"


def progress_kind(snapshot: RaceSnapshot, config: Config) -> str:
    if snapshot.tps_reported >= snapshot.tps_total:
        return "complete"
    if snapshot.progress < config.publication.thresholds.early_progress:
        return "early"
    return "mid"


def _ticket_facts(result: TicketResult, position: int, incumbent: int | None) -> TicketFacts:
    ticket = result.ticket
    return TicketFacts(
        number=ticket.number,
        full="kolom kosong" if ticket.empty_column else ticket.full_name,
        short="kolom kosong" if ticket.empty_column else ticket.short_name,
        votes=format_votes(result.votes),
        share=format_percent(result.share),
        rank=result.rank,
        position=ordinal(position),
        incumbent=incumbent == ticket.number,
        empty_column=ticket.empty_column,
    )


def _breakdown(snapshot: RaceSnapshot, facts: dict[str, TicketFacts]) -> Breakdown | None:
    rows = [r for r in snapshot.sub_regions if r.leader_ids]
    if not snapshot.sub_regions or not rows:
        return None
    led: dict[str, list[SubRegion]] = {}
    for row in rows:
        if len(row.leader_ids) == 1:
            led.setdefault(row.leader_ids[0], []).append(row)
    leads = []
    for result in snapshot.results:
        tid = result.ticket.id
        if tid not in led:
            continue
        regions = sorted(led[tid], key=lambda r: (-r.votes[tid], r.code))
        # Name the regions when they are few; otherwise only the largest.
        listed = sorted(r.name for r in regions) if len(regions) <= 3 else []
        leads.append(SubRegionLead(
            ticket=facts[tid].short,
            count=count_words(len(regions)),
            names=join_words(listed),
            largest=regions[0].name,
            largest_votes=format_votes(regions[0].votes[tid]),
        ))
    no_data = len(snapshot.sub_regions) - len(rows)
    return Breakdown(
        level=snapshot.sub_region_level,
        total=count_words(len(snapshot.sub_regions)),
        leads=tuple(leads),
        no_data=count_words(no_data) if no_data else "",
    )


def build_story(snapshot: RaceSnapshot, config: Config) -> Story:
    """Decide the story of one race (without cross-links; see :func:`link_stories`)."""
    province = config.province(snapshot.region.province_code)
    notes = config.notes(snapshot.race)
    results = snapshot.results
    facts = {r.ticket.id: _ticket_facts(r, i, notes.incumbent) for i, r in enumerate(results, start=1)}
    ordered = tuple(facts[r.ticket.id] for r in results)
    leader = ordered[0]
    runner_up = ordered[1] if len(ordered) > 1 else None

    short = region_short(snapshot, province)
    race_short = f"{RACE_SHORT[snapshot.kind]} {short} {snapshot.year}"
    race_long = f"{RACE_LONG[snapshot.kind]} ({RACE_SHORT[snapshot.kind]}) {snapshot.region.name} {snapshot.year}"
    if snapshot.kind is RaceKind.GUBERNUR:
        kpu_body = f"KPU Provinsi {snapshot.region.name}"
    else:
        kpu_body = f"KPU {snapshot.region.name}"

    incumbent_position = ""
    if notes.incumbent is not None:
        incumbent_position = "leading" if leader.incumbent else "trailing"
        if not any(t.incumbent for t in ordered):
            incumbent_position = ""

    headline = f"{leader.short} Unggul Sementara di {race_short}"
    summary = (
        f"Hasil sementara {race_short}: {leader.short} meraih {leader.share} suara "
        f"dari {format_votes(snapshot.tps_reported)} TPS ({format_percent(snapshot.progress)})."
    )
    tags = [
        "Pilkada 2024",
        race_short.rsplit(" ", 1)[0],
        snapshot.region.name if snapshot.kind is not RaceKind.GUBERNUR else province.name,
        *[t.short for t in ordered if not t.empty_column],
    ]
    return Story(
        race=snapshot.race,
        kind=snapshot.kind.value,
        stage=snapshot.stage.value,
        slug=slugify(race_short),
        headline=headline,
        summary=summary,
        tags=tuple(dict.fromkeys(tags)),
        race_short=race_short,
        race_long=race_long,
        region=snapshot.region.name,
        province=province.name,
        zone=province.zone,
        kpu_body=kpu_body,
        tickets=ordered,
        leader=leader,
        runner_up=runner_up,
        others=ordered[2:],
        ticket_count=count_words(len(ordered)),
        margin_votes=format_votes(snapshot.margin_votes),
        margin_points=format_decimal2(snapshot.margin_points),
        margin_kind=margin_kind(snapshot.margin_points, config),
        tie=snapshot.is_tie,
        tps_reported=format_votes(snapshot.tps_reported),
        tps_total=format_votes(snapshot.tps_total),
        progress=format_percent(snapshot.progress),
        progress_kind=progress_kind(snapshot, config),
        data_moment=format_moment(snapshot.timestamp, province.zone),
        source_url=snapshot.source_url,
        breakdown=_breakdown(snapshot, facts),
        incumbent_note=notes.incumbent_note,
        incumbent_position=incumbent_position,
        notes=tuple(notes.notes),
        region_context=notes.region_context,
        timestamp=snapshot.timestamp,
    )


def _link_priority(story: Story, other: Story, config: Config) -> tuple[int, str] | None:
    """Lower is better; None = not a sibling worth linking."""
    if other.race == story.race:
        return None
    here = config.province(story.race.split("/")[1])
    there_code = other.race.split("/")[1][:2]
    here_code = story.race.split("/")[1][:2]
    same_level = other.kind == story.kind or {other.kind, story.kind} <= {"bupati", "walikota"}
    if there_code == here_code:
        rank = 0 if not same_level else 1
    elif there_code in here.neighbours:
        rank = 2 if same_level else 3
    elif config.province(there_code).island == here.island:
        rank = 4 if same_level else 5
    else:
        return None
    return rank, other.race


def link_url(story: Story, config: Config) -> str:
    pub = config.publication
    return pub.link_pattern.format(section=pub.section, slug=story.slug, race=story.race)


def link_stories(stories: list[Story], config: Config) -> list[Story]:
    """Give each story its "Baca Juga" links to siblings of the same run.

    Deterministic: siblings are ranked by closeness (same province, other level;
    same province, same level; neighbouring provinces; same island group), then
    by race code. Never itself; held-back races are not in ``stories``.
    """
    limit = config.publication.baca_juga_max
    out = []
    for story in stories:
        ranked = sorted(
            (priority, other)
            for other in stories
            if (priority := _link_priority(story, other, config)) is not None
        )
        links = tuple(Link(other.headline, link_url(other, config)) for _, other in ranked[:limit])
        out.append(replace(story, links=links))
    return out


