"""`--templates DIR`: a partial folder of wording over newsgen's own, on every command that renders.

A folder may hold only a ``phrases.yaml`` with the keys it changes, or only one
template (``paragraphs/lede.md.j2``); the rest comes from ``templates/id/``. A bad
override stops the run with exit 2 naming the file and what to fix. Runs use the
embedded example data, and the synthetic national tree served over real HTTP.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.article import fingerprint
from generator.cli import main
from generator.config import data_path, load_config
from generator.errors import ConfigError, TemplateError
from generator.phrases import Phrases
from generator.render import Renderer
from generator.runner import run_fingerprint
from generator.sources.files import read_file
from generator.story import build_story
from tests.support.sirekap_server import SirekapServer
from tests.support.synthetic_tree import build_tree

from .conftest import EXAMPLE_DATA
from .test_live import SAMPLES, SHARED

NOW = "2024-11-28T11:00:00+08:00"
OWN = data_path("templates", "id")
#: Every summary key, each with a wording of the test's own (only placeholders newsgen's variants use).
SUMMARY = """\
summary.real_count.lead:
  - "Ringkasan redaksi {race}: {who} di depan."
summary.real_count.tie:
  - "Ringkasan redaksi {race}: {who} sama kuat."
summary.quick_count.lead:
  - "Ringkasan redaksi {race}: {who} di depan menurut {institute}."
summary.quick_count.tie:
  - "Ringkasan redaksi {race}: {who} sama kuat menurut {institute}."
summary.official_recap.lead:
  - "Ringkasan redaksi {race}: {who} menang."
summary.official_recap.tie:
  - "Ringkasan redaksi {race}: {who} sama kuat."
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def generate(out: Path, *args: str, now: str = NOW):
    return run("generate", "--out", str(out), "--state", str(out.parent / f"{out.name}-state"), "--now", now, *args)


def texts(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.md"))}


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    """A templates folder holding ``files`` (relative path -> text) and nothing else."""
    root = tmp_path / "wording"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


# -- the acceptance of the issue: every article's summary ------------------------------------


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    if not SAMPLES.is_dir():
        pytest.skip(f"needs the real KPU sample files in {SAMPLES}")
    root = tmp_path_factory.mktemp("national")
    build_tree(SHARED, root)
    with SirekapServer(root) as server:
        yield server


def test_a_summary_override_changes_every_article_summary(national, tmp_path):
    """545 races of the national tree: with a phrases.yaml holding only the summary keys, every
    article's summary is the override's and no other line of any article changes."""
    wording = folder(tmp_path, {"phrases.yaml": SUMMARY})
    args = ("--source", "sirekap", "--base-url", national.url, "--no-cache", "--quiet")
    assert generate(tmp_path / "plain", *args).exit_code == 0
    result = generate(tmp_path / "ours", *args, "--templates", str(wording))
    assert result.exit_code == 0, result.output
    plain, ours = texts(tmp_path / "plain"), texts(tmp_path / "ours")
    assert len(ours) == 545 and ours.keys() == plain.keys()
    for path, text in ours.items():
        (old, new), = changed_lines(plain[path], text)
        assert old.startswith("summary: ") and re.fullmatch(
            r"summary: '?Ringkasan redaksi Pil(gub|bup|walkot) .+ 2024: .+ (di depan|sama kuat)\.'?", new), (path, new)


# -- partial folders fall back to newsgen's own ----------------------------------------------


def test_a_folder_with_one_template_changes_only_that_paragraph(tmp_path):
    ours = '{{ stock("dateline") }} Laporan redaksi tentang {{ story.race_long }}.\n'
    wording = folder(tmp_path, {"paragraphs/lede.md.j2": ours})
    assert generate(tmp_path / "plain").exit_code == 0
    assert generate(tmp_path / "ours", "--templates", str(wording)).exit_code == 0
    plain, mine = texts(tmp_path / "plain"), texts(tmp_path / "ours")
    for path, text in mine.items():
        (old, new), = changed_lines(plain[path], text)
        long_name = re.search(r"^PROKAL\.CO, Laporan redaksi tentang (.+)\.$", new)
        assert long_name and old.startswith("PROKAL.CO, ") and long_name.group(1) in old, (old, new)


def test_a_phrases_file_with_one_key_merges_over_newsgen_s(tmp_path):
    wording = folder(tmp_path, {"phrases.yaml": 'runner.verb:\n  - "menguntit"\n'})
    own, merged = Phrases.load(), Phrases.load(wording)
    assert merged.variants["runner.verb"] == ("menguntit",)
    assert {k: v for k, v in merged.variants.items() if k != "runner.verb"} == \
        {k: v for k, v in own.variants.items() if k != "runner.verb"}
    listing = merged.listing()
    assert f"runner.verb  ({wording / 'phrases.yaml'})\n  1. menguntit\n" in listing
    assert listing.startswith("basis.votes\n") and "\nsummary.real_count.lead\n" in listing


def test_phrases_command_lists_the_merged_phrases(tmp_path):
    wording = folder(tmp_path, {"phrases.yaml": 'runner.verb:\n  - "menguntit"\n'})
    result = run("phrases", "--templates", str(wording))
    assert result.exit_code == 0 and "1. menguntit" in result.output and "headline.real_count.clear" in result.output


def test_the_review_page_takes_a_labels_override(tmp_path):
    labels = (OWN / "review" / "labels.j2").read_text(encoding="utf-8")
    wording = folder(tmp_path, {"review/labels.j2": labels.replace('"Ditulis"', '"Sudah ditulis"')})
    assert generate(tmp_path / "out", "--templates", str(wording)).exit_code == 0
    page = (tmp_path / "out-state" / "review.html").read_text(encoding="utf-8")
    assert "Sudah ditulis" in page


def test_worker_processes_use_the_same_folder(tmp_path):
    wording = folder(tmp_path, {"phrases.yaml": SUMMARY})
    assert generate(tmp_path / "one", "--templates", str(wording)).exit_code == 0
    assert generate(tmp_path / "pool", "--templates", str(wording), "--jobs", "2").exit_code == 0
    assert texts(tmp_path / "one") == texts(tmp_path / "pool")
    assert all("Ringkasan redaksi" in text for text in texts(tmp_path / "pool").values())


# -- a bad override: exit 2, naming the file and the fix -------------------------------------


@pytest.mark.parametrize(("files", "message"), [
    ({"paragraphs/lede.md.j2": "{% if story.tie %}imbang\n"},
     r"wording/paragraphs/lede\.md\.j2:1: Unexpected end of template.*; fix the Jinja syntax there"),
    ({"paragraphs/lede.md.j2": "{{ stroy.race_long }}\n"},
     r"wording/paragraphs/lede\.md\.j2: unknown variable stroy; check the spelling \(a template of this kind is "
     r"given facts, leader, m, publication, qc, say, stock, story\)"),
    ({"paragraphs/led.md.j2": "{{ story.race_long }}\n"},
     r"wording/paragraphs/led\.md\.j2: newsgen reads no template 'paragraphs/led\.md\.j2'.*did you mean "
     r"'paragraphs/lede\.md\.j2'\?"),
    ({"review.md.j2": "{{ pagee }}\n"}, r"wording/review\.md\.j2: unknown variable pagee.*given page\)"),
    ({"phrases.yaml": 'summary.real_count.lead:\n  - "{who} meraih {vots} suara"\n'},
     r"wording/phrases\.yaml: summary\.real_count\.lead: '\{who\} meraih \{vots\} suara' uses unknown placeholder "
     r"\{vots\}; this phrase can use \{institute\}, \{progress\}, \{race\}, \{share\}, \{tps_reported\}, "
     r"\{tps_total\}, \{who\}"),
    ({"phrases.yaml": 'sumary.real_count.lead:\n  - "{who}"\n'},
     r"wording/phrases\.yaml: sumary\.real_count\.lead: newsgen has no phrase of that name; did you mean "
     r"'summary\.real_count\.lead'\?"),
    ({"phrases.yaml": 'summary.real_count.lead:\n  - "{who.__class__}"\n'},
     r"uses unknown placeholder \{who\.__class__\}"),
    ({"phrases.yaml": 'summary.real_count.lead: "{who}"\n'},
     r"wording/phrases\.yaml: summary\.real_count\.lead: expected a non-empty list of strings"),
    ({"phrase.yaml": 'summary.real_count.lead: ["{who}"]\n'},
     r"wording/phrase\.yaml: newsgen reads no 'phrase\.yaml' in a templates folder; phrases go in phrases\.yaml"),
])
@pytest.mark.parametrize("command", ["generate", "watch", "phrases"])
def test_a_bad_override_exits_2_naming_the_file(tmp_path, files, message, command):
    wording = folder(tmp_path, files)
    if command == "phrases":
        if not any(name.endswith(".yaml") for name in files):
            return  # the phrases command reads only phrases.yaml
        result = run("phrases", "--templates", str(wording))
    else:
        extra = ("--cycles", "1", "--interval", "0") if command == "watch" else ("--now", NOW)
        result = run(command, "--out", str(tmp_path / "out"), "--templates", str(wording), *extra)
    assert result.exit_code == 2, result.output
    assert re.search(message, result.output), result.output
    assert not (tmp_path / "out").exists()  # stopped before any race


def test_a_missing_field_at_render_time_names_the_template_and_line(tmp_path):
    wording = folder(tmp_path, {"paragraphs/lede.md.j2": "{{ stock('dateline') }}\n{{ story.no_such_field }}\n"})
    result = generate(tmp_path / "out", "--templates", str(wording))
    assert result.exit_code == 2
    assert re.search(r"held back pkwkp/64: .*'generator\.story\.Story object' has no attribute 'no_such_field' "
                     r"\(in .*wording/paragraphs/lede\.md\.j2:2; fix that template\)", result.output), result.output


def test_a_partial_override_runs_in_the_sandbox(tmp_path, config):
    wording = folder(tmp_path, {"paragraphs/lede.md.j2": "{{ story.__class__.__init__.__globals__ }}\n"})
    story = build_story(read_file(EXAMPLE_DATA)[0], config, Phrases.load())
    with pytest.raises(TemplateError, match=r"unsafe|access"):
        Renderer(config, wording).body(story)


def test_a_missing_folder_is_a_usage_error(tmp_path):
    for command in (("generate", "--now", NOW), ("watch", "--cycles", "1"), ("phrases",)):
        result = run(*command, "--templates", str(tmp_path / "nope"))
        assert result.exit_code == 2 and f"templates folder {tmp_path / 'nope'} does not exist" in result.output
    with pytest.raises(ConfigError, match="does not exist"):
        Renderer(load_config(), tmp_path / "nope")


# -- a changed override reaches the articles --------------------------------------------------


def test_the_run_fingerprint_follows_the_override(tmp_path, config):
    own = run_fingerprint(config, Renderer(config), strict=False)
    assert run_fingerprint(config, Renderer(config), strict=False) == own
    lede = folder(tmp_path, {"paragraphs/lede.md.j2": "{{ stock('dateline') }} Lede.\n"})
    first = run_fingerprint(config, Renderer(config, lede), strict=False)
    (lede / "paragraphs" / "lede.md.j2").write_text("{{ stock('dateline') }} Lede lain.\n", encoding="utf-8")
    second = run_fingerprint(config, Renderer(config, lede), strict=False)
    assert len({own, first, second}) == 3


def test_without_an_override_the_article_fingerprint_is_as_before(config):
    """No --templates: an article's fingerprint is the one earlier versions wrote (no rewrite on upgrade)."""
    story = build_story(read_file(EXAMPLE_DATA)[0], config, Phrases.load())
    assert Renderer(config).overrides == ""
    assert fingerprint(story, ()) == fingerprint(story, (), Renderer(config).overrides)


def test_an_unchanged_poll_with_a_new_override_rewrites_the_articles(national, tmp_path):
    """Same KPU data each poll: a poll that adds, changes or drops an override rewrites the
    articles (the unchanged-night shortcut does not keep the old text); a poll with the same
    override again leaves them."""
    out = tmp_path / "out"
    args = ("--source", "sirekap", "--base-url", national.url, "--province", "64")
    lede = folder(tmp_path, {"paragraphs/lede.md.j2": "{{ stock('dateline') }} {{ story.race_long }}: data terbaru.\n"})
    assert "11 written" in generate(out, *args).output
    assert "0 written, 11 unchanged" in generate(out, *args).output
    assert "11 written" in generate(out, *args, "--templates", str(lede)).output
    assert all("PROKAL.CO, Pemilihan" in t and ": data terbaru." in t for t in texts(out).values())
    assert "0 written, 11 unchanged" in generate(out, *args, "--templates", str(lede)).output
    (lede / "paragraphs" / "lede.md.j2").write_text("{{ stock('dateline') }} {{ story.race_long }}: data baru.\n",
                                                    encoding="utf-8")
    assert "11 written" in generate(out, *args, "--templates", str(lede)).output
    assert all(": data baru." in t for t in texts(out).values())
    assert "11 written" in generate(out, *args).output
    assert not any("data baru" in t for t in texts(out).values())


# -- the wording that left Python: names, tags, chart, review page -----------------------------

SCENARIOS = Path(__file__).parent / "scenarios"
LATER = "2024-12-20T11:00:00+08:00"  # after every scenario's data time


def test_race_names_tags_and_chart_words_come_from_phrases(tmp_path):
    """A kolom kosong race read with a phrases.yaml that renames the race, its tags, the empty
    column and the chart's words: each appears where newsgen's own wording stood."""
    wording = folder(tmp_path, {"phrases.yaml": """\
race.abbr.walikota: ["Pilkot"]
race.long: ["{name} {region_full} tahun {year}"]
tag.election: ["Pemilihan Kepala Daerah {year}"]
tag.empty_column: ["Calon Tunggal"]
empty_column.label: ["Kotak kosong"]
chart.note.real_count: ["Sumber: KPU, {tps}"]
chart.tps.complete: ["semua {tps_total} TPS"]
chart.alt.real_count: ["Diagram {race}: {pairs}"]
chart.description: ["Batang mendatar. {rows}. {note}."]
"""})
    scenario = str(SCENARIOS / "real-count-kota-pangkalpinang.yaml")
    result = generate(tmp_path / "out", "--input", scenario, "--templates", str(wording), now=LATER)
    assert result.exit_code == 0, result.output
    (article,) = (tmp_path / "out").glob("*/index.md")
    assert article.parent.name == "pilkot-pangkalpinang-2024"  # race.short is the slug
    text = article.read_text(encoding="utf-8")
    assert "\n- Pemilihan Kepala Daerah 2024\n- Pilkot Pangkalpinang\n" in text and "\n- Calon Tunggal\n" in text
    assert "Pemilihan Wali Kota Kota Pangkalpinang tahun 2024" in text
    assert re.search(r"!\[Diagram Pilkot Pangkalpinang 2024: Kotak kosong [\d,]+%, Maulan Aklil-Masagus Hakim "
                     r"[\d,]+%\]\(chart\.svg\)", text)
    svg = (article.parent / "chart.svg").read_text(encoding="utf-8")
    assert ">Kotak kosong</text>" in svg and ">Sumber: KPU, semua 311 TPS</text>" in svg
    assert re.search(r"<desc [^>]*>Batang mendatar\. .*, nomor urut 1: .*\. Sumber: KPU, .*\.</desc>", svg)
    page = (tmp_path / "out-state" / "review.md").read_text(encoding="utf-8")
    assert "Pilkot Pangkalpinang" in page


def test_the_review_page_words_the_kolom_kosong_and_the_tps_from_its_labels(tmp_path):
    labels = (OWN / "review" / "labels.j2").read_text(encoding="utf-8")
    ours = labels.replace('{% set empty_column = "Kolom kosong" %}', '{% set empty_column = "Kotak kosong" %}')
    ours = ours.replace("{{ reported }} dari {{ total }} TPS", "{{ reported }}/{{ total }} TPS")
    assert ours.count("Kotak kosong") == 1 and "}}/{{" in ours
    scenario = str(SCENARIOS / "real-count-early-kolom-kosong.yaml")
    assert generate(tmp_path / "plain", "--input", scenario, now=LATER).exit_code == 0
    assert generate(tmp_path / "ours", "--input", scenario, "--templates",
                    str(folder(tmp_path, {"review/labels.j2": ours})), now=LATER).exit_code == 0
    plain = (tmp_path / "plain-state" / "review.md").read_text(encoding="utf-8")
    mine = (tmp_path / "ours-state" / "review.md").read_text(encoding="utf-8")
    assert "| Kolom kosong |" in plain and re.search(r"\| [\d.]+ dari [\d.]+ TPS \([\d,]+%\) \|", plain)
    assert "| Kotak kosong |" in mine and re.search(r"\| [\d.]+/[\d.]+ TPS \([\d,]+%\) \|", mine)


# -- the election year: one setting ----------------------------------------------------------


def test_a_new_election_changes_one_setting(national, tmp_path):
    """election_year: 2029 alone: KPU's races (their files name no year) are 2029's, and the race
    names, slug, tags, categories, section and KPU's site follow; nothing says 2024 but the data's
    own time."""
    config = folder(tmp_path, {"publication.yaml": "election_year: 2029\n"})
    result = run("generate", "--source", "sirekap", "--base-url", national.url, "--race", "pkwkp/64",
                 "--config", str(config), "--out", str(tmp_path / "out"), "--now", "2029-11-28T11:00:00+08:00")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "pilgub-kaltim-2029" / "index.md").read_text(encoding="utf-8")
    assert "\ntags:\n- Pilkada 2029\n- Pilgub Kaltim\n" in text and "\ncategories:\n- Pilkada 2029\n" in text
    assert "Pemilihan Gubernur (Pilgub) Kalimantan Timur 2029" in text and "https://pilkada2029.kpu.go.id/" in text
    assert "Perolehan suara sementara Pilgub Kaltim 2029" in \
        (tmp_path / "out" / "pilgub-kaltim-2029" / "chart.svg").read_text(encoding="utf-8")
    stale = [line for line in text.splitlines() if "2024" in line]
    assert all("data_timestamp" in line or "(28/11/2024)" in line for line in stale), stale


def test_an_editor_file_of_another_year_is_held_back_naming_the_setting(tmp_path):
    config = folder(tmp_path, {"publication.yaml": "election_year: 2029\n"})
    result = generate(tmp_path / "out", "--config", str(config))
    assert result.exit_code == 1
    assert "field year: expected 2029 (publication.yaml election_year), found 2024" in result.output


def test_a_phrase_may_use_what_its_family_is_given(tmp_path):
    """Every headline is given the region, though newsgen's headline of a clear lead does not print it."""
    wording = folder(tmp_path, {"phrases.yaml": 'headline.real_count.clear: ["{leader} Unggul di {region}"]\n'})
    assert generate(tmp_path / "out", "--templates", str(wording)).exit_code == 0
    assert "\ntitle: Rudy-Seno Unggul di Kalimantan Timur\n" in \
        (tmp_path / "out" / "pilgub-kaltim-2024" / "index.md").read_text(encoding="utf-8")


def test_a_value_of_another_family_is_checked_when_rendering(tmp_path):
    """{votes} is a name newsgen's phrases use, but the summary is not given it: every race is
    held back (exit 2) naming the file, the key and what the summary is given."""
    wording = folder(tmp_path, {"phrases.yaml": 'summary.real_count.lead: ["{who} meraih {votes} suara."]\n'})
    result = generate(tmp_path / "out", "--templates", str(wording))
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert (f"held back pkwkp/64: race pkwkp/64: {wording / 'phrases.yaml'}: phrase 'summary.real_count.lead' variant "
            "'{who} meraih {votes} suara.' uses unknown placeholder 'votes'; this phrase is given {institute}, "
            "{progress}, {race}, {share}, {tps_reported}, {tps_total}, {who}") in result.output


def test_a_placeholder_its_phrase_is_not_given_holds_the_races_back_naming_the_file(tmp_path):
    """The race names' parts are given nothing (only race.short and race.long are given the
    year): the load check lets the family's {year} through, the render names file, key and fix."""
    wording = folder(tmp_path, {"phrases.yaml": 'race.abbr.gubernur: ["Pilgub {year}"]\n'})
    result = generate(tmp_path / "out", "--templates", str(wording))
    assert result.exit_code == 2
    assert (f"held back pkwkp/64: race pkwkp/64: {wording / 'phrases.yaml'}: phrase 'race.abbr.gubernur' variant "
            "'Pilgub {year}' uses unknown placeholder 'year'; this phrase is given no placeholders") in result.output


def test_notes_of_the_editor_s_own_are_left_alone(tmp_path):
    wording = folder(tmp_path, {"phrases.yaml": SUMMARY, "README.md": "Kata-kata redaksi kami.\n",
                                ".git/config": "[core]\n"})
    result = generate(tmp_path / "out", "--templates", str(wording))
    assert result.exit_code == 0, result.output
    before = Renderer(load_config(), wording).fingerprint
    (wording / "README.md").write_text("Catatan lain.\n", encoding="utf-8")
    assert Renderer(load_config(), wording).fingerprint == before  # only what newsgen reads counts


def test_watch_renders_with_the_folder(tmp_path):
    wording = folder(tmp_path, {"phrases.yaml": SUMMARY})
    result = run("watch", "--out", str(tmp_path / "out"), "--state", str(tmp_path / "state"), "--cycles", "1",
                 "--interval", "0", "--templates", str(wording))
    assert result.exit_code == 0, result.output
    summaries = [line for text in texts(tmp_path / "out").values() for line in text.splitlines()
                 if line.startswith("summary: ")]
    assert len(summaries) == 3 and all("Ringkasan redaksi" in line for line in summaries)


def test_a_changed_stock_sentence_of_the_user_s_config_rewrites_the_articles(tmp_path):
    """A publication.yaml of the newsroom's own is wording too: changing its caveat rewrites the
    articles on the next run of the same data (without one, nothing is rewritten)."""
    out, config = tmp_path / "out", folder(tmp_path, {"publication.yaml": "outlet: PROKAL.CO\n"})
    assert "3 written" in generate(out, "--config", str(config)).output
    assert "0 written, 3 unchanged" in generate(out, "--config", str(config)).output
    (config / "publication.yaml").write_text("stock: {caveat: {real_count: Hasil ini belum final.}}\n",
                                             encoding="utf-8")
    assert "3 written" in generate(out, "--config", str(config)).output
    assert all("Hasil ini belum final." in text for text in texts(out).values())
    assert "0 written, 3 unchanged" in generate(out, "--config", str(config)).output
