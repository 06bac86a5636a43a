"""The claim check: every sentence of an article against the facts of its story.

The fact audit (:mod:`generator.audit`) proves each number; this is its twin
for claims. After rendering, the headline and the body (editor notes, the
region context and linked headlines left out) are read sentence by sentence
and held to the story's facts:

- who leads: a sentence that claims a lead names a ticket of the top group
  first, and in a tie every such sentence says the top is shared;
- final or provisional: a count never "memenangi" or "ditetapkan sebagai"
  outside a condition; a recap is never "sementara" or "sejauh ini";
- progress: "seluruh ... TPS" and 100% only when every TPS is in;
- the source: a quick count is never attributed to KPU's data, a count
  never to a quick count;
- the election body: KIP in Aceh, KPU elsewhere;
- incumbents: "posisi teratas" for an incumbent only when the ticket is at the
  top, never "tertinggal" in a tie;
- an early count announces no consequence; a quick count inside its margin of
  error claims no lead without saying so.

A race whose text contradicts its facts is held back like a failed audit, so
a wrong template or stock sentence never reaches an editor as a draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .audit import sentences_of
from .story import Story

_LEAD = re.compile(r"\b(unggul|memimpin|memenangi|menangi|menang|menyalip|posisi teratas)\b", re.IGNORECASE)
#: A lead claimed for a sub-region in the breakdown ("X unggul di empat dari lima kabupaten/kota").
_SUB_REGION_LEAD = re.compile(r"\bunggul di (?:seluruh |\w+ (?:dari|kabupaten|kecamatan|kota)\b|[A-Z0-9])")
_SHARED = re.compile(r"sama-sama|berbagi posisi teratas|imbang|tidak lagi unggul|belum ada pasangan yang unggul"
                     r"|suara yang sama|suara sama|unggul sendirian", re.IGNORECASE)
_FINAL = re.compile(r"\b(memenangi|menangi|ditetapkan sebagai)\b", re.IGNORECASE)
_CONDITION = re.compile(r"\b(bila|jika|apabila|syarat|akan|baru dinyatakan)\b", re.IGNORECASE)
_PROVISIONAL = re.compile(r"\b(hasil|unggul|perolehan suara|hitung|data) sementara\b|\bsejauh ini\b", re.IGNORECASE)
_HEDGE = re.compile(r"belum dapat dipastikan|margin of error|rentang kesalahan|belum terpisahkan", re.IGNORECASE)
_CONSEQUENCE = re.compile(r"harus menggelar pemilihan ulang|akan kembali bertarung di putaran kedua"
                          r"|tidak akan ada putaran kedua|memenuhi syarat kemenangan", re.IGNORECASE)
_KPU_DATA = re.compile(r"data (resmi )?KPU|\breal count\b|Sirekap")
_QUICK_COUNT = re.compile(r"hitung cepat|quick count", re.IGNORECASE)
_EVERY_TPS = re.compile(r"seluruh [\d.]+ TPS|seluruh TPS (sudah|telah)")
_KPU_BODY = re.compile(r"\bKPU (Provinsi|Kabupaten|Kota)\b")
_KIP = re.compile(r"\bKIP\b")
_INCUMBENT = re.compile(r"\bpetahana\b", re.IGNORECASE)
_SINGLE_NAMED = re.compile(r"(?:^|\batas )(calon tunggal)\b")


@dataclass(frozen=True)
class Claim:
    """A sentence that says something its story's facts contradict."""

    rule: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.rule}: \"{self.sentence}\""


def _names(story: Story, numbers: Iterable[int]) -> list[str]:
    wanted = set(numbers)
    out = []
    for t in story.tickets:
        if t.number in wanted:
            out.extend(["kolom kosong"] if t.empty_column else [t.short, t.full])
    return out


def _first_ticket(sentence: str, story: Story) -> int | None:
    """The ballot number of the ticket a sentence names first (None: none named).

    In a race against the kolom kosong, "Calon Tunggal" opening a sentence or after "atas"
    names the single ticket (a headline too long with the pair's names says "Calon Tunggal
    Unggul ... atas Kolom Kosong"); elsewhere it is the rule's word ("calon tunggal baru
    dinyatakan menang jika ...").
    """
    lowered = sentence.lower()
    found = []
    single = _SINGLE_NAMED.search(lowered) if any(t.empty_column for t in story.tickets) else None
    for t in story.tickets:
        if single and not t.empty_column:
            found.append((single.start(1), t.number))
        for name in (["kolom kosong"] if t.empty_column else [t.short, t.full, f"nomor urut {t.number},"]):
            at = lowered.find(name.lower())
            if at >= 0:
                found.append((at, t.number))
    return min(found)[1] if found else None


def _leads(story: Story, sentences: list[str]) -> Iterator[Claim]:
    top = {t.number for t in story.leaders.tickets}
    for sentence in sentences:
        if not _LEAD.search(sentence) or _SUB_REGION_LEAD.search(sentence):
            continue
        if story.tie and not _SHARED.search(sentence):
            yield Claim("a sole leader claimed in a tie", sentence)
            continue
        first = _first_ticket(sentence, story)
        hedged = story.facts.too_close and _HEDGE.search(sentence)
        if first is not None and first not in top and not _SHARED.search(sentence) and not hedged:
            yield Claim("a lead claimed for a ticket that is not at the top", sentence)


def _stage(story: Story, sentences: list[str]) -> Iterator[Claim]:
    final = story.facts.final
    for sentence in sentences:
        if not final and _FINAL.search(sentence) and not _CONDITION.search(sentence):
            yield Claim("a final result claimed from a count", sentence)
        if final and _PROVISIONAL.search(sentence):
            yield Claim("an official recap called provisional", sentence)
        if story.stage == "quick_count" and _KPU_DATA.search(sentence):
            yield Claim("a quick count attributed to KPU's data", sentence)
        if story.stage != "quick_count" and _QUICK_COUNT.search(sentence):
            yield Claim("a count attributed to a quick count", sentence)
        if story.facts.early and _CONSEQUENCE.search(sentence):
            yield Claim("a consequence announced from an early count", sentence)
        if (story.facts.too_close and _LEAD.search(sentence) and not _HEDGE.search(sentence)
                and not _SUB_REGION_LEAD.search(sentence)):
            yield Claim("a lead claimed inside a quick count's margin of error", sentence)


def _progress(story: Story, sentences: list[str]) -> Iterator[Claim]:
    if story.progress_kind == "complete" or story.stage == "quick_count":
        return
    for sentence in sentences:
        if "100,00%" in sentence or ("seluruh" in sentence and _EVERY_TPS.search(sentence)):
            yield Claim("every TPS claimed while some are still out", sentence)


def _body(story: Story, sentences: list[str]) -> Iterator[Claim]:
    aceh = story.kpu_body.startswith("KIP")
    for sentence in sentences:
        if aceh and "KPU " in sentence and _KPU_BODY.search(sentence):
            yield Claim("Aceh's elections are run by KIP, not KPU", sentence)
        if not aceh and "KIP" in sentence and _KIP.search(sentence):
            yield Claim("KIP runs elections only in Aceh", sentence)


def _incumbents(story: Story, sentences: list[str]) -> Iterator[Claim]:
    top = {t.number for t in story.leaders.tickets}
    people = {p.name: p.ticket for p in story.incumbents}
    for sentence in sentences:
        named = [ticket for name, ticket in people.items() if name in sentence]
        if _INCUMBENT.search(sentence) and not named:
            yield Claim("'petahana' said of no incumbent person", sentence)
        for ticket in named:
            if "posisi teratas" in sentence and ticket not in top:
                yield Claim("an incumbent placed at the top who is not there", sentence)
            if story.tie and ticket in top and "tertinggal" in sentence:
                yield Claim("a tied incumbent called trailing", sentence)


def check_claims(story: Story, headline: str, body: str, *, exempt: Iterable[str] = ()) -> list[Claim]:
    """Every claim of the headline and body that the story's facts contradict ([] when true)."""
    sentences = sentences_of(headline.rstrip(".") + ".\n\n" + _without(body, exempt))
    claims: list[Claim] = []
    for rule in (_leads, _stage, _progress, _body, _incumbents):
        claims.extend(rule(story, sentences))
    return claims


def _without(body: str, exempt: Iterable[str]) -> str:
    """The body less editor passages and Baca Juga lines (their claims are not ours)."""
    lines = [line for line in body.splitlines() if not line.startswith("**Baca Juga:**")]
    text = "\n".join(lines)
    for passage in exempt:
        if passage:
            text = text.replace(passage, "")
    return text
