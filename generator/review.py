"""The night's review report: one page listing every draft for the editors.

Every race of a run is one :class:`ReviewEntry`: its headline (linked to the
article), race code, leader and share, TPS progress, data time, status and
flags (close race, anomalies, held back with the reason, no data yet). The
report lists them newest data first, then by race code, as Markdown and as a
standalone HTML page (no external assets; every value escaped).

Entries hold text already formatted in house style; :func:`entry_from_snapshot`
makes one from a snapshot. This module does no I/O: the caller writes the two
strings where it wants them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from urllib.parse import quote

from .formatting import (
    ZONE_LABELS,
    ZONES,
    format_decimal2,
    format_percent,
    format_votes,
)
from .models import RaceSnapshot

Status = Literal["written", "unchanged", "held_back", "no_data"]

STATUS_LABELS: dict[str, str] = {
    "written": "Ditulis",
    "unchanged": "Tidak berubah",
    "held_back": "Ditahan",
    "no_data": "Belum ada data",
}
PAGE_TITLE = "Tinjauan naskah Pilkada"
HEADINGS = ("Waktu data", "Judul", "Kode", "Unggul", "Perolehan", "TPS masuk", "Status", "Catatan")
EMPTY = "\u2014"  # an em dash in a cell with nothing to say


@dataclass(frozen=True)
class ReviewEntry:
    """One race as the review report shows it (all text already formatted)."""

    race: str  # "pkwkp/64"
    status: Status
    headline: str | None = None
    leader: str | None = None  # "Rudy Mas'ud-Seno Aji"
    leader_share: str | None = None  # "55,66%"
    progress: str | None = None  # "6.048 dari 6.274 TPS (96,40%)"
    data_time: datetime | None = None  # aware
    path: str | None = None  # relative link to the article
    flags: tuple[str, ...] = ()
    reason: str | None = None  # why it was held back

    def __post_init__(self) -> None:
        if self.status not in STATUS_LABELS:
            raise ValueError(f"review entry {self.race}: unknown status {self.status!r}; "
                             f"one of {', '.join(STATUS_LABELS)}")
        if self.data_time is not None and self.data_time.tzinfo is None:
            raise ValueError(f"review entry {self.race}: data_time needs a time zone")


def close_race_flag(snapshot: RaceSnapshot, narrow_margin: Decimal) -> str | None:
    """``Selisih tipis: 1,32 poin`` when the top two are under ``narrow_margin`` points apart."""
    if snapshot.runner_up is None or not snapshot.has_data:
        return None
    if snapshot.is_tie:
        return "Suara imbang di posisi teratas"
    if snapshot.margin_points < narrow_margin:
        return f"Selisih tipis: {format_decimal2(snapshot.margin_points)} poin"
    return None


def progress_text(snapshot: RaceSnapshot) -> str:
    """``6.048 dari 6.274 TPS (96,40%)``"""
    return (
        f"{format_votes(snapshot.tps_reported)} dari {format_votes(snapshot.tps_total)} TPS "
        f"({format_percent(snapshot.progress)})"
    )


def entry_from_snapshot(
    snapshot: RaceSnapshot,
    *,
    status: Status,
    narrow_margin: Decimal,
    headline: str | None = None,
    path: str | None = None,
    flags: tuple[str, ...] = (),
    reason: str | None = None,
) -> ReviewEntry:
    """A review entry for a race whose snapshot was read (written, unchanged, held back or no data).

    Adds the close-race flag itself; ``flags`` are any others (anomalies, checks).
    """
    leader = share = None
    if snapshot.has_data:
        top = snapshot.leader
        leader = "Kolom kosong" if top.ticket.empty_column else top.ticket.short_name
        share = format_percent(top.share)
    close = close_race_flag(snapshot, narrow_margin)
    return ReviewEntry(
        race=snapshot.race,
        status=status,
        headline=headline,
        leader=leader,
        leader_share=share,
        progress=progress_text(snapshot),
        data_time=snapshot.timestamp,
        path=path,
        flags=((close,) if close else ()) + tuple(flags),
        reason=reason,
    )


def format_when(moment: datetime) -> str:
    """``28/11/2024 10.15 WIB`` in the moment's own zone (``UTC+05:30`` when not Indonesian)."""
    offset = moment.utcoffset()
    zone = next((ZONE_LABELS[name] for name, tz in ZONES.items() if tz.utcoffset(None) == offset), None)
    if zone is None:
        zone = "UTC" + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]
    return f"{moment:%d/%m/%Y %H.%M} {zone}"


def order_entries(entries: list[ReviewEntry]) -> list[ReviewEntry]:
    """Newest data first, then by race code; entries without a data time last."""
    timed = sorted((e for e in entries if e.data_time is not None), key=lambda e: e.race)
    timed.sort(key=lambda e: e.data_time, reverse=True)  # type: ignore[arg-type,return-value]
    untimed = sorted((e for e in entries if e.data_time is None), key=lambda e: e.race)
    return timed + untimed


def notes(entry: ReviewEntry) -> list[str]:
    """What the editor should look at: the status note first, then the flags."""
    out = []
    if entry.status == "held_back":
        out.append(f"Alasan ditahan: {entry.reason}" if entry.reason else "Alasan ditahan tidak tercatat")
    elif entry.status == "no_data":
        out.append("Belum ada data TPS masuk")
    out.extend(entry.flags)
    return out


#: A flag about a short form KPU's name could not give (see :func:`generator.decide.name_flags`).
_NAME_FLAG = re.compile(r"field tickets\.\d+\.(head|deputy)_short: ")
NAMES_HEADING = "Nama yang perlu diperiksa"
NAMES_INTRO = ("Nama singkat dari data KPU berikut tampak rusak; naskah memakai nama lengkap sampai redaksi "
               "mengisi nama singkat di races.yaml.")


def name_flags(entries: list[ReviewEntry]) -> list[tuple[ReviewEntry, str]]:
    """Every flagged short form, with its race, in race order."""
    return [(e, flag) for e in sorted(entries, key=lambda e: e.race) for flag in e.flags if _NAME_FLAG.search(flag)]


def _summary(entries: list[ReviewEntry]) -> str:
    counts = {status: 0 for status in STATUS_LABELS}
    for entry in entries:
        counts[entry.status] += 1
    parts = [f"{counts[s]} {STATUS_LABELS[s].lower()}" for s in STATUS_LABELS]
    return f"{len(entries)} pemilihan: " + ", ".join(parts) + "."


def _leader(entry: ReviewEntry) -> str:
    return entry.leader or EMPTY


def _cells(entry: ReviewEntry) -> list[str]:
    """Plain-text cells in HEADINGS order (the headline cell is linked separately)."""
    return [
        format_when(entry.data_time) if entry.data_time else EMPTY,
        entry.headline or EMPTY,
        entry.race,
        _leader(entry),
        entry.leader_share or EMPTY,
        entry.progress or EMPTY,
        STATUS_LABELS[entry.status],
        "; ".join(notes(entry)) or EMPTY,
    ]


def _href(path: str) -> str:
    """A relative link, percent-encoded so it stays a relative path (no scheme, no spaces)."""
    return quote(path, safe="/#")


# -- Markdown -----------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, inline syntax escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _markdown(ordered: list[ReviewEntry], cells_of: list[list[str]], generated_at: datetime) -> str:
    lines = [
        f"# {PAGE_TITLE}",
        "",
        f"Dibuat {format_when(generated_at)}. {_summary(ordered)}",
        "",
        "| " + " | ".join(HEADINGS) + " |",
        "|" + "---|" * len(HEADINGS),
    ]
    for entry, plain in zip(ordered, cells_of, strict=True):
        cells = [md_cell(c) for c in plain]
        if entry.headline and entry.path:
            cells[1] = f"[{cells[1]}]({_href(entry.path)})"
        lines.append("| " + " | ".join(cells) + " |")
    if not ordered:
        lines.append("| " + " | ".join([EMPTY] * len(HEADINGS)) + " |")
    flagged = name_flags(ordered)
    if flagged:
        lines += ["", f"## {NAMES_HEADING}", "", NAMES_INTRO, ""]
        lines += [f"- {md_cell(entry.race)}: {md_cell(flag)}" for entry, flag in flagged]
    return "\n".join(lines) + "\n"


# -- HTML ---------------------------------------------------------------------

_STYLE = """\
body { font-family: Arial, Helvetica, sans-serif; color: #1a1a1a; background: #fff; margin: 1.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.held_back td, tr.no_data td { background: #fff4e5; }
td.flags { color: #8a1c00; }"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html(ordered: list[ReviewEntry], cells_of: list[list[str]], generated_at: datetime) -> str:
    out = [
        "<!doctype html>",
        '<html lang="id">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(PAGE_TITLE)}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(PAGE_TITLE)}</h1>",
        f"<p>Dibuat <time datetime=\"{_e(generated_at.isoformat())}\">{_e(format_when(generated_at))}</time>. "
        f"{_e(_summary(ordered))}</p>",
        "<table>",
        "<thead>",
        "<tr>" + "".join(f'<th scope="col">{_e(h)}</th>' for h in HEADINGS) + "</tr>",
        "</thead>",
        "<tbody>",
    ]
    for entry, plain in zip(ordered, cells_of, strict=True):
        cells = [_e(c) for c in plain]
        if entry.data_time:
            cells[0] = f'<time datetime="{_e(entry.data_time.isoformat())}">{cells[0]}</time>'
        if entry.headline and entry.path:
            cells[1] = f'<a href="{_e(_href(entry.path))}">{cells[1]}</a>'
        tds = [f"<td>{c}</td>" for c in cells]
        if notes(entry):
            tds[-1] = f'<td class="flags">{cells[-1]}</td>'
        out.append(f'<tr class="{_e(entry.status)}">' + "".join(tds) + "</tr>")
    if not ordered:
        out.append(f'<tr><td colspan="{len(HEADINGS)}">Belum ada pemilihan dalam laporan ini.</td></tr>')
    out += ["</tbody>", "</table>"]
    flagged = name_flags(ordered)
    if flagged:
        out += [f"<h2>{_e(NAMES_HEADING)}</h2>", f"<p>{_e(NAMES_INTRO)}</p>", "<ul>"]
        out += [f"<li>{_e(entry.race)}: {_e(flag)}</li>" for entry, flag in flagged]
        out.append("</ul>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def build_review(entries: list[ReviewEntry], *, generated_at: datetime) -> tuple[str, str]:
    """The review report as (Markdown, HTML), newest data first."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at needs a time zone")
    ordered = order_entries(entries)
    cells_of = [_cells(entry) for entry in ordered]
    return _markdown(ordered, cells_of, generated_at), _html(ordered, cells_of, generated_at)
