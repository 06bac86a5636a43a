"""The fact audit: every number an article prints must come from its snapshot.

After rendering, the headline and body are scanned for numbers (digit tokens:
``962.804``, ``55,66%``, ``11,32``, ``28/11/2024``, ``11.15``, ``2024``, ``2``).
Each must equal one of the snapshot's figures formatted in house style, as
computed here from the snapshot itself (not from the story, whose figures are
what is being checked); an update note may also print the figures of the
earlier snapshot it compares with (``story.previous``). URLs and exempt passages (editor notes, the region
context, the incumbent note, stock sentences, the headlines of linked
stories, each passed by the caller as the exact string it renders) are not
scanned. A number that cannot be traced holds the race back, with the
sentence that prints it quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .formatting import format_decimal2, format_percent, format_votes, numeric_date, to_zone
from .models import RaceSnapshot, progress_share, share
from .names import PREFIX_TITLES
from .story import Story
from .text import one_line
from .validate import Finding

#: A number as it appears in running text.
NUMBER = re.compile(r"\d+(?:[.,/]\d+)*%?")
#: Spans never scanned: bare URLs and Markdown link targets.
_URL = re.compile(r"https?://\S+|\]\([^)\s]*\)")
#: Backslash escapes the renderer adds for Markdown (see render.escape_markdown): any ASCII punctuation.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
#: A sentence can end here: end mark, space (group 1, where one sentence ends and the next
#: starts), then something that starts a sentence. The pattern starts with the end mark
#: rather than a lookbehind for it, so the regex engine skips ahead to the next end mark.
_SENTENCE_END = re.compile(r"[.!?](\s+)(?=[\"'(*A-Z0-9])")


def allowed_numbers(snapshot: RaceSnapshot, story: Story) -> set[str]:
    """Every number an article about ``snapshot`` may print, in house style.

    ``story`` only contributes the time zone the data time is written in.
    """
    allowed: set[str] = set()
    total = snapshot.total_votes
    allowed.add(format_votes(total))
    for result in snapshot.results:
        allowed.add(format_votes(result.votes))
        allowed.add(format_percent(result.share))
        allowed.add(str(result.ticket.number))
        allowed.update(_digits(result.ticket.full_name, result.ticket.short_name))
    for position in range(12, len(snapshot.results) + 1):  # "ke-12": ordinal() prints digits from 12
        allowed.add(str(position))
    allowed.update({
        format_votes(snapshot.tps_reported),
        format_votes(snapshot.tps_total),
        format_percent(snapshot.progress),
        format_votes(snapshot.margin_votes),
        format_decimal2(snapshot.margin_points),
        str(snapshot.year),
    })
    if snapshot.margin_points == 0 and snapshot.margin_votes:
        allowed.add("0,01")  # "kurang dari 0,01 poin": a lead the printed shares do not show
    allowed.update(_moment_numbers(snapshot.timestamp, story.zone))
    allowed.update(_digits(snapshot.region.name))
    allowed.update(_sub_region_numbers(snapshot))
    if snapshot.quick_count is not None:
        qc = snapshot.quick_count
        allowed.update(_digits(qc.institute))
        if qc.sample_tps is not None:
            allowed.add(format_votes(qc.sample_tps))
        if qc.margin_of_error is not None:
            allowed.add(format_decimal2(qc.margin_of_error))
            allowed.add(format_percent(qc.margin_of_error))
        if qc.data_in is not None:
            allowed.add(format_percent(qc.data_in))
    if snapshot.recap is not None:
        allowed.update(_digits(snapshot.recap.plenary))
        if snapshot.recap.date is not None:
            allowed.update(_moment_numbers(snapshot.recap.date, story.zone))
    allowed.update(_previous_numbers(story))
    missing = snapshot.tps_total - snapshot.tps_reported
    if missing > 0:
        allowed.add(format_votes(missing))  # TPS still out (a reversible lead)
    for result in snapshot.results:  # distance of a share from a legal 50% bar
        allowed.add(format_decimal2(abs(result.share - 50)))
        if result.share == 50 and 2 * result.votes != total:
            allowed.add("0,01")  # "kurang dari 0,01": printed as 50,00% but not exactly half
    allowed.update(_turnout_numbers(snapshot))
    for person in getattr(story, "incumbents", ()):
        allowed.update(_digits(person.period, person.office, person.name))  # config facts, with their source
    return allowed


def _turnout_numbers(snapshot: RaceSnapshot) -> set[str]:
    """An official recap's DPT, voters and invalid votes, and the voters as a share of the DPT."""
    registered, voters = snapshot.registered_voters, snapshot.voters
    out = {format_votes(n) for n in (registered, voters, snapshot.invalid_votes) if n is not None}
    if registered and voters is not None:
        out.add(format_percent(share(voters, registered)))
    return out


def _moment_numbers(moment: datetime, zone: str) -> set[str]:
    """``5/12/2024`` and ``11.15`` in the story's zone; day and year for ``5 Desember 2024``."""
    local = to_zone(moment, zone)
    return {numeric_date(local), f"{local:%H.%M}", str(local.year), str(local.day)}


def _previous_numbers(story: Story) -> set[str]:
    """The earlier snapshot an update note compares with (``story.previous``), when there is one."""
    previous = getattr(story, "previous", None)
    if previous is None:
        return set()
    out = _moment_numbers(previous.timestamp, story.zone)
    out.update({format_votes(previous.tps_reported), format_votes(previous.tps_total)})
    out.add(format_percent(progress_share(previous.tps_reported, previous.tps_total)))
    total = sum(previous.votes.values())
    for votes in previous.votes.values():
        out.update({format_votes(votes), format_percent(share(votes, total))})
    return out


def _sub_region_numbers(snapshot: RaceSnapshot) -> set[str]:
    """Row votes and TPS, and the counts a breakdown paragraph may print in digits."""
    rows = snapshot.sub_regions
    if not rows:
        return set()
    figures: set[int] = set()  # each distinct figure formatted once, below
    led: dict[str, int] = {}
    with_data = 0
    for row in rows:
        figures.update(row.votes.values())
        figures.add(row.tps_reported)
        figures.add(row.tps_total)
        if row.leader_ids:
            with_data += 1
            if len(row.leader_ids) == 1:
                led[row.leader_ids[0]] = led.get(row.leader_ids[0], 0) + 1
    figures.update({len(rows), with_data, len(rows) - with_data, *led.values()})
    return set(map(format_votes, figures)) | _digits(*(row.name for row in rows))


def _digits(*texts: str) -> set[str]:
    return {number for text in texts for number in NUMBER.findall(text)}


# -- scanning -------------------------------------------------------------------


@dataclass(frozen=True)
class Offence:
    """A sentence and the numbers in it that are not the snapshot's."""

    sentence: str
    numbers: tuple[str, ...]


def _normalise(text: str) -> str:
    """Text as a reader sees it: escapes resolved, one line, no invisible characters (as the renderer prints it)."""
    return one_line(_ESCAPE.sub(r"\1", text) if "\\" in text else text)


def _is_abbreviation(word: str) -> bool:
    """``H.``, ``Dr.``, ``M.Si.``, ``A.``: a period that does not end a sentence."""
    core = word.lstrip("(\"'*")
    stem = core[:-1]
    return core.lower() in PREFIX_TITLES or "." in stem or (len(stem) == 1 and stem.isalpha())


def _sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of one normalised paragraph."""
    if ". " not in text and "! " not in text and "? " not in text:
        return [(0, len(text))]  # no end mark before a space, its only whitespace: one sentence (a table row)
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end, after = match.span(1)
        before = text[start:end].rsplit(" ", 1)[-1]
        if _is_abbreviation(before):
            continue
        spans.append((start, end))
        start = after
    spans.append((start, len(text)))
    return spans


def sentences_of(text: str) -> list[str]:
    """Every sentence of a Markdown text, escapes removed, paragraph by paragraph."""
    out: list[str] = []
    for paragraph in text.splitlines():
        paragraph = _normalise(paragraph).strip("*")
        if paragraph:
            out.extend(paragraph[s:e] for s, e in _sentences(paragraph) if paragraph[s:e].strip())
    return out


def _skipped(text: str, exempt: list[str]) -> list[tuple[int, int]]:
    """Spans of URLs and of the (normalised) exempt passages in ``text``."""
    spans = [m.span() for m in _URL.finditer(text)]
    for passage in exempt:
        at = text.find(passage)
        while at != -1:
            spans.append((at, at + len(passage)))
            at = text.find(passage, at + 1)
    return spans


def find_offences(text: str, *, allowed: set[str], exempt: Iterable[str] = ()) -> list[Offence]:
    """Sentences of ``text`` printing numbers outside ``allowed``, in order."""
    passages: list[str] | None = None
    out: list[Offence] = []
    for paragraph in text.splitlines():
        # Normalising changes no number (escapes and spaces never sit inside one), so a
        # paragraph whose numbers are all the snapshot's needs nothing more.
        if allowed.issuperset(NUMBER.findall(paragraph)):
            continue
        if passages is None:
            passages = [p for p in map(_normalise, exempt) if p]
        paragraph = _normalise(paragraph)
        skipped = _skipped(paragraph, passages)
        bad: dict[tuple[int, int], list[str]] = {}
        sentences = _sentences(paragraph)
        for match in NUMBER.finditer(paragraph):
            start, end = match.span()
            if any(s <= start and end <= e for s, e in skipped) or match.group() in allowed:
                continue
            span = next(sp for sp in sentences if sp[0] <= start < sp[1])
            bad.setdefault(span, []).append(match.group())
        out.extend(Offence(paragraph[s:e], tuple(nums)) for (s, e), nums in sorted(bad.items()))
    return out


def audit_text(text: str, *, allowed: set[str], exempt: Iterable[str] = ()) -> list[str]:
    """The sentences of ``text`` that print a number not in ``allowed`` ([] when clean)."""
    return [o.sentence for o in find_offences(text, allowed=allowed, exempt=exempt)]


def audit_article(
    headline: str,
    body: str,
    snapshot: RaceSnapshot,
    story: Story,
    *,
    exempt: Iterable[str],
) -> list[Finding]:
    """Findings (severity ``error``) for every untraceable number in an article."""
    allowed = allowed_numbers(snapshot, story)
    exempt = list(exempt)
    findings = []
    for field, text in (("headline", headline), ("body", body)):
        for offence in find_offences(text, allowed=allowed, exempt=exempt):
            numbers = ", ".join(dict.fromkeys(offence.numbers))
            findings.append(Finding(
                snapshot.race, field,
                f"expected every number to be a figure of the snapshot in house style, "
                f"found {numbers} in: \"{offence.sentence}\"",
                "error",
            ))
    return findings


def story_exempt(story: Story) -> list[str]:
    """The passages of a story that are not figures of its snapshot.

    Editor notes, the region context, the incumbent note and the headlines of
    linked stories (audited in their own articles). Stock sentences are the
    renderer's; the caller adds them as rendered.
    """
    passages = [*story.notes, story.region_context]
    passages += [link.headline for link in story.links]
    return [p for p in passages if p]
