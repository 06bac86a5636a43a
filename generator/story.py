"""Editorial decisions: a :class:`RaceSnapshot` becomes a :class:`Story`.

A story is plain data: which scenario applies, the headline and slug, every
figure already formatted in house style, which paragraphs appear. Templates
only place it in sentences, so every decision here is tested without Jinja.

Decisions (see ``reference/EDITORIAL.md``), each true in every situation:

- the ranking in groups: tickets on equal votes share a rank at any position,
  and a shared top is a tie everywhere (headline, lede, ranking, incumbents);
- the stage (quick count, real count, official recap) sets the verbs: a count
  "unggul", a recap winner "memenangi";
- the outcome of a recap decides the next step: penetapan, a second round
  (DKI Jakarta, nobody above half), the statutory tie rule, or a rerun after
  the kolom kosong wins;
- an early count (below the configured progress) is told as early and
  announces no consequence;
- a lead smaller than the votes still out is called reversible;
- a quick count's lead inside its margin of error is too close to call;
- incumbents are people with a role and a period, from ``races.yaml``;
- the election body is the province's (KIP in Aceh).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from .config import Config, Province, RaceNotes
from .errors import ConfigError
from .facts import (
    ElectionFacts,
    PersonFacts,
    QuickCountFacts,
    RankGroup,
    RecapFacts,
    TicketFacts,
    election_facts,
    rank_groups,
)
from .formatting import count_series, count_words, format_moment, format_percent, format_votes, join_words
from .models import RaceKind, RaceSnapshot, Stage, SubRegion
from .names import names_the_person, person_name, tag_name
from .phrases import Phrases
from .tables import SubRegionTable, TurnoutFacts, paragraph_phrases, sub_region_table, turnout_facts
from .text import sentence_start
from .updates import Previous, Update, update_note

__all__ = ["Breakdown", "ChartRef", "Link", "Previous", "Story", "SubRegionLead", "build_story", "slugify"]

#: Lengths search engines show in full.
SEO_TITLE_MAX = 70
#: The longest headline a story prints: past it a variant that fits is chosen, else one that
#: names no pair (a tie of long pair names), never a clipped name.
HEADLINE_MAX = 120
DESCRIPTION_MAX = 160
#: Headline situations whose {leader} is one ticket ahead: a short title can name it.
_LEAD_SITUATIONS = ("clear", "narrow", "landslide", "single_leads", "early")


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
class SubRegionTie:
    """A sub-region whose most votes went to two or more, each with the same tally."""

    place: str
    tickets: str  # "Zainal-Ingkong dan Yansen-Suratno" (the kolom kosong in lower case)
    votes: str


@dataclass(frozen=True)
class Breakdown:
    level: str  # "kabupaten/kota", "kecamatan"
    total: str  # "sepuluh"
    leads: tuple[SubRegionLead, ...]
    no_data: str  # count of rows without data, "" when none
    ties: tuple[SubRegionTie, ...]  # rows whose top is shared, each told when few (up to three)
    tied: str  # how many such rows, in words, when more ("" otherwise)


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
    situation: str  # headline key (see :func:`situation`)
    slug: str
    headline: str
    seo_title: str  # the headline when it fits SEO_TITLE_MAX, else a shorter phrase
    description: str  # at most DESCRIPTION_MAX characters, for search results
    summary: str
    tags: tuple[str, ...]  # the contest, its places, then one tag per candidate
    race_short: str  # "Pilgub Kaltim 2024"
    race_long: str  # "Pemilihan Gubernur (Pilgub) Kalimantan Timur 2024"
    region: str  # "Kalimantan Timur", "Kota Samarinda"
    province: str
    zone: str
    kpu_body: str  # "KPU Provinsi Kalimantan Timur", "KIP Aceh"
    tickets: tuple[TicketFacts, ...]  # rank order
    leaders: RankGroup  # the top: one ticket, or every ticket tied there
    leader: TicketFacts  # the first of the top group
    runner_up: RankGroup | None  # the next group down
    others: tuple[RankGroup, ...]  # every group below that
    ticket_count: str  # "dua"
    tie: bool  # the top is shared
    facts: ElectionFacts  # outcome, thresholds, margins, progress, quick-count reading
    incumbents: tuple[PersonFacts, ...]
    incumbency: str  # "" | "leading" | "tied" | "trailing" | "rivals"
    tps_reported: str
    tps_total: str
    progress: str  # "96,40%" (rounded down)
    progress_kind: str  # "early" | "mid" | "complete"
    data_moment: str  # "Kamis (28/11/2024) pukul 11.15 Wita"
    source_url: str
    breakdown: Breakdown | None
    two_round: str  # "" | "one_round" | "second_round" (DKI Jakarta)
    caveat: str  # the stock caveat to print: "real_count", "official_recap_rerun", ...
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
    table: SubRegionTable | None = None  # every sub-region's votes (see generator.tables)
    turnout: TurnoutFacts | None = None  # an official recap's DPT, voters, valid and invalid votes
    #: A regent/mayor race's kecamatan pages of the run (``--stories kecamatan``), named by their
    #: kecamatan: one short line after the table. Left out of the repr (so of the fingerprint)
    #: while empty: a run of races only gives every story the fingerprint it had before.
    places: tuple[Link, ...] = field(default=(), repr=False)

    def evolve(self, **changes: object) -> Story:
        """A copy with ``changes``: :func:`dataclasses.replace` without running ``__init__`` again."""
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


def election_body(snapshot: RaceSnapshot, province: Province) -> str:
    """Who adopts the result: ``KPU Provinsi Kalimantan Timur``, ``KPU Kota Samarinda``, ``KIP Aceh``."""
    if province.election_body == "KIP":
        return "KIP Aceh" if snapshot.kind is RaceKind.GUBERNUR else f"KIP {snapshot.region.name}"
    if snapshot.kind is RaceKind.GUBERNUR:
        return f"KPU Provinsi {snapshot.region.name}"
    return f"KPU {snapshot.region.name}"


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


def situation(snapshot: RaceSnapshot, facts: ElectionFacts, leaders: RankGroup) -> str:
    """The headline situation of a race, by precedence: a tie, an early count, a quick
    count too close to call, the kolom kosong, a second round, then the margin."""
    if leaders.tied:
        return "tie" if len(leaders.tickets) == 2 else "tie_many"
    if facts.early:
        return "early_empty_leads" if leaders.tickets[0].empty_column else "early"
    if facts.too_close:
        return "too_close"
    if any(t.empty_column for t in snapshot.tickets):
        return "empty_leads" if leaders.tickets[0].empty_column else "single_leads"
    if facts.two_round == "second_round":
        return "second_round"
    return facts.margin_kind


def _persons(snapshot: RaceSnapshot, notes: RaceNotes) -> dict[int, tuple[PersonFacts, ...]]:
    """Incumbents by the ballot number they run on; one on no candidate ticket is a config error,
    one whose name is not the candidate's at that ticket and position is left out (the review
    page says so: :func:`.validate.check_incumbents`)."""
    candidates = {t.number: t for t in snapshot.tickets if not t.empty_column}
    by_ticket: dict[int, list[PersonFacts]] = {}
    for person in notes.incumbents:
        if person.ticket not in candidates:
            raise ConfigError(f"races.yaml: {snapshot.race}: incumbent {person.name} is given ticket "
                              f"{person.ticket}, but the candidate tickets of this race are {sorted(candidates)}; "
                              "correct the nomor urut")
        ticket = candidates[person.ticket]
        if not names_the_person(person.name, ticket.person(person.position)):
            continue
        end = int(person.period[-4:])
        term = "sitting" if end > snapshot.year else "former" if end < snapshot.year else ""
        by_ticket.setdefault(person.ticket, []).append(PersonFacts(
            name=person.name, office=person.office, period=person.period, role=person.role,
            position=person.position, ticket=person.ticket, term=term))
    return {number: tuple(people) for number, people in by_ticket.items()}


def incumbency(groups: tuple[RankGroup, ...], persons: dict[int, tuple[PersonFacts, ...]]) -> str:
    """Where the incumbents stand: on one ticket "leading", "tied" at the top or "trailing";
    on more than one ticket "rivals" (the ranking then says where each stands)."""
    tickets = [t for group in groups for t in group.tickets if persons.get(t.number)]
    if not tickets:
        return ""
    if len(tickets) > 1:
        return "rivals"
    top = groups[0]
    if tickets[0] in top.tickets:
        return "tied" if top.tied else "leading"
    return "trailing"


def _breakdown(snapshot: RaceSnapshot, facts: dict[str, TicketFacts]) -> Breakdown | None:
    rows = [r for r in snapshot.sub_regions if r.leader_ids]
    if not rows:
        return None
    led: dict[str, list[SubRegion]] = {}
    for row in rows:
        if len(row.leader_ids) == 1:
            led.setdefault(row.leader_ids[0], []).append(row)
    leads: list[SubRegionLead] = []
    total = len(snapshot.sub_regions)
    for result in snapshot.results:
        tid = result.ticket.id
        if tid not in led:
            continue
        regions = sorted(led[tid], key=lambda r: (-r.votes[tid], r.code))
        # Name the regions when they are few (the exceptions); otherwise only the largest.
        listed = sorted(r.name for r in regions) if len(regions) <= 3 else []
        # The first lead is told "N dari M": both counts in one style.
        count = count_series(len(regions), total)[0] if not leads else count_words(len(regions))
        leads.append(SubRegionLead(
            ticket=facts[tid].short,
            count=count,
            names=join_words(listed),
            largest=regions[0].name,
            largest_votes=format_votes(regions[0].votes[tid]),
        ))
    no_data = len(snapshot.sub_regions) - len(rows)
    tied = sorted((r for r in rows if len(r.leader_ids) > 1), key=lambda r: r.name)
    ties = tuple(SubRegionTie(place=r.name, tickets=join_words([facts[i].short for i in _by_rank(r.leader_ids, facts)]),
                              votes=format_votes(r.votes[r.leader_ids[0]])) for r in tied) if len(tied) <= 3 else ()
    return Breakdown(
        level=snapshot.sub_region_level,
        total=count_words(total),
        leads=tuple(leads),
        no_data=count_words(no_data) if no_data else "",
        ties=ties,
        tied=count_words(len(tied)) if len(tied) > 3 else "",
    )


def _by_rank(ids: tuple[str, ...], facts: dict[str, TicketFacts]) -> list[str]:
    """Ticket ids in the order the article ranks them (ballot number within a rank)."""
    return sorted(ids, key=lambda i: (facts[i].rank, facts[i].number))


def _caveat(snapshot: RaceSnapshot, outcome: str) -> str:
    """The stock caveat: per stage, and for an official recap per outcome (the tie rule
    differs between governor races and regent/mayor races)."""
    stage = snapshot.stage.value
    if snapshot.stage is not Stage.OFFICIAL_RECAP or outcome == "winner":
        return stage
    if outcome == "tie_rule":
        return f"{stage}_tie_rule_{'gubernur' if snapshot.kind is RaceKind.GUBERNUR else 'daerah'}"
    return f"{stage}_{outcome}"


def _phrases(snapshot: RaceSnapshot, story_facts: ElectionFacts, leaders: RankGroup, runner: RankGroup | None,
             race_short: str, race_long: str, phrases: Phrases, key: str) -> tuple[str, dict[str, str]]:
    """The headline and the chosen wording variants of one race (seeded by its race code)."""
    seed, stage = snapshot.race, snapshot.stage.value
    quick = snapshot.quick_count

    def named(group: RankGroup | None) -> str:
        if group is None:
            return ""
        return join_words([empty if t.empty_column else t.short for t in group.tickets])

    empty = phrases.pick("empty_column.title", seed)
    values = {
        "leader": named(leaders), "runner": named(runner), "race": race_short, "region": snapshot.region.name,
        "institute": quick.institute if quick else "", "count": count_words(len(leaders.tickets)).capitalize(),
        "progress": format_percent(snapshot.progress),
    }
    if any(t.empty_column for t in snapshot.tickets) and not leaders.tied:
        person = next(t for t in snapshot.results if not t.ticket.empty_column).ticket.short_name
        values["leader" if not leaders.tickets[0].empty_column else "runner"] = person
    headline = (phrases.fitting(f"headline.{stage}.{key}", seed, HEADLINE_MAX, **values)
                or phrases.pick(_unnamed(phrases, stage, key, leaders.tied), seed, **values))

    def ticket(t: TicketFacts) -> str:
        if t.empty_column:
            return phrases.pick("ticket.empty", seed)
        return phrases.pick("ticket.named", seed, number=str(t.number), full=t.full)

    first = ticket(leaders.tickets[0])
    chosen = {
        "runner_verb": phrases.pick("runner.verb", seed),
        "lede": phrases.pick(f"lede.{stage}.{lede_kind(story_facts, leaders)}", seed, ticket=first,
                             Ticket=sentence_start(first), race=race_long,
                             tickets=_series([ticket(t) for t in leaders.tickets]), share=leaders.share,
                             progress=format_percent(snapshot.progress), tps=format_votes(snapshot.tps_reported),
                             institute=values["institute"]),
        "basis": phrases.pick("basis.votes", seed, leader=leaders.tickets[0].short, votes=leaders.votes),
        "chart_title": phrases.pick(f"chart.title.{stage}", seed, **values),
    }
    if runner is not None and not leaders.tied:
        # An early count states its gap plainly: "telak" or "ketat" from a sliver of the TPS is a guess.
        kind = "early" if story_facts.early else story_facts.margin_kind
        chosen["margin"] = phrases.pick(f"margin.{kind}", seed, votes=story_facts.margin_votes,
                                        points=story_facts.margin_points, leader=leaders.tickets[0].short)
    if story_facts.early:
        chosen["caution"] = phrases.pick("caution.early", seed)
    return headline, chosen


def _unnamed(phrases: Phrases, stage: str, situation: str, tied: bool) -> str:
    """The headline key when no variant naming the pairs fits: the situation's own unnamed
    variant (``narrow_unnamed``) if phrases.yaml has one, else the stage's (a tie's or any)."""
    own = f"headline.{stage}.{situation}_unnamed"
    if own in phrases.variants:
        return own
    return f"headline.{stage}.{'tie_' if tied else ''}unnamed"


def _series(items: list[str]) -> str:
    """Ticket phrases in a series; each named ticket closes with its own comma ("A, B, dan C,")."""
    if len(items) <= 2 or not all(item.endswith(",") for item in items[:-1]):
        return join_words(items)
    return f"{' '.join(items[:-1])} dan {items[-1]}"


def lede_kind(facts: ElectionFacts, leaders: RankGroup) -> str:
    """Which lede: a tie, an early count, a quick count too close to call, a recap's outcome, or a lead."""
    if leaders.tied:
        return "tie"
    if facts.early:
        return "early"
    if facts.too_close:
        return "too_close"
    if facts.final and facts.outcome == "winner":
        return "win"
    if facts.final and facts.outcome in ("second_round", "rerun"):
        return facts.outcome
    return "lead"


def race_words(snapshot: RaceSnapshot, province: Province, phrases: Phrases, year: int) -> dict[str, str]:
    """What the race's names are made of (``race.*`` phrases): ``abbr`` "Pilgub", ``name``
    "Pemilihan Gubernur", ``region`` "Kaltim", ``region_full`` "Kalimantan Timur", ``year``
    the election's (publication.yaml ``election_year``: a race of another year is held back)."""
    kind, seed = snapshot.kind.value, snapshot.race
    return {"abbr": phrases.pick(f"race.abbr.{kind}", seed), "name": phrases.pick(f"race.name.{kind}", seed),
            "region": region_short(snapshot, province), "region_full": snapshot.region.name, "year": str(year)}


def _names(snapshot: RaceSnapshot, province: Province, words: dict[str, str],
           phrases: Phrases) -> tuple[str, str, str]:
    """The race's short name ("Pilgub Kaltim 2024"), long name and election body."""
    return (phrases.pick("race.short", snapshot.race, **words), phrases.pick("race.long", snapshot.race, **words),
            election_body(snapshot, province))


def _summary(snapshot: RaceSnapshot, leaders: RankGroup, race_short: str, phrases: Phrases) -> str:
    """The one-sentence summary for article lists (``summary.<stage>.<lead|tie>`` of phrases.yaml)."""
    kind = "tie" if leaders.tied else "lead"
    if snapshot.stage is Stage.REAL_COUNT and snapshot.tps_reported == snapshot.tps_total:
        kind += "_complete"
    return phrases.pick(
        f"summary.{snapshot.stage.value}.{kind}", snapshot.race, race=race_short, share=leaders.share,
        who=top_names(leaders, phrases, snapshot.race, "text"),
        tps_reported=format_votes(snapshot.tps_reported), tps_total=format_votes(snapshot.tps_total),
        progress=format_percent(snapshot.progress),
        institute=snapshot.quick_count.institute if snapshot.quick_count else "")


def _search(snapshot: RaceSnapshot, leaders: RankGroup, key: str, headline: str, race_short: str,
            phrases: Phrases) -> tuple[str, str]:
    """The SEO title and the description: the headline when it is short enough, else a short
    title naming the leader, else one naming only the race (clipped if even that is too long);
    the description likewise falls back to a variant without the figures."""
    stage, seed = snapshot.stage.value, snapshot.race
    leader = leaders.tickets[0]
    values = {
        "race": race_short, "leader": leader.short, "share": leaders.share,
        "who": top_names(leaders, phrases, seed, "title"),
        "progress": format_percent(snapshot.progress),
        "institute": snapshot.quick_count.institute if snapshot.quick_count else "",
    }
    title = headline if len(headline) <= SEO_TITLE_MAX else None
    if title is None and key in _LEAD_SITUATIONS and not leader.empty_column:
        title = phrases.fitting(f"seo_title.{stage}.lead", seed, SEO_TITLE_MAX, **values)
    title = title or _clip(phrases.pick(f"seo_title.{stage}.race", seed, **values), SEO_TITLE_MAX)
    kind = "tie" if leaders.tied else "lead"
    # A description is a sentence: the kolom kosong as running text writes it ("kolom kosong").
    text = {**values, "who": top_names(leaders, phrases, seed, "text")}
    description = (phrases.fitting(f"description.{stage}.{kind}", seed, DESCRIPTION_MAX, **text)
                   or _clip(phrases.pick(f"description.{stage}.race", seed, **text), DESCRIPTION_MAX))
    return title, sentence_start(description)


def top_names(group: RankGroup, phrases: Phrases, seed: str, form: str) -> str:
    """The tickets of one rank (the top, the runner-up) by their short names, the kolom kosong as phrases.yaml's
    ``empty_column.<form>`` writes it: "title" in headlines, "text" in running text."""
    return join_words([phrases.pick(f"empty_column.{form}", seed) if t.empty_column else t.short
                       for t in group.tickets])


def _clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to fit ``limit`` characters with an ellipsis (only a
    region name far longer than any real one needs it)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,:;-") + "…"


def _people(snapshot: RaceSnapshot, tickets: tuple[TicketFacts, ...]) -> list[str]:
    """One tag per candidate, in rank order: the personal name without titles, so the tag
    meets the person's tag from earlier articles (a pair's short form never would). When that
    name cannot be printed, the short form the article prints stands in if it is sound."""
    by_number = {t.number: t for t in snapshot.tickets}
    tags = []
    for ticket in (by_number[t.number] for t in tickets):
        for full, printed, problem in ((ticket.head, ticket.head_short, ticket.head_short_problem),
                                       (ticket.deputy, ticket.deputy_short, ticket.deputy_short_problem)):
            if full:
                tags.append(tag_name(full) or (printed if printed and not problem else "")
                            or person_name(full).short or full)
    return tags


def _tags(snapshot: RaceSnapshot, province: Province, words: dict[str, str], phrases: Phrases,
          tickets: tuple[TicketFacts, ...]) -> tuple[str, ...]:
    """The election and the race (``tag.*`` phrases), the places, one tag per candidate."""
    seed = snapshot.race
    tags = [
        phrases.pick("tag.election", seed, **words),
        phrases.pick("tag.race", seed, **words),
        snapshot.region.name if snapshot.kind is not RaceKind.GUBERNUR else province.name,
        province.name,
        *_people(snapshot, tickets),
    ]
    if any(t.empty_column for t in tickets):
        tags.append(phrases.pick("tag.empty_column", seed, **words))
    return tuple(dict.fromkeys(tags))


def build_story(
    snapshot: RaceSnapshot,
    config: Config,
    phrases: Phrases,
    *,
    previous: Previous | None = None,
) -> Story:
    """Decide the story of one race (cross-links come later, see :mod:`.links`)."""
    province = config.province(snapshot.region.province_code)
    persons = _persons(snapshot, config.notes(snapshot.race))
    groups, tickets = rank_groups(snapshot, persons)
    leaders, runner = groups[0], (groups[1] if len(groups) > 1 else None)
    words = race_words(snapshot, province, phrases, config.publication.election_year)
    race_short, race_long, kpu_body = _names(snapshot, province, words, phrases)
    facts = election_facts(snapshot, config, margin_kind(snapshot, config), progress_kind(snapshot, config))
    key = situation(snapshot, facts, leaders)
    headline, chosen = _phrases(snapshot, facts, leaders, runner, race_short, race_long, phrases, key)
    seo_title, description = _search(snapshot, leaders, key, headline, race_short, phrases)
    notes = config.notes(snapshot.race)
    by_id = {r.ticket.id: t for r, t in zip(snapshot.results, tickets, strict=True)}
    table = sub_region_table(snapshot, tickets)
    chosen |= paragraph_phrases(phrases, snapshot, facts, leaders.tickets[0], table)
    story = Story(
        race=snapshot.race, kind=snapshot.kind.value, stage=snapshot.stage.value,
        scenario="single_ticket" if any(t.empty_column for t in tickets) else "contest",
        situation=key, slug=slugify(race_short), headline=headline, seo_title=seo_title, description=description,
        summary=_summary(snapshot, leaders, race_short, phrases),
        tags=_tags(snapshot, province, words, phrases, tickets),
        race_short=race_short, race_long=race_long, region=snapshot.region.name, province=province.name,
        zone=province.zone, kpu_body=kpu_body, tickets=tickets, leaders=leaders, leader=leaders.tickets[0],
        runner_up=runner, others=groups[2:],
        ticket_count=count_words(len([t for t in tickets if not t.empty_column])),
        tie=leaders.tied, facts=facts,
        incumbents=tuple(p for t in tickets for p in t.incumbents), incumbency=incumbency(groups, persons),
        tps_reported=format_votes(snapshot.tps_reported), tps_total=format_votes(snapshot.tps_total),
        progress=format_percent(snapshot.progress), progress_kind=facts.progress_kind,
        data_moment=format_moment(snapshot.timestamp, province.zone), source_url=snapshot.source_url,
        breakdown=_breakdown(snapshot, by_id), two_round=facts.two_round,
        caveat=_caveat(snapshot, facts.outcome),
        notes=tuple(notes.notes), region_context=notes.region_context, timestamp=snapshot.timestamp,
        phrases=chosen,
        quick_count=QuickCountFacts.of(snapshot.quick_count),
        recap=RecapFacts.of(snapshot.recap, province.zone),
        table=table, turnout=turnout_facts(snapshot),
    )
    return with_previous(story, snapshot, previous)


def with_previous(story: Story, snapshot: RaceSnapshot, previous: Previous | None) -> Story:
    """``story`` compared with the earlier data ``previous``: its update note (when that data is
    older) and the data itself; a story decided before its earlier data was known needs no new
    decision for it (nothing else in a story depends on it)."""
    if previous is None:
        return story
    short_names = {t.number: t.short for t in story.tickets}
    return story.evolve(update=update_note(snapshot, previous, story.zone, short_names), previous=previous)
