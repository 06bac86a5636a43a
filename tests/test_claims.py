"""The claim check: the text of every article against its story's facts.

Each of the false sentences found when the first round's output was read as an
election desk would is here twice: as a sentence the claim check refuses, and
as a sentence no generated article prints.
"""

from __future__ import annotations

import re
import shutil
import string
import sys
from pathlib import Path

import pytest

from generator.claims import _LEAD, Sentence, check_claims, fold
from generator.config import load_config
from generator.decide import apply_overrides
from generator.phrases import Phrases
from generator.pipeline import generate
from generator.render import Renderer
from generator.sources.files import read_file
from generator.story import build_story

from .conftest import REPO

SCENARIOS = REPO / "tests" / "scenarios"


@pytest.fixture(scope="module")
def phrases():
    return Phrases.load()


def story_of(name: str, config, phrases):
    snap = read_file(SCENARIOS / f"{name}.yaml")[-1]
    return build_story(apply_overrides(snap, config.notes(snap.race)), config, phrases)


def rules(story, headline: str, body: str) -> list[str]:
    return [c.rule for c in check_claims(story, headline, body)]


def article(name: str, config, phrases) -> tuple[object, str]:
    story = story_of(name, config, phrases)
    return story, Renderer(config).body(story)


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
def test_every_scenario_article_is_true_to_its_facts(config, phrases, name):
    story, body = article(name, config, phrases)
    assert check_claims(story, story.headline, body) == []


# -- the wrong sentences of the first round, each refused ------------------------------


def test_a_tied_incumbent_called_trailing(config, phrases):
    story, body = article("synthetic-tie", config, phrases)
    wrong = body + "\nMeski berstatus petahana, Sri Juniarsih Mas-Gamalis tertinggal dari Madri Pani-Agus Wahyudi.\n"
    assert "a sole leader claimed in a tie" not in rules(story, story.headline, wrong)
    assert "'petahana' said of no incumbent person" in rules(story, story.headline, wrong) or \
        "a tied incumbent called trailing" in rules(story, story.headline, wrong)


def test_a_sole_leader_in_a_tie(config, phrases):
    story, body = article("synthetic-tie", config, phrases)
    assert rules(story, "Madri Pani-Agus Wahyudi Unggul Sementara di Pilbup Berau 2024", body) == [
        "a sole leader claimed in a tie"]


def test_a_lead_for_the_wrong_ticket(config, phrases):
    story, body = article("update-kaltim", config, phrases)
    assert rules(story, "Isran-Hadi Unggul Sementara di Pilgub Kaltim 2024", body) == [
        "a lead claimed for a ticket that is not at the top"]


def test_a_winner_announced_from_a_count(config, phrases):
    story, body = article("update-kaltim", config, phrases)
    assert rules(story, "Rudy-Seno Menangi Pilgub Kaltim 2024", body) == ["a final result claimed from a count"]


def test_a_recap_called_provisional(config, phrases):
    story, body = article("recap-clear", config, phrases)
    assert "an official recap called provisional" in rules(story, "Rudy-Seno Unggul Sementara di Pilgub Kaltim 2024",
                                                           body)


def test_every_tps_claimed_too_early(config, phrases):
    story, body = article("real-count-one-tps-missing", config, phrases)
    wrong = body + "\nAngka tersebut dihimpun dari seluruh 6.274 TPS (100,00%).\n"
    assert rules(story, story.headline, wrong) == ["every TPS claimed while some are still out"]


def test_a_quick_count_attributed_to_kpu(config, phrases):
    story, body = article("quick-count-kota-pangkalpinang", config, phrases)
    wrong = body + "\n*Naskah ini disusun otomatis oleh newsgen dari data resmi KPU.*\n"
    assert rules(story, story.headline, wrong) == ["a quick count attributed to KPU's data"]


def test_kpu_named_in_aceh(config, phrases):
    story, body = article("real-count-aceh", config, phrases)
    wrong = body + "\nHasil resmi baru diumumkan KPU Provinsi Aceh.\n"
    assert rules(story, story.headline, wrong) == ["Aceh's elections are run by KIP, not KPU"]


def test_a_consequence_from_an_early_count(config, phrases):
    story, body = article("real-count-early-kolom-kosong", config, phrases)
    wrong = body + "\nBila hasil ini bertahan, Kota Pangkalpinang harus menggelar pemilihan ulang.\n"
    assert rules(story, story.headline, wrong) == ["a consequence announced from an early count"]


def test_a_lead_inside_the_margin_of_error(config, phrases):
    story, body = article("quick-count-too-close", config, phrases)
    assert rules(story, "Hitung Cepat Lembaga Survei Borneo: Agustiar-Edy Unggul di Pilgub Kalteng 2024", body) == [
        "a lead claimed inside a quick count's margin of error"]


def test_the_whole_ticket_called_incumbent(config, phrases):
    story, body = article("update-kaltim", config, phrases)
    wrong = body + "\nPasangan Rudy-Seno yang merupakan petahana tetap kuat.\n"
    assert rules(story, story.headline, wrong) == ["'petahana' said of no incumbent person"]


# -- a deliberately wrong template sentence holds the race back ---------------------


def test_a_wrong_template_sentence_holds_the_race_back(tmp_path: Path):
    """A templates folder whose basis paragraph always says the leader won: every count is
    held back by the claim check, with the sentence quoted; nothing is written."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates" / "id", templates)
    basis = templates / "paragraphs" / "basis.md.j2"
    original = basis.read_text(encoding="utf-8")
    wrong = original.replace('{{ story.phrases["basis"] }}',
                             '{{ leader.short }} memenangi pemilihan. {{ story.phrases["basis"] }}')
    assert wrong != original
    basis.write_text(wrong, encoding="utf-8")
    config = load_config()
    out = tmp_path / "out"
    report = generate(read_file(REPO / "examples" / "data" / "kalimantan-pilgub-2024-11-28.yaml"), config, out,
                      renderer=Renderer(config, templates))
    assert report.exit_code == 1 and not report.written
    messages = [p.reason for p in report.held_back]
    assert len(messages) == 3
    assert all("claim check: a final result claimed from a count" in m and "memenangi pemilihan" in m
               for m in messages)
    assert not any(out.glob("*/index.md"))


# -- what no generated article says ---------------------------------------------------

#: Each false sentence of the first round, with the situation it was false in.
FALSE_SENTENCES = [
    ("synthetic-tie", "tertinggal dari"),
    ("synthetic-tie", "Madri Pani-Agus Wahyudi Unggul"),
    ("real-count-three-way-tie", "Posisi ketiga"),
    ("real-count-tie-for-second", "Posisi ketiga ditempati"),
    ("recap-dki-second-round", "Langkah berikutnya adalah penetapan pasangan calon terpilih"),
    ("recap-tie", "Langkah berikutnya adalah penetapan pasangan calon terpilih"),
    ("real-count-one-tps-missing", "100,00%"),
    ("real-count-one-tps-missing", "seluruh 6.274 TPS"),
    ("quick-count-kota-pangkalpinang", "dari data resmi KPU"),
    ("quick-count-kota-pangkalpinang", "lembaga survei"),
    ("quick-count-kota-pangkalpinang", "tps_reported: 1"),
    ("real-count-aceh", "KPU Provinsi Aceh"),
    ("real-count-early-kolom-kosong", "harus menggelar pemilihan ulang"),
    ("quick-count-too-close", "Agustiar-Edy Unggul"),
    ("recap-dki-jakarta", "unggul dengan"),
    ("update-kaltim", "para penantangnya"),
]


def test_a_lead_smaller_than_what_is_out_is_called_reversible(tmp_path):
    """Berau: 660 votes ahead with 17 TPS still out, which may hold more than that."""
    report = generate(read_file(SCENARIOS / "update-leader-change-berau.yaml"), load_config(), tmp_path)
    (path,) = tmp_path.glob("*/index.md")
    text = path.read_text(encoding="utf-8")
    assert report.exit_code == 0
    assert ("Selisih 660 suara yang dimiliki Sri Juniarsih Mas-Gamalis belum aman: dengan rata-rata suara per TPS "
            "sejauh ini, 17 TPS yang datanya belum masuk diperkirakan memuat suara sah lebih banyak") in text
    assert "urutan teratas masih bisa berbalik" in text


@pytest.mark.parametrize(("name", "sentence"), FALSE_SENTENCES)
def test_no_false_sentence_of_the_first_round(tmp_path, name, sentence):
    report = generate(read_file(SCENARIOS / f"{name}.yaml"), load_config(), tmp_path)
    assert report.exit_code == 0, report.held_back
    (path,) = tmp_path.glob("*/index.md")
    assert sentence not in path.read_text(encoding="utf-8")


def test_a_sub_region_whose_name_starts_with_a_digit_is_still_a_sub_region_lead(config, phrases, tmp_path):
    """Padang Pariaman's kecamatan "2 X 11 Enam Lingkung": "Y unggul di 2 X 11 Enam Lingkung" is
    where Y led, not a claim that Y leads the race (which held the race back)."""
    text = (SCENARIOS / "recap-turnout-table.yaml").read_text(encoding="utf-8")
    text = text.replace('name: NUNUKAN, tps: {reported: 455, total: 455}, votes: {1: 10255, 2: 59177, 3: 29262}',
                        'name: 2 X 11 ENAM LINGKUNG, tps: {reported: 455, total: 455}, votes: {1: 10255, 2: 29262, 3: 59177}')
    assert "2 X 11 ENAM LINGKUNG" in text
    path = tmp_path / "digit.yaml"
    path.write_text(text, encoding="utf-8")
    snap = read_file(path)[-1]
    story = build_story(apply_overrides(snap, config.notes(snap.race)), config, phrases)
    body = Renderer(config).body(story)
    assert "unggul di 2 X 11 Enam Lingkung" in body
    assert check_claims(story, story.headline, body) == []


def test_calon_tunggal_names_the_single_ticket(config, phrases):
    """A headline that names no pair ("Calon Tunggal Unggul ... atas Kolom Kosong", the fallback
    when the pair's names run past 120 characters) claims the lead for the single ticket: true
    when it leads (it held 23 kecamatan pages back), false when the kolom kosong leads."""
    story, body = article("real-count-kolom-kosong-table", config, phrases)
    leads = "Calon Tunggal Unggul Sementara atas Kolom Kosong di Samarinda Ulu pada Pilwalkot Samarinda 2024"
    trails = "Kolom Kosong Unggul Sementara atas Calon Tunggal di Samarinda Ulu pada Pilwalkot Samarinda 2024"
    assert rules(story, leads, body) == []
    assert rules(story, trails, body) == ["a lead claimed for a ticket that is not at the top"]
    story, body = article("real-count-early-kolom-kosong", config, phrases)
    assert rules(story, trails, body) == []
    assert rules(story, leads, body) == ["a lead claimed for a ticket that is not at the top"]


def test_the_pre_check_finds_every_letter_ignorecase_finds():
    """Words.search looks for its words in fold(sentence) before it runs the case-insensitive
    regex: fold must turn every character re.IGNORECASE matches to an ASCII letter into that
    letter, one for one, or a claim spelled with such a character would slip past."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if letter.fullmatch(char):
            (same,) = [c for c in string.ascii_lowercase if re.fullmatch(c, char, re.IGNORECASE)]
            assert fold(char) == same, (hex(code), fold(char))
    assert fold("MENYALİP") == "menyalip" and fold("\u212aIP") == "kip"


@pytest.mark.parametrize("sentence", ["Pasangan itu UNGGUL.", "Pasangan itu ungguL sementara.",
                                      "Pasangan ini memımpin.", "Dia menang\u017fe.", "Dia MEMENANGİ pemilihan."])
def test_the_word_lists_match_as_ignorecase_does(sentence):
    text = sentence
    found = _LEAD.regex.search(text) is not None
    assert _LEAD.search(Sentence(text, fold(text))) == found
    assert found == bool(re.search(r"\b(unggul|memimpin|memenangi|menangi|menang|menyalip|posisi teratas)\b",
                                   text, re.IGNORECASE))
