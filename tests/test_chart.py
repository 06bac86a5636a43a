"""The vote-share chart: well-formed SVG, every ticket with its share, escaping, colours."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import pairwise

import pytest

from generator.chart import (
    BAR_MAX,
    EMPTY_COLUMN_COLOUR,
    PALETTE,
    chart_alt_text,
    render_chart,
)
from generator.models import RaceSnapshot, Ticket
from generator.phrases import Phrases
from generator.sources.files import read_file
from generator.sources.live import Selection, fetch_live
from generator.sources.read import built
from generator.story import build_story
from generator.textwidth import text_width, wrap
from tests.support.sirekap_server import SirekapServer
from tests.support.synthetic_tree import build_tree

from .conftest import EXAMPLE_DATA, REPO, SHARED, needs_shared

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def snapshots() -> dict[str, RaceSnapshot]:
    items = read_file(EXAMPLE_DATA)
    assert all(isinstance(s, RaceSnapshot) for s in items)
    return {s.race: s for s in items}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def kaltim(snapshots) -> RaceSnapshot:
    return snapshots["pkwkp/64"]


def with_tickets(snapshot: RaceSnapshot, tickets: list[Ticket], **changes) -> RaceSnapshot:
    """A validated copy of ``snapshot`` with other tickets (same ids, so votes still match)."""
    return RaceSnapshot.model_validate({**snapshot.model_dump(), "tickets": tickets, **changes})


def rows(svg: str) -> list[dict]:
    """Each ticket's group: its name label, bar and value label, in document order."""
    root = ET.fromstring(svg)
    out = []
    for group in root.iter(f"{SVG}g"):
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        bars = list(group.iter(f"{SVG}rect"))
        assert len(texts) == 2 and len(bars) == 1, ET.tostring(group, encoding="unicode")
        out.append({"id": group.get("id"), "name": texts[0], "value": texts[1], "bar": bars[0]})
    return out


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_svg_is_well_formed_and_accessible(kaltim):
    svg = render_chart(kaltim, title="Perolehan suara sementara Pilgub Kaltim 2024")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert int(root.get("width")) > 0 and int(root.get("height")) > 0
    title_id, desc_id = root.get("aria-labelledby").split()
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert by_id[title_id].tag == f"{SVG}title"
    assert by_id[title_id].text == "Perolehan suara sementara Pilgub Kaltim 2024"
    assert by_id[desc_id].tag == f"{SVG}desc"
    desc = by_id[desc_id].text
    assert "Rudy Mas'ud-Seno Aji, nomor urut 2: 55,66% (962.804 suara)" in desc
    assert "Isran Noor-Hadi Mulyadi, nomor urut 1: 44,34% (766.850 suara)" in desc
    assert "6.048 dari 6.274 TPS (96,39%)" in desc
    # Readable with no CSS at all: nothing to load, no style sheets, no scripts.
    assert not list(root.iter(f"{SVG}style")) and not list(root.iter(f"{SVG}script"))
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in svg


def test_kaltim_bars_labels_and_order(kaltim):
    found = rows(render_chart(kaltim, title="Pilgub Kaltim 2024"))
    assert [(r["id"], r["name"], r["value"]) for r in found] == [
        ("tiket-2", "Rudy Mas'ud-Seno Aji", "55,66% \u00b7 962.804 suara"),
        ("tiket-1", "Isran Noor-Hadi Mulyadi", "44,34% \u00b7 766.850 suara"),
    ]
    # Bars from zero, 100% = BAR_MAX: 55,66% of 440 px.
    assert [Decimal(r["bar"].get("width")) for r in found] == [Decimal("244.9"), Decimal("195.1")]
    assert [r["bar"].get("fill") for r in found] == ["#8CB9BD", "#B67352"]  # KPU warna


@pytest.mark.parametrize("race", ["pkwkp/64", "pkwkp/62", "pkwkp/65"])
def test_every_ticket_has_a_bar_with_its_share(snapshots, race):
    snapshot = snapshots[race]
    found = rows(render_chart(snapshot, title=race))
    assert len(found) == len(snapshot.tickets)
    for row, result in zip(found, snapshot.results, strict=True):
        assert row["id"] == f"tiket-{result.ticket.number}"
        assert row["name"] == result.ticket.short_name
        share = f"{result.share:.2f}".replace(".", ",") + "%"
        assert row["value"].startswith(share + " \u00b7 ")
        width = Decimal(row["bar"].get("width"))
        assert abs(width - BAR_MAX * result.share / 100) <= Decimal("0.05")
    widths = [Decimal(r["bar"].get("width")) for r in found]
    assert widths == sorted(widths, reverse=True)


def test_text_is_dark_on_white_with_explicit_font(kaltim):
    root = ET.fromstring(render_chart(kaltim, title="Pilgub Kaltim 2024"))
    background = next(root.iter(f"{SVG}rect")).get("fill")
    assert background == "#FFFFFF"
    assert "sans-serif" in root.get("font-family")
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for text in texts:
        assert int(text.get("font-size")) >= 12
        assert contrast(text.get("fill"), background) >= 7, text.text


def test_text_that_looks_like_markup_is_escaped(kaltim):
    tickets = [
        kaltim.tickets[0].model_copy(update={"head_short": 'A<b>&"X', "deputy_short": "</svg>"}),
        kaltim.tickets[1].model_copy(update={"head_short": "Tom & Jerry", "deputy_short": "x\x07y"}),
    ]
    snapshot = with_tickets(kaltim, tickets)
    svg = render_chart(snapshot, title="Judul <script>&amp;")
    root = ET.fromstring(svg)  # would raise on broken markup
    assert root.find(f"{SVG}title").text == "Judul <script>&amp;"
    assert [r["name"] for r in rows(svg)] == ["Tom & Jerry-xy", 'A<b>&"X-</svg>']
    assert "<script>" not in svg and "<b>" not in svg
    alt = chart_alt_text(snapshot, "Pilgub <Kaltim>")
    assert alt.startswith("Grafik perolehan suara sementara Pilgub <Kaltim>: Tom & Jerry-x\x07y 55,66%")


def test_empty_column_is_labelled_kolom_kosong(kaltim):
    tickets = [
        Ticket(id=kaltim.tickets[0].id, number=1, empty_column=True),
        kaltim.tickets[1].model_copy(update={"colour": None}),
    ]
    snapshot = with_tickets(kaltim, tickets)
    found = rows(render_chart(snapshot, title="Pilgub Kaltim 2024"))
    assert [r["name"] for r in found] == ["Rudy Mas'ud-Seno Aji", "Kolom kosong"]
    assert found[1]["value"] == "44,34% \u00b7 766.850 suara"
    assert found[1]["bar"].get("fill") == EMPTY_COLUMN_COLOUR
    assert found[0]["bar"].get("fill") == PALETTE[1]  # nomor urut 2, no colour given
    assert chart_alt_text(snapshot, "Pilgub Kaltim 2024") == (
        "Grafik perolehan suara sementara Pilgub Kaltim 2024: Rudy Mas'ud-Seno Aji 55,66%, Kolom kosong 44,34%"
    )


def test_colour_order_kpu_then_override_then_palette(snapshots):
    snapshot = snapshots["pkwkp/62"]  # four tickets
    tickets = [t.model_copy(update={"colour": None}) if t.number in (1, 4) else t for t in snapshot.tickets]
    snapshot = with_tickets(snapshot, tickets)
    found = rows(render_chart(snapshot, title="x", colours={1: "#123456", 2: "#654321"}))
    fills = {r["id"]: r["bar"].get("fill") for r in found}
    kpu = {t.number: t.colour.upper() for t in snapshot.tickets if t.colour}
    assert fills == {
        "tiket-1": "#123456",  # no KPU colour: the override
        "tiket-2": kpu[2],  # KPU colour wins over the override
        "tiket-3": kpu[3],
        "tiket-4": PALETTE[3],  # neither: the palette, by nomor urut
    }
    with pytest.raises(ValueError, match="nomor urut 1"):
        render_chart(snapshot, title="x", colours={1: "red"})


def test_alt_text_matches_the_house_example(kaltim):
    assert chart_alt_text(kaltim, "Pilgub Kaltim 2024") == (
        "Grafik perolehan suara sementara Pilgub Kaltim 2024: "
        "Rudy Mas'ud-Seno Aji 55,66%, Isran Noor-Hadi Mulyadi 44,34%"
    )


def test_alt_text_and_note_follow_the_stage(kaltim):
    quick = RaceSnapshot.model_validate(
        {**kaltim.model_dump(), "stage": "quick_count", "quick_count": {"institute": "LSI Denny JA"}}
    )
    assert chart_alt_text(quick, "Pilgub Kaltim 2024").startswith(
        "Grafik hasil hitung cepat Pilgub Kaltim 2024 versi LSI Denny JA: Rudy Mas'ud-Seno Aji 55,66%"
    )
    assert "Sumber: hitung cepat LSI Denny JA, bukan hasil resmi KPU" in render_chart(quick, title="x")
    recap = RaceSnapshot.model_validate(
        {**kaltim.model_dump(), "stage": "official_recap", "recap": {"plenary": "rapat pleno KPU Kaltim"}}
    )
    assert chart_alt_text(recap, "Pilgub Kaltim 2024").startswith("Grafik hasil rekapitulasi resmi Pilgub Kaltim 2024:")


def test_same_input_same_bytes_across_processes(kaltim):
    first = render_chart(kaltim, title="Pilgub Kaltim 2024", colours={3: "#000000"})
    assert render_chart(kaltim, title="Pilgub Kaltim 2024", colours={3: "#000000"}) == first
    script = (
        "import sys; from pathlib import Path\n"
        "from generator.chart import render_chart\n"
        "from generator.sources.files import read_file\n"
        "s = {x.race: x for x in read_file(Path(sys.argv[1]))}['pkwkp/64']\n"
        "sys.stdout.buffer.write(render_chart(s, title='Pilgub Kaltim 2024', colours={3: '#000000'}).encode())\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, str(EXAMPLE_DATA)],
        capture_output=True, check=True, cwd=REPO, env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )
    assert other.stdout.decode("utf-8") == first


def test_quick_count_chart_shows_shares_only():
    (snap,) = read_file(REPO / "tests" / "scenarios" / "quick-count-kota-pangkalpinang.yaml")
    svg = render_chart(snap, title="QC")
    assert "57,90%" in svg and "42,10%" in svg
    assert "suara" not in svg.split("</desc>")[1]  # no bar label claims votes
    assert "5.790" not in svg


# -- no clipped text: every line measured against the frame ------------------------


def text_lines(svg: str) -> list[tuple[float, float, float, str, bool]]:
    """Every line of text in ``svg``: (x, y, size, text, bold), a ``<tspan>`` being a line."""
    out = []
    for element in ET.fromstring(svg).iter(f"{SVG}text"):
        size, bold = float(element.get("font-size")), element.get("font-weight") == "bold"
        spans = list(element.iter(f"{SVG}tspan")) or [element]
        for span in spans:
            out.append((float(span.get("x")), float(span.get("y")), size, span.text or "", bold))
    return out


def assert_fits(svg: str, where: str) -> None:
    """No line runs past the right margin or below the frame, and lines do not overlap."""
    root = ET.fromstring(svg)
    width, height = int(root.get("width")), int(root.get("height"))
    found = text_lines(svg)
    assert found, where
    for x, y, size, text, bold in found:
        assert text.strip(), (where, "an empty line")
        right = x + text_width(text, size, bold=bold)
        assert right <= width - 16, (where, text, f"ends at {right:.0f} px of {width}")
        assert size <= y <= height - 4, (where, text, f"baseline {y} of {height}")
    starts = sorted({y for x, y, *_ in found if x == 16})
    assert all(b - a >= 16 for a, b in pairwise(starts)), (where, starts)


def test_text_width_is_dejavu_sans_the_widest_of_the_stack():
    # DejaVu Sans Bold's advance widths at 18 px, from the font file (hmtx).
    assert text_width("Perolehan suara sementara Pilgub Kaltim 2024", 18, bold=True) == pytest.approx(479.646)
    assert text_width("é", 10) == text_width("e", 10)  # an accented letter as its base letter
    assert text_width("\u4e2d", 10) == 10  # anything else: a full em
    assert wrap("Rudy Mas'ud-Seno Aji", 120, 15, bold=True) == ["Rudy Mas'ud-", "Seno Aji"]
    assert wrap("x" * 500, 100, 12, max_lines=2)[-1].endswith("\u2026")


def test_long_title_names_and_note_wrap_inside_the_frame(kaltim):
    long = "Muhammad Abdurrahman Syarifuddin Wicaksono Prawiranegara, S.H., M.H."
    tickets = [
        kaltim.tickets[0].model_copy(update={"head_short": long, "deputy_short": long}),
        kaltim.tickets[1].model_copy(update={"head_short": "W" * 150, "deputy_short": "Aji"}),
    ]
    quick = with_tickets(kaltim, tickets, stage="quick_count",
                         quick_count={"institute": "Lembaga Survei " + "Indonesia Raya " * 9})
    title = "Hasil hitung cepat Lembaga Survei Indonesia Raya Pilbup Kepulauan Sangihe Talaud Selatan 2024 " * 2
    svg = render_chart(quick, title=title)
    assert_fits(svg, "long texts")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == title  # the accessible title keeps it whole
    shown = text_lines(svg)
    assert shown[0][3].startswith("Hasil hitung cepat") and shown[1][3].endswith("\u2026")  # two lines, then "…"
    name = [line for _, _, size, line, _ in shown if size == 15]
    first = name.index(f"{long}-")  # broken at the hyphen between the pair
    assert name[first + 1] == long
    assert name[0].startswith("WWW") and name[1].endswith("\u2026")  # a name too long for two lines
    assert int(root.get("height")) > int(ET.fromstring(render_chart(kaltim, title="x")).get("height"))


def test_source_note_says_how_many_tps(kaltim):
    assert "Sumber: hitung sementara KPU (belum final), data 6.048 dari 6.274 TPS (96,39%)" in render_chart(
        kaltim, title="x")
    complete = RaceSnapshot.model_validate({**kaltim.model_dump(), "tps_reported": 6274})
    assert "Sumber: hitung sementara KPU (belum final), data seluruh 6.274 TPS</text>" in render_chart(
        complete, title="x")
    recap = RaceSnapshot.model_validate({**complete.model_dump(), "stage": "official_recap",
                                         "recap": {"plenary": "rapat pleno KPU Kaltim"}})
    assert "Sumber: rekapitulasi resmi KPU, data seluruh 6.274 TPS</text>" in render_chart(recap, title="x")


@needs_shared
def test_no_chart_of_the_national_run_clips_text(tmp_path, config):
    """All 545 races of the synthetic national tree: the chart title follows the stage and
    every line of every chart fits the frame, with the short title and with the full headline."""
    build_tree(SHARED, tmp_path, kecamatan_per_race=1)
    with SirekapServer(tmp_path) as server:
        run = fetch_live(server.url, Selection.parse())
    snapshots = [item for item in built(run.items) if isinstance(item, RaceSnapshot)]
    assert len(snapshots) == 545
    phrases = Phrases.load()
    wrapped = 0
    for snapshot in snapshots:
        story = build_story(snapshot, config, phrases)
        title = story.phrases["chart_title"]
        assert title == f"Perolehan suara sementara {story.race_short}"
        assert_fits(render_chart(snapshot, title=title), snapshot.race)
        svg = render_chart(snapshot, title=story.headline)
        assert_fits(svg, snapshot.race)
        wrapped += "<tspan" in svg
    assert wrapped > 0  # some headlines are long enough to need a second line


def test_chart_title_follows_the_stage(kaltim, config):
    phrases = Phrases.load()
    quick = RaceSnapshot.model_validate(
        {**kaltim.model_dump(), "stage": "quick_count", "quick_count": {"institute": "LSI Denny JA"}}
    )
    recap = RaceSnapshot.model_validate(
        {**kaltim.model_dump(), "stage": "official_recap", "recap": {"plenary": "rapat pleno KPU Kaltim"}}
    )
    assert [build_story(s, config, phrases).phrases["chart_title"] for s in (kaltim, quick, recap)] == [
        "Perolehan suara sementara Pilgub Kaltim 2024",
        "Hasil hitung cepat LSI Denny JA Pilgub Kaltim 2024",
        "Hasil rekapitulasi Pilgub Kaltim 2024",
    ]
