"""Baca Juga choice: the desk's rules, deterministic, never itself, never a race without an article.

The spread over a province's regent/mayor races is measured on the synthetic national
tree with ``scripts/link_spread.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from types import ModuleType

import pytest

from generator.links import SPREAD_LIMIT, LinkTarget, link_stories, link_url, newsworthy
from generator.phrases import Phrases
from generator.sources.files import read_file
from generator.story import build_story
from tests.support.synthetic_tree import build_tree, iter_tree

from .conftest import EXAMPLE_DATA, REPO, SHARED, needs_shared


@pytest.fixture(scope="module")
def base(config):
    phrases = Phrases.load()
    kaltim, kalteng, kaltara = (build_story(s, config, phrases) for s in read_file(EXAMPLE_DATA))
    (samarinda,) = (build_story(s, config, phrases) for s in read_file(REPO / "tests/scenarios/real-count-kota-samarinda.yaml"))
    (jakarta,) = (build_story(s, config, phrases) for s in read_file(REPO / "tests/scenarios/recap-dki-jakarta.yaml"))
    return {"kaltim": kaltim, "kalteng": kalteng, "kaltara": kaltara, "samarinda": samarinda, "jakarta": jakarta}


def urls(story):
    return [link.url for link in story.links]


def test_priority_same_province_then_neighbours(config, base):
    stories = {s.race: s for s in link_stories(list(base.values()), config)}
    # Kaltim: the most relevant neighbour's governor race (Kalteng 62), then its capital's mayor race.
    assert urls(stories["pkwkp/64"]) == ["/pilkada-2024/pilgub-kalteng-2024/", "/pilkada-2024/pilwalkot-samarinda-2024/"]
    # Samarinda: the governor race of its province first.
    assert urls(stories["pkwkk/6472"])[0] == "/pilkada-2024/pilgub-kaltim-2024/"
    # Jakarta is on another island and no neighbour of these: no link at all.
    assert urls(stories["pkwkp/31"]) == []


def test_limit_and_order_are_deterministic(config, base):
    shuffled = [base["kaltara"], base["jakarta"], base["samarinda"], base["kalteng"], base["kaltim"]]
    first = {s.race: urls(s) for s in link_stories(list(base.values()), config)}
    second = {s.race: urls(s) for s in link_stories(shuffled, config)}
    assert first == second
    assert all(len(u) <= config.publication.baca_juga_max for u in first.values())


def test_link_text_is_the_real_headline(config, base):
    stories = {s.race: s for s in link_stories(list(base.values()), config)}
    for story in stories.values():
        for link in story.links:
            target = next(s for s in stories.values() if link.url.endswith(f"/{s.slug}/"))
            assert link.headline == target.headline
            assert target.race != story.race


def test_url_pattern_is_configurable(config, base):
    pub = config.publication.model_copy(update={"link_pattern": "https://prokal.co/{section}/{race}/{slug}.html", "baca_juga_max": 3})
    custom = replace(config, publication=pub)
    story = next(s for s in link_stories(list(base.values()), custom) if s.race == "pkwkp/64")
    assert urls(story) == ["https://prokal.co/pilkada-2024/pkwkp/62/pilgub-kalteng-2024.html",
                           "https://prokal.co/pilkada-2024/pkwkk/6472/pilwalkot-samarinda-2024.html",
                           "https://prokal.co/pilkada-2024/pkwkp/65/pilgub-kaltara-2024.html"]


# --------------------------------------------------------------------------- the national tree


def _script() -> ModuleType:
    """scripts/link_spread.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("link_spread", REPO / "scripts/link_spread.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["link_spread"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spread_script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def tree() -> dict[str, bytes]:
    return dict(iter_tree(SHARED))


@pytest.fixture(scope="module")
def national(spread_script, tree, config):
    """All 545 races as stories, linked with every race a candidate (``published=None``)."""
    return {s.race: s for s in spread_script.stories_from_tree(tree, config)}


def races_linked(story, by_url):
    return [by_url[link.url] for link in story.links]


@needs_shared
def test_national_spread_keeps_every_sibling_under_the_limit(spread_script, national, config):
    night = spread_script.from_stories(list(national.values()), config)
    shares = spread_script.spread(night)
    sizes = {code: sum(1 for r in national if r.startswith(f"pkwkk/{code}")) for code in shares}
    large = [code for code, size in sizes.items() if size >= 10]
    assert len(large) >= 20 and "35" in large  # Jatim: 38 regent/mayor races
    for code in large:
        assert max(shares[code].values()) <= SPREAD_LIMIT, (code, shares[code])
    assert spread_script.worst(night) <= SPREAD_LIMIT
    # The old choice sent 37 of 38 Jatim articles to Pilbup 3501; now the links spread.
    assert shares["35"].get("pkwkk/3501", 0.0) <= SPREAD_LIMIT
    assert sum(1 for share in shares["35"].values() if share > 0) >= 4


@needs_shared
def test_national_governor_links_neighbours_and_the_capital(national, config):
    by_url = {link_url(s, config): s.race for s in national.values()}
    for race, story in national.items():
        if story.kind != "gubernur":
            continue
        here = config.province(race[6:])
        neighbours = [f"pkwkp/{code}" for code in here.neighbours if f"pkwkp/{code}" in national]
        linked = races_linked(story, by_url)
        if neighbours:
            assert linked[0] == neighbours[0], race  # the most relevant neighbour first
    assert races_linked(national["pkwkp/64"], by_url) == ["pkwkp/62", "pkwkk/6472"]  # Kalteng; Kota Samarinda
    # "Kota Palangkaraya" in KPU's list is the capital "Palangka Raya" of regions.yaml.
    assert races_linked(national["pkwkp/62"], by_url)[1] == "pkwkk/6271"
    # Kaltara's capital, Tanjung Selor, has no mayor race: no kota is taken for it.
    assert not any(r.startswith("pkwkk/657") for r in races_linked(national["pkwkp/65"], by_url))
    # Jatim: Jateng and Bali, the first two of its neighbours (its capital's kota is synthetic here).
    assert races_linked(national["pkwkp/35"], by_url) == ["pkwkp/33", "pkwkp/51"]


@needs_shared
def test_national_regent_and_mayor_links_governor_then_a_sibling(national, config):
    by_url = {link_url(s, config): s.race for s in national.values()}
    linked_by: dict[str, int] = {}
    for race, story in national.items():
        linked = races_linked(story, by_url)
        assert race not in linked and len(set(linked)) == len(linked) == config.publication.baca_juga_max
        if story.kind == "gubernur":
            continue
        governor = f"pkwkp/{race[6:8]}"
        if governor in national:  # DIY has no governor race
            assert linked[0] == governor, race
            assert linked[1].startswith(f"pkwkk/{race[6:8]}"), race  # a sibling in the same province
        for target in linked:
            linked_by[target] = linked_by.get(target, 0) + 1
    # The newsworthy siblings (close races, kolom kosong) are the ones chosen first.
    chosen = [r for r, s in national.items() if s.kind != "gubernur" and newsworthy(s)]
    assert len(chosen) >= 20
    assert all(linked_by.get(r, 0) >= 1 for r in chosen)


@needs_shared
def test_national_choice_is_deterministic_and_only_links_published_races(national, config):
    stories = list(national.values())
    again = {s.race: s.links for s in link_stories(stories[::-1], config)}
    assert again == {r: s.links for r, s in national.items()}
    published = {r for r in national if int(r[-1]) % 2 == 0}
    urls = {link_url(national[r], config) for r in published}
    for story in link_stories(stories, config, published=published):
        assert {link.url for link in story.links} <= urls


@needs_shared
def test_a_held_back_capital_is_still_linked(national, config):
    """Kota Samarinda held back (its article still there): Kaltim still links it, found by its slug."""
    samarinda = national["pkwkk/6472"]
    rest = [s for r, s in national.items() if r != "pkwkk/6472"]
    kept = LinkTarget(samarinda.race, samarinda.kind, samarinda.headline, samarinda.slug)
    kaltim = next(s for s in link_stories(rest, config, targets=[kept]) if s.race == "pkwkp/64")
    assert [link.url for link in kaltim.links][1] == "/pilkada-2024/pilwalkot-samarinda-2024/"


@needs_shared
def test_script_prints_the_spread_of_a_tree(spread_script, tmp_path, capsys):
    build_tree(SHARED, tmp_path)
    assert spread_script.main(["--tree", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "max over provinces with 10+ regent/mayor articles: 30% (limit 30%)"
    jatim = next(line for line in lines if line.startswith("35: "))
    assert jatim.startswith("35: 38 regent/mayor articles; max 30%; ")


def test_script_reads_a_folder_of_articles(spread_script, tmp_path, capsys):
    """Articles as written: the race from the front matter, links matched to articles by slug."""
    def page(race, slug, *links):
        lines = "".join(f"**Baca Juga:** [x](/pilkada-2024/{target}/)\n\n" for target in links)
        return f"---\ntitle: x\nslug: {slug}\nparams:\n  race: {race}\n---\n\nTeks.\n\n{lines}"

    slugs = {f"pkwkk/64{n:02}": f"pilbup-{n}-2024" for n in range(1, 12)}
    for race, slug in slugs.items():
        target = "pilbup-1-2024" if race != "pkwkk/6401" else "pilbup-2-2024"
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "index.md").write_text(page(race, slug, "pilgub-kaltim-2024", target), encoding="utf-8")
    assert spread_script.main([str(tmp_path)]) == 1  # ten of ten siblings link Pilbup 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("64: 11 regent/mayor articles; max 100%; 6401 100%, 6402 10%")
    assert lines[-1] == "max over provinces with 10+ regent/mayor articles: 100% (limit 30%)"
