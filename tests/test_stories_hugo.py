"""A run with local pages and round-ups builds with the real Hugo, cleanly, every link resolving.

As tests/test_hugo.py: the example site is copied, the run is generated into its
content folder with ``output.links: hugo`` (Baca Juga through the site's shortcode) and
``hugo --buildDrafts`` builds it. Every link of every page into the section must land
on a built page: Baca Juga lines, the round-ups' table links and the back links.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest

from generator.config import load_config
from generator.pipeline import generate
from generator.sources.files import read_file

from .conftest import EXAMPLE_DATA, REPO
from .test_hugo import LOG_PROBLEM, SECTION, SITE, hugo_or_skip, parse_page

ALL = frozenset({"races", "local", "kecamatan", "roundups"})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    hugo = hugo_or_skip()
    tmp = tmp_path_factory.mktemp("hugo-stories")
    site = tmp / "site"
    shutil.copytree(SITE, site, ignore=shutil.ignore_patterns("content", "public", "resources", ".hugo_build.lock"))
    content = site / "content" / SECTION
    config = load_config()
    output = config.publication.output.model_copy(update={"links": "hugo"})
    config = replace(config, publication=config.publication.model_copy(update={"output": output}))
    items = [*read_file(EXAMPLE_DATA)[:2], *read_file(REPO / "tests/stories/kaltim-local.yaml")[1:]]
    report = generate(items, config, content, state=tmp / "state", stories=ALL)
    assert report.exit_code == 0 and not report.held_back, report.summary()
    public = tmp / "public"
    result = subprocess.run([hugo, "--buildDrafts", "--source", str(site), "--destination", str(public),
                             "--cacheDir", str(tmp / "cache")], capture_output=True, text=True, timeout=120,
                            check=False)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    return content, public, log


def test_build_has_no_warnings(built):
    _, _, log = built
    assert not LOG_PROBLEM.search(log), log


def test_every_page_is_built_and_every_link_resolves(built):
    content, public, _ = built
    slugs = sorted(p.parent.name for p in content.glob("*/index.md"))
    assert "pilgub-kaltim-2024-balikpapan" in slugs and "hasil-pilkada-2024-kaltim" in slugs
    assert "hasil-pilgub-2024-seluruh-indonesia" in slugs and "pilbup-berau-2024-tanjung-redeb" in slugs
    checked = 0
    for slug in slugs:
        page = public / SECTION / slug / "index.html"
        assert page.is_file(), slug
        for href in parse_page(page).hrefs:
            if href.startswith(f"/{SECTION}/"):
                assert (public / href.strip("/") / "index.html").is_file(), f"{slug}: {href} has no page"
                checked += 1
    assert checked >= len(slugs)
    # The links the issue asks for, as readers see them.
    hrefs = set(parse_page(public / SECTION / "pilgub-kaltim-2024-balikpapan" / "index.html").hrefs)
    assert {f"/{SECTION}/pilgub-kaltim-2024/", f"/{SECTION}/pilwalkot-balikpapan-2024/"} <= hrefs
    back = set(parse_page(public / SECTION / "pilwalkot-balikpapan-2024" / "index.html").hrefs)
    assert f"/{SECTION}/pilgub-kaltim-2024-balikpapan/" in back
    kecamatan = set(parse_page(public / SECTION / "pilbup-berau-2024-tanjung-redeb" / "index.html").hrefs)
    assert {f"/{SECTION}/pilbup-berau-2024/", f"/{SECTION}/pilgub-kaltim-2024-berau/"} <= kecamatan
    table = set(parse_page(public / SECTION / "hasil-pilkada-2024-kaltim" / "index.html").hrefs)
    assert {f"/{SECTION}/pilgub-kaltim-2024/", f"/{SECTION}/pilbup-berau-2024/"} <= table
