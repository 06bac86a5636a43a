"""The night's review report: order, links, flags, filters, reasons, escaping, a parseable HTML page."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from generator.errors import PROBLEM_KINDS, TemplateError
from generator.models import RaceSnapshot
from generator.review import ReviewEntry, build_review, entry_from_snapshot, format_when, link_base_for
from generator.sources.files import read_file

from .conftest import EXAMPLE_DATA
from .review_page import body_rows, cells, md_rows, notes, parse

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
GENERATED = datetime(2024, 11, 28, 11, 30, tzinfo=WITA)
NARROW = Decimal("2")
PROVINCES = {"62": "Kalimantan Tengah", "64": "Kalimantan Timur", "65": "Kalimantan Utara"}
HEADINGS = ["Waktu data", "Judul", "Kode", "Provinsi", "Unggul", "Perolehan", "TPS masuk", "Status", "Catatan"]
CAPACITY = ("race pkwkp/64: field votes: expected at most 600 valid votes per reported TPS in the race "
            "(3.628.800 for 6.048 TPS), found 3.729.654 votes, 616,68 per TPS")
SHORT_NAME = ("race pkwkp/65: field tickets.2.head_short: the short form 'Mirwan MS' looks cut off; the full name "
              "is printed until an editor sets head_short for nomor urut 2 in races.yaml")


@pytest.fixture(scope="module")
def snapshots() -> dict[str, RaceSnapshot]:
    return {s.race: s for s in read_file(EXAMPLE_DATA)}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def entries(snapshots) -> list[ReviewEntry]:
    kaltim, kalteng, kaltara = snapshots["pkwkp/64"], snapshots["pkwkp/62"], snapshots["pkwkp/65"]
    return [
        entry_from_snapshot(kaltara, status="unchanged", narrow_margin=NARROW,
                            headline="Zainal Paliwang-Ingkong Ala Unggul Sementara di Pilgub Kaltara 2024",
                            path="pilgub-kaltara-2024.md", slug="pilgub-kaltara-2024", flags=(SHORT_NAME,)),
        entry_from_snapshot(kaltim, status="written", narrow_margin=NARROW,
                            headline="Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024",
                            path="pilgub-kaltim-2024.md", slug="pilgub-kaltim-2024",
                            flags=("Suara tidak sah melonjak", CAPACITY)),
        ReviewEntry(race="pkwkk/6472", status="no_data"),
        entry_from_snapshot(kalteng, status="written", narrow_margin=NARROW,
                            headline="Agustiar Sabran-Edy Pratowo Unggul Sementara di Pilgub Kalteng 2024",
                            path="pilgub-kalteng-2024.md", slug="pilgub-kalteng-2024"),
        ReviewEntry(race="pkwkk/6471", status="held_back",
                    data_time=datetime(2024, 11, 28, 12, 0, tzinfo=WITA),
                    reason="hhcw/pkwkk/64/6471.json: TPS reported (700) exceeds TPS total (650) <check> & retry",
                    flags=("Data <anomali>",)),
    ]


def build(entries: list[ReviewEntry], **options) -> tuple[str, str]:
    return build_review(entries, generated_at=GENERATED, **{"province_names": PROVINCES, **options})


def by_race(page: str) -> dict:
    return {cells(row)[2]: row for row in body_rows(page)}


def test_html_is_a_standalone_parseable_page(entries):
    _, page = build(entries)
    parser = parse(page)
    assert parser.doctype.lower() == "doctype html"
    assert '<html lang="id">' in page and '<meta charset="utf-8">' in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    assert [th.text() for th in parser.root.find("thead").find_all("th")] == HEADINGS
    assert len(body_rows(page)) == len(entries)
    scripts = parser.root.find_all("script")
    assert len(scripts) == 1 and scripts[0].attrs == {}  # the filters, inline
    assert "fetch(" not in page and "XMLHttpRequest" not in page and "import(" not in page


def test_newest_first_then_by_race(entries):
    markdown, page = build(entries)
    expected = ["pkwkk/6471", "pkwkp/62", "pkwkp/64", "pkwkp/65", "pkwkk/6472"]
    assert [cells(row)[2] for row in body_rows(page)] == expected
    assert [row[2] for row in md_rows(markdown)[1:]] == expected


def test_row_shows_headline_province_leader_share_progress_and_time(entries):
    markdown, page = build(entries)
    kaltim = by_race(page)["pkwkp/64"]
    assert cells(kaltim)[:8] == [
        "28/11/2024 10.15 WIB",
        "Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024",
        "pkwkp/64",
        "Kalimantan Timur",
        "Rudy Mas'ud-Seno Aji",
        "55,66%",
        "6.048 dari 6.274 TPS (96,39%)",
        "Ditulis",
    ]
    assert kaltim.find("a").attrs["href"] == "pilgub-kaltim-2024.md"
    assert kaltim.find("time").attrs["datetime"] == "2024-11-28T10:15:04+07:00"
    assert ("| 28/11/2024 10.15 WIB | [Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024]"
            "(pilgub-kaltim-2024.md) | pkwkp/64 | Kalimantan Timur | Rudy Mas'ud-Seno Aji |") in markdown


def test_summary_counts(entries):
    markdown, page = build(entries)
    summary = ("5 pemilihan: 2 ditulis, 1 tidak berubah, 1 ditahan, 1 belum ada data. "
               "4 pemilihan dengan catatan.")
    assert f"Dibuat 28/11/2024 11.30 Wita. {summary}" in markdown
    assert parse(page).root.find("p").text() == f"Dibuat 28/11/2024 11.30 Wita. {summary}"


def test_flags_are_short_indonesian_labels_with_the_full_text(entries):
    markdown, page = build(entries)
    kaltim = by_race(page)["pkwkp/64"]
    # An unknown flag is shown as it is; a known one by its label, the original text one click away.
    assert notes(kaltim)[0] == "Suara tidak sah melonjak"
    details = kaltim.find("details")
    assert details.find("summary").text() == "Suara per TPS melebihi kapasitas"
    assert details.find("span").text() == CAPACITY
    kaltara = by_race(page)["pkwkp/65"]
    assert kaltara.find("summary").text() == "Nama singkat perlu dicek"
    md = {r[2]: r for r in md_rows(markdown)[1:]}
    assert md["pkwkp/64"][-1] == (
        "Suara tidak sah melonjak; Suara per TPS melebihi kapasitas (race pkwkp/64: field votes: expected at most "
        "600 valid votes per reported TPS in the race (3.628.800 for 6.048 TPS), found 3.729.654 votes, "
        "616,68 per TPS)"
    )
    assert md["pkwkp/65"][-1].startswith("Nama singkat perlu dicek (race pkwkp/65: field tickets.2.head\\_short: ")


def test_close_race_held_back_reason_and_no_data(entries):
    markdown, page = build(entries)
    rows = by_race(page)
    assert notes(rows["pkwkp/62"]) == ["Selisih tipis: 1,32 poin"]  # Kalteng: 37,35% vs 36,03%
    assert cells(rows["pkwkp/62"])[-1] == "Selisih tipis: 1,32 poin"
    assert cells(rows["pkwkk/6471"])[-2] == "Ditahan"
    assert notes(rows["pkwkk/6471"]) == [
        "Alasan ditahan: hhcw/pkwkk/64/6471.json: TPS reported (700) exceeds TPS total (650) <check> & retry",
        "Data <anomali>",
    ]
    assert cells(rows["pkwkk/6472"])[-2:] == ["Belum ada data", "Belum ada data TPS masuk"]
    assert cells(rows["pkwkk/6472"])[:2] == ["\u2014", "\u2014"]
    md = {r[2]: r for r in md_rows(markdown)[1:]}
    assert md["pkwkp/62"][-1] == "Selisih tipis: 1,32 poin"
    assert md["pkwkk/6471"][-1] == (
        "Alasan ditahan: hhcw/pkwkk/64/6471.json: TPS reported (700) exceeds TPS total (650) \\<check\\> \\& retry; "
        "Data \\<anomali\\>"
    )
    assert md["pkwkk/6472"][-2:] == ["Belum ada data", "Belum ada data TPS masuk"]
    held = ReviewEntry(race="pkwkk/6471", status="held_back")
    assert notes(by_race(build([held])[1])["pkwkk/6471"]) == ["Alasan ditahan tidak tercatat"]


def test_held_back_reason_by_where_it_surfaced():
    """With the problem's kind the reason gets a short label, its text one click away."""
    reason = "hhcw/pkwkp/64.json: race pkwkp/64: field tps: TPS reported (7000) exceeds TPS total (6274)"
    labels = {"data": "Ditahan: data tidak bisa dipakai", "fetch": "Ditahan: data gagal diambil",
              "suspicious": "Ditahan: data janggal (mode ketat)", "audit": "Ditahan: naskah tidak lolos cek fakta",
              "template": "Ditahan: templat bermasalah", "config": "Ditahan: konfigurasi bermasalah",
              "output": "Ditahan: berkas gagal ditulis", "internal": "Ditahan: galat newsgen"}
    assert set(labels) == set(PROBLEM_KINDS)
    for kind, label in labels.items():
        entry = ReviewEntry(race="pkwkp/64", status="held_back", reason=reason, reason_kind=kind)
        markdown, page = build([entry])
        row = body_rows(page)[0]
        assert (row.find("summary").text(), row.find("span").text()) == (label, reason)
        assert md_rows(markdown)[1][-1] == f"{label} ({reason})"
    with pytest.raises(ValueError, match="unknown reason_kind 'disk'; one of data, fetch"):
        ReviewEntry(race="pkwkp/64", status="held_back", reason=reason, reason_kind="disk")


def test_a_clear_lead_has_nothing_to_note():
    kaltim_clear = ReviewEntry(race="pkwkp/65", status="unchanged", headline="H", path="h.md")
    row = by_race(build([kaltim_clear])[1])["pkwkp/65"]
    assert cells(row)[-1] == "\u2014" and row.attrs["data-flags"] == ""
    assert md_rows(build([kaltim_clear])[0])[1][-1] == "\u2014"


def test_tie_and_narrow_margin(snapshots):
    kaltim = snapshots["pkwkp/64"]
    tied = RaceSnapshot.model_validate({**kaltim.model_dump(), "votes": {t.id: 1000 for t in kaltim.tickets}})
    entry = entry_from_snapshot(tied, status="written", narrow_margin=NARROW)
    assert (entry.tie, entry.margin, entry.flags) == (True, None, ())
    clear = entry_from_snapshot(kaltim, status="written", narrow_margin=Decimal("12"))
    assert (clear.tie, clear.margin) == (False, "11,32")
    assert entry_from_snapshot(kaltim, status="written", narrow_margin=NARROW).margin is None
    markdown, page = build([entry])
    assert notes(body_rows(page)[0]) == ["Suara imbang di posisi teratas"]
    assert body_rows(page)[0].attrs["data-flags"] == "tie"
    assert md_rows(markdown)[1][-1] == "Suara imbang di posisi teratas"


def test_names_to_check_are_listed(entries):
    markdown, page = build(entries)
    assert ("## Nama yang perlu diperiksa\n\nNama singkat dari data KPU berikut tampak rusak; naskah memakai nama "
            "lengkap sampai redaksi mengisi nama singkat di races.yaml.\n\n- pkwkp/65: race pkwkp/65: field "
            "tickets.2.head\\_short: the short form 'Mirwan MS' looks cut off;") in markdown
    root = parse(page).root
    assert root.find("h2").text() == "Nama yang perlu diperiksa"
    assert root.find_all("ul")[-1].text() == f"pkwkp/65: {SHORT_NAME}"
    assert "Nama yang perlu diperiksa" not in build(entries[1:])[0]


# -- filters ------------------------------------------------------------------


def test_rows_carry_what_the_filters_need(entries):
    _, page = build(entries)
    attrs = {cells(row)[2]: (row.attrs["data-status"], row.attrs["data-province"], row.attrs["data-flags"])
             for row in body_rows(page)}
    assert attrs == {
        "pkwkk/6471": ("held_back", "64", "other"),  # province from the race code
        "pkwkp/62": ("written", "62", "close_race"),
        "pkwkp/64": ("written", "64", "other tps_capacity"),
        "pkwkp/65": ("unchanged", "65", "short_name"),
        "pkwkk/6472": ("no_data", "64", ""),
    }


def test_filter_bar_offers_what_is_on_the_page(entries):
    _, page = build(entries)
    bar = parse(page).root.find("div", id="filters")
    assert "hidden" in bar.attrs  # without the script, no dead controls: the whole table shows
    options = {select.attrs["name"]: [(o.attrs["value"], o.text()) for o in select.find_all("option")]
               for select in bar.find_all("select")}
    assert options == {
        "status": [("", "Semua"), ("written", "Ditulis (2)"), ("unchanged", "Tidak berubah (1)"),
                   ("held_back", "Ditahan (1)"), ("no_data", "Belum ada data (1)")],
        "province": [("", "Semua"), ("62", "Kalimantan Tengah"), ("64", "Kalimantan Timur"),
                     ("65", "Kalimantan Utara")],
        "flag": [("", "Semua"), ("close_race", "Selisih tipis"), ("tps_capacity", "Suara per TPS melebihi kapasitas"),
                 ("short_name", "Nama singkat perlu dicek"), ("other", "Catatan lain")],
    }


def test_province_without_a_name_shows_its_code():
    entry = ReviewEntry(race="pkwkk/1101", status="no_data")
    markdown, page = build_review([entry], generated_at=GENERATED)
    row = body_rows(page)[0]
    assert cells(row)[3] == "11" and row.attrs["data-province"] == "11"
    assert md_rows(markdown)[1][3] == "11"
    given = ReviewEntry(race="pkwkk/1101", status="no_data", province="12")
    assert body_rows(build([given])[1])[0].attrs["data-province"] == "12"


FAKE_DOM = """
const vm = require("vm");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const listeners = [];
const selects = Object.keys(input.choice).map(name => ({
  name, value: "", addEventListener: (kind, fn) => listeners.push(fn) }));
const rows = input.rows.map(data => ({ dataset: data, hidden: false }));
const bar = { hidden: true, querySelectorAll: () => selects };
const shown = { textContent: "" };
const document = {
  getElementById: id => ({ filters: bar, shown })[id],
  querySelectorAll: selector => selector === "tbody tr[data-status]" ? rows : [],
};
vm.runInNewContext(input.script, { document, String });
const before = { bar: bar.hidden, hidden: rows.map(r => r.hidden) };
selects.forEach(s => { s.value = input.choice[s.name]; });
listeners.forEach(fn => fn());
console.log(JSON.stringify({ before, hidden: rows.map(r => r.hidden), shown: shown.textContent }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page's script")
@pytest.mark.parametrize(("choice", "visible"), [
    ({"status": "", "province": "", "flag": ""}, ["pkwkk/6471", "pkwkp/62", "pkwkp/64", "pkwkp/65", "pkwkk/6472"]),
    ({"status": "written", "province": "", "flag": ""}, ["pkwkp/62", "pkwkp/64"]),
    ({"status": "", "province": "64", "flag": ""}, ["pkwkk/6471", "pkwkp/64", "pkwkk/6472"]),
    ({"status": "", "province": "", "flag": "tps_capacity"}, ["pkwkp/64"]),
    ({"status": "written", "province": "64", "flag": "other"}, ["pkwkp/64"]),
    ({"status": "unchanged", "province": "64", "flag": ""}, []),
])
def test_filter_script_hides_rows(tmp_path, entries, choice, visible):
    _, page = build(entries)
    rows = body_rows(page)
    data = [{"status": r.attrs["data-status"], "province": r.attrs["data-province"], "flags": r.attrs["data-flags"]}
            for r in rows]
    script = parse(page).root.find("script").text()
    (tmp_path / "dom.js").write_text(FAKE_DOM, encoding="utf-8")
    done = subprocess.run(["node", str(tmp_path / "dom.js")], input=json.dumps(
        {"script": script, "rows": data, "choice": choice}), capture_output=True, text=True, check=True, timeout=30)
    result = json.loads(done.stdout)
    assert result["before"]["bar"] is False  # the script shows the bar
    assert [cells(r)[2] for r, hidden in zip(rows, result["hidden"], strict=True) if not hidden] == visible
    assert result["shown"] == str(len(visible))


# -- links --------------------------------------------------------------------


def test_cms_url_pattern(entries):
    markdown, page = build(entries, url_pattern="https://cms.example/edit/{path}")
    rows = by_race(page)
    assert rows["pkwkp/64"].find("a").attrs["href"] == "https://cms.example/edit/pilgub-kaltim-2024.md"
    assert "](https://cms.example/edit/pilgub-kaltim-2024.md)" in markdown
    markdown, page = build(entries, url_pattern="https://example.id/{section}/{slug}/", section="pilkada-2024")
    assert by_race(page)["pkwkp/62"].find("a").attrs["href"] == "https://example.id/pilkada-2024/pilgub-kalteng-2024/"
    assert "](https://example.id/pilkada-2024/pilgub-kaltara-2024/)" in markdown
    # An entry without the slug the pattern needs keeps its relative link; an entry's own url wins.
    plain = ReviewEntry(race="pkwkp/64", status="written", headline="H", path="dir/h h.md")
    own = ReviewEntry(race="pkwkp/62", status="written", headline="G", path="g.md", url="https://cms.example/p/7?x=1&y=2")
    _, page = build([plain, own], url_pattern="/{section}/{slug}/", section="pilkada-2024")
    assert [r.find("a").attrs["href"] for r in body_rows(page)] == ["https://cms.example/p/7?x=1&y=2", "dir/h%20h.md"]
    assert "&amp;y=2" in page


def test_pattern_values_are_percent_encoded():
    entry = ReviewEntry(race="pkwkp/64", status="written", headline="H", path='a b/"x"?.md', slug="s#1")
    markdown, page = build([entry], url_pattern="https://cms.example/edit?file={path}&slug={slug}&race={race}")
    href = "https://cms.example/edit?file=a%20b/%22x%22%3F.md&slug=s%231&race=pkwkp/64"
    assert body_rows(page)[0].find("a").attrs["href"] == href
    assert f"[H]({href})" in markdown


def test_link_base_reaches_the_articles_from_the_state_folder(tmp_path, entries):
    out, state = tmp_path / "site" / "content", tmp_path / "state" / "newsgen"
    base = link_base_for(state, out)
    assert base == "../../site/content/"
    assert link_base_for(out, out) == ""
    markdown, page = build(entries, link_base=base)
    assert by_race(page)["pkwkp/64"].find("a").attrs["href"] == "../../site/content/pilgub-kaltim-2024.md"
    assert "](../../site/content/pilgub-kaltim-2024.md)" in markdown
    assert link_base_for(tmp_path / "st", tmp_path / "my site") == "../my%20site/"


def test_update_waiting_beside_an_edited_article(snapshots):
    edited = entry_from_snapshot(snapshots["pkwkp/65"], status="unchanged", narrow_margin=NARROW, headline="H",
                                 path="pilgub-kaltara-2024/index.md", waiting=True,
                                 waiting_path="pending/pilgub-kaltara-2024/index.md")
    markdown, page = build([edited], link_base="../out/")
    row = body_rows(page)[0]
    assert row.attrs["class"] == "unchanged waiting" and row.attrs["data-flags"] == "waiting"
    assert notes(row) == ["Pembaruan menunggu: naskah sudah diedit redaksi (versi baru)"]
    assert [a.attrs["href"] for a in row.find_all("a")] == ["../out/pilgub-kaltara-2024/index.md",
                                                            "pending/pilgub-kaltara-2024/index.md"]
    assert md_rows(markdown)[1][-1] == ("Pembaruan menunggu: naskah sudah diedit redaksi "
                                        "([versi baru](pending/pilgub-kaltara-2024/index.md))")
    assert "1 pembaruan menunggu karena naskahnya sudah diedit redaksi." in markdown
    # The pipeline's own wording of the same thing is recognised, shown once, first.
    said = ReviewEntry(race="pkwkp/64", status="unchanged", waiting=True, margin="1,00", flags=(
        CAPACITY, "update waiting: an editor changed the article; newsgen's new version is in the state folder at "
        "pending/pilgub-kaltim-2024/index.md"))
    row = body_rows(build([said])[1])[0]
    assert [s.text() for s in row.find_all("summary")] == ["Pembaruan menunggu: naskah sudah diedit redaksi",
                                                           "Suara per TPS melebihi kapasitas"]
    assert row.attrs["data-flags"] == "waiting close_race tps_capacity"


# -- escaping -----------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> {{ 7*7 }} {% if 1 %}x{% endif %} | A & B *tebal* [tautan]'


def test_everything_is_escaped():
    nasty = ReviewEntry(
        race="pkwkp/64", status="held_back",
        headline=HOSTILE,
        leader="Tom & <Jerry>", leader_share="55,66%", progress="1 dari 2 TPS (50,00%)",
        data_time=datetime(2024, 11, 28, 10, 15, tzinfo=WIB),
        path='naskah saya/"x"|(y).md', flags=("a|b", f"race pkwkp/64: field votes: expected at most 600 valid votes per reported TPS {HOSTILE}"),
        reason='"><img src=x onerror=alert(1)> {{ config }}',
    )
    markdown, page = build([nasty], province_names={"64": "<b>Kaltim</b>"})
    parser = parse(page)
    assert page.count("<script>") == 1 and "<Jerry>" not in page and "<img" not in page and "<b>" not in page
    assert "49" not in page and "49" not in markdown  # data is never template code
    row = body_rows(page)[0]
    assert cells(row)[1] == HOSTILE
    assert cells(row)[3:5] == ["<b>Kaltim</b>", "Tom & <Jerry>"]
    assert notes(row) == ['Alasan ditahan: "><img src=x onerror=alert(1)> {{ config }}', "a|b",
                          "Suara per TPS melebihi kapasitas"
                          f"race pkwkp/64: field votes: expected at most 600 valid votes per reported TPS {HOSTILE}"]
    assert [a.attrs["href"] for a in parser.root.find_all("a")] == ["naskah%20saya/%22x%22%7C%28y%29.md"]
    row = md_rows(markdown)[1]
    assert len(row) == 9  # the pipes in the headline and flags do not split cells
    assert row[1] == (
        '[\\<script\\>alert("x")\\</script\\> &#123;&#123; 7\\*7 &#125;&#125; &#123;% if 1 %&#125;x&#123;% endif %&#125; \\| A \\& B '
        '\\*tebal\\* \\[tautan\\]](naskah%20saya/%22x%22%7C%28y%29.md)'
    )
    assert row[3] == "\\<b\\>Kaltim\\</b\\>"
    assert row[-1].startswith('Alasan ditahan: "\\>\\<img src=x onerror=alert(1)\\> &#123;&#123; config &#125;&#125;; a\\|b; ')
    assert "{{" not in markdown and "{%" not in markdown  # nothing Hugo, Jekyll or Jinja would run


def test_no_entries_still_makes_a_page():
    markdown, page = build([])
    assert "0 pemilihan: 0 ditulis, 0 tidak berubah, 0 ditahan, 0 belum ada data." in markdown
    assert "Belum ada pemilihan dalam laporan ini." in page
    assert md_rows(markdown)[1] == ["\u2014"] * len(HEADINGS)
    parse(page)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown status 'done'"):
        ReviewEntry(race="pkwkp/64", status="done")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        ReviewEntry(race="pkwkp/64", status="written", data_time=datetime(2024, 11, 28, 10, 15))
    with pytest.raises(ValueError, match="time zone"):
        build_review([], generated_at=datetime(2024, 11, 28, 10, 15))
    with pytest.raises(ValueError, match="two-digit province code, found 'Kaltim'"):
        ReviewEntry(race="pkwkp/64", status="written", province="Kaltim")
    with pytest.raises(ValueError, match="url: expected an http, https or relative URL, found 'javascript:x'"):
        ReviewEntry(race="pkwkp/64", status="written", url="javascript:x")
    with pytest.raises(ValueError, match=r"unknown field \{title\}; expected only \{path\}, \{slug\}"):
        build([], url_pattern="https://cms.example/{title}")
    with pytest.raises(ValueError, match=r"unknown field \{path.upper\}"):
        build([], url_pattern="https://cms.example/{path.upper}")
    with pytest.raises(ValueError, match="expected an http, https or relative URL"):
        build([], url_pattern="javascript:open('{path}')")
    with pytest.raises(ValueError, match=r"uses \{section\}: pass the publication's section"):
        build([], url_pattern="/{section}/{slug}/")
    with pytest.raises(ValueError, match="link_base"):
        build([], link_base="javascript:")


def test_times_in_their_own_zone():
    assert format_when(datetime(2024, 11, 28, 10, 15, tzinfo=WIB)) == "28/11/2024 10.15 WIB"
    assert format_when(datetime(2024, 11, 28, 12, 15, tzinfo=timezone(timedelta(hours=9)))) == "28/11/2024 12.15 WIT"
    assert format_when(datetime(2024, 11, 28, 3, 15, tzinfo=UTC)) == "28/11/2024 03.15 UTC+00:00"


# -- templates ----------------------------------------------------------------


def test_a_templates_folder_replaces_the_page_in_the_sandbox(tmp_path: Path, entries):
    (tmp_path / "review.md.j2").write_text(
        "{% for row in page.rows %}{{ row.entry.race }} {{ row.entry.headline or '-' }}\n{% endfor %}", encoding="utf-8")
    markdown, page = build(entries[:1], templates=tmp_path)
    assert markdown == "pkwkp/65 Zainal Paliwang-Ingkong Ala Unggul Sementara di Pilgub Kaltara 2024\n"
    assert "<h1>Tinjauan naskah Pilkada</h1>" in page  # no review.html.j2 there: newsgen's own
    (tmp_path / "review.md.j2").write_text("{{ page.rows.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"review page template review.md.j2: .*unsafe"):
        build(entries, templates=tmp_path)
    (tmp_path / "review.md.j2").write_text("{% for row in page.rows %}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"review page template .*review.md.j2:1: Unexpected end of template"):
        build(entries, templates=tmp_path)
    (tmp_path / "review.md.j2").write_text("{{ page.nothing }}", encoding="utf-8")
    with pytest.raises(TemplateError, match="has no attribute 'nothing'"):
        build(entries, templates=tmp_path)
