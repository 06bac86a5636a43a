"""The paragraphs the data already allow (issue 18, item 3): the full sub-region table, the
lead against the votes still out, the distance to a legal 50% bar, and a recap's turnout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.audit import audit_article, story_exempt
from generator.claims import check_claims
from generator.config import Config
from generator.decide import apply_overrides
from generator.models import RaceSnapshot
from generator.phrases import Phrases
from generator.pipeline import generate
from generator.render import Renderer
from generator.sources.files import read_file
from generator.story import Story, build_story
from generator.validate import check_snapshot

from .conftest import EXAMPLE_DATA, REPO

SCENARIOS = REPO / "tests" / "scenarios"


@pytest.fixture(scope="module")
def phrases():
    return Phrases.load()


def snapshot_of(name: str, config, index: int = -1) -> RaceSnapshot:
    path = EXAMPLE_DATA if name == "examples" else SCENARIOS / f"{name}.yaml"
    snap = read_file(path)[index]
    assert isinstance(snap, RaceSnapshot), snap
    return apply_overrides(snap, config.notes(snap.race))


def story_of(name, config, phrases, index=-1, **changes) -> Story:
    snap = snapshot_of(name, config, index)
    if changes:
        snap = RaceSnapshot.model_validate({**snap.model_dump(), **changes})
    return build_story(snap, config, phrases)


def paragraph(body: str, start: str) -> str:
    (found,) = [p for p in body.split("\n\n") if p.startswith(start)]
    return found


# -- the table ----------------------------------------------------------------------


def test_kaltim_table_in_ballot_order_and_the_datas_row_order(config, phrases):
    story = story_of("examples", config, phrases, index=0)
    table = story.table
    assert (table.level, table.count, table.no_data, table.tied_row) == ("kabupaten/kota", "10", False, False)
    assert [c.short for c in table.columns] == ["Isran-Hadi", "Rudy-Seno"]  # nomor urut 1, 2
    assert [r.name for r in table.rows][:3] == ["Paser", "Kutai Kartanegara", "Berau"]  # KPU's code order
    samarinda = next(r for r in table.rows if r.name == "Kota Samarinda")
    assert [(c.votes, c.leader) for c in samarinda.cells] == [("175.063", True), ("164.560", False)]


def test_kaltim_table_renders_as_a_pipe_table(config, phrases):
    body = Renderer(config).body(story_of("examples", config, phrases, index=0))
    lines = body.splitlines()
    at = lines.index("| Kabupaten/kota | Isran-Hadi | Rudy-Seno |")
    assert lines[at - 1] == "" and lines[at + 1] == "|:---|---:|---:|"
    assert lines[at + 2] == "| Paser | 56.043 | **77.350** |"
    assert lines[at + 11] == "| Kota Bontang | 33.003 | **59.477** |" and lines[at + 12] == ""
    intro = lines[at - 2]
    assert intro == ("Hasil hitung sementara di 10 kabupaten/kota, berdasarkan data TPS yang sudah masuk, "
                     "dirangkum dalam tabel berikut. Angka bercetak tebal menandai perolehan terbanyak di setiap "
                     "kabupaten/kota.")
    assert "Rudy-Seno unggul di 8 dari 10" in lines[at - 4]  # after the breakdown paragraph


def test_tied_row_marks_every_leader_and_a_row_without_data_says_so(config, phrases):
    body = Renderer(config).body(story_of("real-count-kolom-kosong-table", config, phrases))
    assert "| Kecamatan | Kolom kosong | Andi Harun-Saefuddin Zuhri |" in body
    assert "| Samarinda Ilir | **6.733** | **6.733** |" in body
    assert "| Samarinda Utara | belum ada data | |" in body
    assert not re.search(r"\| 0 \|", body)  # no zeros stand in for missing data
    assert ("Perolehan paling besar di setiap kecamatan ditandai dengan huruf tebal; bila perolehan terbanyak "
            'sama, semuanya ditebalkan. Baris bertanda "belum ada data" berarti belum ada data TPS yang masuk '
            "dari wilayah itu.") in body


def test_recap_table_is_not_called_provisional(config, phrases):
    body = Renderer(config).body(story_of("recap-turnout-table", config, phrases))
    assert ("Berikut rincian perolehan suara hasil rekapitulasi di lima kabupaten/kota. Angka bercetak tebal "
            "menandai perolehan terbanyak di setiap kabupaten/kota; bila perolehan terbanyak sama, semuanya "
            "ditebalkan.") in body
    assert "sementara" not in paragraph(body, "Berikut rincian")
    assert "| Malinau | 973 | **19.422** | **19.422** |" in body


def test_no_table_for_a_quick_count_or_without_rows(config, phrases):
    assert story_of("quick-count-clear", config, phrases).table is None
    assert story_of("recap-clear", config, phrases).table is None  # no sub-regions given


def _unescaped_pipes(line: str) -> int:
    """Pipes not escaped by a backslash (an escaped backslash does not escape the pipe)."""
    return sum(1 for m in re.finditer(r"(\\*)\|", line) if len(m.group(1)) % 2 == 0)


HOSTILE = "Budi | x |{{< ref \"x\" >}}`c`<b>i</b>\\"


def test_hostile_names_cannot_break_the_table_or_run_a_shortcode(config, tmp_path: Path):
    """A candidate and a kab/kota named with pipes, a Hugo shortcode, backticks, HTML and a
    backslash: every row keeps its columns, nothing runs, the article passes audit and claims."""
    text = EXAMPLE_DATA.read_text(encoding="utf-8")
    text = text.replace("head: H. Rudy Mas'ud, S.E., M.E.", f"head: {json.dumps(HOSTILE)}")
    text = text.replace("name: Paser", f"name: {json.dumps(HOSTILE)}")
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    snaps = read_file(path)
    assert all(isinstance(s, RaceSnapshot) for s in snaps), snaps
    plain = Config(config.publication, config.regions, config.races.model_copy(update={"races": {}}), config.folder)
    report = generate(snaps, plain, tmp_path / "out")  # no short-name overrides: the hostile name is printed
    assert report.exit_code == 0, [str(p) for p in report.held_back]
    body = (tmp_path / "out" / "pilgub-kaltim-2024" / "index.md").read_text(encoding="utf-8")
    rows = [line for line in body.splitlines() if line.startswith("|")]
    assert len(rows) == 12 and all(_unescaped_pipes(line) == 4 for line in rows), rows
    assert rows[0] == ('| Kabupaten/kota | Isran Noor-Hadi Mulyadi | Budi \\| X. \\|\\{\\{\\< ref "x" '
                       '\\>}}\\`c\\`\\<b\\>i\\</b\\>\\\\-Seno Aji |')
    assert rows[2].startswith("| Budi \\| x \\|\\{\\{\\< ref \"x\" \\>}}\\`c\\`\\<b\\>i\\</b\\>\\\\ | 56.043 |")
    for syntax in (r"\{\{", r"`", r"<b>", r"</b>"):
        assert not re.search(r"(?<!\\)" + syntax, "\n".join(rows)), syntax


# -- the lead against the votes still out --------------------------------------------


def test_a_lead_larger_than_the_votes_out_is_said_as_an_estimate(config, phrases):
    story = story_of("examples", config, phrases, index=0)
    assert story.facts.lead_holds and not story.facts.reversible
    assert story.phrases["outstanding"] == (
        "Jika 226 TPS yang datanya belum masuk memuat suara sah sebanyak rata-rata per TPS sejauh ini, suara sah di "
        "sana diperkirakan tidak sebanyak selisih 195.954 suara yang dimiliki Rudy-Seno. Perkiraan semacam ini "
        "tetap bisa meleset.")
    assert "\n\n" + story.phrases["outstanding"] + "\n\n" in Renderer(config).body(story)


@pytest.mark.parametrize("variant", [0, 1, 2, 3, 4])
def test_every_holds_variant_is_worded_as_an_estimate(phrases, variant):
    text = phrases.variants["outstanding.holds"][variant].format(leader="Rudy-Seno", votes="195.954", tps="226")
    assert re.search(r"perkiraan|diperkirakan", text, re.IGNORECASE)
    assert re.search(r"bukan kepastian|bisa meleset|belum menjamin|masih bisa berbeda", text)
    assert not re.search(r"\b(pasti|dipastikan|tidak akan)\b", text)
    assert "195.954 suara" in text and "226 TPS" in text and "Rudy-Seno" in text


def test_a_lead_smaller_than_the_votes_out_names_its_leader(config, phrases):
    story = story_of("update-leader-change-berau", config, phrases)
    assert story.facts.reversible and not story.facts.lead_holds
    assert paragraph(Renderer(config).body(story), "Selisih 660") == (
        "Selisih 660 suara yang dimiliki Sri Juniarsih Mas-Gamalis belum aman: dengan rata-rata suara per TPS "
        "sejauh ini, 17 TPS yang datanya belum masuk diperkirakan memuat suara sah lebih banyak daripada "
        "itu, sehingga urutan teratas masih bisa berbalik.")


@pytest.mark.parametrize("name", ["synthetic-dki-early-second-round", "real-count-early-kolom-kosong",
                                  "quick-count-clear", "quick-count-too-close", "synthetic-tie",
                                  "recap-clear", "real-count-three-way-tie"])
def test_never_for_an_early_count_a_quick_count_a_tie_or_a_recap(config, phrases, name):
    story = story_of(name, config, phrases)
    assert not story.facts.lead_holds and "outstanding" not in story.phrases
    assert "perkiraan" not in Renderer(config).body(story).lower()


# -- the distance to a legal bar -------------------------------------------------------


def test_distance_below_the_bar_in_jakarta(config, phrases):
    count = story_of("real-count-dki-second-round", config, phrases)
    recap = story_of("recap-dki-second-round", config, phrases)
    assert count.facts.majority_distance and recap.facts.majority_distance
    assert ("syarat untuk menang dalam satu putaran. Raihan tertinggi sejauh ini berada 1,99 poin "
            "persentase di bawah ambang tersebut. Bila hasil akhir") in Renderer(config).body(count)
    assert ("syarat untuk menang dalam satu putaran. Raihan tertinggi berada 3,17 poin persentase di "
            "bawah ambang tersebut. Karena itu,") in Renderer(config).body(recap)


def test_distance_above_the_bar_in_a_jakarta_count(config, phrases):
    snap = snapshot_of("real-count-dki-second-round", config)
    leader = snap.leader.ticket.id
    votes = {**snap.votes, leader: snap.total_votes}  # the leader now holds a clear majority
    story = build_story(RaceSnapshot.model_validate({**snap.model_dump(), "votes": votes}), config, phrases)
    assert story.two_round == "one_round" and not story.facts.majority_close
    assert (f"dalam satu putaran. Selisihnya dengan ambang tersebut mencapai {story.facts.majority_gap} poin persentase. "
            "Bila angka ini bertahan, tidak akan ada putaran kedua.") in Renderer(config).body(story)


def test_distance_for_a_single_ticket(config, phrases):
    below = Renderer(config).body(story_of("recap-kota-pangkalpinang", config, phrases))
    assert "meraih 42,02% suara atau 35.177 suara. Raihan itu berada 7,98 poin persentase di bawah separuh suara sah." \
        in below
    above = Renderer(config).body(story_of("recap-single-leads", config, phrases))
    assert "memenuhi syarat kemenangan calon tunggal. Selisihnya dengan ambang tersebut mencapai 38,02 poin persentase." in above


@pytest.mark.parametrize("name", ["synthetic-dki-early-second-round", "real-count-early-kolom-kosong",
                                  "quick-count-dki-threshold-open", "quick-count-single-leads", "recap-clear"])
def test_no_distance_for_an_early_count_a_quick_count_or_without_a_bar(config, phrases, name):
    story = story_of(name, config, phrases)
    assert not story.facts.majority_distance
    body = Renderer(config).body(story)
    assert "dengan ambang tersebut" not in body and "di bawah ambang" not in body


# -- a recap's turnout --------------------------------------------------------------


def test_turnout_paragraph_from_integers(config, phrases):
    story = story_of("recap-turnout-table", config, phrases)
    t = story.turnout
    assert (t.registered, t.voters, t.rate, t.valid, t.invalid) == ("501.326", "328.932", "65,61%", "322.721", "6.211")
    assert paragraph(Renderer(config).body(story), "Tingkat partisipasi") == (
        "Tingkat partisipasi pemilih dalam Pilgub Kaltara 2024 tercatat 65,61%: sebanyak 328.932 orang "
        "menggunakan hak pilihnya, dari 501.326 pemilih yang terdaftar dalam daftar pemilih tetap (DPT). "
        "Dari surat suara yang digunakan, 322.721 suara dinyatakan sah dan 6.211 suara tidak sah.")


def test_turnout_rounds_half_up(config, phrases):
    # 1 of 8 = 12,5% exactly; 1 of 200.000 = 0,0005% -> 0,00%; 2 of 3 = 66,666... -> 66,67%
    snap = snapshot_of("recap-turnout-table", config)
    for registered, voters, rate in ((330_000, 328_932, "99,68%"), (328_935, 328_932, "100,00%"),
                                     (493_398, 328_932, "66,67%")):
        story = build_story(snap.model_copy(update={"registered_voters": registered, "voters": voters}),
                            config, phrases)
        assert story.turnout.rate == rate


def test_turnout_with_some_figures_only(config, phrases):
    snap = snapshot_of("recap-turnout-table", config)
    only_dpt = snap.model_copy(update={"voters": None, "invalid_votes": None})
    body = Renderer(config).body(build_story(only_dpt, config, phrases))
    assert "Daftar pemilih tetap (DPT) Pilgub Kaltara 2024 memuat 501.326 pemilih.\n" in body
    only_invalid = snap.model_copy(update={"voters": None, "registered_voters": None})
    body = Renderer(config).body(build_story(only_invalid, config, phrases))
    assert "\nDari surat suara yang digunakan, 322.721 suara dinyatakan sah dan 6.211 suara tidak sah.\n" in body
    none = snap.model_copy(update={"voters": None, "registered_voters": None, "invalid_votes": None})
    assert build_story(none, config, phrases).turnout is None


def test_a_counts_dpt_stays_a_check(config, phrases):
    snap = snapshot_of("examples", config, 0).model_copy(update={"registered_voters": 2_700_000})
    assert build_story(snap, config, phrases).turnout is None


def test_turnout_numbers_pass_the_audit_and_the_claim_check(config, phrases):
    story = story_of("recap-turnout-table", config, phrases)
    snap = snapshot_of("recap-turnout-table", config)
    body = Renderer(config).body(story)
    assert audit_article(story.headline, body, snap, story, exempt=story_exempt(story)) == []
    assert check_claims(story, story.headline, body, exempt=story_exempt(story)) == []
    forged = body.replace("65,61%", "65,62%")
    (finding,) = audit_article(story.headline, forged, snap, story, exempt=story_exempt(story))
    assert "65,62%" in finding.reason


RECAP = SCENARIOS / "recap-turnout-table.yaml"


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("invalid_votes: 6211", "invalid_votes: 6210", "voters",
     "expected valid votes (322,721, the tickets' votes) plus invalid votes (6,210) = 328,931 voters, found 328,932"),
    ("valid_votes: 322721", "valid_votes: 322720", None,
     "valid_votes is 322,720 but the tickets' votes add up to 322,721"),
    ("voters: 328932", "voters: 300000", "voters", "expected valid votes"),
])
def test_turnout_figures_that_do_not_add_up_hold_the_race_back(tmp_path, old, new, field, message):
    path = tmp_path / "recap.yaml"
    path.write_text(RECAP.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    (error,) = read_file(path)
    assert not isinstance(error, RaceSnapshot)
    assert message in str(error) and "pkwkp/65" in str(error) and str(path) in str(error)
    if field:
        assert error.field == field


def test_voter_figures_belong_to_a_recap(tmp_path):
    text = (SCENARIOS / "real-count-kolom-kosong-table.yaml").read_text(encoding="utf-8")
    for extra, what in (("    voters: 1000\n", "voters: voter figures are an official recap's"),
                        ("    valid_votes: 251516\n", "'valid_votes' is an official recap's figure")):
        path = tmp_path / "count.yaml"
        path.write_text(text.replace("    tickets:\n", extra + "    tickets:\n"), encoding="utf-8")
        (error,) = read_file(path)
        assert not isinstance(error, RaceSnapshot) and what in str(error), error


def test_more_voters_than_the_dpt_is_suspicious(config):
    snap = snapshot_of("recap-turnout-table", config)
    assert check_snapshot(snap) == []
    (finding,) = check_snapshot(snap.model_copy(update={"registered_voters": 328_000}))
    assert (finding.field, finding.severity) == ("voters", "suspicious")
    assert "expected at most the 328.000 registered voters (DPT) to have voted, found 328.932 voters" \
        in finding.reason


def test_absent_voter_figures_leave_the_data_hash_as_it_was(config):
    snap = snapshot_of("examples", config, 0)
    dumped = snap.model_dump_json()
    assert "voters" not in dumped.replace("registered_voters", "") and "invalid_votes" not in dumped


def _generated(tmp_path: Path, config, scenario: str, old: str, new: str) -> tuple[str, Story]:
    """A scenario with one figure changed, through the whole pipeline (fact audit, claim check)."""
    path = tmp_path / f"{scenario}.yaml"
    path.write_text((SCENARIOS / f"{scenario}.yaml").read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    (snap,) = read_file(path)
    assert isinstance(snap, RaceSnapshot), snap
    report = generate([snap], config, tmp_path / "out")
    assert report.exit_code == 0, [str(p) for p in report.held_back]
    (article,) = (tmp_path / "out").glob("*/index.md")
    return article.read_text(encoding="utf-8"), build_story(apply_overrides(snap, config.notes(snap.race)),
                                                           config, Phrases.load())


def test_a_share_printed_as_fifty_that_is_more_than_half_wins_in_one_round(tmp_path, config):
    """2.177.391 of 4.354.781 valid votes is 50,0000115%: printed 50,00%, yet more than half."""
    text, story = _generated(tmp_path, config, "recap-dki-jakarta", "votes: 2183239}", "votes: 2177391}")
    assert story.leader.share == "50,00%"
    assert (story.facts.outcome, story.two_round, story.facts.majority_side) == ("winner", "one_round", "above")
    assert story.facts.majority_gap == "kurang dari 0,01"
    assert ("syarat untuk memenangi Pilgub Jakarta 2024 dalam satu putaran, meski hanya kurang dari 0,01 poin "
            "persentase di atas ambang tersebut.") in text


def test_a_single_ticket_printed_at_fifty_but_below_half_does_not_win(tmp_path, config):
    """48.527 of 97.055 valid votes is 49,9995%: printed 50,00%, yet not more than half."""
    text, story = _generated(tmp_path, config, "recap-kota-pangkalpinang", "votes: 35177}", "votes: 48527}")
    person = next(t for t in story.tickets if not t.empty_column)
    assert person.share == "50,00%" and story.facts.outcome == "rerun" and story.facts.majority_side == "below"
    assert "Raihan itu berada kurang dari 0,01 poin persentase di bawah separuh suara sah." in text
    assert "harus menggelar pemilihan ulang" in text


def test_a_rows_figures_hold_only_house_style_figures_and_bold_markers():
    """The row's cells are printed in one piece, unescaped: they may hold nothing else."""
    import re

    from generator.tables import TableCell, TableRow

    row = TableRow("Kota Samarinda", (TableCell("175.063", True), TableCell("164.560", False)))
    assert row.figures == " **175.063** | 164.560 |"
    assert re.fullmatch(r"( (\*\*)?[0-9.]+(\*\*)? \|)+", str(row.figures))
