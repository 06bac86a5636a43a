"""Baca Juga: which sibling stories of the same run an article links to."""

from __future__ import annotations

from collections.abc import Iterator

from .config import Config
from .story import Link, Story


def _same_level(a: Story, b: Story) -> bool:
    return a.kind == b.kind or {a.kind, b.kind} <= {"bupati", "walikota"}


def _province(story: Story) -> str:
    return story.race.split("/")[1][:2]


def _tiers(story: Story, by_province: dict[str, list[Story]], config: Config) -> Iterator[list[Story]]:
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
    by_province: dict[str, list[Story]] = {}
    for story in stories:
        by_province.setdefault(_province(story), []).append(story)
    out = []
    for story in stories:
        chosen: list[Story] = []
        for tier in _tiers(story, by_province, config):
            chosen.extend(tier[: limit - len(chosen)])
            if len(chosen) >= limit:
                break
        links = tuple(Link(other.headline, link_url(other, config)) for other in chosen)
        out.append(story.evolve(links=links))
    return out
