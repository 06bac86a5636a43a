"""Editorial decisions, tested without Jinja."""

from __future__ import annotations

import pytest

from generator.pipeline import apply_overrides
from generator.sources.files import read_file
from generator.story import build_story, link_stories, slugify

from .conftest import EXAMPLE_DATA


@pytest.fixture(scope="module")
def stories(config):
    snaps = [apply_overrides(s, config.notes(s.race)) for s in read_file(EXAMPLE_DATA)]
    return {s.race: s for s in link_stories([build_story(s, config) for s in snaps], config)}


def test_kaltim_story(stories):
    story = stories["pkwkp/64"]
    assert story.headline == "Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024"
    assert story.slug == "pilgub-kaltim-2024"
    assert story.race_long == "Pemilihan Gubernur (Pilgub) Kalimantan Timur 2024"
    assert story.leader.full == "H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si."
    assert (story.leader.votes, story.leader.share) == ("962.804", "55,66%")
    assert (story.runner_up.votes, story.runner_up.share, story.runner_up.position) == ("766.850", "44,34%", "kedua")
    assert story.runner_up.incumbent and not story.leader.incumbent
    assert story.incumbent_position == "trailing"
    assert (story.tps_reported, story.tps_total, story.progress) == ("6.048", "6.274", "96,40%")
    assert (story.margin_votes, story.margin_points, story.margin_kind) == ("195.954", "11,32", "clear")
    assert story.data_moment == "Kamis (28/11/2024) pukul 11.15 Wita"
    assert story.kpu_body == "KPU Provinsi Kalimantan Timur"
    assert story.zone == "WITA"


def test_kaltim_breakdown(stories):
    breakdown = stories["pkwkp/64"].breakdown
    assert breakdown.total == "sepuluh"
    first, second = breakdown.leads
    assert (first.ticket, first.count, first.largest, first.largest_votes) == (
        "Rudy Mas'ud-Seno Aji", "delapan", "Kutai Kartanegara", "199.131")
    assert first.names == ""  # too many to list
    assert (second.ticket, second.count, second.names) == ("Isran Noor-Hadi Mulyadi", "dua", "Kota Samarinda dan Mahakam Ulu")


def test_kalteng_is_narrow_and_has_four_tickets(stories):
    story = stories["pkwkp/62"]
    assert story.ticket_count == "empat"
    assert [t.number for t in story.tickets] == [3, 2, 1, 4]
    assert [t.position for t in story.others] == ["ketiga", "keempat"]
    assert story.margin_kind == "narrow" and story.margin_points == "1,32"
    assert story.zone == "WIB" and story.data_moment.endswith("pukul 10.15 WIB")
    # Name override from config/races.yaml
    assert story.tickets[2].short == "Willy M Yoseph-Habib Ismail"


def test_baca_juga_links_siblings_by_real_headline(stories):
    kaltim = stories["pkwkp/64"]
    assert [link.url for link in kaltim.links] == ["/pilkada-2024/pilgub-kalteng-2024/", "/pilkada-2024/pilgub-kaltara-2024/"]
    assert kaltim.links[0].headline == stories["pkwkp/62"].headline
    for story in stories.values():
        assert story.slug not in {link.url.strip("/").split("/")[-1] for link in story.links}


def test_links_are_only_to_races_in_the_run(config):
    snaps = read_file(EXAMPLE_DATA)[:1]
    (story,) = link_stories([build_story(snaps[0], config)], config)
    assert story.links == ()


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Pilgub Kaltim 2024", "pilgub-kaltim-2024"), ("Pilbup Penajam Paser Utara 2024", "pilbup-penajam-paser-utara-2024"),
     ("Pilwalkot Bau-Bau 2024", "pilwalkot-bau-bau-2024"), ("Pilbup Pangkajene dan Kepulauan 2024", "pilbup-pangkajene-dan-kepulauan-2024")],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
