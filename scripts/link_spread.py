"""How widely the "Baca Juga" links of a night spread over each province's regent/mayor races.

Usage::

    python scripts/link_spread.py ARTICLES_DIR        # a folder newsgen generate wrote
    python scripts/link_spread.py --tree TREE_DIR     # a Sirekap object-store tree (every race a candidate)

For each province it prints the share of the siblings' articles (the province's other
regent/mayor articles) that link each regent/mayor race, most linked first, and the
maximum; then the national maximum over provinces with 10 or more regent/mayor races,
which the desk's rule keeps at or below 30% (``generator.links.SPREAD_LIMIT``). Links to
governor races are not counted: every regent/mayor article links its own on purpose.
Exit code 1 when that limit is passed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from generator.config import Config, load_config  # noqa: E402
from generator.errors import FetchError  # noqa: E402
from generator.fetch import Fetched  # noqa: E402
from generator.links import SPREAD_LIMIT, link_stories, link_url  # noqa: E402
from generator.models import RaceSnapshot  # noqa: E402
from generator.phrases import Phrases  # noqa: E402
from generator.sources.live import Selection, collect  # noqa: E402
from generator.sources.read import built  # noqa: E402
from generator.story import Story, build_story  # noqa: E402

#: Provinces with at least this many regent/mayor races are held to the limit.
LARGE_PROVINCE = 10
_LINK = re.compile(r"^\*\*Baca Juga:\*\* \[.*\]\((?P<url>[^)]+)\)\s*$", re.MULTILINE)


@dataclass
class Night:
    """Each article's race, kind and the races its "Baca Juga" lines point to."""

    kinds: dict[str, str] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)


def regional(race: str) -> bool:
    return race.startswith("pkwkk/")


def province(race: str) -> str:
    return race.split("/")[1][:2]


def spread(night: Night) -> dict[str, dict[str, float]]:
    """Per province, each regent/mayor race's share of its siblings' articles that link it."""
    writers: dict[str, list[str]] = defaultdict(list)
    for race in night.links:
        if regional(race):
            writers[province(race)].append(race)
    out: dict[str, dict[str, float]] = {}
    for code, races in sorted(writers.items()):
        shares = {}
        for target in sorted({t for r in races for t in night.links[r] if regional(t)} | set(races)):
            siblings = [r for r in races if r != target]
            linking = sum(1 for r in siblings if target in night.links[r])
            shares[target] = linking / len(siblings) if siblings else 0.0
        out[code] = shares
    return out


def worst(night: Night, *, at_least: int = LARGE_PROVINCE) -> float:
    """The largest share in any province with ``at_least`` regent/mayor articles."""
    shares = spread(night)
    sizes = {code: sum(1 for r in night.links if regional(r) and province(r) == code) for code in shares}
    return max((max(s.values(), default=0.0) for code, s in shares.items() if sizes[code] >= at_least), default=0.0)


def from_stories(stories: list[Story], config: Config) -> Night:
    """The night of linked stories (their links resolved back to race codes by URL)."""
    by_url = {link_url(s, config): s.race for s in stories}
    return Night(kinds={s.race: s.kind for s in stories},
                 links={s.race: [by_url[link.url] for link in s.links] for s in stories})


def from_articles(folder: Path) -> Night:
    """The night as written: each ``*.md`` with a race in its front matter, links matched by slug."""
    pages: dict[str, tuple[str, str, str]] = {}  # race -> (kind, slug, body)
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n") or "\n---\n" not in text[4:]:
            continue
        head, body = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(head) or {}
        params = meta.get("params") if isinstance(meta.get("params"), dict) else meta
        race = params.get("race") if isinstance(params, dict) else None
        if isinstance(race, str) and isinstance(meta.get("slug"), str):
            pages[race] = ("gubernur" if race.startswith("pkwkp/") else "regional", meta["slug"], body)
    by_slug = {slug: race for race, (_, slug, _) in pages.items()}
    night = Night()
    for race, (kind, _, body) in pages.items():
        night.kinds[race] = kind
        night.links[race] = [target for url in _LINK.findall(body)
                             for target in [by_slug.get(p) for p in re.split(r"[/.]", url)] if target]
    return night


class TreeSource:
    """A Sirekap object-store tree (files by path) served to :func:`collect` without HTTP."""

    def __init__(self, files: Mapping[str, bytes], base_url: str = "https://sirekappilkada-obj-data.kpu.go.id") -> None:
        self.base_url = base_url
        self.files = {path.strip("/"): body for path, body in files.items()}

    async def get(self, path: str) -> Fetched:
        body = self.files.get(path.strip("/"))
        if body is None:
            error = FetchError("not in the tree", where=path)
            error.status = 404  # type: ignore[attr-defined]
            raise error
        return Fetched(path=path, url=f"{self.base_url}/{path.strip('/')}", body=body, status=200)


def snapshots_from_tree(files: Mapping[str, bytes]) -> list[RaceSnapshot]:
    """Every race of the tree that can be read."""
    _, items = asyncio.run(collect(TreeSource(files), Selection()))
    return [item for item in built(items) if isinstance(item, RaceSnapshot)]


def stories_from_tree(files: Mapping[str, bytes], config: Config) -> list[Story]:
    """Every race of the tree as a story, linked with every race a candidate (``published=None``)."""
    phrases = Phrases.load()
    stories = [build_story(snapshot, config, phrases) for snapshot in snapshots_from_tree(files)]
    return link_stories(stories, config)


def report(night: Night) -> list[str]:
    lines = []
    for code, shares in spread(night).items():
        writers = sum(1 for r in night.links if regional(r) and province(r) == code)
        ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
        top = ranked[0][1] if ranked else 0.0
        listed = ", ".join(f"{race.split('/')[1]} {share:.0%}" for race, share in ranked if share > 0)
        lines.append(f"{code}: {writers} regent/mayor articles; max {top:.0%}; {listed}")
    lines.append(f"max over provinces with {LARGE_PROVINCE}+ regent/mayor articles: {worst(night):.0%} "
                 f"(limit {SPREAD_LIMIT:.0%})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the spread of Baca Juga links over each province's "
                                                 "regent/mayor races. Example: python scripts/link_spread.py out/")
    parser.add_argument("articles", type=Path, nargs="?", help="a folder of generated articles")
    parser.add_argument("--tree", type=Path, help="a Sirekap object-store tree (scripts/make_synthetic_tree.py)")
    args = parser.parse_args(argv)
    if (args.articles is None) == (args.tree is None):
        parser.error("give either ARTICLES_DIR or --tree TREE_DIR")
    if args.tree is not None:
        files = {p.relative_to(args.tree).as_posix(): p.read_bytes() for p in args.tree.rglob("*.json")}
        config = load_config()
        night = from_stories(stories_from_tree(files, config), config)
    else:
        night = from_articles(args.articles)
    for line in report(night):
        print(line)
    return 1 if worst(night) > SPREAD_LIMIT + 1e-9 else 0


if __name__ == "__main__":
    raise SystemExit(main())
