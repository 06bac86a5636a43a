"""Editorial decisions, tested without Jinja."""

from __future__ import annotations

import dataclasses

import pytest

from generator.links import link_stories
from generator.phrases import Phrases
from generator.decide import apply_overrides
from generator.sources.files import read_file
from generator.story import Link, Previous, build_story, slugify

from .conftest import EXAMPLE_DATA, REPO

SCENARIOS = REPO / "tests" / "scenarios"


@pytest.fixture(scope="module")
def phrases():
    return Phrases.load()


def story_of(name, config, phrases, *, index=-1, with_previous=False):
    snaps = [apply_overrides(s, config.notes(s.race)) for s in read_file(SCENARIOS / f"{name}.yaml")]
    previous = Previous.from_snapshot(snaps[0]) if with_previous else None
    return build_story(snaps[index], config, phrases, previous=previous)


@pytest.fixture(scope="module")
def stories(config, phrases):
    snaps = [apply_overrides(s, config.notes(s.race)) for s in read_file(EXAMPLE_DATA)]
    return {s.race: s for s in link_stories([build_story(s, config, phrases) for s in snaps], config)}


def test_kaltim_story(stories):
    story = stories["pkwkp/64"]
    assert story.headline == "Rudy Mas'ud-Seno Aji Memimpin Perolehan Suara Pilgub Kaltim 2024"
    assert (story.scenario, story.situation, story.progress_kind) == ("contest", "clear", "mid")
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


def test_links_are_only_to_races_in_the_run(config, phrases):
    snaps = read_file(EXAMPLE_DATA)[:1]
    (story,) = link_stories([build_story(snaps[0], config, phrases)], config)
    assert story.links == ()


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Pilgub Kaltim 2024", "pilgub-kaltim-2024"), ("Pilbup Penajam Paser Utara 2024", "pilbup-penajam-paser-utara-2024"),
     ("Pilwalkot Bau-Bau 2024", "pilwalkot-bau-bau-2024"), ("Pilbup Pangkajene dan Kepulauan 2024", "pilbup-pangkajene-dan-kepulauan-2024")],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_kaltara_incumbent_leads_three_tickets(stories):
    story = stories["pkwkp/65"]
    assert story.ticket_count == "tiga"
    assert story.incumbent_position == "leading" and story.leader.incumbent
    assert [t.short for t in story.tickets] == ["Zainal Paliwang-Ingkong Ala", "Yansen TP-Suratno", "Sulaiman-Adri Patton"]
    assert [t.share for t in story.tickets] == ["58,87%", "28,88%", "12,25%"]
    assert story.margin_kind == "clear"  # 29,99 points: just under the landslide line


def test_single_ticket_far_ahead(config, phrases):
    story = story_of("real-count-kota-samarinda", config, phrases)
    assert (story.scenario, story.situation, story.majority) == ("single_ticket", "single_leads", True)
    assert story.leader.short == "Andi Harun-Saefuddin Zuhri" and story.leader.number == 2
    assert story.runner_up.empty_column and story.runner_up.short == "kolom kosong"
    assert story.runner_up.full == "kolom kosong"  # never a pasangan, never names
    assert story.ticket_count == "satu"
    assert "Kolom Kosong" in story.headline and "Andi Harun-Saefuddin Zuhri" in story.headline
    assert story.region == "Kota Samarinda" and story.race_short == "Pilwalkot Samarinda 2024"
    assert story.kpu_body == "KPU Kota Samarinda"


@pytest.mark.parametrize("name", ["real-count-kota-pangkalpinang", "recap-kota-pangkalpinang", "quick-count-kota-pangkalpinang"])
def test_empty_column_ahead(config, phrases, name):
    story = story_of(name, config, phrases)
    assert story.situation == "empty_leads" and story.leader.empty_column
    assert not story.majority or story.leader.empty_column
    assert story.runner_up.short == "Maulan Aklil-Masagus Hakim" and story.runner_up.incumbent
    assert story.incumbent_position == "trailing"
    assert story.headline.startswith(("Kolom Kosong", "Hitung Cepat Universitas Pertiba: Kolom Kosong"))


def test_empty_column_wins_the_recap(config, phrases):
    story = story_of("recap-kota-pangkalpinang", config, phrases)
    assert story.headline == "Kolom Kosong Menang di Pilwalkot Pangkalpinang 2024, Kota Pangkalpinang Gelar Pilkada Ulang"
    assert (story.leader.share, story.leader.votes, story.runner_up.share) == ("57,98%", "48.528", "42,02%")
    assert story.recap.date == "4 Desember 2024" and "KPU Kota Pangkalpinang" in story.recap.plenary
    assert story.progress_kind == "complete"


def test_quick_count_keeps_published_shares(config, phrases):
    story = story_of("quick-count-kota-pangkalpinang", config, phrases)
    assert story.stage == "quick_count"
    assert story.quick_count.institute == "Universitas Pertiba"
    assert [t.share for t in story.tickets] == ["57,90%", "42,10%"]


def test_landslide_three_tickets(config, phrases):
    story = story_of("real-count-kutai-kartanegara", config, phrases)
    assert (story.margin_kind, story.margin_points) == ("landslide", "46,58")
    assert "Telak" in story.headline
    assert story.region == "Kabupaten Kutai Kartanegara" and story.race_short == "Pilbup Kutai Kartanegara 2024"


def test_dki_one_round(config, phrases):
    story = story_of("recap-dki-jakarta", config, phrases)
    assert story.two_round == "one_round" and story.majority
    assert (story.leader.short, story.leader.share, story.leader.votes) == ("Pramono Anung-Rano Karno", "50,07%", "2.183.239")
    assert [t.share for t in story.tickets] == ["50,07%", "39,40%", "10,53%"]


def test_dki_second_round_and_early_count(config, phrases):
    story = story_of("synthetic-dki-early-second-round", config, phrases)
    assert (story.two_round, story.situation, story.progress_kind) == ("second_round", "second_round", "early")
    assert story.progress == "12,00%"
    assert "caution" in story.phrases


def test_tie_at_the_top(config, phrases):
    story = story_of("synthetic-tie", config, phrases)
    assert story.tie and story.situation == "tie" and story.margin_kind == "tie"
    assert [t.rank for t in story.tickets] == [1, 1]
    assert story.incumbent_position == "trailing"  # a tie is no lead for the incumbent
    assert "margin" not in story.phrases


def test_narrow_update_with_leader_change(config, phrases):
    story = story_of("update-leader-change-berau", config, phrases, with_previous=True)
    assert story.margin_kind == "narrow" and story.margin_points == "0,52"
    assert story.update.leader_changed
    assert story.update.previous_leader == "Madri Pani-Agus Wahyudi"
    assert (story.update.previous_tps, story.update.previous_progress) == ("120", "25,26%")
    assert story.update.moment == "Kamis (28/11/2024) pukul 10.15 Wita"


def test_update_without_leader_change(config, phrases):
    story = story_of("update-kaltim", config, phrases, with_previous=True)
    assert not story.update.leader_changed
    assert story.update.previous_moment == "Kamis (28/11/2024) pukul 02.00 Wita"
    assert story.update.previous_tps == "5.979"


def test_no_update_note_for_the_same_or_older_data(config, phrases):
    story = story_of("update-kaltim", config, phrases, index=0, with_previous=True)
    assert story.update is None


def test_complete_count_still_carries_the_caveat(config, phrases):
    story = story_of("real-count-kota-pangkalpinang", config, phrases)
    assert story.progress_kind == "complete" and story.stage == "real_count"
    assert "caution" in story.phrases


def test_wording_is_stable_per_race_and_varies_between_races(config, phrases, stories):
    again = build_story(read_file(EXAMPLE_DATA)[0], config, phrases)
    assert again.phrases == stories["pkwkp/64"].phrases
    assert len({s.phrases["lede"].split(" pasangan")[0] for s in stories.values()}) > 1


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [(5099, 4901, "narrow"), (5100, 4900, "clear"), (6500, 3500, "clear"), (6501, 3499, "landslide"), (5000, 5000, "tie")],
)
def test_margin_thresholds(config, a, b, kind):
    from generator.story import margin_kind

    from .test_models import snapshot

    assert margin_kind(snapshot(votes={"a": a, "b": b}), config) == kind


@pytest.mark.parametrize(("reported", "kind"), [(1254, "early"), (1255, "mid"), (6273, "mid"), (6274, "complete")])
def test_progress_kinds(config, reported, kind):
    from generator.story import progress_kind

    from .test_models import snapshot

    assert progress_kind(snapshot(tps_reported=reported), config) == kind  # 20% of 6.274 = 1.254,8


def test_evolve_is_replace_without_the_constructor(stories):
    story = stories["pkwkp/64"]
    links = (Link("Judul", "/x/"),)
    assert story.evolve(links=links) == dataclasses.replace(story, links=links)
    assert story.evolve(links=links) is not story and story.links != links  # the original is left alone
    with pytest.raises(TypeError, match="no field headlines"):
        story.evolve(headlines="x")
