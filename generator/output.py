"""Where each article lives in the output folder, what its front matter says,
and the manifest newsgen keeps about them in its state folder.

Layouts (``publication.yaml`` ``output.layout``), all stable per race::

    bundle   <slug>/index.md         <slug>/chart.svg   Hugo page bundles, Astro
    flat     <slug>.md               <slug>.svg         one file per article (Hugo: examples/hugo-flat)
    dated    2024-11-28-<slug>.md    <slug>/chart.svg   a Jekyll collection; the date of first publication

The chart sits where the page's own URL (``/<section>/<slug>/``) makes
``chart.svg`` resolve in the bundle and dated layouts. The dated layout is for a
Jekyll collection, not ``_posts``: Jekyll reads every date-named file in
``_posts`` as a post and ignores everything else there, so no chart could be
published from it (examples/jekyll).

The manifest (``manifest.json``: every race with its status, path and hashes, and
every file newsgen wrote with its sha256) lives in the state folder outside the
output folder (:mod:`generator.state`), beside the review page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config
from .errors import OutputError
from .formatting import to_zone
from .models import RaceSnapshot, share
from .updates import Previous
from .writer import Writer, front_matter, split_front_matter

if TYPE_CHECKING:
    from .story import Story

#: In the state folder (see :mod:`generator.state`), never in the output folder.
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Placement:
    article: str  # path relative to the output folder
    chart: str | None
    chart_url: str | None


def placement(slug: str, config: Config, date: str | None) -> Placement:
    """File names of one race's article and chart."""
    out = config.publication.output
    if out.layout == "bundle":
        article, chart = f"{slug}/index.md", f"{slug}/chart.svg"
    elif out.layout == "flat":
        article, chart = f"{slug}.md", f"{slug}.svg"
    else:
        # The chart is not date-named: Jekyll would read a date-named file as an article.
        article, chart = f"{(date or '')[:10]}-{slug}.md", f"{slug}/chart.svg"
    if not out.charts:
        return Placement(article, None, None)
    return Placement(article, chart, out.chart_url.format(file=Path(chart).name, slug=slug))


def find_existing(writer: Writer, slug: str, config: Config) -> str | None:
    """The relative path of this slug's article from an earlier run, if any."""
    if config.publication.output.layout == "dated":
        matches = sorted(writer.folder.glob(f"????-??-??-{slug}.md"))
        return matches[-1].relative_to(writer.folder).as_posix() if matches else None
    relative = placement(slug, config, None).article
    return relative if (writer.folder / relative).exists() else None


@dataclass(frozen=True)
class Existing:
    """What the article already on disk says about itself."""

    path: str
    date: str | None
    lastmod: str | None
    aliases: tuple[str, ...]
    current: Previous | None  # the data it was written from
    previous: Previous | None  # the data its update note compared with
    published: bool = False  # an editor published it (draft: false, or Jekyll's published: true)


def previous_from_params(params: object) -> Previous | None:
    if not isinstance(params, dict):
        return None
    try:
        return Previous(
            timestamp=datetime.fromisoformat(str(params["data_timestamp"])),
            tps_reported=int(params["tps_reported"]),
            tps_total=int(params["tps_total"]),
            votes={int(k): int(v) for k, v in dict(params["results"]).items()},
        )
    except (KeyError, TypeError, ValueError):
        return None


def read_existing(writer: Writer, relative: str) -> Existing | None:
    """Front matter of an article written by an earlier run (None if absent or foreign)."""
    text = writer.read_existing(relative)
    if text is None:
        return None
    try:
        meta, _ = split_front_matter(text)
    except (OutputError, ValueError):
        return None
    params = meta.get("params") if isinstance(meta, dict) else None
    if not isinstance(params, dict):
        return None
    aliases = meta.get("aliases") or []
    return Existing(
        path=relative,
        date=str(meta["date"]) if meta.get("date") else None,
        lastmod=str(meta["lastmod"]) if meta.get("lastmod") else None,
        aliases=tuple(str(a) for a in aliases) if isinstance(aliases, list) else (),
        current=previous_from_params(params),
        previous=previous_from_params(params.get("previous")),
        published=meta.get("draft") is False or meta.get("published") is True,
    )


def article_head(
    story: Story,
    snapshot: RaceSnapshot,
    config: Config,
    *,
    now: datetime,
    existing: Existing | None,
    aliases: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> str:
    """The front matter of one article (described by ``generator/schemas/front-matter.schema.json``).

    ``date`` is the first publication and never moves; ``lastmod`` moves only
    when the data of the race changed. Both are ISO 8601 strings, quoted: every
    YAML reader gets the same text (Hugo and Jekyll read it as a date; an Astro
    schema coerces it, see examples/astro).
    """
    pub = config.publication
    local_now = to_zone(now, story.zone).isoformat()
    same_data = existing is not None and existing.current == Previous.from_snapshot(snapshot)
    date = (existing.date if existing and existing.date else None) or local_now
    lastmod = (existing.lastmod if same_data and existing and existing.lastmod else None) or local_now
    params: dict[str, Any] = {
        "race": snapshot.race,
        "stage": snapshot.stage.value,
        "data_timestamp": snapshot.timestamp.isoformat(),
        **_figures(snapshot),
        "source_url": snapshot.source_url,
        "data_sha256": snapshot.data_sha256,
        "newsgen_version": __version__,
    }
    if flags:
        params["review_flags"] = list(flags)
    if story.update and story.previous:
        params["previous"] = story.previous.as_params()
    if story.chart:
        params["chart"] = story.chart.url
    data: dict[str, Any] = {
        "title": story.headline,
        "seo_title": story.seo_title,
        "description": story.description,
        "slug": story.slug,
        "date": date,
        "lastmod": lastmod,
        "draft": True,
        "summary": story.summary,
        "author": pub.author,
        "tags": list(story.tags),
        "categories": list(pub.categories),
    }
    if aliases:
        data["aliases"] = list(aliases)
    if pub.output.layout == "dated":
        # Jekyll's own spellings: it ignores `draft` and redirects with jekyll-redirect-from.
        data["published"] = False
        if aliases:
            data["redirect_from"] = list(aliases)
    data["params"] = params
    return front_matter(data)


def _figures(snapshot: RaceSnapshot) -> dict[str, Any]:
    """The figures in front matter: votes and TPS of a count, or a quick count's shares and method."""
    tickets = sorted(snapshot.tickets, key=lambda t: t.number)
    qc = snapshot.quick_count
    if qc is None:
        return {"tps_reported": snapshot.tps_reported, "tps_total": snapshot.tps_total,
                "results": {str(t.number): snapshot.votes[t.id] for t in tickets}}
    method: dict[str, Any] = {"institute": qc.institute}
    if qc.sample_tps is not None:
        method["sample_tps"] = qc.sample_tps
    if qc.margin_of_error is not None:
        method["margin_of_error"] = str(qc.margin_of_error)
    if qc.data_in is not None:
        method["data_in"] = str(qc.data_in)
    # Quick counts publish shares (kept as hundredths of a percent): written as percentages.
    shares = {str(t.number): str(share(snapshot.votes[t.id], snapshot.total_votes)) for t in tickets}
    return {"shares": shares, "quick_count": method}


@dataclass(frozen=True)
class ManifestEntry:
    race: str
    status: str  # written | unchanged | held_back | no_data
    path: str | None = None
    slug: str | None = None
    headline: str | None = None
    data_timestamp: str | None = None
    data_sha256: str | None = None
    #: Hash of everything the text depends on; the same one next run means "not re-rendered".
    fingerprint: str | None = None
    flags: tuple[str, ...] = ()
    reason: str | None = None
    kind: str | None = None  # gubernur | bupati | walikota (for links to a held-back race)
    chart: str | None = None  # the chart's path, when the race has one
    #: An editor changed the article: newsgen's update waits in the state folder (pending/<path>).
    waiting: str | None = None
    #: Hash of every input byte of the race and of the run's settings: the same next run
    #: (and the article still on disk) means nothing to do.
    input_key: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ManifestEntry:
        """An entry of an earlier manifest (unknown keys left out)."""
        known: dict[str, Any] = {k: (tuple(v) if k == "flags" else v) for k, v in data.items()
                                 if k in cls.__dataclass_fields__}
        return cls(**known)

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if v not in (None, ())}
        if self.flags:
            out["flags"] = list(self.flags)
        return out


def _manifest(state: Writer) -> dict[str, Any]:
    text = state.read_existing(MANIFEST)
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def load_manifest(state: Writer) -> dict[str, dict[str, Any]]:
    """The manifest of the previous run, by race ({} when there is none)."""
    articles = _manifest(state).get("articles", [])
    if not isinstance(articles, list):
        return {}
    return {str(e["race"]): e for e in articles if isinstance(e, dict) and "race" in e}


def load_files(state: Writer) -> dict[str, str]:
    """Every file newsgen wrote into the output folder, with the sha256 of what it wrote."""
    files = _manifest(state).get("files", {})
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items() if isinstance(v, str)}


def manifest_text(entries: list[ManifestEntry], files: dict[str, str]) -> str:
    body = {
        "generator": f"newsgen {__version__}",
        "articles": [e.as_json() for e in sorted(entries, key=lambda e: e.race)],
        "files": dict(sorted(files.items())),
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _comparable(text: str | None) -> object:
    """A manifest with 'written' read as 'unchanged': a rerun that changed no
    article leaves the manifest untouched."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    for entry in data.get("articles", []):
        if entry.get("status") == "written":
            entry["status"] = "unchanged"
    return data


def write_manifest(state: Writer, entries: list[ManifestEntry], files: dict[str, str]) -> bool:
    """Write the manifest unless it only differs by written/unchanged."""
    text = manifest_text(entries, files)
    if _comparable(state.read_existing(MANIFEST)) == _comparable(text):
        return False
    state.write_text(MANIFEST, text)
    return True
