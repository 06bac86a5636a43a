"""One article made whole: text, front matter, chart and the fact audit.

:func:`make_article` is a pure function of a decided race and the run's time:
the same inputs give the same bytes, in this process or in a worker of a
process pool (``newsgen generate --jobs N``). It writes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .audit import audit_article, story_exempt
from .chart import render_chart
from .claims import check_claims
from .config import Config
from .decide import RaceWork
from .errors import Problem
from .output import article_head
from .render import Renderer
from .story import Story


@dataclass(frozen=True)
class Article:
    """A rendered article, ready to write (or to hold back when ``problems``)."""

    race: str
    text: str  # front matter + Markdown body
    chart_svg: str | None
    problems: tuple[str, ...]  # fact audit findings; empty when every number is traceable
    claims: tuple[str, ...] = ()  # claim check findings; empty when every sentence fits the facts


def fingerprint(story: Story, flags: tuple[str, ...], overrides: str = "") -> str:
    """What an article says: its story (every figure, decision and link), its review flags
    and the user's own templates (``overrides``, :attr:`.Renderer.overrides`; "" without).

    Deliberately not newsgen's version nor its own templates: an upgrade alone rewrites no
    article; new wording reaches an article with its next change of data. A user's
    ``--templates`` folder is the newsroom's own decision, so changing it rewrites them.
    """
    extra = f"\x00{overrides}" if overrides else ""
    if story.places:  # the kecamatan pages it links (not in the repr: see Story.places)
        extra += f"\x00{story.places!r}"
    return hashlib.sha256(f"{story!r}\x00{flags!r}{extra}".encode()).hexdigest()[:16]


def make_article(item: RaceWork, renderer: Renderer, config: Config) -> Article:
    """Render, audit and draw one placed and linked race."""
    assert item.now is not None, "place() the race first"
    story, snapshot = item.story, item.snapshot
    body, stock = renderer.render(story)
    exempt = [*story_exempt(story), *stock]
    problems = tuple(str(f) for f in audit_article(story.headline, body, snapshot, story, exempt=exempt))
    claims = tuple(f"claim check: {c}" for c in check_claims(story, story.headline, body,
                                                            exempt=story_exempt(story)))
    head = article_head(story, snapshot, config, now=item.now, existing=item.existing, aliases=item.aliases,
                        flags=item.flags)
    svg = render_chart(snapshot, title=story.phrases["chart_title"], phrases=renderer.phrases) if item.chart else None
    return Article(snapshot.race, head + "\n" + body, svg, problems, claims)


def article_or_problem(item: RaceWork, renderer: Renderer, config: Config) -> Article | Problem:
    """:func:`make_article`, with any failure as the problem that holds the race back."""
    try:
        return make_article(item, renderer, config)
    except Exception as exc:  # one race's failure never stops another
        return Problem.from_exception(item.snapshot.race, exc)


# -- a process pool over make_article (``--jobs N``) ----------------------------------

_worker: tuple[Renderer, Config] | None = None


def start_worker(config: Config, templates: Path | None) -> None:
    """Initializer of a pool worker: its templates compile once."""
    global _worker
    _worker = (Renderer(config, templates), config)


def in_worker(item: RaceWork) -> Article | Problem:
    assert _worker is not None, "worker not started"
    renderer, config = _worker
    return article_or_problem(item, renderer, config)
