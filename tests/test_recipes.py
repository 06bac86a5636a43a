"""Every recipe in examples/ builds newsgen's articles with the real tool, as a newsroom would.

For each site (Hugo page bundles, Hugo flat, Jekyll, Astro 5) the recipe is copied to a
temporary folder and newsgen writes the example night into it the way the recipe's README
says (its --out, its layout, a state folder outside the site). An editor publishes one
article (``draft: false``; Jekyll: ``published: true``) and newsgen runs again. Then the
site is built twice, once per module:

- production: the published article is there with its chart; no draft article, no draft's
  chart, no review page and no manifest anywhere in the site, and no link to a page that
  was not built;
- with drafts: every article is a page with its headline, its chart's URL resolves to the
  built chart, and every "Baca Juga" link lands on a built page.

The Astro site also holds articles of every other kind (quick count, recap, an update with
``previous``, review flags, aliases) so its strict schema meets every field newsgen writes.
The Decap CMS config is checked against the front matter schema and generated articles.

Hugo, Jekyll and Astro's node_modules are installed by ``.ci/run``; a missing tool skips its
recipe locally and fails on CI (``CI`` set).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator.config import Config, load_config
from generator.pipeline import generate
from generator.sources.files import read_file
from generator.story import slugify
from generator.writer import split_front_matter
from generator.yamlsafe import safe_load

from .conftest import EXAMPLE_DATA, REPO

EXAMPLES = REPO / "examples"
SECTION = "pilkada-2024"
PUBLISHED = "pilgub-kaltim-2024"  # the article the editor publishes
SLUGS = {"pilgub-kaltim-2024", "pilgub-kalteng-2024", "pilgub-kaltara-2024"}
#: Articles of every other kind, each in its own --out below the Astro collection.
EXTRA = {
    "quick-count": REPO / "tests" / "scenarios" / "quick-count-clear.yaml",
    "recap": REPO / "tests" / "scenarios" / "recap-clear.yaml",
    "update": REPO / "tests" / "scenarios" / "update-kaltim.yaml",
    "flagged": REPO / "tests" / "corpus" / "above-voter-roll.yaml",
}
BOOKKEEPING = re.compile(r"review|manifest|_newsgen|pending", re.IGNORECASE)
TEXT = {".html", ".svg", ".xml", ".json", ".txt", ".css", ".js"}


def tool_or_skip(name: str, how: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed on CI: .ci/run installs it ({how})")
    pytest.skip(f"{name} is not installed ({how}); CI installs it and runs this recipe")


def with_layout(config: Config, layout: str) -> Config:
    output = config.publication.output.model_copy(update={"layout": layout})
    return replace(config, publication=config.publication.model_copy(update={"output": output}))


class Page(HTMLParser):
    """The <h1> text, links and images of a built page."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.h1: list[str] = []
        self.hrefs: list[str] = []
        self.images: list[str] = []
        self._in_h1 = False
        self.feed(path.read_text(encoding="utf-8"))
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if tag == "img" and found.get("src"):
            self.images.append(str(found["src"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data


@dataclass
class Site:
    """A recipe after newsgen's runs and the two builds."""

    name: str
    root: Path  # the site's folder
    out: Path  # newsgen's --out inside the site
    state: Path  # newsgen's state folder, outside the site
    articles: dict[str, dict[str, Any]]  # front matter by page URL (/pilkada-2024/<slug>/)
    production: Path
    drafts: Path
    log: str

    def page(self, build: Path, url: str) -> Path:
        return build / url.strip("/") / "index.html"


def copy_recipe(recipe: str, tmp: Path) -> Path:
    site = tmp / "site"
    shutil.copytree(EXAMPLES / recipe, site, ignore=shutil.ignore_patterns(
        "node_modules", "dist", ".astro", ".cache", "public", "resources", "_site", ".jekyll-cache", "content", "_pilkada",
        ".hugo_build.lock"))
    return site


def publish(out: Path, layout: str) -> None:
    """What an editor does in the CMS: publish one article."""
    (path,) = [p for p in out.rglob("*.md") if PUBLISHED in p.as_posix() and len(p.relative_to(out).parts) <= 2]
    text = path.read_text(encoding="utf-8")
    if layout == "dated":  # Jekyll ignores `draft`: its switch is `published`
        edited = text.replace("\npublished: false\n", "\npublished: true\n", 1)
    else:
        edited = text.replace("\ndraft: true\n", "\ndraft: false\n", 1)
    assert edited != text, path
    path.write_text(edited, encoding="utf-8")


def night(site: Path, out_relative: str, layout: str, tmp: Path, extra: bool = False) -> tuple[Path, Path]:
    """newsgen into the site as its README says, an editor publishes one article, newsgen runs again."""
    out, state = site / out_relative, tmp / "state"  # the state folder is outside the site
    config = with_layout(load_config(), layout)
    first = generate(read_file(EXAMPLE_DATA), config, out, state=state)
    assert first.exit_code == 0 and len(first.written) == 3, first.summary()
    publish(out, layout)
    again = generate(read_file(EXAMPLE_DATA), config, out, state=state)
    assert again.exit_code == 0 and not again.held_back, again.summary()
    if extra:
        for name, data in EXTRA.items():
            report = generate(read_file(data), config, out / name, state=tmp / f"state-{name}")
            assert report.written and not report.held_back, (name, report.summary())
        # a slug change: the article keeps its earlier URL as an alias
        regions = config.regions.model_copy(deep=True)
        regions.provinces["64"] = regions.provinces["64"].model_copy(update={"short": "Kalimantan Timur"})
        moved = replace(config, regions=regions)
        generate(read_file(EXAMPLE_DATA), config, out / "moved", state=tmp / "state-moved")
        generate(read_file(EXAMPLE_DATA), moved, out / "moved", state=tmp / "state-moved")
    return out, state


def articles_by_url(out: Path) -> dict[str, dict[str, Any]]:
    """Front matter of every article under ``out``, by the URL the recipes give it:
    /pilkada-2024/<folder below --out>/<slug>/."""
    found = {}
    for path in sorted(out.rglob("*.md")):
        front, _ = split_front_matter(path.read_text(encoding="utf-8"))
        folder = path.parent.parent if path.name == "index.md" else path.parent  # bundle: <slug>/index.md
        below = folder.relative_to(out).as_posix()
        found[f"/{SECTION}/{'' if below == '.' else below + '/'}{front['slug']}/"] = front
    return found


def run_tool(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
                            env={**os.environ, **(env or {})})
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{log}"
    return log


# -- the four sites, each built once per module --------------------------------------------


def hugo_site(tmp: Path, recipe: str, layout: str) -> Site:
    hugo = tool_or_skip("hugo", "apt-get install hugo")
    site = copy_recipe(recipe, tmp)
    out, state = night(site, f"content/{SECTION}", layout, tmp)
    flags = ["--panicOnWarning"] if "--panicOnWarning" in run_tool([hugo, "help"], tmp) else []
    logs = []
    for build, more in ((tmp / "production", []), (tmp / "drafts", ["--buildDrafts"])):
        logs.append(run_tool([hugo, *flags, *more, "--source", str(site), "--destination", str(build),
                              "--cacheDir", str(tmp / "cache")], tmp))
    return Site(recipe, site, out, state, articles_by_url(out), tmp / "production", tmp / "drafts", "\n".join(logs))


@pytest.fixture(scope="module")
def hugo_bundle(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return hugo_site(tmp_path_factory.mktemp("hugo-bundle"), "site", "bundle")


@pytest.fixture(scope="module")
def hugo_flat(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return hugo_site(tmp_path_factory.mktemp("hugo-flat"), "hugo-flat", "flat")


@pytest.fixture(scope="module")
def jekyll(tmp_path_factory: pytest.TempPathFactory) -> Site:
    jekyll = tool_or_skip("jekyll", "apt-get install jekyll")
    tmp = tmp_path_factory.mktemp("jekyll")
    site = copy_recipe("jekyll", tmp)
    out, state = night(site, "_pilkada", "dated", tmp)
    logs = [run_tool([jekyll, "build", *more, "--source", str(site), "--destination", str(build)], tmp)
            for build, more in ((tmp / "production", []), (tmp / "drafts", ["--unpublished"]))]
    return Site("jekyll", site, out, state, articles_by_url(out), tmp / "production", tmp / "drafts", "\n".join(logs))


ASTRO_MODULES = EXAMPLES / "astro" / "node_modules"


@pytest.fixture(scope="module")
def astro(tmp_path_factory: pytest.TempPathFactory) -> Site:
    tool_or_skip("node", "apt-get install nodejs npm")
    if not (ASTRO_MODULES / ".bin" / "astro").exists():
        how = "npm ci --prefix examples/astro"
        if os.environ.get("CI"):
            pytest.fail(f"examples/astro/node_modules is missing on CI: .ci/run runs `{how}`")
        pytest.skip(f"Astro is not installed for the recipe (`{how}`); CI installs it and runs this recipe")
    tmp = tmp_path_factory.mktemp("astro")
    site = copy_recipe("astro", tmp)
    (site / "node_modules").symlink_to(ASTRO_MODULES, target_is_directory=True)
    out, state = night(site, f"src/content/{SECTION}", "bundle", tmp, extra=True)
    logs = []
    for build, drafts in ((tmp / "production", "0"), (tmp / "drafts", "1")):
        logs.append(run_tool(["node_modules/.bin/astro", "build"], site,
                             env={"NEWSGEN_DRAFTS": drafts, "ASTRO_TELEMETRY_DISABLED": "1"}))
        (site / "dist").rename(build)
    return Site("astro", site, out, state, articles_by_url(out), tmp / "production", tmp / "drafts", "\n".join(logs))


@pytest.fixture(params=["hugo_bundle", "hugo_flat", "jekyll", "astro"])
def built(request: pytest.FixtureRequest) -> Site:
    site: Site = request.getfixturevalue(request.param)
    return site


# -- checks, the same for every site ---------------------------------------------------------


def files(build: Path) -> list[Path]:
    return sorted(p for p in build.rglob("*") if p.is_file())


def target(build: Path, page_url: str, link: str) -> Path | None:
    """The built file a link or image of the page at ``page_url`` points at (None if outside the site)."""
    link = link.split("#")[0].split("?")[0]
    if re.match(r"^[a-z]+:", link) or link.startswith("//") or not link:
        return None
    path = link if link.startswith("/") else page_url + link
    resolved = build / os.path.normpath(path.lstrip("/"))
    return resolved / "index.html" if path.endswith("/") or resolved.is_dir() else resolved


def spellings(text: str) -> set[str]:
    return {text, html.escape(text, quote=False), html.escape(text).replace("&#x27;", "&#39;")}


def test_newsgen_wrote_only_articles_and_charts_into_the_site(built):
    written = {p.suffix for p in built.out.rglob("*") if p.is_file()}
    assert written == {".md", ".svg"}, written
    assert (built.state / "manifest.json").is_file() and (built.state / "review.html").is_file()
    assert not built.state.is_relative_to(built.root)  # outside the site: never built


def test_no_bookkeeping_in_either_build(built):
    for build in (built.production, built.drafts):
        leaked = [p.relative_to(build).as_posix() for p in files(build)
                  if BOOKKEEPING.search(p.relative_to(build).as_posix())]
        assert leaked == [], f"{built.name}: bookkeeping published"


def test_production_has_the_published_article_with_its_chart(built):
    url = f"/{SECTION}/{PUBLISHED}/"
    page = Page(built.page(built.production, url))
    assert page.h1 == [built.articles[url]["title"]]
    (src,) = page.images
    chart = target(built.production, url, src)
    assert chart is not None and chart.is_file(), f"{built.name}: chart {src} of {url} not built"
    assert "<svg" in chart.read_text(encoding="utf-8")


def test_production_has_no_draft(built):
    """No draft's page, and nothing of a draft (its headline, its URL, its chart) in any built file."""
    published = built.articles[f"/{SECTION}/{PUBLISHED}/"]
    drafts = {url: front for url, front in built.articles.items() if front is not published}
    assert len(drafts) >= 2
    for url in drafts:
        assert not built.page(built.production, url).exists(), f"{built.name}: draft {url} was built"
    # Other kinds of articles of the Astro site may share the published one's headline.
    shown = {url: spellings(front["title"]) - spellings(published["title"]) | {url} for url, front in drafts.items()}
    for path in files(built.production):
        if path.suffix not in TEXT:
            continue
        text = path.read_text(encoding="utf-8")
        for url, words in shown.items():
            assert not any(w in text for w in words), f"{built.name}: {path.relative_to(built.production)} shows draft {url}"


def test_production_links_only_to_built_pages(built):
    for path in files(built.production):
        if path.suffix != ".html":
            continue
        folder = path.parent.relative_to(built.production).as_posix()
        url = "/" if folder == "." else f"/{folder}/"
        for href in Page(path).hrefs:
            found = target(built.production, url, href)
            assert found is None or found.is_file(), f"{built.name}: {url} links {href}, which was not built"


def test_draft_build_has_every_article_with_its_chart(built):
    assert {front["slug"] for front in built.articles.values()} >= SLUGS
    for url, front in built.articles.items():
        path = built.page(built.drafts, url)
        assert path.is_file(), f"{built.name}: no page at {url}"
        page = Page(path)
        assert page.h1 == [front["title"]], url
        (src,) = page.images
        chart = target(built.drafts, url, src)
        assert chart is not None and chart.is_file(), f"{built.name}: chart {src} of {url} not built"
        title = ET.fromstring(chart.read_bytes()).findtext("{http://www.w3.org/2000/svg}title") or ""
        assert slugify(title).endswith(front["slug"]), f"{built.name}: {src} ({title}) is not the chart of {url}"


def test_draft_build_links_resolve(built):
    """The night's articles (the Astro site's other kinds link /pilkada-2024/<slug>/ from a sub-folder)."""
    checked = 0
    for url in (f"/{SECTION}/{slug}/" for slug in sorted(SLUGS)):
        for href in Page(built.page(built.drafts, url)).hrefs:
            found = target(built.drafts, url, href)
            if found is not None and href.startswith(f"/{SECTION}/"):
                assert found.is_file(), f"{built.name}: {url} links {href}, which was not built"
                checked += 1
    assert checked >= 2  # the siblings link the published story at least


def test_builds_are_clean(built):
    problems = [line for line in built.log.splitlines()
                if re.search(r"\b(WARN|ERROR|warning|error|Conflict|deprecat)", line, re.IGNORECASE)]
    assert problems == [], f"{built.name}:\n" + "\n".join(problems)


def test_astro_schema_met_every_kind_of_article(astro):
    """The strict zod schema accepted articles with every optional field newsgen writes."""
    params = [front["params"] for front in astro.articles.values()]
    fronts = list(astro.articles.values())
    assert any("previous" in p for p in params)
    assert any("review_flags" in p for p in params)
    assert any("shares" in p and "quick_count" in p for p in params)
    assert any(p["stage"] == "official_recap" for p in params)
    assert any("aliases" in f for f in fronts)


# -- READMEs say what the tests do ------------------------------------------------------------


@pytest.mark.parametrize(
    ("recipe", "out", "layout"),
    [("site", f"content/{SECTION}", "bundle"), ("hugo-flat", f"content/{SECTION}", "flat"),
     ("jekyll", "_pilkada", "dated"), ("astro", f"src/content/{SECTION}", "bundle")],
)
def test_readme_gives_the_commands_the_test_runs(recipe, out, layout):
    text = (EXAMPLES / recipe / "README.md").read_text(encoding="utf-8")
    assert f"--out {out}" in text and "--state " in text
    assert f"layout: {layout}" in text
    assert "front-matter.schema.json" in text


# -- Decap CMS ---------------------------------------------------------------------------------

DECAP = EXAMPLES / "decap" / "admin" / "config.yml"
SCHEMA = json.loads((REPO / "generator" / "schemas" / "front-matter.schema.json").read_text(encoding="utf-8"))


def decap_collection() -> dict[str, Any]:
    config = safe_load(DECAP.read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    (collection,) = config["collections"]
    return dict(collection)


def schema_fields(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema's fields, nested like Decap's (params' own fields below it)."""
    defs = SCHEMA["$defs"]
    out: dict[str, Any] = {}
    for name, spec in schema["properties"].items():
        spec = defs[spec["$ref"].rsplit("/", 1)[1]] if "$ref" in spec else spec
        out[name] = schema_fields(spec) if name == "params" else spec
    return out


def decap_fields(fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["name"]: decap_fields(f["fields"]) if f.get("widget") == "object" else f for f in fields}


def test_decap_collection_has_every_front_matter_field_in_newsgen_order():
    collection = decap_collection()
    ours = decap_fields(collection["fields"])
    wanted = schema_fields(SCHEMA)
    assert list(ours) == list(wanted)  # Decap writes fields in this order: a save keeps newsgen's order
    assert list(ours["params"]) == list(wanted["params"])


def test_decap_widgets_fit_the_values():
    fields = decap_fields(decap_collection()["fields"])
    assert fields["draft"]["widget"] == fields["published"]["widget"] == "boolean"
    assert fields["date"]["widget"] == fields["lastmod"]["widget"] == "datetime"
    for name in ("tags", "categories", "aliases", "redirect_from"):
        assert fields[name]["widget"] == "list", name
    for name in ("aliases", "published", "redirect_from"):
        assert fields[name]["required"] is False, name  # not in every article
    params = fields["params"]
    assert params["review_flags"]["widget"] == "list"
    # The data newsgen wrote the article from: kept as it is, never edited in the CMS.
    assert {f["widget"] for name, f in params.items() if name != "review_flags"} == {"hidden"}


def test_decap_collection_matches_the_bundle_layout(tmp_path):
    collection = decap_collection()
    assert collection["folder"] == f"content/{SECTION}" and collection["path"] == "{{slug}}/index"
    assert collection["media_folder"] == "" and collection["public_folder"] == ""  # charts beside the article
    assert collection["create"] is False and collection["delete"] is False  # newsgen writes the articles
    generate(read_file(EXAMPLE_DATA), load_config(), tmp_path / "out", state=tmp_path / "state")
    fields = decap_fields(collection["fields"])
    for path in (tmp_path / "out").rglob("index.md"):
        front, _ = split_front_matter(path.read_text(encoding="utf-8"))
        assert path.parent.name == front["slug"]  # {{slug}}/index
        assert set(front) <= set(fields) and set(front["params"]) <= set(fields["params"])
