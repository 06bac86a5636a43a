"""Round-ups: every race of a province on one page, and the governor races of the nation.

A :class:`Roundup` is plain data made from the run's race stories (never from
other figures): one :class:`RoundupRow` per race with the cells of its table row
(leader, share, progress, stage) and, for the races an editor would single out
(the governor race of a province round-up, a tie, a narrow margin, a quick count
too close to call, a kolom kosong race, a second round, an early count), one
sentence whose wording is chosen by the same rules as the race's own story
(:func:`~generator.story.lede_kind`). Each sentence is later held to its own
race's facts by the claim check and its numbers to its own race's data by the
fact audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .config import Config
from .formatting import count_words, format_moment, join_words
from .heldback import HeldRace
from .local import HEADLINE_MAX
from .phrases import Phrases
from .story import Story, lede_kind, slugify, top_names
from .text import sentence_start

__all__ = ["NATIONAL", "HeldRow", "Roundup", "RoundupRow", "line_kind", "national_roundup", "province_roundups"]

#: The national round-up's key in the manifest (province round-ups are ``roundup/PP``).
NATIONAL = "roundup/0"
_NOTABLE = frozenset({"tie", "early", "too_close", "second_round", "rerun", "empty_leads", "single_leads",
                      "below_half"})


@dataclass(frozen=True)
class RoundupRow:
    race: str
    label: str  # "Pilbup Paser 2024" (province round-up) or "Kalimantan Timur" (national)
    story: Story
    leader: str  # the table cell: "Rudy Mas'ud-Seno Aji", "Imbang: A dan B", "Kolom kosong"
    share: str
    progress: str
    stage: str  # the stage cell
    line: str  # one sentence about the race, or "" when the table says enough


@dataclass(frozen=True)
class HeldRow:
    race: str
    label: str  # "Pilbup Berau 2024" (province round-up), "Kalimantan Timur" (national); "" unnamed (no row)


@dataclass(frozen=True)
class Roundup:
    id: str  # "roundup/64", "roundup/0"
    scope: str  # "province" | "national"
    province_code: str  # "64"; "" for the national round-up
    region: str  # "Kalimantan Timur", "Indonesia"
    slug: str
    headline: str
    seo_title: str
    description: str
    summary: str
    stage: str  # "real_count" | "quick_count" | "official_recap" | "mixed"
    zone: str
    data_moment: str  # the newest data time of its races
    timestamp: datetime
    rows: tuple[RoundupRow, ...]
    phrases: dict[str, str]
    year: int
    #: Races of the round-up's scope held back this run: no figures, a row and a sentence
    #: saying they are not in it yet (``roundup.held.*``), so the table never reads as complete.
    held: tuple[HeldRow, ...] = ()


def election_year(story: Story) -> int:
    """The year of a race, as its name says it (``Pilgub Kaltim 2024``)."""
    return int(story.race_short.rsplit(" ", 1)[-1])


def line_kind(story: Story) -> str:
    """Which sentence a race gets: ``lede_kind`` of its story, with a kolom kosong ahead of
    the single ticket in a count told as ``empty_leads``."""
    kind = lede_kind(story.facts, story.leaders)
    if kind == "lead" and story.leader.empty_column:
        return "empty_leads"
    if kind == "lead" and story.scenario == "single_ticket":
        # the single ticket ahead of the kolom kosong; close to the half it needs, said so
        return "single_leads_close" if story.facts.majority_close else "single_leads"
    if kind == "lead" and story.facts.two_round == "second_round" and not story.facts.majority_open:
        return "below_half"  # DKI Jakarta: a count whose leader is under half (a second round if it stays)
    if kind == "lead" and story.stage == "real_count" and story.facts.margin_kind == "narrow":
        return "narrow_reversible" if story.facts.reversible else "narrow"  # why the race is listed
    return kind


def _notable(story: Story, governor_first: bool) -> bool:
    kind = line_kind(story)
    return (governor_first and story.kind == "gubernur") or kind in _NOTABLE \
        or story.facts.margin_kind == "narrow" or story.scenario == "single_ticket"


def _row(story: Story, label: str, phrases: Phrases, *, governor_first: bool) -> RoundupRow:
    seed = f"roundup/{story.race}"
    who = top_names(story.leaders, phrases, seed, "text")
    runner = top_names(story.runner_up, phrases, seed, "text") if story.runner_up else ""
    institute = story.quick_count.institute if story.quick_count else ""
    values = {"race": story.race_short, "leader": who, "runner": runner, "share": story.leaders.share,
              "progress": story.progress, "institute": institute, "points": story.facts.margin_points,
              "gap": story.facts.majority_gap,
              "data_in": story.quick_count.data_in if story.quick_count else ""}
    progress = story.stage + ("_no_data_in" if story.quick_count and not story.quick_count.data_in else "")
    leader = phrases.pick("roundup.cell.tie", seed, names=who) if story.tie else sentence_start(who)
    line = phrases.pick(f"roundup.line.{story.stage}.{line_kind(story)}", seed, **values) \
        if _notable(story, governor_first) else ""
    return RoundupRow(race=story.race, label=label, story=story, leader=leader, share=story.leaders.share,
                      progress=phrases.pick(f"roundup.cell.progress.{progress}", seed, **values),
                      stage=phrases.pick(f"roundup.cell.stage.{story.stage}", seed, **values), line=line)


def _stage(stories: list[Story]) -> str:
    stages = {s.stage for s in stories}
    return stages.pop() if len(stages) == 1 else "mixed"


def _held_phrases(held: list[HeldRace], phrases: Phrases, seed: str) -> dict[str, str]:
    """The sentence naming the races held back (named ones first, the others counted) and the
    leader cell of their table rows; nothing when no race is held back."""
    if not held:
        return {}
    named = [h.name for h in held if h.name]
    unnamed = len(held) - len(named)
    items = named + ([phrases.pick("roundup.held.unnamed", seed, count=count_words(unnamed))] if unnamed else [])
    return {"held": phrases.pick("roundup.held.sentence", seed, races=join_words(items)),
            "held_cell": phrases.pick("roundup.cell.held", seed)}


def _stat(key: str, races: list[Story], phrases: Phrases, seed: str) -> str:
    """A sentence counting the races in ``races`` (the list below names them); "" for none."""
    return phrases.pick(key, seed, count=count_words(len(races))) if races else ""


def _make(id_: str, scope: str, code: str, region: str, zone: str, stories: list[Story], rows: list[RoundupRow],
          phrases: Phrases, values: dict[str, str], slug: str, body: str,
          held: tuple[list[HeldRace], list[HeldRow]] = ([], [])) -> Roundup:
    stage = _stage(stories)
    newest = max(s.timestamp for s in stories)
    year = election_year(stories[0])
    values = {**values, "region": region, "year": str(year)}
    headline = phrases.fitting(f"roundup.headline.{scope}.{stage}", id_, HEADLINE_MAX, **values) \
        or phrases.pick(f"roundup.seo_title.{scope}", id_, **values)  # a long region name: the short title
    single = "_one" if scope == "province" and len(stories) == 1 else ""  # DKI Jakarta: its governor race alone
    chosen = {
        "lede": phrases.pick(f"roundup.lede.{scope}.{stage}", id_, **values),
        "ties": _stat("roundup.stats.ties", [s for s in stories if s.tie], phrases, id_),
        "early": _stat("roundup.stats.early", [s for s in stories if s.facts.early], phrases, id_),
        "body": phrases.pick(f"roundup.body.{body}", id_, region=region),
        "closing": phrases.pick(f"roundup.closing.{scope}{single}", id_),
        "closing_unlinked": phrases.pick(f"roundup.closing.{scope}{single}_unlinked", id_),
    }
    chosen.update(_held_phrases(held[0], phrases, id_))
    for one in sorted({s.stage for s in stories}):
        chosen[f"caveat_{one}"] = phrases.pick(f"roundup.caveat.{one}" + (".one" if single else ""), id_,
                                               body=chosen["body"])
    return Roundup(
        id=id_, scope=scope, province_code=code, region=region, slug=slug, headline=headline,
        seo_title=headline if len(headline) <= 70 else phrases.pick(f"roundup.seo_title.{scope}", id_, **values),
        description=phrases.pick(f"roundup.description.{scope}", id_, **values),
        summary=phrases.pick(f"roundup.description.{scope}", id_, **values), stage=stage, zone=zone,
        data_moment=format_moment(newest, zone), timestamp=newest, rows=tuple(rows), phrases=chosen, year=year,
        held=tuple(held[1]),
    )


def province_roundups(stories: list[Story], config: Config, phrases: Phrases,
                      held: tuple[HeldRace, ...] = ()) -> list[Roundup]:
    """One round-up per province with any race in ``stories``: the governor race first, then by race code.
    ``held``: races held back this run, each said to be missing from its province's round-up."""
    by_province: dict[str, list[Story]] = {}
    for story in sorted(stories, key=lambda s: (s.kind != "gubernur", s.race)):
        by_province.setdefault(story.race.split("/")[1][:2], []).append(story)
    out = []
    for code, group in sorted(by_province.items()):
        province = config.province(code)
        rows = [_row(s, s.race_short, phrases, governor_first=True) for s in group]
        locals_ = sum(1 for s in group if s.kind != "gubernur")
        values = {"count": count_words(len(group)), "locals": count_words(locals_), "short": province.short,
                  "parts": phrases.pick("roundup.parts." + ("both" if locals_ and locals_ < len(group) else
                                                            "governor" if not locals_ else "local"),
                                        f"roundup/{code}", locals=count_words(locals_))}
        values["count_title"] = sentence_start(values["count"])
        slug = slugify(phrases.pick("roundup.slug.province", f"roundup/{code}", year=str(election_year(group[0])),
                                    short=province.short))
        holds = "both" if locals_ and locals_ < len(group) else "local" if locals_ else "governor"
        body = ("kip" if province.election_body == "KIP" else "kpu") + "_" + holds
        missing = sorted((h for h in held if h.province_code == code), key=lambda h: (h.kind != "gubernur", h.race))
        out.append(_make(f"roundup/{code}", "province", code, province.name, province.zone, group, rows, phrases,
                         values, slug, body, (missing, [HeldRow(h.race, h.name) for h in missing])))
    return out


def national_roundup(stories: list[Story], config: Config, phrases: Phrases,
                     held: tuple[HeldRace, ...] = ()) -> Roundup | None:
    """The governor races of the run on one page (None when the run has none); ``held``: its
    governor races held back this run, said to be missing."""
    governors = sorted((s for s in stories if s.kind == "gubernur"), key=lambda s: s.race)
    if not governors:
        return None
    rows = [_row(s, s.region, phrases, governor_first=False) for s in governors]
    values = {"count": count_words(len(governors)), "short": "Indonesia"}
    values["count_title"] = sentence_start(values["count"])
    # A national page is told in Jakarta time.
    missing = [h for h in held if h.kind == "gubernur"]
    provinces = config.regions.provinces
    labels = [HeldRow(h.race, provinces[h.province_code].name if h.province_code in provinces else "")
              for h in missing]
    slug = slugify(phrases.pick("roundup.slug.national", NATIONAL, year=str(election_year(governors[0]))))
    return _make(NATIONAL, "national", "", "Indonesia", "WIB", governors, rows, phrases, values, slug, "national",
                 (missing, labels))
