"""Articles drafted before the rest of the run is known.

Two things of an article depend on the other races of a run: its Baca Juga
links (headlines of sibling stories) and, without ``--now``, the run's time
(the newest data of all races, written as ``date``/``lastmod`` of a new or
changed article). A :class:`Draft` is the whole article worked out with
stand-ins for both: placeholder links, and :data:`DRAFT_NOW` as the time.
Rendering, the fact audit, the chart and the front matter are done once; the
run then only puts the real links and time in (:func:`finish`).

A draft is used only when it provably fits: the story must equal the drafted
one but for its links, the same number of links, the same article on disk,
aliases and flags, and every stand-in must be found where it is expected.
Anything else and the article is worked out afresh, so drafting never changes
a byte of the output (``tests/test_drafts.py`` checks that on every race).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from .audit import audit_article, story_exempt
from .chart import render_chart
from .config import Config
from .formatting import to_zone
from .models import RaceSnapshot
from .output import Existing, article_head
from .render import Renderer, escape_markdown
from .story import Link, Story

#: Stand-ins for Baca Juga links while the siblings are not known: letters and NULs
#: only, so Markdown escaping leaves them as they are and the audit finds no figure.
PLACEHOLDERS = tuple(Link(f"\0bacajuga{c}judul\0", f"\0bacajuga{c}url\0") for c in "abcdefghijklmnop")

#: Stand-in for the run's time while drafting (replaced in the front matter by :func:`finish`).
DRAFT_NOW = datetime(1999, 1, 1, tzinfo=timezone.utc)

_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d:\d\d")


@dataclass(frozen=True)
class Draft:
    """An article worked out with stand-ins for its links and the run's time."""

    story: Story  # with placeholder links
    head: str  # front matter, dated DRAFT_NOW where the run's time goes
    body: str  # with placeholder links
    problems: tuple[str, ...]  # fact audit (links are exempt: they are audited in their own articles)
    chart_svg: str | None
    existing: Existing | None
    aliases: tuple[str, ...]
    flags: tuple[str, ...]
    story_repr: str  # repr(story), for the run's fingerprint of the linked story (see story_repr)


def audit(story: Story, body: str, snapshot: RaceSnapshot, renderer: Renderer) -> tuple[str, ...]:
    """The fact audit of one rendered article, as messages."""
    exempt = story_exempt(story) + renderer.last_stock
    return tuple(str(p) for p in audit_article(story.headline, body, snapshot, story, exempt=exempt))


def make_draft(story: Story, snapshot: RaceSnapshot, renderer: Renderer, config: Config, *,
               chart: bool, existing: Existing | None, aliases: tuple[str, ...],
               flags: tuple[str, ...]) -> Draft | None:
    """Draft a placed race (None when the templates are a user's: they may use links in other ways)."""
    if not renderer.builtin:
        return None
    story = story.evolve(links=PLACEHOLDERS[: config.publication.baca_juga_max])
    body = renderer.body(story)
    head = article_head(story, snapshot, config, now=DRAFT_NOW, existing=existing, aliases=aliases, flags=flags)
    svg = render_chart(snapshot, title=story.headline) if chart else None
    return Draft(story, head, body, audit(story, body, snapshot, renderer), svg, existing, aliases, flags,
                 repr(story))


def fits(draft: Draft, story: Story) -> bool:
    """True when ``story`` is the drafted story but for its links (as many of them)."""
    return len(story.links) == len(draft.story.links) and story.evolve(links=draft.story.links) == draft.story


def story_repr(draft: Draft, story: Story) -> str | None:
    """``repr(story)`` made from the draft's, or None when the draft does not fit the story.

    The drafted story differs from the linked one only in its links, so only the
    placeholder links' spelling is swapped for the real ones' (a repr costs a
    run's main process about 40 µs a story).
    """
    placeholders = repr(draft.story.links)
    if not fits(draft, story) or draft.story_repr.count(placeholders) != 1:
        return None
    return draft.story_repr.replace(placeholders, repr(story.links))


def fill_links(draft: Draft, story: Story) -> str | None:
    """The draft's body with the story's real links, or None when the draft does not fit the story."""
    if not fits(draft, story):
        return None
    body = draft.body
    for placeholder, link in zip(draft.story.links, story.links, strict=True):
        if placeholder.headline not in body or placeholder.url not in body:
            return None
        body = body.replace(placeholder.headline, escape_markdown(link.headline)).replace(placeholder.url, link.url)
    return None if "\0" in body else body


def fill_time(draft: Draft, zone: str, now: datetime) -> str | None:
    """The draft's front matter dated ``now``, or None when that cannot be done exactly."""
    stand_in, real = to_zone(DRAFT_NOW, zone).isoformat(), to_zone(now, zone).isoformat()
    existing = draft.existing
    if not _ISO_MOMENT.fullmatch(real) or (existing and stand_in in (existing.date, existing.lastmod)):
        return None
    # Both are quoted the same way (YAML reads either as a timestamp unless quoted).
    return draft.head.replace(f"'{stand_in}'", f"'{real}'")


def finish(draft: Draft, story: Story, now: datetime, *, existing: Existing | None,
           aliases: tuple[str, ...], flags: tuple[str, ...]) -> tuple[str, str] | None:
    """(front matter, body) of the draft for the run's story and time, or None when it does not fit."""
    if (existing, aliases, flags) != (draft.existing, draft.aliases, draft.flags):
        return None
    body = fill_links(draft, story)
    head = fill_time(draft, story.zone, now) if body is not None else None
    return None if head is None or body is None else (head, body)
