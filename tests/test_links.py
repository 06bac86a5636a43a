"""Baca Juga choice: deterministic, by closeness, never itself."""

from __future__ import annotations

from dataclasses import replace

import pytest

from generator.links import link_stories
from generator.phrases import Phrases
from generator.sources.files import read_file
from generator.story import build_story

from .conftest import EXAMPLE_DATA, REPO


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
    # Kaltim: its own regional race first, then neighbouring provinces (Kalteng 62, Kaltara 65).
    assert urls(stories["pkwkp/64"]) == ["/pilkada-2024/pilwalkot-samarinda-2024/", "/pilkada-2024/pilgub-kalteng-2024/"]
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
    assert urls(story)[0] == "https://prokal.co/pilkada-2024/pkwkk/6472/pilwalkot-samarinda-2024.html"
    assert len(story.links) == 3
