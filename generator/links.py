"""Baca Juga: which sibling stories of the same run an article links to."""

from __future__ import annotations

from dataclasses import replace

from .config import Config
from .story import Link, Story


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


