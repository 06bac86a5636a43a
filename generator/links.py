"""Baca Juga: which sibling stories of the same run an article links to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from .config import Config
from .story import Link, Story


class Target(Protocol):
    """What a "Baca Juga" line needs of the story it points to."""

    @property
    def race(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def headline(self) -> str: ...
    @property
    def slug(self) -> str: ...


@dataclass(frozen=True)
class LinkTarget:
    """A story not in this run whose article is still published (a race held back)."""

    race: str
    kind: str
    headline: str
    slug: str


def _same_level(a: Target, b: Target) -> bool:
    return a.kind == b.kind or {a.kind, b.kind} <= {"bupati", "walikota"}


def _province(story: Target) -> str:
    return story.race.split("/")[1][:2]


def _tiers(story: Story, by_province: dict[str, list[Target]], config: Config) -> Iterator[list[Target]]:
    """Candidate siblings, closest tier first, each tier in (rank, race) order.

    Ranks: 0 same province, other level; 1 same province, same level;
    2/3 neighbouring provinces, same/other level; 4/5 same island group.
    """
    here = config.province(_province(story))
    own = [o for o in by_province.get(_province(story), ()) if o.race != story.race]
    yield sorted(own, key=lambda o: (_same_level(story, o), o.race))
    near = [o for code in here.neighbours for o in by_province.get(code, ())]
    yield sorted(near, key=lambda o: (not _same_level(story, o), o.race))
    skip = {_province(story), *here.neighbours}
    island = [o for code, group in by_province.items() if code not in skip
              and config.province(code).island == here.island for o in group]
    yield sorted(island, key=lambda o: (not _same_level(story, o), o.race))


def link_url(story: Target, config: Config) -> str:
    pub = config.publication
    return pub.link_pattern.format(section=pub.section, slug=story.slug, race=story.race)


def link_stories(stories: list[Story], config: Config, *, targets: Iterable[Target] = (),
                 published: set[str] | None = None) -> list[Story]:
    """Give each story its "Baca Juga" links to siblings of the same run.

    Deterministic: siblings are ranked by closeness (same province, other level;
    same province, same level; neighbouring provinces; same island group), then
    by race code. Never itself. ``targets`` are stories held back this run whose earlier
    article is still there: they are linked, and get no links themselves. With
    ``published`` (race codes), only those races are linked: a story never points at a
    sibling readers cannot open yet.
    """
    limit = config.publication.baca_juga_max
    by_province: dict[str, list[Target]] = {}
    for target in [*stories, *targets]:
        if published is None or target.race in published:
            by_province.setdefault(_province(target), []).append(target)
    out = []
    for story in stories:
        chosen: list[Target] = []
        for tier in _tiers(story, by_province, config):
            chosen.extend(tier[: limit - len(chosen)])
            if len(chosen) >= limit:
                break
        links = tuple(Link(other.headline, link_url(other, config)) for other in chosen)
        out.append(story.evolve(links=links))
    return out
