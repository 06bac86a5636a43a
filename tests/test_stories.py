"""Story types beyond races (issue 19): local pages and round-ups (``--stories``).

Scenarios in ``tests/stories/`` (SYNTHETIC figures) are rendered with every story type;
each local page and round-up is a committed snapshot. The decisions of a local page
(its rank among the province's kab/kota and its difference from the province) are
checked as exact strings; the synthetic national tree gives a page for every kab/kota
with data, 38 province round-ups and one national round-up.
"""

from __future__ import annotations

import re

import pytest

from generator.config import load_config
from generator.errors import ConfigError
from generator.extra import parse_stories
from generator.local import Rank, share_rank
from generator.pipeline import generate
from generator.sources.files import read_file
from generator.writer import split_front_matter

from .conftest import REPO, SHARED, needs_shared

STORIES = sorted((REPO / "tests" / "stories").glob("*.yaml"))
ALL = frozenset({"races", "local", "kecamatan", "roundups"})
#: Race slugs end with the year; local pages and round-ups never do.
RACE_SLUG = re.compile(r"^pil(gub|bup|walkot)-[a-z0-9-]+-\d{4}$")


def pages(out):
    """(slug, text) of every local page and round-up in ``out``."""
    found = []
    for path in sorted(out.glob("*/index.md")):
        if not RACE_SLUG.match(path.parent.name):
            found.append((path.parent.name, path.read_text(encoding="utf-8")))
    return found


def body_of(text):
    return split_front_matter(text)[1]


def test_stories_flag_parses_and_races_are_always_in():
    assert parse_stories(None) == {"races"}
    assert parse_stories("races") == {"races"}
    assert parse_stories("local") == {"races", "local"}
    assert parse_stories("races, local,kecamatan,roundups") == ALL
    with pytest.raises(ConfigError, match=r"--stories: unknown story type\(s\) locals; expected"):
        parse_stories("locals")


def test_default_run_writes_races_only(tmp_path):
    report = generate(read_file(REPO / "tests/stories/kaltim-local.yaml"), load_config(), tmp_path)
    assert report.exit_code == 0
    assert pages(tmp_path) == []
    assert {p.name for p in tmp_path.iterdir()} == {"pilgub-kaltim-2024", "pilbup-berau-2024",
                                                     "pilwalkot-balikpapan-2024"}


@pytest.mark.parametrize("path", STORIES, ids=[p.stem for p in STORIES])
def test_story_pages(tmp_path, md_snapshot, path):
    report = generate(read_file(path), load_config(), tmp_path, stories=ALL)
    assert report.exit_code == 0, report.held_back
    found = pages(tmp_path)
    assert found
    for slug, text in found:
        assert text == md_snapshot(name=slug)
        body = body_of(text)
        assert "pasangan kolom kosong" not in body.lower()
        if "stage: official_recap" not in text:
            assert "belum final" in body


def test_local_pages_only_where_the_count_has_data(tmp_path):
    generate(read_file(REPO / "tests/stories/kaltim-local.yaml"), load_config(), tmp_path, stories=ALL)
    slugs = [slug for slug, _ in pages(tmp_path)]
    assert slugs == ["hasil-pilgub-2024-seluruh-indonesia", "hasil-pilkada-2024-kaltim",
                     "pilbup-berau-2024-gunung-tabur", "pilbup-berau-2024-sambaliung", "pilbup-berau-2024-tanjung-redeb",
                     "pilgub-kaltim-2024-balikpapan", "pilgub-kaltim-2024-berau", "pilgub-kaltim-2024-mahakam-ulu",
                     "pilgub-kaltim-2024-paser", "pilwalkot-balikpapan-2024-balikpapan-kota",
                     "pilwalkot-balikpapan-2024-balikpapan-selatan"]  # no TPS in Kutai Barat, Balikpapan Utara


def test_rank_decisions():
    (snap, *_) = read_file(REPO / "tests/stories/kaltim-local.yaml")
    rows = snap.sub_regions
    rudy, isran = "1000055", "1000054"  # shares of Rudy-Seno: Mahulu 70,59, Paser 60,78, Berau 50,00, Bpp 47,06
    assert share_rank(rows, "6411", rudy) == Rank("top", "pertama", "empat", False)
    assert share_rank(rows, "6401", rudy) == Rank("middle", "kedua", "empat", False)
    assert share_rank(rows, "6471", rudy) == Rank("bottom", "keempat", "empat", False)
    assert share_rank(rows, "6471", isran) == Rank("top", "pertama", "empat", False)


def test_rank_and_difference_sentences(tmp_path):
    """The rank and the difference as readers get them (the variants seeded by each page's id)."""
    generate(read_file(REPO / "tests/stories/kaltim-local.yaml"), load_config(), tmp_path, stories=ALL)
    text = dict(pages(tmp_path))
    paser = body_of(text["pilgub-kaltim-2024-paser"])
    assert ("Diukur dari persentase suara Rudy-Seno, Kabupaten Paser menempati urutan kedua dari empat "
            "kabupaten/kota di Kalimantan Timur yang datanya sudah masuk.") in paser
    assert ("Rudy-Seno juga berada di posisi teratas menurut hasil sementara tingkat provinsi, dengan 52,10% suara. "
            "Perolehan Rudy-Seno di Paser, 60,78%, melampaui perolehannya di tingkat provinsi (52,10%) sebesar 8,68 poin "
            "persentase.") in paser
    balikpapan = body_of(text["pilgub-kaltim-2024-balikpapan"])
    assert ("Kota Balikpapan mencatat persentase suara tertinggi bagi Isran-Hadi di antara empat kabupaten/kota di "
            "Kalimantan Timur yang datanya sudah masuk.") in balikpapan
    assert ("Gambaran di Balikpapan tidak sama dengan hasil sementara tingkat provinsi, tempat Rudy-Seno meraih "
            "suara terbanyak, yakni 52,10%. Persentase suara Isran-Hadi di Balikpapan (52,94%) melampaui "
            "persentasenya di tingkat provinsi (47,90%) dengan selisih 5,04 poin persentase.") in balikpapan
    berau = body_of(text["pilgub-kaltim-2024-berau"])
    assert "urutan" not in berau and "tertinggi" not in berau  # a local tie has no single leader to rank
    assert ("Hasil imbang di Berau berbeda dengan hasil sementara tingkat provinsi, tempat Rudy-Seno meraih "
            "suara terbanyak, yakni 52,10%. Adapun di Berau, Rudy-Seno meraih 50,00%, atau 2,10 poin persentase di "
            "bawah perolehannya di tingkat provinsi (52,10%).") in berau
    tanjung_redeb = body_of(text["pilbup-berau-2024-tanjung-redeb"])  # a kecamatan against a tied race
    assert "tingkat kabupaten" in tanjung_redeb and "sama-sama meraih 50,00% suara" in tanjung_redeb


def test_manifest_and_review_list_the_new_pages(tmp_path):
    import json

    from .conftest import state_of

    generate(read_file(REPO / "tests/stories/kaltim-local.yaml"), load_config(), tmp_path, stories=ALL)
    manifest = json.loads((state_of(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["race"]: e for e in manifest["articles"]}
    assert entries["local/6471"]["slug"] == "pilgub-kaltim-2024-balikpapan"
    assert entries["local/6471"]["kind"] == "local" and entries["local/6471"]["status"] == "written"
    assert entries["roundup/64"]["path"] == "hasil-pilkada-2024-kaltim/index.md"
    assert entries["roundup/0"]["kind"] == "roundup"
    review = (state_of(tmp_path) / "review.md").read_text(encoding="utf-8")
    assert "local/6471" in review and "roundup/64" in review and "roundup/0" in review


def test_data_sha256_names_the_data_a_page_comes_from(tmp_path):
    """A local page carries its race's data digest (as the race story does); a round-up one over
    its races; the manifest says the same; and neither moves when only the wording changes."""
    import json

    from .conftest import state_of

    generate(read_file(REPO / "tests/stories/kaltim-local.yaml"), load_config(), tmp_path, stories=ALL)
    race = front_matter_of(tmp_path / "pilgub-kaltim-2024/index.md")["params"]["data_sha256"]
    local = front_matter_of(tmp_path / "pilgub-kaltim-2024-balikpapan/index.md")["params"]["data_sha256"]
    roundup = front_matter_of(tmp_path / "hasil-pilkada-2024-kaltim/index.md")["params"]["data_sha256"]
    assert local == race and len(roundup) == 64 and roundup != race
    manifest = json.loads((state_of(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["race"]: e for e in manifest["articles"]}
    assert entries["local/6471"]["data_sha256"] == race and entries["roundup/64"]["data_sha256"] == roundup


def front_matter_of(path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_rerun_is_byte_identical(tmp_path):
    items = read_file(REPO / "tests/stories/kaltim-local.yaml")
    generate(items, load_config(), tmp_path, stories=ALL)
    first = {p: p.read_bytes() for p in tmp_path.rglob("*.md")}
    report = generate(items, load_config(), tmp_path, stories=ALL)
    assert not report.written
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.md")} == first


@needs_shared
def test_national_tree_gives_every_local_page_and_round_up(tmp_path):
    """The synthetic national tree: a page for each kab/kota row with data of the 37 governor
    races (508: every kab/kota but DI Yogyakarta's five and the one row without TPS), a page
    for each kecamatan row with data of the 508 regent/mayor races (3,048), 38 province
    round-ups and one national round-up, nothing held back (kecamatan pages of single-ticket
    races whose headline names no pair once were)."""
    from tests.support.synthetic_tree import iter_tree

    from .test_links import _script

    snapshots = _script().snapshots_from_tree(dict(iter_tree(SHARED)))
    report = generate(snapshots, load_config(), tmp_path, stories=ALL)
    assert report.exit_code == 0, [str(p) for p in report.held_back[:3]]
    written = [race for race, _ in report.written]
    assert sum(1 for r in written if re.fullmatch(r"local/\d{4}", r)) == 508
    assert sum(1 for r in written if re.fullmatch(r"local/\d{6}", r)) == 3048
    assert sum(1 for r in written if re.fullmatch(r"roundup/\d{2}", r)) == 38
    assert written.count("roundup/0") == 1
    assert sum(1 for r in written if r.startswith("pk")) == 545
    # The house rule for a night's copy holds for the 508 kab/kota pages too: no sentence
    # skeleton but the caveat in more than a quarter of them.
    from .test_repetition import _script as script

    repetition = script("repetition")
    local = [body_of(path.read_text(encoding="utf-8")) for race, path in report.written
             if re.fullmatch(r"local/\d{4}", race)]
    counter, total = repetition.count(local)
    skeleton, share = repetition.worst(counter, total, repetition.exempt(load_config()))
    assert total == 508 and share <= repetition.LIMIT, (skeleton, share)


@pytest.mark.parametrize("path", STORIES, ids=[p.stem for p in STORIES])
def test_front_matter_and_manifest_follow_the_schemas(tmp_path, path):
    import json

    from .conftest import state_of
    from .test_schemas import FRONT, MANIFEST, as_json, problems

    generate(read_file(path), load_config(), tmp_path, stories=ALL)
    for slug, text in pages(tmp_path):
        assert problems(FRONT, as_json(split_front_matter(text)[0])) == [], slug
    manifest = json.loads((state_of(tmp_path) / "manifest.json").read_text(encoding="utf-8"))
    assert problems(MANIFEST, manifest) == []


SCENARIOS = sorted((REPO / "tests" / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_race_scenario_makes_true_round_ups(tmp_path, path):
    """Every editorial situation of the race scenarios (quick counts, recaps, ties, DKI, kolom
    kosong) goes through the round-ups' fact audit and claim check without a finding."""
    report = generate(read_file(path), load_config(), tmp_path, stories=ALL)
    assert report.exit_code == 0, [str(p) for p in report.held_back]
    assert any(race.startswith("roundup/") for race, _ in report.written)


def test_round_up_line_for_jakarta_under_half():
    from generator.decide import as_run
    from generator.phrases import Phrases
    from generator.roundup import line_kind, province_roundups
    from generator.story import build_story

    config, phrases = load_config(), Phrases.load()
    snap = as_run(read_file(REPO / "tests/scenarios/real-count-dki-second-round.yaml")[-1], config)
    story = build_story(snap, config, phrases)
    assert line_kind(story) == "below_half"
    (roundup,) = province_roundups([story], config, phrases)
    assert roundup.rows[0].line == (
        "Di Pilgub Jakarta 2024, Pramono-Rano unggul sementara dengan 48,01% suara dari data 66,53% TPS, belum "
        "melampaui separuh suara sah yang disyaratkan untuk menang dalam satu putaran.")


def test_hostile_place_name_stays_inert(tmp_path):
    """A kab/kota name with Markdown, a Hugo shortcode, a pipe and HTML prints as text."""
    text = (REPO / "tests/stories/kaltim-local.yaml").read_text(encoding="utf-8")
    hostile = "Paser {{< x >}} | <b>*y*</b> \\\\"
    source = tmp_path / "hostile.yaml"
    source.write_text(text.replace("name: Paser,", f"name: '{hostile}',"), encoding="utf-8")
    out = tmp_path / "out"
    report = generate(read_file(source), load_config(), out, stories=ALL)
    assert report.exit_code == 0, [str(p) for p in report.held_back]
    (page,) = [t for slug, t in pages(out) if "paser" in slug]
    body = body_of(page)
    assert "{{<" not in body and "<b>" not in body and " | " not in body.split("Kabupaten Paser", 1)[1][:40]
    assert "Kabupaten Paser \\{\\{\\<" in body


@needs_shared
def test_cli_stories_flag_and_an_unchanged_poll(tmp_path, monkeypatch):
    """``newsgen generate --stories races,local,roundups`` against a real local server: the pages
    are written; the next poll of unchanged data rewrites nothing and reports every page unchanged;
    an unknown type is a usage error (exit 2)."""
    from click.testing import CliRunner

    from generator.cli import main
    from tests.support.sirekap_server import SirekapServer

    from .test_live import make_kaltim_tree

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "out"
    with SirekapServer(make_kaltim_tree(tmp_path / "tree")) as server:
        args = ["generate", "--base-url", server.url, "--race", "pkwkp/64", "--out", str(out), "--backoff", "0.01",
                "--stories", "races,local,roundups"]
        first = CliRunner().invoke(main, args, catch_exceptions=False)
        assert first.exit_code == 0, first.output
        written = {p: p.read_bytes() for p in out.rglob("*.md")}
        assert any("pilgub-kaltim-2024-" in str(p) for p in written) and any("hasil-" in str(p) for p in written)
        second = CliRunner().invoke(main, args, catch_exceptions=False)
        assert second.exit_code == 0, second.output
        assert f"0 written, {len(written)} unchanged" in second.output
        assert {p: p.read_bytes() for p in out.rglob("*.md")} == written
        bad = CliRunner().invoke(main, [*args[:-1], "races,locals"], catch_exceptions=False)
        assert bad.exit_code == 2 and "unknown story type(s) locals" in bad.output


@pytest.mark.parametrize(("scenarios", "body"), [
    (["real-count-kutai-kartanegara"], "KPU kabupaten/kota setempat"),  # regent/mayor races alone (as DIY)
    (["real-count-aceh"], "KIP Aceh melalui"),  # Aceh's governor race alone
])
def test_round_up_names_the_body_that_adopts_what_it_holds(tmp_path, scenarios, body):
    items = [item for name in scenarios for item in read_file(REPO / f"tests/scenarios/{name}.yaml")]
    generate(items, load_config(), tmp_path, stories=ALL)
    (roundup,) = [p for p in tmp_path.glob("hasil-pilkada-*/index.md")]
    text = roundup.read_text(encoding="utf-8")
    assert body in text and "KPU provinsi dan" not in text


def test_a_recap_that_goes_to_a_second_round_closes_its_first_round_only(tmp_path):
    """Jakarta's recap with nobody above half: the race and each place close the count of
    the first round, never "the count" as if the election were over."""
    text = (REPO / "tests/stories/dki-count-under-half.yaml").read_text(encoding="utf-8")
    text = text.replace("    stage: real_count\n", "    stage: official_recap\n    recap:\n      plenary: rapat pleno "
                        "terbuka KPU Provinsi DKI Jakarta\n      date: 2024-12-08T10:00:00+07:00\n")
    text = re.sub(r"tps: \{reported: \d+, total: (\d+)\}", r"tps: {reported: \1, total: \1}", text)
    path = tmp_path / "dki-recap.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    report = generate(read_file(path), load_config(), out, stories=ALL)
    assert report.exit_code == 0, report
    race = body_of((out / "pilgub-jakarta-2024" / "index.md").read_text(encoding="utf-8"))
    assert "penghitungan suara putaran pertama Pilgub Jakarta 2024" in race
    local = dict(pages(out))
    places = [body_of(page) for slug, page in local.items() if not slug.startswith("hasil-")]
    assert places and all("putaran pertama di " in page for page in places)
    # Ranked among the recap's places, not "those whose data is in" as in a count.
    assert all("dalam rekapitulasi tingkat provinsi" in page and "yang datanya sudah masuk" not in page
               for page in places)
    assert not any("penghitungan suara Pilgub" in body_of(page) or "penghitungan suara di" in body_of(page)
                   for page in local.values())


def test_round_up_lines_say_why_a_race_is_listed(tmp_path):
    """A narrow lead is said to be narrow (and reversible when the TPS still out could turn
    it); a single ticket just above half says how far above."""
    out = tmp_path / "narrow"
    generate(read_file(REPO / "tests/scenarios/update-leader-change-berau.yaml"), load_config(), out, stories=ALL)
    assert ("- Di Pilbup Berau 2024, Sri Juniarsih Mas-Gamalis untuk sementara unggul tipis atas Madri Pani-Agus "
            "Wahyudi dengan selisih 0,52 poin persentase dari data 96,42% TPS; posisi teratas masih bisa berganti.\n"
            ) in (out / "hasil-pilkada-2024-kaltim" / "index.md").read_text(encoding="utf-8")
    # Samarinda's single ticket at 50,50%: 39.443 votes for the kolom kosong against 40.238.
    text = (REPO / "tests/scenarios/real-count-kota-samarinda.yaml").read_text(encoding="utf-8")
    path = tmp_path / "close.yaml"
    path.write_text(text.replace("votes: 291288", "votes: 40238"), encoding="utf-8")
    out = tmp_path / "close"
    generate(read_file(path), load_config(), out, stories=ALL)
    assert ("pasangan calon tunggal Andi Harun-Saefuddin Zuhri unggul sementara atas kolom kosong dengan 50,50% suara "
            "dari data 95,25% TPS, hanya 0,50 poin persentase di atas batas separuh suara sah yang harus dilampauinya."
            ) in (out / "hasil-pilkada-2024-kaltim" / "index.md").read_text(encoding="utf-8")
