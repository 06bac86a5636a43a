"""A vote-share chart per race, as a standalone SVG file.

One horizontal bar per ticket in rank order (most votes first). Each bar has its
label in dark text beside it: the short ticket name above the bar ("Kolom kosong"
for the empty column), the share and the votes after its end, in house style
(``55,66%``, ``962.804 suara``). Every word of it (labels, the source note, the
description for screen readers, the alt text) is a ``chart.*`` phrase of
``templates/id/phrases.yaml``. Bars run from zero and a full bar is 100%, so
lengths compare honestly across races.

The title is given (the story's short chart title, "Perolehan suara sementara
Pilgub Jatim 2024"). Title, ticket names and the source note are measured with
:mod:`.textwidth` and wrap onto a second line rather than run past the frame.

The file needs no CSS, script, font or network: every style is a presentation
attribute with an explicit font family and size; text is dark on a white
background; bars have a dark outline so light party colours stay visible. It
carries ``<title>`` and ``<desc>``, ``role="img"`` and ``aria-labelledby`` for
screen readers. All text is XML-escaped, and the same snapshot always gives the
same bytes.

Colours: the ticket's own colour (KPU's ``warna``), else ``colours[nomor urut]``,
else a fixed palette chosen by nomor urut (so a ticket keeps its colour as the
ranks change); the empty column is grey.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from .formatting import format_percent, format_votes
from .models import RaceSnapshot, Stage, TicketResult
from .phrases import Phrases, shipped_phrases
from .textwidth import wrap

#: Colours for tickets without one: distinct, and each at least 3:1 against white.
PALETTE = (
    "#1F5AA6",  # blue
    "#C0392B",  # red
    "#1E7B4A",  # green
    "#B35C00",  # orange
    "#6C3FA0",  # purple
    "#00737A",  # teal
    "#A0306B",  # magenta
    "#5D6B00",  # olive
)
EMPTY_COLUMN_COLOUR = "#8A8A8A"

TEXT_COLOUR = "#1A1A1A"  # about 17:1 on white
NOTE_COLOUR = "#404040"  # about 10:1 on white
OUTLINE_COLOUR = "#1A1A1A"
BACKGROUND = "#FFFFFF"
FONT = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"

WIDTH = 720
MARGIN = 16
BAR_MAX = 440  # pixels for 100%
BAR_HEIGHT = 20
ROW_HEIGHT = 58
TOP = 56  # below the visible title
FOOTER = 40
TEXT_WIDTH = WIDTH - 2 * MARGIN  # a line of text never runs into the right margin
MAX_LINES = 2  # a longer title, name or note ends with "…" (the <title> and <desc> keep it whole)
TITLE_SIZE, TITLE_LINE = 18, 24  # font size and line step, pixels
LABEL_SIZE, LABEL_LINE = 15, 19
VALUE_SIZE = 14
NOTE_SIZE, NOTE_LINE = 12, 16

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Characters XML 1.0 does not allow at all (a stray one would break the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """Text content, safe in an element: no control characters, ``&<>`` escaped."""
    return escape(_NOT_XML.sub("", value))


def _attr(value: str) -> str:
    """An attribute value to put between double quotes."""
    return escape(_NOT_XML.sub("", value), {'"': "&quot;"})


def _px(value: Decimal) -> str:
    """A coordinate with at most one decimal, the same every time: ``307.4``, ``16``."""
    rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


def ticket_label(result: TicketResult, phrases: Phrases | None = None, seed: str = "") -> str:
    """The name a bar carries: the short ticket name, or "Kolom kosong" (``empty_column.label``)."""
    if result.ticket.empty_column:
        return (phrases or shipped_phrases()).pick("empty_column.label", seed)
    return result.ticket.short_name


def value_label(result: TicketResult, *, votes: bool = True, phrases: Phrases | None = None, seed: str = "") -> str:
    """``55,66% · 962.804 suara`` (a quick count has shares only: ``57,90%``)."""
    figures = {"share": format_percent(result.share)} | ({"votes": format_votes(result.votes)} if votes else {})
    return (phrases or shipped_phrases()).pick("chart.value.votes" if votes else "chart.value.shares", seed, **figures)


def ticket_colour(result: TicketResult, colours: dict[int, str] | None = None) -> str:
    """The fill of a ticket's bar: KPU colour, else the override, else the palette."""
    ticket = result.ticket
    if ticket.colour and _HEX.match(ticket.colour):
        return ticket.colour.upper()
    override = (colours or {}).get(ticket.number)
    if override is not None:
        if not _HEX.match(override):
            raise ValueError(f"chart colour for nomor urut {ticket.number} must look like #1A2B3C, got {override!r}")
        return override.upper()
    if ticket.empty_column:
        return EMPTY_COLUMN_COLOUR
    return PALETTE[(ticket.number - 1) % len(PALETTE)]


def _source_note(snapshot: RaceSnapshot, phrases: Phrases) -> str:
    """The line under the bars saying where the figures come from and how complete they are."""
    seed = snapshot.race
    complete = snapshot.tps_reported >= snapshot.tps_total
    tps = phrases.pick("chart.tps.complete" if complete else "chart.tps.partial", seed,
                       tps_reported=format_votes(snapshot.tps_reported), tps_total=format_votes(snapshot.tps_total),
                       progress=format_percent(snapshot.progress))
    if snapshot.stage is Stage.QUICK_COUNT and snapshot.quick_count is not None:
        return phrases.pick("chart.note.quick_count", seed, institute=snapshot.quick_count.institute)
    stage = "official_recap" if snapshot.stage is Stage.OFFICIAL_RECAP else "real_count"
    return phrases.pick(f"chart.note.{stage}", seed, tps=tps)


def _pairs(snapshot: RaceSnapshot, phrases: Phrases) -> str:
    return ", ".join(phrases.pick("chart.pair", snapshot.race, label=ticket_label(r, phrases, snapshot.race),
                                  share=format_percent(r.share)) for r in snapshot.results)


def chart_alt_text(snapshot: RaceSnapshot, race_label: str, phrases: Phrases | None = None) -> str:
    """Alt text for the chart image, in Indonesian (``chart.alt.<stage>``).

    ``Grafik perolehan suara sementara Pilgub Kaltim 2024: Rudy Mas'ud-Seno Aji
    55,66%, Isran Noor-Hadi Mulyadi 44,34%``. Plain text: escape it for where it goes.
    """
    phrases = phrases or shipped_phrases()
    institute = ""
    key = f"chart.alt.{snapshot.stage.value}"
    if snapshot.stage is Stage.QUICK_COUNT:
        institute = snapshot.quick_count.institute if snapshot.quick_count else ""
        key += "" if institute else "_unnamed"
    return phrases.pick(key, snapshot.race, race=race_label, institute=institute, pairs=_pairs(snapshot, phrases))


def _description(snapshot: RaceSnapshot, phrases: Phrases, note: str) -> str:
    seed, votes = snapshot.race, snapshot.stage is not Stage.QUICK_COUNT
    rows = "; ".join(
        phrases.pick("chart.row.votes" if votes else "chart.row.shares", seed, label=ticket_label(r, phrases, seed),
                     number=str(r.ticket.number), share=format_percent(r.share),
                     **({"votes": format_votes(r.votes)} if votes else {}))
        for r in snapshot.results
    )
    return phrases.pick("chart.description", seed, rows=rows, note=note)


def _ids(snapshot: RaceSnapshot) -> tuple[str, str]:
    base = "grafik-" + snapshot.race.replace("/", "-")
    return f"{base}-judul", f"{base}-keterangan"


def _lines(x: int, y: int, lines: list[str], step: int, attributes: str) -> str:
    """One ``<text>`` element; a text of several lines holds a ``<tspan>`` per line, ``step`` apart."""
    if len(lines) == 1:
        return f'<text x="{x}" y="{y}" {attributes}>{_text(lines[0])}</text>'
    spans = "".join(f'<tspan x="{x}" y="{y + step * i}">{_text(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text x="{x}" y="{y}" {attributes}>{spans}</text>'


def render_chart(snapshot: RaceSnapshot, *, title: str, colours: dict[int, str] | None = None,
                 phrases: Phrases | None = None) -> str:
    """The vote-share chart of one race as a standalone SVG document (text), worded by
    ``phrases`` (the run's; newsgen's own when not given).

    The title, the ticket names and the source note wrap onto further lines (at most
    :data:`MAX_LINES`, then "…") so that no text runs past the frame; the chart grows
    to hold them.
    """
    phrases = phrases or shipped_phrases()
    seed = snapshot.race
    results = snapshot.results
    title_lines = wrap(_NOT_XML.sub("", title), TEXT_WIDTH, TITLE_SIZE, bold=True, max_lines=MAX_LINES)
    labels = [wrap(_NOT_XML.sub("", ticket_label(r, phrases, seed)), TEXT_WIDTH, LABEL_SIZE, bold=True,
                   max_lines=MAX_LINES) for r in results]
    source_note = _source_note(snapshot, phrases)
    note = wrap(_NOT_XML.sub("", source_note), TEXT_WIDTH, NOTE_SIZE, max_lines=MAX_LINES)
    top = TOP + TITLE_LINE * (len(title_lines) - 1)
    rows_end = top + sum(ROW_HEIGHT + LABEL_LINE * (len(label) - 1) for label in labels)
    height = rows_end + FOOTER + NOTE_LINE * (len(note) - 1)
    title_id, desc_id = _ids(snapshot)
    votes = snapshot.stage is not Stage.QUICK_COUNT
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{_attr(FONT)}">',
        f'<title id="{title_id}">{_text(title)}</title>',
        f'<desc id="{desc_id}">{_text(_description(snapshot, phrases, source_note))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="{BACKGROUND}"/>',
        _lines(MARGIN, 32, title_lines, TITLE_LINE,
               f'font-size="{TITLE_SIZE}" font-weight="bold" fill="{TEXT_COLOUR}"'),
    ]
    for result, label in zip(results, labels, strict=True):
        bar_y = top + 24 + LABEL_LINE * (len(label) - 1)
        width = Decimal(BAR_MAX) * result.share / 100
        if result.votes > 0 and width < 1:
            width = Decimal(1)  # a sliver, so a small share still shows a bar
        bar_end = Decimal(MARGIN) + width
        lines += [
            f'<g id="tiket-{result.ticket.number}">',
            _lines(MARGIN, top + 17, label, LABEL_LINE,
                   f'font-size="{LABEL_SIZE}" font-weight="bold" fill="{TEXT_COLOUR}"'),
            f'<rect x="{MARGIN}" y="{bar_y}" width="{_px(width)}" height="{BAR_HEIGHT}" '
            f'fill="{ticket_colour(result, colours)}" stroke="{OUTLINE_COLOUR}" stroke-width="1"/>',
            f'<text x="{_px(bar_end + 8)}" y="{bar_y + 15}" font-size="{VALUE_SIZE}" '
            f'fill="{TEXT_COLOUR}">{_text(value_label(result, votes=votes, phrases=phrases, seed=seed))}</text>',
            "</g>",
        ]
        top = bar_y - 24 + ROW_HEIGHT
    lines += [
        _lines(MARGIN, rows_end + 24, note, NOTE_LINE, f'font-size="{NOTE_SIZE}" fill="{NOTE_COLOUR}"'),
        "</svg>",
    ]
    return "\n".join(lines) + "\n"
