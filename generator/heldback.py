"""Races held back this run, as a round-up names them ("Pilbup Berau 2024").

A race whose data or text failed is held back: it has no row of figures in a
round-up. The round-up still says that it is missing, so its table never reads as
the whole province (or nation). Each held-back race is named, when it can be,
the way its own story would be (``race.short`` of phrases.yaml):

- from its own snapshot, when it got as far as one;
- otherwise a governor race from regions.yaml (its province), a regent/mayor race
  from its kab/kota's row in the province's governor race of the run;
- otherwise it stays unnamed and is counted ("satu pemilihan lain").

Plain data; the round-up's sentence and table row word it (``roundup.held.*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .errors import NewsgenError
from .models import RaceKind, RaceSnapshot
from .phrases import Phrases
from .story import race_words

__all__ = ["HeldRace", "held_races"]

_KINDS = {"pkwkp": "gubernur"}


@dataclass(frozen=True)
class HeldRace:
    race: str  # "pkwkk/6403"
    province_code: str  # "64"
    kind: str  # "gubernur" | "bupati" | "walikota"
    name: str  # "Pilbup Berau 2024"; "" when nothing in the run names it


def _kind(race: str) -> str:
    level, code = race.split("/", 1)
    return _KINDS.get(level) or ("walikota" if len(code) > 2 and code[2] == "7" else "bupati")


def _words(kind: str, region: str, region_full: str, year: int, seed: str, phrases: Phrases) -> dict[str, str]:
    return {"abbr": phrases.pick(f"race.abbr.{kind}", seed), "name": phrases.pick(f"race.name.{kind}", seed),
            "region": region, "region_full": region_full, "year": str(year)}


def _name(race: str, kind: str, own: RaceSnapshot | None, snapshots: dict[str, RaceSnapshot], config: Config,
          phrases: Phrases) -> str:
    year = config.publication.election_year
    code = race.split("/", 1)[1]
    try:
        province = config.province(code[:2])
        if own is not None:
            return phrases.pick("race.short", race, **race_words(own, province, phrases, year))
        if kind == RaceKind.GUBERNUR.value:
            return phrases.pick("race.short", race, **_words(kind, province.short, province.name, year, race, phrases))
        governor = snapshots.get(f"pkwkp/{code[:2]}")
        row = next((r for r in governor.sub_regions if r.code == code), None) if governor else None
        if row is None:
            return ""
        short = row.name.removeprefix("Kabupaten ").removeprefix("Kota ")
        full = row.name if row.name != short else ("Kota " if kind == "walikota" else "Kabupaten ") + short
        return phrases.pick("race.short", race, **_words(kind, short, full, year, race, phrases))
    except NewsgenError:  # a race of an unknown province: counted, not named
        return ""


def held_races(held: dict[str, RaceSnapshot | None], snapshots: dict[str, RaceSnapshot], config: Config,
               phrases: Phrases) -> tuple[HeldRace, ...]:
    """The races of ``held`` (race -> its snapshot, if it got one), by race code; ids that are
    not races (a local page, a round-up) are left out."""
    out = []
    for race in sorted(held):
        level, _, code = race.partition("/")
        if level not in ("pkwkp", "pkwkk") or not code[:2].isdigit():
            continue
        kind = _kind(race)
        out.append(HeldRace(race, code[:2], kind, _name(race, kind, held[race], snapshots, config, phrases)))
    return tuple(out)
