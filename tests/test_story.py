"""Editorial decisions, tested without Jinja."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys

import pytest

from generator.decide import apply_overrides
from generator.links import link_stories
from generator.phrases import Phrases
from generator.sources.files import read_file
from generator.story import DESCRIPTION_MAX, SEO_TITLE_MAX, Link, Previous, build_story, slugify
from tests.support.synthetic_tree import iter_tree

from .conftest import EXAMPLE_DATA, REPO, SHARED, needs_shared

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
    assert story.headline == "Rudy-Seno Memimpin Perolehan Suara Sementara Pilgub Kaltim 2024"
    assert (story.scenario, story.situation, story.progress_kind) == ("contest", "clear", "mid")
    assert story.slug == "pilgub-kaltim-2024"
    assert story.race_long == "Pemilihan Gubernur (Pilgub) Kalimantan Timur 2024"
    assert story.leader.full == "H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si."
    assert (story.leader.votes, story.leader.share) == ("962.804", "55,66%")
    assert (story.runner_up.votes, story.runner_up.share, story.runner_up.position) == ("766.850", "44,34%", "kedua")
    assert story.runner_up.tickets[0].incumbent and not story.leader.incumbent
    assert story.incumbency == "trailing"
    assert [(p.name, p.office, p.period) for p in story.incumbents] == [
        ("Isran Noor", "Gubernur Kalimantan Timur", "2018-2023"),
        ("Hadi Mulyadi", "Wakil Gubernur Kalimantan Timur", "2018-2023")]
    assert (story.tps_reported, story.tps_total, story.progress) == ("6.048", "6.274", "96,39%")
    f = story.facts
    assert (f.margin_votes, f.margin_points, f.margin_kind, f.outcome) == ("195.954", "11,32", "clear", "leading")
    assert not f.reversible and not f.early and not f.final
    assert story.data_moment == "Kamis (28/11/2024) pukul 11.15 Wita"
    assert story.kpu_body == "KPU Provinsi Kalimantan Timur"
    assert story.zone == "WITA"


def test_kaltim_breakdown(stories):
    breakdown = stories["pkwkp/64"].breakdown
    assert breakdown.total == "10"  # house style: digits from 10
    first, second = breakdown.leads
    # "8 dari 10": the first lead's count takes the style of the total it is told with.
    assert (first.ticket, first.count, first.largest, first.largest_votes) == (
        "Rudy-Seno", "8", "Kutai Kartanegara", "199.131")
    assert first.names == ""  # too many to list
    assert (second.ticket, second.count, second.names) == ("Isran-Hadi", "dua", "Kota Samarinda dan Mahakam Ulu")


def test_kalteng_is_narrow_and_has_four_tickets(stories):
    story = stories["pkwkp/62"]
    assert story.ticket_count == "empat"
    assert [t.number for t in story.tickets] == [3, 2, 1, 4]
    assert [g.position for g in story.others] == ["ketiga", "keempat"]
    assert story.facts.margin_kind == "narrow" and story.facts.margin_points == "1,32"
    assert story.zone == "WIB" and story.data_moment.endswith("pukul 10.15 WIB")
    assert story.tickets[2].short == "Willy-Habib"  # readers' names from config/races.yaml


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


def test_kaltara_incumbents_are_people_on_two_tickets(stories):
    """Zainal Paliwang is governor; his running mate holds no office; Yansen TP, on another
    ticket, is the sitting vice-governor. Neither ticket is "the incumbent"."""
    story = stories["pkwkp/65"]
    assert story.ticket_count == "tiga"
    assert story.incumbency == "rivals"
    assert [(p.name, p.role, p.position, p.ticket) for p in story.incumbents] == [
        ("Zainal Paliwang", "kepala", "head", 2), ("Yansen TP", "wakil", "head", 3)]
    assert [t.short for t in story.tickets] == ["Zainal-Ingkong", "Yansen-Suratno", "Sulaiman-Adri"]
    assert [t.share for t in story.tickets] == ["58,87%", "28,88%", "12,25%"]
    assert story.facts.margin_kind == "clear"  # 29,99 points: just under the landslide line


def test_an_incumbent_on_no_candidate_ticket_is_a_config_error(config, phrases, tmp_path):
    from generator.config import load_config
    from generator.errors import ConfigError

    (tmp_path / "races.yaml").write_text(
        "races:\n  pkwkk/1971:\n    incumbents:\n    - {name: Maulan Aklil, ticket: 1, position: head, role: kepala,"
        " office: Wali Kota Pangkalpinang, period: 2018-2023, source: 'https://example.org/x'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="incumbent Maulan Aklil is given ticket 1"):
        story_of("real-count-kota-pangkalpinang", load_config(tmp_path), phrases)


def test_single_ticket_far_ahead(config, phrases):
    story = story_of("real-count-kota-samarinda", config, phrases)
    assert (story.scenario, story.situation) == ("single_ticket", "single_leads")
    assert (story.facts.majority_rule, story.facts.majority_side) == ("single_ticket", "above")
    assert story.leader.short == "Andi Harun-Saefuddin Zuhri" and story.leader.number == 2
    assert story.runner_up.tickets[0].empty_column and story.runner_up.tickets[0].short == "kolom kosong"
    assert story.runner_up.tickets[0].full == "kolom kosong"  # never a pasangan, never names
    assert story.ticket_count == "satu"
    assert "Kolom Kosong" in story.headline and "Andi Harun-Saefuddin Zuhri" in story.headline
    assert story.region == "Kota Samarinda" and story.race_short == "Pilwalkot Samarinda 2024"
    assert story.kpu_body == "KPU Kota Samarinda"


@pytest.mark.parametrize("name", ["real-count-kota-pangkalpinang", "recap-kota-pangkalpinang", "quick-count-kota-pangkalpinang"])
def test_empty_column_ahead(config, phrases, name):
    story = story_of(name, config, phrases)
    assert story.situation == "empty_leads" and story.leader.empty_column
    assert story.facts.majority_side == "below"
    assert story.runner_up.tickets[0].short == "Maulan Aklil-Masagus Hakim" and story.runner_up.tickets[0].incumbent
    assert story.incumbency == "trailing"
    assert story.headline.startswith(("Kolom Kosong", "Hitung Cepat Universitas Pertiba: Kolom Kosong"))


def test_empty_column_wins_the_recap(config, phrases):
    story = story_of("recap-kota-pangkalpinang", config, phrases)
    assert story.headline == "Kolom Kosong Menang di Pilwalkot Pangkalpinang 2024, Pemilihan Akan Diulang"  # the place once
    assert (story.leader.share, story.leader.votes, story.runner_up.share) == ("57,98%", "48.528", "42,02%")
    assert story.recap.date == "Rabu (4/12/2024)" and "KPU Kota Pangkalpinang" in story.recap.plenary
    assert story.progress_kind == "complete"
    assert (story.facts.outcome, story.caveat) == ("rerun", "official_recap_rerun")


def test_quick_count_keeps_published_shares(config, phrases):
    story = story_of("quick-count-kota-pangkalpinang", config, phrases)
    assert story.stage == "quick_count"
    assert story.quick_count.institute == "Universitas Pertiba"
    assert [t.share for t in story.tickets] == ["57,90%", "42,10%"]


def test_landslide_three_tickets(config, phrases):
    story = story_of("real-count-kutai-kartanegara", config, phrases)
    assert (story.facts.margin_kind, story.facts.margin_points) == ("landslide", "46,58")
    assert "Telak" in story.headline
    assert story.region == "Kabupaten Kutai Kartanegara" and story.race_short == "Pilbup Kutai Kartanegara 2024"


def test_dki_one_round_just_above_the_bar(config, phrases):
    story = story_of("recap-dki-jakarta", config, phrases)
    f = story.facts
    assert (story.two_round, f.outcome, story.caveat) == ("one_round", "winner", "official_recap")
    assert (f.majority_side, f.majority_gap, f.majority_close) == ("above", "0,07", True)
    assert (story.leader.short, story.leader.share, story.leader.votes) == ("Pramono-Rano", "50,07%", "2.183.239")


def test_dki_recap_second_round(config, phrases):
    story = story_of("recap-dki-second-round", config, phrases)
    assert (story.facts.outcome, story.situation, story.caveat) == (
        "second_round", "second_round", "official_recap_second_round")


def test_dki_early_count_announces_nothing(config, phrases):
    story = story_of("synthetic-dki-early-second-round", config, phrases)
    assert (story.two_round, story.situation, story.progress_kind) == ("second_round", "early", "early")
    assert story.facts.early and story.progress == "11,99%"
    assert "caution" in story.phrases


@pytest.mark.parametrize(("name", "caveat"), [("recap-tie", "official_recap_tie_rule_daerah"),
                                              ("recap-four-way-tie", "official_recap_tie_rule_gubernur")])
def test_recap_tie_follows_the_statutory_rule(config, phrases, name, caveat):
    story = story_of(name, config, phrases)
    assert (story.facts.outcome, story.caveat, story.tie) == ("tie_rule", caveat, True)


def test_tie_at_the_top(config, phrases):
    story = story_of("synthetic-tie", config, phrases)
    assert story.tie and story.situation == "tie" and story.facts.margin_kind == "tie"
    assert [t.rank for t in story.tickets] == [1, 1]
    assert story.incumbency == "tied"  # a tie is neither a lead nor a defeat for the incumbent
    assert "margin" not in story.phrases


def test_three_tickets_tied_share_one_rank(config, phrases):
    story = story_of("real-count-three-way-tie", config, phrases)
    assert story.situation == "tie_many" and story.headline.startswith("Tiga Pasangan Imbang")
    assert [t.position for t in story.tickets] == ["pertama"] * 3 and story.runner_up is None


def test_tie_for_second_is_one_group(config, phrases):
    story = story_of("real-count-tie-for-second", config, phrases)
    assert not story.tie and story.runner_up.tied and story.runner_up.count == "dua"
    assert [g.position for g in story.others] == ["keempat"]  # two tickets share second place


def test_lead_smaller_than_what_is_still_out(config, phrases):
    story = story_of("update-leader-change-berau", config, phrases, with_previous=True)
    f = story.facts
    assert (f.margin_kind, f.margin_points, f.margin_votes) == ("narrow", "0,52", "660")
    assert f.reversible and f.outstanding_tps == "17"  # a count in running text (count_words)


def test_quick_count_inside_its_margin_of_error(config, phrases):
    story = story_of("quick-count-too-close", config, phrases)
    assert story.facts.too_close and story.situation == "too_close"
    assert "Unggul" not in story.headline


def test_quick_count_at_the_fifty_percent_bar(config, phrases):
    story = story_of("quick-count-dki-threshold-open", config, phrases)
    assert story.facts.majority_open and story.facts.majority_gap == "0,01"


def test_aceh_is_run_by_kip(config, phrases):
    story = story_of("real-count-aceh", config, phrases)
    assert story.kpu_body == "KIP Aceh"


def test_progress_never_rounds_up_to_all(config, phrases):
    story = story_of("real-count-one-tps-missing", config, phrases)
    assert story.progress == "99,98%" and story.progress_kind == "mid"


def test_narrow_update_with_leader_change(config, phrases):
    story = story_of("update-leader-change-berau", config, phrases, with_previous=True)
    assert story.update.change == "changed"
    assert story.update.previous_leader == "Madri Pani-Agus Wahyudi"
    assert (story.update.previous_tps, story.update.previous_progress) == ("120", "25,26%")
    assert story.update.moment == "Kamis (28/11/2024) pukul 10.15 Wita"


def test_update_without_leader_change(config, phrases):
    story = story_of("update-kaltim", config, phrases, with_previous=True)
    assert story.update.change == "kept"
    assert story.update.previous_moment == "Kamis (28/11/2024) pukul 02.00 Wita"
    assert story.update.previous_tps == "5.979"


def test_no_update_note_for_the_same_or_older_data(config, phrases):
    story = story_of("update-kaltim", config, phrases, index=0, with_previous=True)
    assert story.update is None


def test_wording_is_stable_per_race_and_varies_between_races(config, phrases, stories):
    from generator.decide import apply_overrides as overrides

    snap = read_file(EXAMPLE_DATA)[0]
    again = build_story(overrides(snap, config.notes(snap.race)), config, phrases)
    assert again.phrases == stories[snap.race].phrases
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


def test_place_names_follow_config(config):
    """KPU's "PALANGKARAYA" is written "Palangka Raya" (regions.yaml places), in regions and rows."""
    from generator.decide import apply_overrides as overrides

    snap = read_file(EXAMPLE_DATA)[1]
    assert snap.race == "pkwkp/62" and any(r.name == "Kota Palangkaraya" for r in snap.sub_regions)
    fixed = overrides(snap, config.notes(snap.race), config.regions)
    assert [r.name for r in fixed.sub_regions if "Palangka" in r.name] == ["Kota Palangka Raya"]
    assert config.regions.place("Palangkaraya") == "Palangka Raya"
    assert config.regions.place("Kabupaten Kotawaringin Barat") == "Kabupaten Kotawaringin Barat"


def test_a_broken_short_form_is_never_printed_and_flags_the_race(config, phrases, tmp_path):
    """KPU's "H. MIRWAN MS, S.E., M.Sc." gives "Mirwan MS": MS may be a degree. The full
    name stands in, the race is flagged for an editor, and an override clears the flag."""
    from generator.decide import name_flags
    from generator.sources import make_ticket

    ticket = make_ticket("1", 1, "H. MIRWAN MS, S.E., M.Sc. - BAIKHAKI, S.Pd.")
    assert ticket.head_short == ticket.head and ticket.head_short_problem.startswith("'Mirwan MS'")
    snap = read_file(EXAMPLE_DATA)[1]
    broken = snap.model_copy(update={"tickets": (ticket.model_copy(update={"id": snap.tickets[0].id,
                                                                            "number": snap.tickets[0].number}),
                                                 *snap.tickets[1:])})
    (flag,) = name_flags(broken)
    assert "field tickets.1.head_short" in flag and "races.yaml" in flag
    story = build_story(broken, config, phrases)
    assert "Mirwan MS" not in story.headline.replace(ticket.head, "")
    from generator.config import TicketOverride

    notes = config.notes(snap.race).model_copy(update={"tickets": {1: TicketOverride(head_short="Mirwan")}})
    assert name_flags(apply_overrides(broken, notes)) == ()


# --------------------------------------------------------------------------- search and tag pages


def test_tags_name_each_candidate_and_the_places(config, phrases):
    kaltim, _, _ = (build_story(s, config, phrases) for s in read_file(EXAMPLE_DATA))
    assert kaltim.tags == ("Pilkada 2024", "Pilgub Kaltim", "Kalimantan Timur",
                           "Rudy Mas'ud", "Seno Aji", "Isran Noor", "Hadi Mulyadi")
    samarinda = story_of("real-count-kota-samarinda", config, phrases)
    assert samarinda.tags[:4] == ("Pilkada 2024", "Pilwalkot Samarinda", "Kota Samarinda", "Kalimantan Timur")


def test_seo_title_is_the_headline_or_a_shorter_one(config, phrases):
    kaltim, _, kaltara = (build_story(s, config, phrases) for s in read_file(EXAMPLE_DATA))
    assert len(kaltim.headline) > 70
    assert kaltim.seo_title == "Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024"
    assert kaltara.seo_title == kaltara.headline
    assert kaltim.description == ("Hasil sementara Pilgub Kaltim 2024: Rudy Mas'ud-Seno Aji meraih 55,66% suara "
                                  "berdasarkan data 96,39% TPS. Simak rincian perolehan suaranya.")


def _national_stories(config, phrases):
    spec = importlib.util.spec_from_file_location("link_spread", REPO / "scripts/link_spread.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["link_spread"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return [build_story(s, config, phrases) for s in module.snapshots_from_tree(dict(iter_tree(SHARED)))]


@needs_shared
def test_national_search_fields_fit_and_tags_are_people(config, phrases):
    stories = _national_stories(config, phrases)
    assert len(stories) == 545
    for story in stories:
        assert 0 < len(story.seo_title) <= SEO_TITLE_MAX, story.race
        assert 0 < len(story.description) <= DESCRIPTION_MAX, story.race
        assert story.seo_title == story.headline or len(story.headline) > SEO_TITLE_MAX, story.race
        pairs = {t.short for t in story.tickets if not t.empty_column and "-" in t.short}
        assert not pairs & set(story.tags), story.race
        assert not any("," in tag for tag in story.tags), story.race  # never a name with its degrees
    shortened = [s for s in stories if s.seo_title != s.headline]
    assert len(shortened) > 400  # most headlines are longer than a search result shows
    assert len({s.seo_title for s in stories}) == len(stories)  # the race is in every title
    tags = [tag for s in stories for tag in s.tags]
    assert sum("." in tag for tag in tags) <= 5  # KPU's "Dg."/"Dj." without a short form from an editor
    assert not {t.short for s in stories for t in s.tickets if "-" in t.short} & set(tags)


def test_a_headline_too_long_for_its_names_falls_back_to_one_naming_no_pair(phrases):
    from generator.story import HEADLINE_MAX, _unnamed

    assert HEADLINE_MAX == 120
    assert _unnamed(phrases, "quick_count", "narrow", False) == "headline.quick_count.narrow_unnamed"
    assert _unnamed(phrases, "real_count", "tie", True) == "headline.real_count.tie_unnamed"
    assert _unnamed(phrases, "official_recap", "clear", False) == "headline.official_recap.unnamed"
    # Every fallback is worded for any race and institute, and names no pair.
    for key in (k for k in phrases.variants if k.startswith("headline.") and k.endswith("unnamed")):
        text = phrases.pick(key, "pkwkk/6403", race="Pilbup Berau 2024", institute="Lembaga Survei Etam")
        assert len(text) <= HEADLINE_MAX and "{" not in text, key


def test_an_incumbent_whose_name_is_not_on_the_ticket_is_left_out_and_flagged(tmp_path):
    """races.yaml puts Kaltim's former governor on ticket 2, which is Rudy-Seno's: the article
    ties his office to nobody and the review page says why (never "Isran Noor" as Rudy Mas'ud)."""
    from generator.config import load_config
    from generator.pipeline import generate
    from generator.writer import split_front_matter

    (tmp_path / "races.yaml").write_text(
        "races:\n  pkwkp/64:\n    incumbents:\n    - {name: Isran Noor, ticket: 2, position: head, role: kepala,"
        " office: Gubernur Kalimantan Timur, period: 2018-2023, source: 'https://example.org/x'}\n", encoding="utf-8")
    out = tmp_path / "out"
    report = generate(read_file(EXAMPLE_DATA), load_config(tmp_path), out)
    assert report.exit_code == 0 and not report.held_back
    body = split_front_matter((out / "pilgub-kaltim-2024" / "index.md").read_text(encoding="utf-8"))[1]
    assert "Gubernur Kalimantan Timur periode" not in body and "petahana" not in body.lower()
    review = (report.state / "review.md").read_text(encoding="utf-8")
    assert "Petahana tidak cocok dengan nomor urut" in review
    assert ("race pkwkp/64: field races.pkwkp/64.incumbents.0: incumbent Isran Noor (Gubernur Kalimantan Timur) is "
            "given as the candidate of nomor urut 2, but the data names H. Rudy Mas'ud, S.E., M.E. there, so the "
            "article leaves out the office; correct the incumbent's ticket, position or name in races.yaml") in review


@pytest.mark.parametrize(("name", "person", "same"), [
    ("Zainal Paliwang", "Dr. H. Zainal A. Paliwang, S.H., M.Hum.", True),
    ("Yansen TP", "Dr. Yansen TP, M.Si.", True),  # "TP" is too short to compare; "Yansen" decides
    ("Sri Juniarsih Mas", "Hj. Sri Juniarsih Mas, M.Pd.", True),
    ("Abdul Gani Kasuba", "ABD. GANI KASUBA", True),  # an abbreviation begins the word
    ("Isran Noor", "H. Rudy Mas'ud, S.E., M.E.", False),
    ("Sri Juniarsih Mas", "Sri Wahyuni", False),  # one word in common is not the person
    ("TP", "Dr. Yansen TP, M.Si.", False),  # nothing long enough to compare
])
def test_names_the_person(name, person, same):
    from generator.names import names_the_person

    assert names_the_person(name, person) is same


def test_a_shared_top_in_a_sub_region_is_counted(config, phrases):
    """Malinau's top two tie in the Kaltara recap: the breakdown says so rather than leave it out."""
    b = story_of("recap-turnout-table", config, phrases).breakdown
    assert [(lead.ticket, lead.count) for lead in b.leads] == [("Zainal-Ingkong", "empat")]
    assert [(t.place, t.tickets, t.votes) for t in b.ties] == [("Malinau", "Zainal-Ingkong dan Yansen-Suratno", "19.422")]
    assert (b.total, b.tied, b.no_data) == ("lima", "", "")
