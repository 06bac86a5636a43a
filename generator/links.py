"""Baca Juga: which sibling stories of the same run an article links to.

The choice a desk makes (deterministic, never the article itself, never a race without
an article):

- a governor race links the most relevant neighbouring province's governor race
  (``neighbours`` order in ``regions.yaml``), its capital's mayor race (the kota named
  as the province's ``capital``), then the other neighbours' governor races;
- a regent/mayor race links its own governor race, then a sibling in the same province:
  a newsworthy one (a close race, a kolom kosong race) or else the next in a rotation
  keyed on the race code, so that no sibling is the target of more than
  :data:`SPREAD_LIMIT` of its siblings' articles where the province has enough of them;
- any slot still free is filled by closeness: same province, neighbouring provinces,
  same island group, then race code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from .config import Config
from .story import Link, Story, slugify

#: The largest share of a province's regent/mayor articles that may link one sibling.
SPREAD_LIMIT = 0.3
GOVERNOR = "gubernur"
_CLOSE = frozenset({"narrow", "tie", "tie_many", "too_close"})


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


def _name_key(name: str) -> str:
    """``Kota Palangka Raya``, ``Palangkaraya`` and ``pilwalkot-palangka-raya-2024``'s place compare equal."""
    return slugify(name).removeprefix("kota-").replace("-", "")


def _place(target: Target) -> str:
    if isinstance(target, Story):
        return _name_key(target.region)
    # A held-back race: its place is its slug's middle ("pilwalkot-samarinda-2024").
    return "".join(target.slug.split("-")[1:-1])


def newsworthy(target: Target) -> bool:
    """A close race or a kolom kosong race (only a story of this run can tell)."""
    return isinstance(target, Story) and (
        target.scenario == "single_ticket" or target.situation in _CLOSE or target.facts.margin_kind in _CLOSE)


def _fallback(story: Story, by_province: dict[str, list[Target]], config: Config) -> Iterator[list[Target]]:
    """Candidate siblings by closeness, closest tier first, each tier in (rank, race) order."""
    here = config.province(_province(story))
    own = [o for o in by_province.get(_province(story), ()) if o.race != story.race]
    yield sorted(own, key=lambda o: (_same_level(story, o), o.race))
    near = [o for code in here.neighbours for o in by_province.get(code, ())]
    yield sorted(near, key=lambda o: (not _same_level(story, o), o.race))
    skip = {_province(story), *here.neighbours}
    island = [o for code, group in by_province.items() if code not in skip
              and config.province(code).island == here.island for o in group]
    yield sorted(island, key=lambda o: (not _same_level(story, o), o.race))


def _governor_first(story: Story, by_province: dict[str, list[Target]], config: Config) -> list[Target]:
    """Neighbouring governor races (most relevant first) with the capital's mayor race second."""
    here = config.province(_province(story))
    governors = [o for code in here.neighbours for o in by_province.get(code, ()) if o.kind == GOVERNOR]
    capital = _name_key(here.capital)
    mayors = [o for o in by_province.get(_province(story), ()) if o.kind == "walikota" and _place(o) == capital]
    return [*governors[:1], *mayors[:1], *governors[1:]]


class _Rotation:
    """The siblings a province's regent/mayor articles link, spread by a per-target cap."""

    def __init__(self, siblings: list[Target], writers: int) -> None:
        self.siblings = sorted(siblings, key=lambda o: o.race)
        self.order = [o.race for o in self.siblings]
        # Articles of the siblings of one target: at most ``writers - 1``.
        self.cap = max(1, int(SPREAD_LIMIT * max(writers - 1, 0) + 1e-9))
        self.load: Counter[str] = Counter()

    def pick(self, story: Story, taken: set[str]) -> Target | None:
        start = self.order.index(story.race) if story.race in self.order else 0
        size = len(self.order)

        def key(index: int) -> tuple[bool, bool, int]:
            target = self.siblings[index]
            return (self.load[target.race] >= self.cap, not newsworthy(target), (index - start) % size)

        free = [i for i, o in enumerate(self.siblings) if o.race != story.race and o.race not in taken]
        if not free:
            return None
        chosen = self.siblings[min(free, key=key)]
        self.load[chosen.race] += 1
        return chosen


def _fill(chosen: list[Target], story: Story, candidates: Iterable[Target], limit: int) -> None:
    """Append candidates not yet chosen (never the story itself) up to ``limit``."""
    for other in candidates:
        if len(chosen) >= limit:
            return
        if other.race != story.race and all(o.race != other.race for o in chosen):
            chosen.append(other)


def link_url(story: Target, config: Config) -> str:
    pub = config.publication
    return pub.link_pattern.format(section=pub.section, slug=story.slug, race=story.race)


def link_stories(stories: list[Story], config: Config, *, targets: Iterable[Target] = (),
                 published: set[str] | None = None) -> list[Story]:
    """Give each story its "Baca Juga" links to siblings of the same run (see the module docstring).

    ``targets`` are stories held back this run whose earlier article is still there: they
    are linked, and get no links themselves. With ``published`` (race codes), only those
    races are linked: a story never points at a sibling readers cannot open yet. The
    result does not depend on the order of ``stories``.
    """
    limit = config.publication.baca_juga_max
    by_province: dict[str, list[Target]] = {}
    for target in sorted([*stories, *targets], key=lambda t: t.race):
        if published is None or target.race in published:
            by_province.setdefault(_province(target), []).append(target)
    rotations: dict[str, _Rotation] = {}
    links: dict[str, tuple[Link, ...]] = {}
    for story in sorted(stories, key=lambda s: s.race):
        code = _province(story)
        chosen: list[Target] = []
        if story.kind == GOVERNOR:
            _fill(chosen, story, _governor_first(story, by_province, config), limit)
        else:
            _fill(chosen, story, (o for o in by_province.get(code, ()) if o.kind == GOVERNOR), limit)
            if code not in rotations:
                siblings = [o for o in by_province.get(code, ()) if o.kind != GOVERNOR]
                writers = sum(1 for s in stories if _province(s) == code and s.kind != GOVERNOR)
                rotations[code] = _Rotation(siblings, writers)
            while len(chosen) < limit and (pick := rotations[code].pick(story, {o.race for o in chosen})):
                chosen.append(pick)
        for tier in _fallback(story, by_province, config):
            _fill(chosen, story, tier, limit)
        links[story.race] = tuple(Link(other.headline, link_url(other, config)) for other in chosen)
    return [story.evolve(links=links[story.race]) for story in stories]
