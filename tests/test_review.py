"""The night's review report: order, flags, reasons, escaping, a parseable HTML page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from generator.models import RaceSnapshot
from generator.review import ReviewEntry, build_review, entry_from_snapshot, format_when
from generator.sources.files import read_file

from .conftest import EXAMPLE_DATA

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
GENERATED = datetime(2024, 11, 28, 11, 30, tzinfo=WITA)
NARROW = Decimal("2")


@pytest.fixture(scope="module")
def snapshots() -> dict[str, RaceSnapshot]:
    return {s.race: s for s in read_file(EXAMPLE_DATA)}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def entries(snapshots) -> list[ReviewEntry]:
    kaltim, kalteng, kaltara = snapshots["pkwkp/64"], snapshots["pkwkp/62"], snapshots["pkwkp/65"]
    return [
        entry_from_snapshot(kaltara, status="unchanged", narrow_margin=NARROW,
                            headline="Zainal Paliwang-Ingkong Ala Unggul Sementara di Pilgub Kaltara 2024",
                            path="pilgub-kaltara-2024.md"),
        entry_from_snapshot(kaltim, status="written", narrow_margin=NARROW,
                            headline="Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024",
                            path="pilgub-kaltim-2024.md", flags=("Suara tidak sah melonjak",)),
        ReviewEntry(race="pkwkk/6472", status="no_data"),
        entry_from_snapshot(kalteng, status="written", narrow_margin=NARROW,
                            headline="Agustiar Sabran-Edy Pratowo Unggul Sementara di Pilgub Kalteng 2024",
                            path="pilgub-kalteng-2024.md"),
        ReviewEntry(race="pkwkk/6471", status="held_back",
                    data_time=datetime(2024, 11, 28, 12, 0, tzinfo=WITA),
                    reason="hhcw/pkwkk/64/6471.json: TPS reported (700) exceeds TPS total (650) <check> & retry",
                    flags=("Data <anomali>",)),
    ]


class StrictParser(HTMLParser):
    """Collects problems html.parser tolerates silently: unclosed or stray tags."""

    VOID = frozenset({"meta", "link", "br", "hr", "img", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.doctype = ""
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag == "a":
            self.links.append(dict(attrs)["href"])
        if tag in ("script", "img", "link", "iframe"):
            self.problems.append(f"external asset or script: <{tag}>")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.problems == [] and parser.stack == [], (parser.problems, parser.stack)
    return parser


def md_rows(markdown: str) -> list[list[str]]:
    """Table rows of the Markdown report, split on unescaped pipes."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = []
            current = ""
            escaped = False
            for char in line[2:-2]:
                if char == "|" and not escaped:
                    cells.append(current.strip())
                    current = ""
                else:
                    current += char
                escaped = char == "\\" and not escaped
            cells.append(current.strip())
            rows.append(cells)
    return rows


def test_html_is_a_standalone_parseable_page(entries):
    _, page = build_review(entries, generated_at=GENERATED)
    parser = parse(page)
    assert parser.doctype.lower() == "doctype html"
    assert '<html lang="id">' in page and '<meta charset="utf-8">' in page
    assert "http://" not in page and "https://" not in page and " src=" not in page
    assert parser.rows[0] == ["Waktu data", "Judul", "Kode", "Unggul", "Perolehan", "TPS masuk", "Status", "Catatan"]
    assert len(parser.rows) == 1 + len(entries)


def test_newest_first_then_by_race(entries):
    markdown, page = build_review(entries, generated_at=GENERATED)
    expected = ["pkwkk/6471", "pkwkp/62", "pkwkp/64", "pkwkp/65", "pkwkk/6472"]
    assert [row[2] for row in parse(page).rows[1:]] == expected
    assert [row[2] for row in md_rows(markdown)[1:]] == expected


def test_row_shows_headline_leader_share_progress_and_time(entries):
    markdown, page = build_review(entries, generated_at=GENERATED)
    kaltim = next(r for r in parse(page).rows if r[2] == "pkwkp/64")
    assert kaltim == [
        "28/11/2024 10.15 WIB",
        "Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024",
        "pkwkp/64",
        "Rudy Mas'ud-Seno Aji",
        "55,66%",
        "6.048 dari 6.274 TPS (96,39%)",
        "Ditulis",
        "Suara tidak sah melonjak",
    ]
    assert '<a href="pilgub-kaltim-2024.md">' in page
    assert "| 28/11/2024 10.15 WIB | [Rudy Mas'ud-Seno Aji Unggul Sementara di Pilgub Kaltim 2024](pilgub-kaltim-2024.md) |" in markdown
    assert "Dibuat 28/11/2024 11.30 Wita. 5 pemilihan: 2 ditulis, 1 tidak berubah, 1 ditahan, 1 belum ada data." in markdown


def test_flags_close_race_held_back_reason_and_no_data(entries):
    markdown, page = build_review(entries, generated_at=GENERATED)
    rows = {r[2]: r for r in parse(page).rows[1:]}
    assert rows["pkwkp/62"][-1] == "Selisih tipis: 1,32 poin"  # Kalteng: 37,35% vs 36,03%
    assert rows["pkwkp/65"][-1] == "\u2014"  # Kaltara: a clear lead, nothing to flag
    assert rows["pkwkk/6471"][-2:] == [
        "Ditahan",
        "Alasan ditahan: hhcw/pkwkk/64/6471.json: TPS reported (700) exceeds TPS total (650) <check> & retry; Data <anomali>",
    ]
    assert rows["pkwkk/6472"][-2:] == ["Belum ada data", "Belum ada data TPS masuk"]
    assert rows["pkwkk/6472"][:2] == ["\u2014", "\u2014"]
    md = {r[2]: r for r in md_rows(markdown)[1:]}
    assert md["pkwkp/62"][-1] == "Selisih tipis: 1,32 poin"
    assert md["pkwkk/6471"][-1] == (
        "Alasan ditahan: hhcw/pkwkk/64/6471.json: TPS reported (700) exceeds TPS total (650) \\<check\\> \\& retry; "
        "Data \\<anomali\\>"
    )


def test_tie_is_flagged(snapshots):
    kaltim = snapshots["pkwkp/64"]
    tied = RaceSnapshot.model_validate({**kaltim.model_dump(), "votes": {t.id: 1000 for t in kaltim.tickets}})
    entry = entry_from_snapshot(tied, status="written", narrow_margin=NARROW)
    assert entry.flags == ("Suara imbang di posisi teratas",)
    clear = entry_from_snapshot(kaltim, status="written", narrow_margin=Decimal("12"))
    assert clear.flags == ("Selisih tipis: 11,32 poin",)


def test_everything_is_escaped():
    nasty = ReviewEntry(
        race="pkwkp/64", status="written",
        headline='<script>alert("x")</script> | A & B *tebal* [tautan]',
        leader="Tom & <Jerry>", leader_share="55,66%", progress="1 dari 2 TPS (50,00%)",
        data_time=datetime(2024, 11, 28, 10, 15, tzinfo=WIB),
        path='naskah saya/"x".md', flags=("a|b",),
    )
    markdown, page = build_review([nasty], generated_at=GENERATED)
    parser = parse(page)
    assert "<script>" not in page and "<Jerry>" not in page
    assert parser.rows[1][1] == '<script>alert("x")</script> | A & B *tebal* [tautan]'
    assert parser.rows[1][3] == "Tom & <Jerry>"
    assert parser.links == ["naskah%20saya/%22x%22.md"]
    row = md_rows(markdown)[1]
    assert len(row) == 8  # the pipes in the headline and flag do not split cells
    assert row[1] == (
        '[\\<script\\>alert("x")\\</script\\> \\| A \\& B \\*tebal\\* \\[tautan\\]](naskah%20saya/%22x%22.md)'
    )
    assert row[-1] == "a\\|b"


def test_no_entries_still_makes_a_page():
    markdown, page = build_review([], generated_at=GENERATED)
    assert "0 pemilihan" in markdown
    assert "Belum ada pemilihan dalam laporan ini." in page
    parse(page)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown status 'done'"):
        ReviewEntry(race="pkwkp/64", status="done")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time zone"):
        ReviewEntry(race="pkwkp/64", status="written", data_time=datetime(2024, 11, 28, 10, 15))
    with pytest.raises(ValueError, match="time zone"):
        build_review([], generated_at=datetime(2024, 11, 28, 10, 15))


def test_times_in_their_own_zone():
    assert format_when(datetime(2024, 11, 28, 10, 15, tzinfo=WIB)) == "28/11/2024 10.15 WIB"
    assert format_when(datetime(2024, 11, 28, 12, 15, tzinfo=timezone(timedelta(hours=9)))) == "28/11/2024 12.15 WIT"
    assert format_when(datetime(2024, 11, 28, 3, 15, tzinfo=UTC)) == "28/11/2024 03.15 UTC+00:00"
