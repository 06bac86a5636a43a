"""A race in one of its places: a :class:`LocalStory` from a row of the race's own table.

The governor race's own file already holds every kab/kota's tally, and a regent/mayor
race's own file (``hhcw/pkwkk/PP/PPKK.json``, fetched for every run already) every
kecamatan's: their table rows (``RaceSnapshot.sub_regions``). Each row with data becomes a
local page: the governor race in a kab/kota (``--stories local``) or the regent/mayor race
in a kecamatan (``--stories kecamatan``); no file is fetched for them. Its figures are
those of the row, told like a race: the row is made a snapshot of its own
(:func:`local_snapshot`, same race code, stage, time and tickets) and decided by
:func:`~generator.story.build_story`, so ranks, ties, the early count and the kolom kosong
follow the same rules as any story. On top of that, two decisions of its own:

- :func:`share_rank`: where the place stands among the race's places with data,
  by the local leader's share (a tie at the top locally has no single leader: no rank);
- :func:`compare`: how the local result differs from the race-wide one (the same
  leader, another leader, a tie on either side) and by how many points the compared
  ticket's share differs.

No local page comes from a quick count (a sample says nothing about one kab/kota) and
none for a row without data. Plain data; templates only word it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .config import Config
from .facts import TicketFacts
from .formatting import count_words, format_decimal2, format_percent, join_words, ordinal
from .models import RaceKind, RaceSnapshot, Stage, SubRegion, share
from .phrases import Phrases
from .story import HEADLINE_MAX, SEO_TITLE_MAX, Story, build_story, slugify, top_names
from .text import sentence_start

#: The places a local page is about.
KABKOTA, KECAMATAN = "kabupaten/kota", "kecamatan"
#: The longest headline a local page or round-up prints, as a race story's (story.HEADLINE_MAX):
#: past it a shorter variant is chosen (one that names no pair), never a clipped name.

__all__ = [
    "HEADLINE_MAX",
    "Comparison",
    "LocalStory",
    "Rank",
    "compare",
    "levels",
    "local_snapshot",
    "local_stories",
    "place_names",
    "share_rank",
]


@dataclass(frozen=True)
class Rank:
    """Where a place stands among the race's places with data, by one ticket's share."""

    kind: str  # "top" | "bottom" | "middle" | "only" (the one kab/kota with data)
    position: str  # "ketiga", "ke-12"
    count: str  # "sepuluh" (kab/kota with data)
    shared: bool  # another kab/kota has exactly the same share


@dataclass(frozen=True)
class Comparison:
    """The local result against the race-wide one."""

    kind: str  # "same_leader" | "other_leader" | "local_tie" | "whole_tie" | "both_tie"
    ticket: str  # short name of the ticket whose shares are compared ("" when none)
    local_share: str
    whole_share: str
    direction: str  # "higher" | "lower" | "equal" | ""
    points: str  # "3,21"
    names: str = ""  # every ticket at the top race-wide ("Isran-Hadi dan Rudy-Seno" in a tie)


@dataclass(frozen=True)
class LocalStory:
    """One place's page of a race: a kab/kota of a governor race, a kecamatan of a regent/mayor race."""

    id: str  # "local/6471", "local/647101": the manifest key
    code: str  # "6471", "647101"
    place: str  # "Kota Balikpapan", "Kabupaten Paser", "Kecamatan Tanjung Redeb": first mention
    place_short: str  # "Balikpapan", "Paser"; "Kota Bekasi" when a kabupaten has the same name
    situation: str  # headline key
    slug: str
    headline: str
    seo_title: str
    description: str
    summary: str
    view: Story  # the row told as a race (its tickets, ranks, tie, progress, stage)
    whole: Story  # the race's own story (what the page must not contradict)
    rank: Rank | None
    comparison: Comparison
    level: str  # what the places are: "kabupaten/kota" | "kecamatan"
    whole_level: str  # what the race's region is: "provinsi" | "kabupaten" | "kota"
    phrases: dict[str, str]
    #: What the page links (ids of races, local pages, round-ups), when they are in the run.
    links_to: tuple[str, ...] = ()
    #: The row as a snapshot (:func:`local_snapshot`): what the fact audit holds the page to.
    figures: RaceSnapshot | None = field(default=None, repr=False, compare=False)


def local_snapshot(snapshot: RaceSnapshot, row: SubRegion) -> RaceSnapshot:
    """The row as a snapshot of its own: same race code, region, stage, time, source and tickets
    (the place is named by the :class:`LocalStory`, never by this snapshot)."""
    data = snapshot.model_dump()
    data.update(
        votes={t.id: row.votes.get(t.id, 0) for t in snapshot.tickets},
        tps_reported=row.tps_reported, tps_total=row.tps_total, sub_regions=(), registered_voters=None, voters=None,
        invalid_votes=None,
    )
    return RaceSnapshot.model_validate(data)


def place_names(rows: tuple[SubRegion, ...], level: str, administrative: bool = False) -> dict[str, tuple[str, str]]:
    """Each row's first-mention and headline names: ``Kota Balikpapan`` / ``Balikpapan``,
    ``Kabupaten Paser`` / ``Paser``, ``Kecamatan Tanjung Redeb`` / ``Tanjung Redeb``; a kota
    keeps its ``Kota`` where a kabupaten of the province has the same name (``Kota Bekasi``
    beside ``Bekasi``). An administrative kab/kota (``administrative``: DKI Jakarta's, or KPU's
    name says so) is ``Kota Administrasi Jakarta Pusat`` / ``Jakarta Pusat``."""
    def parts(row: SubRegion) -> tuple[str, str]:
        name, admin = row.name, administrative
        for prefix in ("Kota Administrasi ", "Kabupaten Administrasi ", "Kota ", "Kabupaten ", "Kecamatan "):
            if name.startswith(prefix):
                name = name[len(prefix):]
                admin = admin or prefix.endswith("Administrasi ")
        if level == KECAMATAN:
            return "Kecamatan " + name, name
        return ("Kota " if row.code[2] == "7" else "Kabupaten ") + ("Administrasi " if admin else "") + name, name

    named = {row.code: parts(row) for row in rows}
    shorts = [short for _, short in named.values()]
    return {code: (full, full if shorts.count(short) > 1 and full.startswith("Kota ") else short)
            for code, (full, short) in named.items()}


def _row_share(row: SubRegion, ticket_id: str) -> Decimal:
    return share(row.votes.get(ticket_id, 0), row.total_votes)


def share_rank(rows: tuple[SubRegion, ...], code: str, ticket_id: str) -> Rank:
    """Where row ``code`` stands among the rows with data by ``ticket_id``'s share (equal shares share a rank)."""
    with_data = [r for r in rows if r.leader_ids]
    shares = {r.code: _row_share(r, ticket_id) for r in with_data}
    mine = shares[code]
    position = 1 + sum(1 for s in shares.values() if s > mine)
    shared = sum(1 for s in shares.values() if s == mine) > 1
    count = len(with_data)
    if count == 1:
        kind = "only"
    elif position == 1:
        kind = "top"
    elif mine == min(shares.values()):
        kind = "bottom"
    else:
        kind = "middle"
    # One number style in the sentence: "urutan ketiga dari sembilan", "urutan ke-3 dari 10".
    place = ordinal(position) if count <= 9 else f"ke-{position}"
    return Rank(kind=kind, position=place, count=count_words(count), shared=shared)


def compare(view: Story, race: Story, local: RaceSnapshot, whole: RaceSnapshot) -> Comparison:
    """How the local result differs from the race-wide one (see the module docstring)."""
    local_tie, whole_tie = view.tie, race.tie
    if local_tie and whole_tie:
        kind = "both_tie"
    elif local_tie:
        kind = "local_tie"
    elif whole_tie:
        kind = "whole_tie"
    else:
        kind = "same_leader" if view.leader.number == race.leader.number else "other_leader"
    number = view.leader.number if not local_tie else race.leader.number if not whole_tie else None
    names = join_words([t.short for t in race.leaders.tickets])  # the kolom kosong's short is "kolom kosong"
    if number is None:
        return Comparison(kind, "", "", "", "", "", names)
    here = next(r for r in local.results if r.ticket.number == number)
    there = next(r for r in whole.results if r.ticket.number == number)
    direction = "higher" if here.share > there.share else "lower" if here.share < there.share else "equal"
    short = next(t.short for t in view.tickets if t.number == number)
    return Comparison(kind, short, format_percent(here.share), format_percent(there.share), direction,
                      format_decimal2(abs(here.share - there.share)), names)


def _situation(view: Story) -> str:
    if view.tie:
        return "tie" if len(view.leaders.tickets) == 2 else "tie_many"
    empty = any(t.empty_column for t in view.tickets)
    if view.facts.early:
        return "early_empty_leads" if view.leader.empty_column else "early"
    if empty:
        return "empty_leads" if view.leader.empty_column else "single_leads"
    return "lead"


def _named(view: Story, phrases: Phrases, seed: str, form: str = "title") -> tuple[str, str]:
    """The leader(s) and the runner-up as a headline names them (the kolom kosong as
    phrases.yaml's ``empty_column.title``, as a race story's headline does), or as running
    text does (``form="text"``: ``empty_column.text``, in lower case)."""
    runner = top_names(view.runner_up, phrases, seed, form) if view.runner_up else ""
    return top_names(view.leaders, phrases, seed, form), runner


def _closing(view: Story, race: Story) -> str:
    """The closing line's key: an official recap closes the count (its first round only when
    the race goes to a second round); otherwise the place's progress."""
    if not view.facts.final:
        return view.progress_kind
    return "final_first_round" if race.two_round == "second_round" else "final"


def _texts(view: Story, race: Story, place: str, short: str, situation: str,
           phrases: Phrases, seed: str) -> dict[str, str]:
    leader, runner = _named(view, phrases, seed)
    values = {"leader": leader, "runner": runner, "race": race.race_short, "place": short, "region": place,
              "progress": view.progress, "share": view.leaders.share,
              "count": count_words(len(view.leaders.tickets)).capitalize()}
    stage = view.stage
    key = f"local.headline.{stage}.{situation}"
    # Long pair names (a tie names both pairs): a variant that fits, else one that names no pair.
    headline = phrases.fitting(key, seed, HEADLINE_MAX, **values) or phrases.pick(f"{key}_unnamed", seed, **values)
    kind = "tie" if view.tie else "lead"
    # Descriptions are sentences: the kolom kosong as running text writes it.
    text = {**values, "leader": _named(view, phrases, seed, "text")[0]}
    description = (phrases.fitting(f"local.description.{stage}.{kind}", seed, 160, **text)
                   or phrases.pick(f"local.description.{stage}.race", seed, **text))
    return {
        "headline": headline,
        "seo_title": phrases.fitting(f"local.seo_title.{stage}", seed, SEO_TITLE_MAX, **values)
        or phrases.fitting("local.seo_title.short", seed, SEO_TITLE_MAX, **values)
        or phrases.pick("local.seo_title.race", seed, **values),
        "description": sentence_start(description),
        "summary": phrases.pick(f"local.description.{stage}.{kind}", seed, **text),
    }


def _lede(view: Story, phrases: Phrases, seed: str) -> str:
    """The lede after "Hasil sementara <race> di <kab/kota>": a tie, an early count, a recap or a lead."""
    kind = "tie" if view.tie else "early" if view.facts.early else "recap" if view.facts.final else "lead"

    def ticket(t: TicketFacts) -> str:
        if t.empty_column:
            return phrases.pick("ticket.empty", seed)
        return phrases.pick("ticket.named", seed, number=str(t.number), full=str(t.full))

    names = [ticket(t) for t in view.leaders.tickets]
    return phrases.pick(f"local.lede.{kind}", seed, ticket=names[0], tickets=join_words(names),
                        share=view.leaders.share, progress=view.progress, tps=view.tps_reported)


def levels(snapshot: RaceSnapshot) -> tuple[str, str] | None:
    """(what its places are, what its region is) for a race whose rows can have pages, else None:
    a governor race by kab/kota, a regent/mayor race by kecamatan; never a quick count (a
    sample says nothing about one place)."""
    if snapshot.stage is Stage.QUICK_COUNT or not snapshot.sub_regions:
        return None
    if snapshot.kind is RaceKind.GUBERNUR and snapshot.sub_region_level == KABKOTA:
        return KABKOTA, "provinsi"
    if snapshot.kind is not RaceKind.GUBERNUR and snapshot.sub_region_level == KECAMATAN:
        return KECAMATAN, "kota" if snapshot.kind is RaceKind.WALIKOTA else "kabupaten"
    return None


def local_stories(race: Story, snapshot: RaceSnapshot, config: Config, phrases: Phrases) -> list[LocalStory]:
    """Every place's page of one race (rows with data only; see :func:`levels`)."""
    found = levels(snapshot)
    if found is None:
        return []
    administrative = found[0] == KABKOTA and config.province(snapshot.region.province_code).administrative
    names = place_names(snapshot.sub_regions, found[0], administrative)
    return [_one(race, snapshot, row, names[row.code], found, config, phrases) for row in snapshot.sub_regions
            if row.leader_ids and row.tps_reported > 0]


def _one(race: Story, snapshot: RaceSnapshot, row: SubRegion, names: tuple[str, str], found: tuple[str, str],
         config: Config, phrases: Phrases) -> LocalStory:
    place, short = names
    local = local_snapshot(snapshot, row)
    seed = f"local/{row.code}"
    view = build_story(local, config, phrases)
    # The race's basis sentence may say "secara keseluruhan": a place's page words its own.
    view = view.evolve(phrases={**view.phrases, "basis": phrases.pick(
        "local.basis", seed, leader=view.leader.short, votes=view.leader.votes, place=short)})
    situation = _situation(view)
    texts = _texts(view, race, place, short, situation, phrases, seed)
    rank = None if view.tie else share_rank(snapshot.sub_regions, row.code, local.leader.ticket.id)
    if rank is not None and rank.kind == "only" and view.facts.final:
        rank = None  # "the only one with data so far" means nothing once the recap is in
    chosen = {
        "lede": _lede(view, phrases, seed),
        "closing": phrases.pick(f"local.closing.{_closing(view, race)}", seed, place=short),
    }
    province = row.code[:2]
    # A kab/kota page links its regent/mayor race; a kecamatan page its kab/kota's governor page.
    nearer = f"pkwkk/{row.code}" if found[0] == KABKOTA else f"local/{row.code[:4]}"
    return LocalStory(
        id=seed, code=row.code, place=place, place_short=short, situation=situation,
        slug=slugify(f"{race.slug} {short}"), headline=texts["headline"], seo_title=texts["seo_title"],
        description=texts["description"], summary=texts["summary"], view=view, whole=race, rank=rank,
        comparison=compare(view, race, local, snapshot), level=found[0], whole_level=found[1], phrases=chosen,
        links_to=(race.race, nearer, f"roundup/{province}"), figures=local,
    )
