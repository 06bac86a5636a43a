"""The night's review report: one page listing every draft for the editors.

Every race of a run is one :class:`ReviewEntry`: its headline (linked to the
article, or to its page in the CMS), race code, province, leader and share,
TPS progress, data time, status and flags (close race, anomalies, held back
with the reason, no data yet, an update waiting beside an edited article).
The report lists them newest data first, then by race code, as Markdown and
as a standalone HTML page (no external assets, every value escaped, filters by
status, province and flag in a small inline script; the page reads fine
without it).

Python decides, the templates speak: this module orders the entries, sorts
each flag into a kind (:data:`FLAG_KINDS`, from the reason worded by
:class:`generator.validate.Finding` and :func:`generator.decide.name_flags`),
builds links and counts; ``templates/id/review.md.j2`` and ``review.html.j2``
hold every word the editor reads (the short Indonesian label of each kind in
``templates/id/review/labels.j2``). The original text of a flag stays on the
page beside its label. An unknown flag is shown as it is.

Entries hold text already formatted in house style; :func:`entry_from_snapshot`
makes one from a snapshot. This module does no I/O besides reading its
templates: the caller writes the two strings where it wants them.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateSyntaxError
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .config import data_path
from .errors import PROBLEM_KINDS, TemplateError
from .formatting import ZONE_LABELS, ZONES, format_decimal2, format_percent, format_votes
from .models import RaceSnapshot

Status = Literal["written", "unchanged", "held_back", "no_data"]
STATUSES: tuple[Status, ...] = ("written", "unchanged", "held_back", "no_data")

#: Every kind of flag, in the order the flag filter lists them. ``other`` is a
#: flag this module does not recognise (shown as its own text).
FLAG_KINDS = (
    "waiting", "close_race", "tie", "tps_capacity", "votes_without_tps", "voter_roll", "votes_backwards",
    "tps_backwards", "older_time", "share_jump", "tickets_changed", "rows_mismatch", "short_name", "incumbent",
    "other",
)
OTHER = "other"

#: URL pattern fields (``url_pattern="https://cms.example/edit/{path}"``).
URL_FIELDS = ("path", "slug", "section", "race")
_SCHEMES = frozenset({"", "http", "https"})
_RACE_PROVINCE = re.compile(r"^[a-z]+/(\d{2})")


@dataclass(frozen=True)
class ReviewEntry:
    """One race as the review report shows it (all text already formatted)."""

    race: str  # "pkwkp/64"
    status: Status
    headline: str | None = None
    leader: str | None = None  # "Rudy Mas'ud-Seno Aji"
    leader_share: str | None = None  # "55,66%"
    progress: str | None = None  # "6.048 dari 6.274 TPS (96,40%)", as given (entry_from_snapshot gives tps)
    data_time: datetime | None = None  # aware
    path: str | None = None  # the article, relative to the output folder
    flags: tuple[str, ...] = ()  # as validate/decide word them ("race X: field Y: reason")
    reason: str | None = None  # why it was held back
    reason_kind: str | None = None  # where that surfaced: a Problem.kind ("data", "fetch", "audit"...)
    margin: str | None = None  # "1,32": the top two are this many points apart, under the narrow margin
    tie: bool = False  # the top two have the same votes
    province: str | None = None  # "64"; from the race code when not given
    slug: str | None = None  # for url_pattern's {slug}
    url: str | None = None  # the article in the CMS (http, https or relative); wins over url_pattern and path
    waiting: bool = False  # an editor changed the article: newsgen's update waits beside it
    waiting_path: str | None = None  # that update, relative to the folder the review page is written in
    #: The leader is the kolom kosong (review/labels.j2 words it).
    leader_empty_column: bool = False
    #: TPS reported, TPS in all and the share reported ("6.048", "6.274", "96,40%"); review/labels.j2
    #: words them (``progress``). Shown instead of ``progress`` when given.
    tps: tuple[str, str, str] | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"review entry {self.race}: unknown status {self.status!r}; one of {', '.join(STATUSES)}")
        if self.data_time is not None and self.data_time.tzinfo is None:
            raise ValueError(f"review entry {self.race}: data_time needs a time zone")
        if self.province is not None and not re.fullmatch(r"\d{2}", self.province):
            raise ValueError(f"review entry {self.race}: expected a two-digit province code, found {self.province!r}")
        if self.url is not None:
            _check_url(self.url, f"review entry {self.race}: url")
        if self.reason_kind is not None and self.reason_kind not in PROBLEM_KINDS:
            raise ValueError(f"review entry {self.race}: unknown reason_kind {self.reason_kind!r}; "
                             f"one of {', '.join(PROBLEM_KINDS)}")


def _check_url(url: str, where: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise ValueError(f"{where}: expected an http, https or relative URL, found {url!r}")


def closeness(snapshot: RaceSnapshot, narrow_margin: Decimal) -> tuple[str | None, bool]:
    """``("1,32", False)`` when the top two are under ``narrow_margin`` points apart; ``(None, True)`` for a tie."""
    if snapshot.runner_up is None or not snapshot.has_data:
        return None, False
    if snapshot.is_tie:
        return None, True
    if snapshot.margin_points < narrow_margin:
        return format_decimal2(snapshot.margin_points), False
    return None, False


def entry_from_snapshot(
    snapshot: RaceSnapshot,
    *,
    status: Status,
    narrow_margin: Decimal,
    headline: str | None = None,
    path: str | None = None,
    flags: tuple[str, ...] = (),
    reason: str | None = None,
    reason_kind: str | None = None,
    slug: str | None = None,
    url: str | None = None,
    waiting: bool = False,
    waiting_path: str | None = None,
) -> ReviewEntry:
    """A review entry for a race whose snapshot was read (written, unchanged, held back or no data).

    Works out the close race and the province itself; ``flags`` are any others (anomalies, checks).
    """
    leader = share = None
    empty = False
    if snapshot.has_data:
        top = snapshot.leader
        empty = top.ticket.empty_column
        leader = None if empty else top.ticket.short_name
        share = format_percent(top.share)
    margin, tie = closeness(snapshot, narrow_margin)
    return ReviewEntry(
        race=snapshot.race,
        status=status,
        headline=headline,
        leader=leader,
        leader_share=share,
        tps=(format_votes(snapshot.tps_reported), format_votes(snapshot.tps_total), format_percent(snapshot.progress)),
        leader_empty_column=empty,
        data_time=snapshot.timestamp,
        path=path,
        flags=tuple(flags),
        reason=reason,
        reason_kind=reason_kind,
        margin=margin,
        tie=tie,
        province=snapshot.region.province_code,
        slug=slug,
        url=url,
        waiting=waiting,
        waiting_path=waiting_path,
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


# -- flags --------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One flag or note as the page shows it: a kind (its label lives in the templates) and
    the original text (``None`` for flags this module makes, which have no other text).

    The text is folded under the label (one click away) unless ``inline``: then it follows it.
    """

    kind: str
    text: str | None = None
    points: str | None = None  # a close race: "1,32"
    href: str | None = None  # the update waiting beside an edited article
    inline: bool = False

    @property
    def plain(self) -> bool:
        """Not recognised: the page shows the text itself instead of a label."""
        return self.kind == OTHER


_FLAG = re.compile(r"^race (?P<race>\S+): field (?P<field>\S+?): (?P<reason>.*)$", re.DOTALL)
#: (kind, reason) of every flag validate and decide make; first match wins. The field is
#: not matched: it is spelled as the source spells it (``tps_reported`` in an editor file,
#: ``tungsura.chart.progres`` in a KPU file), and each reason is worded once.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(reason)) for kind, reason in (
    ("tps_capacity", r"^expected at most \S+ valid votes per reported TPS"),
    ("votes_without_tps", r"^expected no votes .* while no TPS has reported"),
    ("voter_roll", r"^expected at most the \S+ registered voters \(DPT\)"),
    ("votes_backwards", r"^ticket .*: expected at least the \S+ votes of "),
    ("share_jump", r"^ticket .*: expected its share to move at most "),
    ("tps_backwards", r"^expected at least the \S+ TPS reported in "),
    ("older_time", r"^expected a time at or after "),
    ("tickets_changed", r"^expected the tickets of "),
    ("rows_mismatch", r"^(ticket .*: )?expected the (\S+ )?rows to "),
    ("short_name", r"^the short form "),
    ("incumbent", r"^incumbent .* is given as the (candidate|running mate) of nomor urut \d+, but the data names "),
))
#: The flag the pipeline adds for an update waiting beside an edited article.
_WAITING = re.compile(r"^update waiting: ")


def flag_kind(text: str) -> str:
    """The kind of one flag as validate or decide words it; ``other`` when not recognised."""
    if _WAITING.match(text):
        return "waiting"
    found = _FLAG.match(text)
    if found is None:
        return OTHER
    for kind, reason in _PATTERNS:
        if reason.search(found["reason"]):
            return kind
    return OTHER


def entry_flags(entry: ReviewEntry) -> tuple[Flag, ...]:
    """Every flag of an entry: the waiting update first, then the close race, then the rest in order."""
    given = [Flag(flag_kind(text), text) for text in entry.flags]
    out: list[Flag] = []
    if entry.waiting and not any(f.kind == "waiting" for f in given):
        out.append(Flag("waiting"))
    out += [f for f in given if f.kind == "waiting"]
    if entry.tie:
        out.append(Flag("tie"))
    elif entry.margin is not None:
        out.append(Flag("close_race", points=entry.margin))
    out += [f for f in given if f.kind != "waiting"]
    return tuple(out)


# -- links --------------------------------------------------------------------


def check_url_pattern(pattern: str) -> tuple[str, ...]:
    """The fields a CMS URL pattern uses; ``ValueError`` naming the problem when it cannot be used."""
    used: list[str] = []
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"url_pattern {pattern!r}: {exc}; write fields as {{path}}") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in URL_FIELDS or spec or conversion:
            raise ValueError(f"url_pattern {pattern!r}: unknown field {{{name}}}; "
                             f"expected only {', '.join('{' + f + '}' for f in URL_FIELDS)}")
        used.append(name)
    _check_url(pattern.format(**dict.fromkeys(URL_FIELDS, "x")), f"url_pattern {pattern!r}")
    return tuple(used)


def link_base_for(review_folder: Path, out: Path) -> str:
    """The ``link_base`` that makes article links work from a review page in ``review_folder``."""
    relative = Path(os.path.relpath(out.resolve(), review_folder.resolve())).as_posix()
    return "" if relative == "." else quote(relative, safe="/") + "/"


@dataclass(frozen=True)
class _Links:
    url_pattern: str | None
    uses: tuple[str, ...]
    section: str | None
    link_base: str

    def article(self, entry: ReviewEntry) -> str | None:
        if entry.url:
            return entry.url
        if not entry.path:
            return None
        if self.url_pattern is not None:
            values = {"path": entry.path, "slug": entry.slug, "section": self.section, "race": entry.race}
            if all(values[name] for name in self.uses):
                return self.url_pattern.format(**{k: quote(v or "", safe="/") for k, v in values.items()})
        return self.link_base + quote(entry.path, safe="/")

    @staticmethod
    def waiting(entry: ReviewEntry) -> str | None:
        return quote(entry.waiting_path, safe="/") if entry.waiting_path else None


# -- the page -----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One entry with everything its row shows, decided."""

    entry: ReviewEntry
    when: str | None
    when_iso: str | None
    href: str | None
    province: str  # "64", or "" when the race code has none
    province_name: str | None
    note: Flag | None  # held back (with the reason) or no data
    flags: tuple[Flag, ...]

    @property
    def notes(self) -> tuple[Flag, ...]:
        """What the notes cell lists: the status note, then the flags."""
        return ((self.note,) if self.note else ()) + self.flags

    @property
    def waiting(self) -> bool:
        """An update waits beside an article an editor changed."""
        return any(f.kind == "waiting" for f in self.flags)

    @property
    def kinds(self) -> str:
        """The row's flag kinds, space-separated (``data-flags``)."""
        return " ".join(dict.fromkeys(f.kind for f in self.flags))


@dataclass(frozen=True)
class Page:
    """What the review templates are given."""

    rows: tuple[Row, ...]
    generated: str
    generated_iso: str
    statuses: tuple[Status, ...]
    counts: Mapping[str, int]
    waiting: int
    flagged: int
    provinces: tuple[tuple[str, str], ...]  # (code, name or code), in code order
    flag_kinds: tuple[str, ...]  # kinds on the page, in FLAG_KINDS order
    names: tuple[tuple[ReviewEntry, str], ...]  # flagged short forms, in race order


def _province(entry: ReviewEntry) -> str:
    if entry.province:
        return entry.province
    found = _RACE_PROVINCE.match(entry.race)
    return found[1] if found else ""


def _note(entry: ReviewEntry) -> Flag | None:
    """Held back (a label by where it surfaced, or the reason itself) or no data."""
    if entry.status == "held_back":
        if entry.reason and entry.reason_kind:
            return Flag(f"held_back_{entry.reason_kind}", entry.reason)
        return Flag("held_back", entry.reason, inline=True) if entry.reason else Flag("held_back_unknown")
    if entry.status == "no_data":
        return Flag("no_data")
    return None


def _row(entry: ReviewEntry, links: _Links, province_names: Mapping[str, str]) -> Row:
    province = _province(entry)
    waiting = links.waiting(entry)
    return Row(
        entry=entry,
        when=format_when(entry.data_time) if entry.data_time else None,
        when_iso=entry.data_time.isoformat() if entry.data_time else None,
        href=links.article(entry),
        province=province,
        province_name=province_names.get(province) if province else None,
        note=_note(entry),
        flags=tuple(replace(f, href=waiting) if f.kind == "waiting" else f for f in entry_flags(entry)),
    )


def name_flags(entries: list[ReviewEntry]) -> list[tuple[ReviewEntry, str]]:
    """Every flagged short form, with its race, in race order."""
    return [(e, flag) for e in sorted(entries, key=lambda e: e.race) for flag in e.flags
            if flag_kind(flag) == "short_name"]


def _page(entries: list[ReviewEntry], generated_at: datetime, links: _Links,
          province_names: Mapping[str, str]) -> Page:
    rows = tuple(_row(entry, links, province_names) for entry in order_entries(entries))
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for entry in entries:
        counts[entry.status] += 1
    codes = sorted({row.province for row in rows if row.province})
    present = {flag.kind for row in rows for flag in row.flags}
    return Page(
        rows=rows,
        generated=format_when(generated_at),
        generated_iso=generated_at.isoformat(),
        statuses=STATUSES,
        counts=counts,
        waiting=sum(1 for row in rows if row.waiting),
        flagged=sum(1 for row in rows if row.flags),
        provinces=tuple((code, province_names.get(code, code)) for code in codes),
        flag_kinds=tuple(kind for kind in FLAG_KINDS if kind in present),
        names=tuple(name_flags(entries)),
    )


# -- templates ----------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
#: Braces as character references: no ``{{``/``{%`` left for Hugo shortcodes, Jekyll's Liquid or Jinja.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, inline syntax escaped, braces as references."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split())).translate(_BRACES)


def md_url(url: str) -> Markup:
    """A link target safe inside ``[...](...)`` in a table cell: no space, parenthesis or pipe."""
    return Markup(quote(url, safe="/:?#@!$&'*+,;=%-._~"))


def _md_finalize(value: object) -> object:
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return md_cell(value)
    return value


def _environments(templates: Path | None) -> tuple[Environment, Environment]:
    """(Markdown, HTML) environments: a user's folder first, then newsgen's own; sandboxed for a user's."""
    folders = [str(templates)] if templates else []
    loader = FileSystemLoader([*folders, str(data_path("templates", "id"))])
    cls = SandboxedEnvironment if templates else Environment

    def make(*, autoescape: bool, finalize: Callable[[object], object] | None) -> Environment:
        return cls(loader=loader, undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                   lstrip_blocks=True, auto_reload=False, autoescape=autoescape, finalize=finalize)

    markdown = make(autoescape=False, finalize=_md_finalize)
    markdown.filters.update(md_url=md_url, safe=Markup)
    return markdown, make(autoescape=True, finalize=None)


def _render(env: Environment, name: str, page: Page) -> str:
    try:
        return env.get_template(name).render(page=page)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"review page template {exc.filename or exc.name or name}:{exc.lineno}: "
                            f"{exc.message}") from None
    except JinjaError as exc:
        raise TemplateError(f"review page template {name}: {exc}") from None


def build_review(
    entries: list[ReviewEntry],
    *,
    generated_at: datetime,
    url_pattern: str | None = None,
    section: str | None = None,
    link_base: str = "",
    province_names: Mapping[str, str] | None = None,
    templates: Path | None = None,
) -> tuple[str, str]:
    """The review report as (Markdown, HTML), newest data first.

    Each headline links to ``entry.url`` when set; else, when ``url_pattern``
    is given (fields ``{path}``, ``{slug}``, ``{section}``, ``{race}``), to the
    URL it makes; else to ``link_base`` + the article's relative path (see
    :func:`link_base_for`). ``province_names`` maps a two-digit code to its
    name; ``templates`` is a folder whose ``review.md.j2``/``review.html.j2``
    replace newsgen's own (run in Jinja's sandbox).
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at needs a time zone")
    uses = check_url_pattern(url_pattern) if url_pattern is not None else ()
    if "section" in uses and not section:
        raise ValueError(f"url_pattern {url_pattern!r} uses {{section}}: pass the publication's section")
    if urlsplit(link_base).scheme.lower() not in {"", "file", "http", "https"}:
        raise ValueError(f"link_base: expected a relative path or a file/http(s) URL, found {link_base!r}")
    links = _Links(url_pattern, uses, section, link_base)
    page = _page(entries, generated_at, links, province_names or {})
    markdown_env, html_env = _environments(templates)
    return _render(markdown_env, "review.md.j2", page), _render(html_env, "review.html.j2", page)
