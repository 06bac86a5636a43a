"""The generated articles build with the real Hugo, cleanly, and link to each other.

The example site in ``examples/site`` is copied to a temporary folder, the example
articles are generated into its ``content/pilkada-2024/`` and ``hugo --buildDrafts``
builds it. The build must exit 0 with no WARN or ERROR line, every article must
become a page showing its headline, and every "Baca Juga" link must land on a
built page. Skipped only where Hugo is missing outside CI; on CI (``CI`` set) a
missing Hugo fails, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.config import load_config
from generator.pipeline import generate
from generator.sources.files import read_file
from generator.writer import split_front_matter

from .conftest import EXAMPLE_DATA, REPO

SITE = REPO / "examples" / "site"
SECTION = "pilkada-2024"
BACA_JUGA = re.compile(r"\*\*Baca Juga:\*\* \[[^\]]+\]\((/[^)\s]+)\)")
LOG_PROBLEM = re.compile(r"^\s*(WARN|ERROR)\b", re.MULTILINE)


def hugo_or_skip() -> str:
    hugo = shutil.which("hugo")
    if hugo is not None:
        return hugo
    if os.environ.get("CI"):
        pytest.fail("hugo is not installed on CI: .ci/run installs the Debian package `hugo` before the tests")
    pytest.skip("hugo is not installed (apt-get install hugo); CI installs it and runs this test")


class PageParser(HTMLParser):
    """The <h1> text and every link of a built page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h1: list[str] = []
        self.hrefs: list[str] = []
        self.images: list[tuple[str, str]] = []
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])
        if tag == "img" and dict(attrs).get("src"):
            self.images.append((dict(attrs)["src"], dict(attrs).get("alt") or ""))

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(articles by slug, built folder, hugo's log) after one real build."""
    hugo = hugo_or_skip()
    tmp = tmp_path_factory.mktemp("hugo")
    site = tmp / "site"
    shutil.copytree(SITE, site, ignore=shutil.ignore_patterns("content", "public", "resources", ".hugo_build.lock"))
    content = site / "content" / SECTION
    config = load_config()  # a Hugo site: Baca Juga as the site's shortcode, which drops links to drafts
    output = config.publication.output.model_copy(update={"links": "hugo"})
    config = replace(config, publication=config.publication.model_copy(update={"output": output}))
    report = generate(read_file(EXAMPLE_DATA), config, content, state=tmp / "state")
    assert report.exit_code == 0 and report.written and not report.held_back, report.summary()

    flags = ["--buildDrafts"]
    help_text = subprocess.run([hugo, "help"], capture_output=True, text=True, check=False).stdout
    if "--panicOnWarning" in help_text:
        flags.append("--panicOnWarning")
    public = tmp / "public"
    result = subprocess.run(
        [hugo, *flags, "--source", str(site), "--destination", str(public), "--cacheDir", str(tmp / "cache")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"hugo failed ({result.returncode}):\n{log}"

    articles = {}
    for path in sorted(content.glob("*/index.md")):
        front, body = split_front_matter(path.read_text(encoding="utf-8"))
        articles[front["slug"]] = (front, body)
    return articles, public, log


def test_build_has_no_warnings_or_errors(built):
    _, _, log = built
    assert not LOG_PROBLEM.search(log), log


def test_every_article_is_a_page_with_its_headline(built):
    articles, public, _ = built
    assert set(articles) == {"pilgub-kaltim-2024", "pilgub-kalteng-2024", "pilgub-kaltara-2024"}
    for slug, (front, _) in articles.items():
        page = public / SECTION / slug / "index.html"
        assert page.is_file(), f"{slug}: no page at /{SECTION}/{slug}/ (built: {sorted(p.name for p in (public / SECTION).iterdir())})"
        assert parse_page(page).h1 == [front["title"]], slug
    home = parse_page(public / "index.html")
    assert {f"/{SECTION}/{slug}/" for slug in articles} <= set(home.hrefs)


def test_baca_juga_links_resolve_to_built_pages(built):
    articles, public, _ = built
    checked = 0
    for slug, (_, body) in articles.items():
        wanted = BACA_JUGA.findall(body)
        hrefs = parse_page(public / SECTION / slug / "index.html").hrefs
        assert set(wanted) <= set(hrefs), f"{slug}: Baca Juga links lost in the build"
        for href in hrefs:
            if not href.startswith(f"/{SECTION}/"):
                continue
            target = public / href.strip("/") / "index.html"
            assert target.is_file(), f"{slug}: link {href} has no built page"
            checked += 1
    assert checked >= len(articles)  # every example article links at least one sibling


def test_apostrophe_name_survives(built):
    """Hugo typesets ' in the body (&rsquo;); the name readers see is still the one we wrote, and the headline too."""
    articles, public, _ = built
    front, body = articles["pilgub-kaltim-2024"]
    assert "H. Rudy Mas'ud, S.E., M.E." in body
    page = public / SECTION / "pilgub-kaltim-2024" / "index.html"
    assert "Rudy Mas&rsquo;ud" in page.read_text(encoding="utf-8")  # Hugo's typographic apostrophe in the body
    assert parse_page(page).h1 == [front["title"]]


def test_chart_is_published_beside_its_page(built):
    """The page bundle's chart.svg is built and the article shows it with alt text."""
    articles, public, _ = built
    for slug in articles:
        page = parse_page(public / SECTION / slug / "index.html")
        (src, alt), = page.images
        assert src == "chart.svg" and alt.startswith("Grafik perolehan suara sementara")
        svg = public / SECTION / slug / src
        assert svg.is_file() and svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
