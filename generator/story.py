"""Editorial decisions: a :class:`RaceSnapshot` becomes a :class:`Story`.

A story is plain data: which scenario applies, the headline and slug, every
figure already formatted in house style, which paragraphs appear. Templates
only place it in sentences, so every decision here is tested without Jinja.

Decisions (see ``reference/EDITORIAL.md``):

- contest (two to six tickets) or single ticket vs the kolom kosong;
- margin: ``tie``, ``narrow`` (under the configured points), ``clear``, ``landslide``;
- incumbent leading, trailing or absent (``races.yaml``);
- DKI Jakarta: over 50% wins in one round, otherwise the top two meet again;
- count progress: ``early``, ``mid``, ``complete`` (zero TPS: no story at all);
- stage: quick count, real count, official recap;
- an update note when an earlier snapshot of the race is known.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .config import Config, Province
from .formatting import (
    count_words,
    format_decimal2,
    format_long_date,
    format_moment,
    format_percent,
    format_votes,
    join_words,
    ordinal,
)
from .models import RaceKind, RaceSnapshot, Stage, SubRegion, TicketResult
from .phrases import Phrases
from .updates import Previous, Update, update_note

#: Race names: the short form (headlines) and the long form (first mention).
RACE_SHORT = {RaceKind.GUBERNUR: "Pilgub", RaceKind.BUPATI: "Pilbup", RaceKind.WALIKOTA: "Pilwalkot"}
RACE_LONG = {
    RaceKind.GUBERNUR: "Pemilihan Gubernur",
    RaceKind.BUPATI: "Pemilihan Bupati",
    RaceKind.WALIKOTA: "Pemilihan Wali Kota",
}
#: Province whose governor needs an absolute majority (UU 2/2024 on Jakarta).
TWO_ROUND_PROVINCE = "31"
MAJORITY = Decimal("50")


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
    largest: str  # the sub-region where it won the most votes
    largest_votes: str


@dataclass(frozen=True)
class Breakdown:
    level: str  # "kabupaten/kota", "kecamatan"
    total: str  # "sepuluh"
    leads: tuple[SubRegionLead, ...]
    no_data: str  # count of rows without data, "" when none


@dataclass(frozen=True)
class QuickCountFacts:
    institute: str
    sample: str  # "2.000" or ""
    margin_of_error: str  # "1,00%" or ""
    data_in: str  # "98,50%" or ""


@dataclass(frozen=True)
class RecapFacts:
    plenary: str
    date: str  # "Rabu (4/12/2024)" or ""


@dataclass(frozen=True)
class ChartRef:
    """The vote-share chart shown in the article."""

    url: str
    alt: str


@dataclass(frozen=True)
class Story:
    race: str
    kind: str
    stage: str
    scenario: str  # "contest" | "single_ticket"
    situation: str  # headline key: clear | narrow | landslide | tie | single_leads | empty_leads | second_round
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
    margin_kind: str  # "tie" | "narrow" | "clear" | "landslide"
    tie: bool
    tps_reported: str
    tps_total: str
    progress: str  # "96,40%"
    progress_kind: str  # "early" | "mid" | "complete"
    data_moment: str  # "Kamis (28/11/2024) pukul 11.15 Wita"
    source_url: str
    breakdown: Breakdown | None
    majority: bool  # the leader has more than half of the valid votes
    two_round: str  # "" | "one_round" | "second_round" (DKI Jakarta)
    incumbent_note: str
    incumbent_position: str  # "leading" | "trailing" | "" (no incumbent)
    notes: tuple[str, ...]
    region_context: str
    timestamp: datetime
    phrases: dict[str, str]
    quick_count: QuickCountFacts | None = None
    recap: RecapFacts | None = None
    update: Update | None = None
    previous: Previous | None = None
    chart: ChartRef | None = None
    links: tuple[Link, ...] = field(default=())

    def evolve(self, **changes: object) -> Story:
        """A copy with ``changes``: :func:`dataclasses.replace` without running ``__init__`` again.

        A run copies every story several times (chart, links, drafts) and the
        full constructor of this many fields was a noticeable part of that.
        """
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise TypeError(f"Story has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(Story)
        copy.__dict__.update(self.__dict__, **changes)
        return copy


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


def margin_kind(snapshot: RaceSnapshot, config: Config) -> str:
    thresholds = config.publication.thresholds
    if snapshot.is_tie:
        return "tie"
    if snapshot.margin_points < thresholds.narrow_margin:
        return "narrow"
    if snapshot.margin_points > thresholds.landslide_margin:
        return "landslide"
    return "clear"


def progress_kind(snapshot: RaceSnapshot, config: Config) -> str:
    if snapshot.tps_reported >= snapshot.tps_total:
        return "complete"
    if snapshot.progress < config.publication.thresholds.early_progress:
        return "early"
    return "mid"


def situation(snapshot: RaceSnapshot, margin: str, two_round: str) -> str:
    """The headline situation of a race."""
    if any(t.empty_column for t in snapshot.tickets):
        return "empty_leads" if snapshot.leader.ticket.empty_column else "single_leads"
    if margin == "tie":
        return "tie"
    if two_round == "second_round":
        return "second_round"
    return margin


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
        incumbent=incumbent == ticket.number and not ticket.empty_column,
        empty_column=ticket.empty_column,
    )


def _breakdown(snapshot: RaceSnapshot, facts: dict[str, TicketFacts]) -> Breakdown | None:
    rows = [r for r in snapshot.sub_regions if r.leader_ids]
    if not rows:
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
        # Name the regions when they are few (the exceptions); otherwise only the largest.
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


def build_story(
    snapshot: RaceSnapshot,
    config: Config,
    phrases: Phrases,
    *,
    previous: Previous | None = None,
) -> Story:
    """Decide the story of one race (cross-links come later, see :mod:`.links`)."""
    province = config.province(snapshot.region.province_code)
    notes = config.notes(snapshot.race)
    results = snapshot.results
    by_id = {r.ticket.id: _ticket_facts(r, i, notes.incumbent) for i, r in enumerate(results, start=1)}
    ordered = tuple(by_id[r.ticket.id] for r in results)
    leader = ordered[0]
    runner_up = ordered[1] if len(ordered) > 1 else None
    single = any(t.empty_column for t in ordered)

    short = region_short(snapshot, province)
    race_short = f"{RACE_SHORT[snapshot.kind]} {short} {snapshot.year}"
    race_long = f"{RACE_LONG[snapshot.kind]} ({RACE_SHORT[snapshot.kind]}) {snapshot.region.name} {snapshot.year}"
    kpu_body = f"KPU Provinsi {snapshot.region.name}" if snapshot.kind is RaceKind.GUBERNUR else f"KPU {snapshot.region.name}"

    majority = snapshot.leader.share > MAJORITY
    two_round = ""
    if snapshot.kind is RaceKind.GUBERNUR and snapshot.region.code == TWO_ROUND_PROVINCE:
        two_round = "one_round" if majority else "second_round"

    incumbent_position = ""
    if any(t.incumbent for t in ordered):
        incumbent_position = "leading" if leader.incumbent and not snapshot.is_tie else "trailing"

    margin = margin_kind(snapshot, config)
    key = situation(snapshot, margin, two_round)
    seed = snapshot.race
    stage = snapshot.stage.value
    quick = snapshot.quick_count
    values = {
        "leader": leader.short if not leader.empty_column else "Kolom Kosong",
        "runner": (runner_up.short if not runner_up.empty_column else "Kolom Kosong") if runner_up else "",
        "race": race_short,
        "region": snapshot.region.name,
        "institute": quick.institute if quick else "",
    }
    if single:  # the person ticket is always {leader} or {runner} by its own name
        person = next(t for t in ordered if not t.empty_column)
        values["leader" if not leader.empty_column else "runner"] = person.short
    headline = phrases.pick(f"headline.{stage}.{key}", seed, **values)
    ticket_phrase = "kolom kosong" if leader.empty_column else f"pasangan nomor urut {leader.number}, {leader.full},"
    if snapshot.is_tie and runner_up is not None:
        other = "kolom kosong" if runner_up.empty_column else f"pasangan nomor urut {runner_up.number}, {runner_up.full},"
        lede = phrases.pick("lede.tie", seed, ticket=ticket_phrase, other=other, share=leader.share)
    else:
        lede = phrases.pick("lede.verb", seed, ticket=ticket_phrase, share=leader.share)
    chosen = {
        "lede": lede,
        "basis": phrases.pick("basis.votes", seed, leader=leader.short, votes=leader.votes),
        "runner_verb": phrases.pick("runner.verb", seed),
    }
    if runner_up and margin != "tie":
        chosen["margin"] = phrases.pick(
            f"margin.{margin}", seed, votes=format_votes(snapshot.margin_votes), points=format_decimal2(snapshot.margin_points))
    pkind = progress_kind(snapshot, config)
    if pkind in ("early", "complete") and snapshot.stage is Stage.REAL_COUNT:
        chosen["caution"] = phrases.pick(f"caution.{pkind}", seed)

    who = "kolom kosong" if leader.empty_column else leader.short
    if snapshot.stage is Stage.QUICK_COUNT:
        summary = f"Hitung cepat {quick.institute if quick else ''} untuk {race_short}: {who} meraih {leader.share} suara."
    elif snapshot.stage is Stage.OFFICIAL_RECAP:
        summary = f"Rekapitulasi KPU untuk {race_short}: {who} meraih {leader.share} suara."
    else:
        summary = (f"Hasil sementara {race_short}: {who} meraih {leader.share} suara berdasarkan data "
                   f"{format_votes(snapshot.tps_reported)} dari {format_votes(snapshot.tps_total)} TPS "
                   f"({format_percent(snapshot.progress)}).")
    tags = [
        "Pilkada 2024",
        race_short.rsplit(" ", 1)[0],
        snapshot.region.name if snapshot.kind is not RaceKind.GUBERNUR else province.name,
        *[t.short for t in ordered if not t.empty_column],
    ]
    if single:
        tags.append("Kolom Kosong")
    numbers = {r.ticket.number: by_id[r.ticket.id] for r in results}
    return Story(
        race=snapshot.race,
        kind=snapshot.kind.value,
        stage=stage,
        scenario="single_ticket" if single else "contest",
        situation=key,
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
        ticket_count=count_words(len([t for t in ordered if not t.empty_column])),
        margin_votes=format_votes(snapshot.margin_votes),
        margin_points=format_decimal2(snapshot.margin_points),
        margin_kind=margin,
        tie=snapshot.is_tie,
        tps_reported=format_votes(snapshot.tps_reported),
        tps_total=format_votes(snapshot.tps_total),
        progress=format_percent(snapshot.progress),
        progress_kind=pkind,
        data_moment=format_moment(snapshot.timestamp, province.zone),
        source_url=snapshot.source_url,
        breakdown=_breakdown(snapshot, by_id),
        majority=majority,
        two_round=two_round,
        incumbent_note=notes.incumbent_note,
        incumbent_position=incumbent_position,
        notes=tuple(notes.notes),
        region_context=notes.region_context,
        timestamp=snapshot.timestamp,
        phrases=chosen,
        quick_count=QuickCountFacts(
            institute=quick.institute,
            sample=format_votes(quick.sample_tps) if quick.sample_tps else "",
            margin_of_error=format_percent(quick.margin_of_error) if quick.margin_of_error is not None else "",
            data_in=format_percent(quick.data_in) if quick.data_in is not None else "",
        ) if quick else None,
        recap=RecapFacts(
            plenary=snapshot.recap.plenary,
            date=format_long_date(snapshot.recap.date, province.zone) if snapshot.recap.date else "",
        ) if snapshot.recap else None,
        update=update_note(snapshot, previous, province.zone, {n: t.short for n, t in numbers.items()}),
        previous=previous,
    )
