"""More stories from the same data: local pages and round-ups beside the race stories.

``--stories races,local,roundups`` (default ``races``) chooses what a run writes:

- ``local``: the governor race in each kab/kota with data (:mod:`generator.local`),
  ``pilgub-kaltim-2024-balikpapan``, keyed ``local/6471`` in the manifest;
- ``kecamatan``: each regent/mayor race in each of its kecamatan with data,
  ``pilbup-berau-2024-tanjung-redeb``, ``local/640301``; the rows come from the race's own
  file, fetched on every run already, so it costs no request (thousands of pages nationally:
  opt-in);
- ``roundups``: one page per province with any race (``hasil-pilkada-2024-kaltim``,
  ``roundup/64``) and one of the governor races (``hasil-pilgub-2024-seluruh-indonesia``,
  ``roundup/0``) (:mod:`generator.roundup`).

Their slugs never end with the year as race slugs do, nor start with ``pil`` as
race slugs do when they are round-ups, so no page can take a race's path.

Links: a kab/kota page links its governor race, its kab/kota's regent or mayor race and
its province round-up; that regent/mayor race links the page back, and the governor
race links its province round-up. A regent/mayor race lists its kecamatan pages in one
short line after its table ("Hasil per kecamatan: ...", :func:`place_links`). A kecamatan
page links its race, its kab/kota's governor page and the province round-up. A round-up links every race in its table.
Links follow the publication's link policy (``output.links``) like "Baca Juga" does.

Checks: every page goes through the fact audit (each number from the data it came
from) and the claim check. A local page is checked twice: its own sentences against
the place's figures told as a race, and its paragraph about the whole race against
the race's own story, so it never contradicts the story it links to. Each
sentence of a round-up is checked against the race it names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import TemplateError as JinjaError
from markupsafe import Markup

from . import __version__
from .audit import allowed_numbers, find_offences
from .claims import check_claims
from .config import Config
from .errors import OutputError, Problem, TemplateError
from .formatting import format_decimal2, format_votes, ordinal, to_zone
from .heldback import held_races
from .links import LinkTarget, link_url
from .local import KECAMATAN, LocalStory, local_stories
from .models import RaceSnapshot, share
from .output import placement
from .phrases import Phrases
from .render import Renderer, tidy
from .review import ReviewEntry, Status
from .roundup import Roundup, national_roundup, province_roundups
from .runner import KINDS, parse_stories
from .story import Link, Story
from .writer import Writer, front_matter, split_front_matter

__all__ = ["KINDS", "ExtraPage", "ExtraWork", "back_links", "make_page", "parse_stories", "place_links", "plan"]

@dataclass
class ExtraWork:
    """One local page or round-up: its story, where it goes, what it links."""

    id: str
    kind: str  # "local" | "roundup"
    story: LocalStory | Roundup
    snapshot: RaceSnapshot | None  # the governor race a local page comes from
    path: str = ""
    links: tuple[Link, ...] = ()
    urls: dict[str, str] = field(default_factory=dict)  # race -> URL a round-up may link

    @property
    def headline(self) -> str:
        return self.story.headline

    @property
    def slug(self) -> str:
        return self.story.slug

    @property
    def target(self) -> LinkTarget:
        return LinkTarget(self.id, self.kind, self.story.headline, self.story.slug)

    @property
    def timestamp(self) -> datetime:
        return self.story.view.timestamp if isinstance(self.story, LocalStory) else self.story.timestamp


@dataclass(frozen=True)
class ExtraPage:
    id: str
    text: str
    problems: tuple[str, ...]
    claims: tuple[str, ...]
    data_sha256: str = ""  # what the page was written from (see _data_digest)


def plan(stories: dict[str, Story], snapshots: dict[str, RaceSnapshot], wanted: frozenset[str], config: Config,
         phrases: Phrases, held: dict[str, RaceSnapshot | None] | None = None) -> list[ExtraWork]:
    """The local pages and round-ups of a run's race stories (nothing unless ``wanted`` asks);
    ``held``: the races held back this run (with their snapshot when they got one), which the
    round-ups say are missing."""
    out: list[ExtraWork] = []
    for race in sorted(stories):
        if ("local" if stories[race].kind == "gubernur" else "kecamatan") in wanted:
            for local in local_stories(stories[race], snapshots[race], config, phrases):
                out.append(ExtraWork(local.id, "local", local, snapshots[race]))
    if "roundups" in wanted and stories:
        listed = list(stories.values())
        missing = held_races(held or {}, snapshots, config, phrases)
        out.extend(ExtraWork(r.id, "roundup", r, None) for r in province_roundups(listed, config, phrases, missing))
        national = national_roundup(listed, config, phrases, missing)
        if national is not None:
            out.append(ExtraWork(national.id, "roundup", national, None))
    for work in out:
        work.path = placement(work.slug, config, to_zone(work.timestamp, _zone(work)).isoformat()).article
    return out


def _zone(work: ExtraWork) -> str:
    return work.story.view.zone if isinstance(work.story, LocalStory) else work.story.zone


def _can_link(race: str, published: set[str] | None) -> bool:
    return published is None or race in published


def link_extras(extras: list[ExtraWork], stories: dict[str, Story], config: Config,
                published: set[str] | None) -> None:
    """Each page's "Baca Juga" (local pages, province round-ups) and table links (round-ups)."""
    by_id = {w.id: w for w in extras}
    for work in extras:
        targets: list[Any] = []
        if isinstance(work.story, LocalStory):
            targets = [stories.get(i) or by_id.get(i) for i in work.story.links_to]
        elif work.story.scope == "province":
            targets = [by_id.get("roundup/0")]
            work.urls = {r.race: link_url(r.story, config) for r in work.story.rows if _can_link(r.race, published)}
        else:
            work.urls = {r.race: link_url(r.story, config) for r in work.story.rows if _can_link(r.race, published)}
        work.links = tuple(Link(t.headline, link_url(_as_target(t), config)) for t in targets
                           if t is not None and _can_link(_as_target(t).race, published))


def _as_target(target: Story | ExtraWork) -> Story | LinkTarget:
    return target.target if isinstance(target, ExtraWork) else target


def back_links(extras: list[ExtraWork], config: Config, published: set[str] | None) -> dict[str, tuple[Link, ...]]:
    """Links the race stories get back: a regent/mayor race to its kab/kota's governor page,
    a governor race to its province round-up (a race does not link each of its kecamatan pages)."""
    out: dict[str, list[Link]] = {}
    for work in extras:
        if not _can_link(work.id, published):
            continue
        link = Link(work.headline, link_url(work.target, config))
        if isinstance(work.story, LocalStory) and work.story.level == "kabupaten/kota":
            out.setdefault(f"pkwkk/{work.story.code}", []).append(link)
        elif isinstance(work.story, Roundup) and work.story.scope == "province":
            out.setdefault(f"pkwkp/{work.story.province_code}", []).append(link)
    return {race: tuple(links) for race, links in out.items()}


def place_links(extras: list[ExtraWork], config: Config, published: set[str] | None) -> dict[str, tuple[Link, ...]]:
    """The kecamatan pages each regent/mayor race links, by kecamatan code, named by their
    kecamatan (``Story.places``): one short line of the race story, not "Baca Juga" (a
    kab/kota has up to dozens of kecamatan; Baca Juga keeps the stories a desk chose)."""
    out: dict[str, list[tuple[str, Link]]] = {}
    for work in extras:
        story = work.story
        if isinstance(story, LocalStory) and story.level == KECAMATAN and _can_link(work.id, published):
            link = Link(story.place_short, link_url(work.target, config))
            out.setdefault(story.whole.race, []).append((story.code, link))
    return {race: tuple(link for _, link in sorted(links, key=lambda p: p[0])) for race, links in out.items()}


# -- render and check ------------------------------------------------------------------


def _render(renderer: Renderer, name: str, stock_story: Story, seed: str, **values: Any) -> tuple[str, list[str]]:
    """A template with the stock sentences of ``stock_story`` (its race's KPU body) and the
    phrases.yaml sentences (``say``), both in the variant of ``seed`` (the page's own id, so
    sibling pages do not all read like their race's article)."""
    printed: list[str] = []
    seeded = stock_story.evolve(race=seed)

    def stock(key: str, story: Story | None = None) -> Markup:
        text = renderer.stock(key, story or seeded)  # the race's KPU body, in the page's own variant
        printed.append(str(text))
        return text

    def say(key: str, nth: int = 0, **words: object) -> Markup:
        return renderer.say(seeded, key, nth, **words)

    try:
        text = renderer.env.get_template(name).render(stock=stock, say=say,
                                                      publication=renderer.config.publication, **values)
    except JinjaError as exc:
        raise TemplateError(f"template {name}: {exc}") from None
    return text, printed


def _local_numbers(local: LocalStory, whole: RaceSnapshot) -> set[str]:
    """Numbers a local page may print beyond its row's and its race's: ranks and counts of the
    race's places, and every ticket's share difference between the row and the whole race."""
    rows = whole.sub_regions
    out = {format_votes(n) for n in range(len(rows) + 1)} | {ordinal(n) for n in range(1, len(rows) + 1)}
    row = next(r for r in rows if r.code == local.code)
    for result in whole.results:
        here = share(row.votes.get(result.ticket.id, 0), row.total_votes)
        out.add(format_decimal2(abs(here - result.share)))
    return out


def _local_page(work: ExtraWork, renderer: Renderer, config: Config,
                whole_numbers: dict[str, set[str]]) -> tuple[str, list[str], list[str]]:
    local = work.story
    assert isinstance(local, LocalStory) and work.snapshot is not None and local.figures is not None
    whole_text, stock_a = _render(renderer, "local/whole.md.j2", local.whole, local.id, local=local, story=local.whole)
    whole_text = tidy(whole_text).strip()
    body, stock_b = _render(renderer, "local.md.j2", local.whole, local.id, local=local, story=local.view,
                            links=work.links, whole_paragraph=Markup(whole_text))
    body = tidy(body)
    race = local.whole.race  # the whole race's numbers, worked out once for all its places
    if race not in whole_numbers:
        whole_numbers[race] = allowed_numbers(work.snapshot, local.whole)
    allowed = allowed_numbers(local.figures, local.view) | whole_numbers[race] | _local_numbers(local, work.snapshot)
    exempt = [*stock_a, *stock_b, *(link.headline for link in work.links)]
    problems = [f"{o.sentence!r} prints {', '.join(o.numbers)}" for text in (local.headline, body)
                for o in find_offences(text, allowed=allowed, exempt=exempt)]
    own = body.replace(whole_text, "")
    claims = [f"local figures: {c}" for c in check_claims(local.view, local.headline, own, exempt=exempt)]
    claims += [f"against the race's own story: {c}" for c in check_claims(local.whole, "", whole_text,
                                                                            exempt=exempt)]
    return body, problems, claims


def _roundup_page(work: ExtraWork, renderer: Renderer, config: Config,
                  snapshots: dict[str, RaceSnapshot]) -> tuple[str, list[str], list[str]]:
    roundup = work.story
    assert isinstance(roundup, Roundup)
    first = roundup.rows[0].story
    # The closing line promises table links only when readers will see them: with the Hugo
    # shortcode a link to a draft prints as plain text on a production build.
    linked = bool(work.urls) and config.publication.output.links != "hugo"
    body, stock = _render(renderer, "roundup.md.j2", first, roundup.id, roundup=roundup, links=work.links,
                          urls=work.urls, table_linked=linked,
                          stories={r.race: r.story for r in roundup.rows})
    body = tidy(body)
    problems: list[str] = []
    claims: list[str] = []
    moment = to_zone(roundup.timestamp, roundup.zone)  # the newest data time, in the round-up's zone
    counted = len(roundup.rows) + len(roundup.held)  # races in the table, races said to be missing
    allowed: set[str] = {format_votes(n) for n in range(counted + 1)} | {str(roundup.year)} \
        | {f"{moment:%d/%m/%Y}", f"{moment:%H.%M}"}
    for row in roundup.rows:
        mine = allowed_numbers(snapshots[row.race], row.story)
        allowed |= mine
        if row.line:
            problems += [f"{row.race}: {o.sentence!r} prints {', '.join(o.numbers)}"
                         for o in find_offences(row.line, allowed=mine)]
            claims += [f"{row.race}: {c}" for c in check_claims(row.story, "", row.line)]
    exempt = [*stock, *(link.headline for link in work.links), *(r.line for r in roundup.rows if r.line)]
    problems += [f"{o.sentence!r} prints {', '.join(o.numbers)}" for text in (roundup.headline, body)
                 for o in find_offences(text, allowed=allowed, exempt=exempt)]
    return body, problems, claims


def make_page(work: ExtraWork, renderer: Renderer, config: Config, snapshots: dict[str, RaceSnapshot],
              writer: Writer, now: datetime | None, whole_numbers: dict[str, set[str]] | None = None) -> ExtraPage:
    """Render, audit and check one page, with its front matter (``whole_numbers``: a cache of
    each race's allowed numbers, shared by the pages of one run)."""
    if isinstance(work.story, LocalStory):
        body, problems, claims = _local_page(work, renderer, config, {} if whole_numbers is None else whole_numbers)
    else:
        body, problems, claims = _roundup_page(work, renderer, config, snapshots)
    digest = _data_digest(work, snapshots)
    head = _head(work, config, writer, now, body, digest)
    return ExtraPage(work.id, head + "\n" + body, tuple(problems), tuple(claims), digest)


def page_or_problem(work: ExtraWork, renderer: Renderer, config: Config, snapshots: dict[str, RaceSnapshot],
                    writer: Writer, now: datetime | None,
                    whole_numbers: dict[str, set[str]] | None = None) -> ExtraPage | Problem:
    try:
        page = make_page(work, renderer, config, snapshots, writer, now, whole_numbers)
    except Exception as exc:  # one page's failure never stops another
        return Problem.from_exception(work.id, exc)
    if page.problems or page.claims:
        found = (["fact audit: " + "; ".join(page.problems)] if page.problems else []) + list(page.claims)
        return Problem(work.id, "; ".join(found), kind="audit")
    return page


# -- front matter -----------------------------------------------------------------------


def _existing(writer: Writer, relative: str) -> tuple[dict[str, Any], str]:
    """The page on disk: its front matter and its whole text ({} and "" when there is none)."""
    text = writer.read_existing(relative)
    if text is None:
        return {}, ""
    try:
        meta, _ = split_front_matter(text)
    except (OutputError, ValueError):  # a foreign or broken file: written as new
        return {}, ""
    return (meta, text) if isinstance(meta, dict) else ({}, "")


def _data_digest(work: ExtraWork, snapshots: dict[str, RaceSnapshot]) -> str:
    """What a page was written from, as a race story's ``data_sha256`` says it: a local page, its
    race's data; a round-up, the data of its races (each race's own digest, in table order)."""
    if work.snapshot is not None:
        return work.snapshot.data_sha256 or hashlib.sha256(work.snapshot.model_dump_json().encode()).hexdigest()
    assert isinstance(work.story, Roundup)
    digests = (f"{row.race}:{snapshots[row.race].data_sha256 if row.race in snapshots else ''}"
               for row in work.story.rows)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def _params(work: ExtraWork, digest: str) -> dict[str, Any]:
    story = work.story
    if isinstance(story, LocalStory):
        snap = work.snapshot
        assert snap is not None
        row = next(r for r in snap.sub_regions if r.code == story.code)
        return {"race": work.id, "story": "local", "of_race": story.whole.race, "stage": story.view.stage,
                "data_timestamp": snap.timestamp.isoformat(), "tps_reported": row.tps_reported,
                "tps_total": row.tps_total,
                "results": {str(t.number): row.votes.get(t.id, 0) for t in sorted(snap.tickets,
                                                                                   key=lambda t: t.number)},
                "source_url": snap.source_url, "data_sha256": digest, "newsgen_version": __version__}
    return {"race": work.id, "story": "roundup", "stage": story.stage, "races": [r.race for r in story.rows],
            "data_timestamp": story.timestamp.isoformat(), "source_url": story.rows[0].story.source_url,
            "data_sha256": digest, "newsgen_version": __version__}


def _head(work: ExtraWork, config: Config, writer: Writer, now: datetime | None, body: str, digest: str) -> str:
    """Front matter as a race story's: draft, date kept, lastmod moved only when the text changed."""
    pub, story = config.publication, work.story
    old, old_text = _existing(writer, work.path)
    local_now = to_zone(now or work.timestamp, _zone(work)).isoformat()
    same = bool(old_text) and old_text.endswith("\n" + body)
    data: dict[str, Any] = {
        "title": story.headline, "seo_title": story.seo_title, "description": story.description,
        "slug": story.slug, "date": str(old.get("date") or local_now),
        "lastmod": str(old["lastmod"]) if same and old.get("lastmod") else local_now,
        "draft": True, "summary": story.summary, "author": pub.author, "tags": _tags(work),
        "categories": list(pub.categories),
    }
    if pub.output.layout == "dated":
        data["published"] = False
    data["params"] = _params(work, digest)
    return front_matter(data)


def _tags(work: ExtraWork) -> list[str]:
    story = work.story
    if isinstance(story, LocalStory):
        return list(dict.fromkeys([*story.whole.tags[:3], story.place, *story.whole.tags[3:]]))
    first = story.rows[0].story
    return list(dict.fromkeys([first.tags[0], story.region if story.scope == "province" else "Pilgub"]))


def extra_review_entry(work: ExtraWork, status: Status, waiting: str | None) -> ReviewEntry:
    """The page as the review page lists it: its leader and progress for a local page, its region for a round-up."""
    story = work.story
    if isinstance(story, LocalStory):
        view = story.view
        # As a race's entry: the first ticket at the top (the tie flag says when it is shared),
        # the kolom kosong and the TPS counted worded by review/labels.j2.
        top = view.leaders.tickets[0]
        return ReviewEntry(race=work.id, status=status, headline=story.headline,
                           leader=None if top.empty_column else top.short, leader_empty_column=top.empty_column,
                           leader_share=view.leaders.share, tps=(view.tps_reported, view.tps_total, view.progress),
                           data_time=view.timestamp, path=work.path, province=story.code[:2], slug=story.slug,
                           tie=view.tie, waiting=waiting is not None, waiting_path=waiting)
    return ReviewEntry(race=work.id, status=status, headline=story.headline, data_time=story.timestamp,
                       path=work.path, province=story.province_code or None, slug=story.slug,
                       waiting=waiting is not None, waiting_path=waiting)
