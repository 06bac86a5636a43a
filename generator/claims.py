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
from typing import NamedTuple

from .audit import sentences_of
from .story import Story


class Words:
    """Words or phrases found case-insensitively in a sentence (``re.IGNORECASE``): as
    whole words (``bounded``: ``\\b`` at both ends) or anywhere.

    A regex search costs a few microseconds a sentence, and most sentences hold none of
    the words: :meth:`search` first looks for each word in the sentence's :attr:`Sentence.folded`
    form with ``in``, which finds every word the regex finds (see :func:`fold`), and runs
    the regex only on a sentence that passes.
    """

    def __init__(self, *words: str, bounded: bool = True) -> None:
        assert all(w == fold(w) and w.isascii() for w in words), "words in lower-case ASCII"
        self.words = words
        #: What the pre-check looks for: a word that holds another listed word ("memenangi",
        #: "menang") is in a text only if that one is, so the shorter one suffices.
        self.hints = tuple(w for w in words if not any(v != w and v in w for v in words))
        alternatives = "|".join(map(re.escape, words))
        self.regex = re.compile(rf"\b(?:{alternatives})\b" if bounded else alternatives, re.IGNORECASE)

    def occurs(self, folded: str) -> bool:
        """Whether one of the words may be in a text (its :func:`fold`): False means not, for sure."""
        # A loop rather than any(): this runs for every sentence, and any()'s generator alone
        # cost a sixth of the claim check.
        for word in self.hints:  # noqa: SIM110
            if word in folded:
                return True
        return False

    def search(self, sentence: Sentence) -> bool:
        return self.occurs(sentence.folded) and self.regex.search(sentence.text) is not None


#: The characters ``re.IGNORECASE`` matches to an ASCII letter besides its two cases, which
#: ``str.lower`` leaves alone or makes two characters of (``İ`` lowers to ``i`` + U+0307).
_EXOTIC = str.maketrans({"\u0131": "i", "\u017f": "s", "\u0307": None})


def fold(text: str) -> str:
    """``text`` lower-cased so that any ASCII word ``re.IGNORECASE`` finds in it is in it.

    Every character the regex matches to an ASCII letter becomes that letter, one for one
    (``K``, the Kelvin sign, lowers to ``k``; ``ı`` and ``ſ`` are mapped here; ``İ`` is ``i`` once
    the dot U+0307 is dropped, which no word holds); a test checks every code point.
    """
    low = text.lower()
    return low if low.isascii() else low.translate(_EXOTIC)


class Sentence(NamedTuple):
    """A sentence of the text, with its :func:`fold` for the pre-check of :class:`Words`."""

    text: str
    folded: str


_LEAD = Words("unggul", "memimpin", "memenangi", "menangi", "menang", "menyalip", "posisi teratas")
#: A lead claimed for a sub-region in the breakdown ("X unggul di empat dari lima kabupaten/kota").
_SUB_REGION_LEAD = re.compile(r"\bunggul di (?:seluruh |\w+ (?:dari|kabupaten|kecamatan|kota)\b|[A-Z0-9])")
_SHARED = Words("sama-sama", "berbagi posisi teratas", "imbang", "tidak lagi unggul", "belum ada pasangan yang unggul",
                "suara yang sama", "suara sama", "unggul sendirian", bounded=False)
_FINAL = Words("memenangi", "menangi", "ditetapkan sebagai")
_CONDITION = Words("bila", "jika", "apabila", "syarat", "akan", "baru dinyatakan")
_PROVISIONAL = Words("hasil sementara", "unggul sementara", "perolehan suara sementara", "hitung sementara",
                     "data sementara", "sejauh ini")
_HEDGE = Words("belum dapat dipastikan", "margin of error", "rentang kesalahan", "belum terpisahkan", bounded=False)
_CONSEQUENCE = Words("harus menggelar pemilihan ulang", "akan kembali bertarung di putaran kedua",
                     "tidak akan ada putaran kedua", "memenuhi syarat kemenangan", bounded=False)
_KPU_DATA = re.compile(r"data (resmi )?KPU|\breal count\b|Sirekap")
_QUICK_COUNT = Words("hitung cepat", "quick count", bounded=False)
_EVERY_TPS = re.compile(r"seluruh [\d.]+ TPS|seluruh TPS (sudah|telah)")
_KPU_BODY = re.compile(r"\bKPU (Provinsi|Kabupaten|Kota)\b")
_KIP = re.compile(r"\bKIP\b")
_INCUMBENT = Words("petahana")
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


def _sub_region_lead(text: str) -> bool:
    return "unggul di " in text and _SUB_REGION_LEAD.search(text) is not None  # the regex needs those words


def _leads(story: Story, sentences: list[Sentence]) -> Iterator[Claim]:
    top = {t.number for t in story.leaders.tickets}
    for sentence in sentences:
        if not _LEAD.search(sentence) or _sub_region_lead(sentence.text):
            continue
        if story.tie and not _SHARED.search(sentence):
            yield Claim("a sole leader claimed in a tie", sentence.text)
            continue
        first = _first_ticket(sentence.text, story)
        hedged = story.facts.too_close and _HEDGE.search(sentence)
        if first is not None and first not in top and not _SHARED.search(sentence) and not hedged:
            yield Claim("a lead claimed for a ticket that is not at the top", sentence.text)


def _stage(story: Story, sentences: list[Sentence]) -> Iterator[Claim]:
    final = story.facts.final
    for sentence in sentences:
        text = sentence.text
        if not final and _FINAL.search(sentence) and not _CONDITION.search(sentence):
            yield Claim("a final result claimed from a count", text)
        if final and _PROVISIONAL.search(sentence):
            yield Claim("an official recap called provisional", text)
        if story.stage == "quick_count" and _KPU_DATA.search(text):
            yield Claim("a quick count attributed to KPU's data", text)
        if story.stage != "quick_count" and _QUICK_COUNT.search(sentence):
            yield Claim("a count attributed to a quick count", text)
        if story.facts.early and _CONSEQUENCE.search(sentence):
            yield Claim("a consequence announced from an early count", text)
        if (story.facts.too_close and _LEAD.search(sentence) and not _HEDGE.search(sentence)
                and not _sub_region_lead(text)):
            yield Claim("a lead claimed inside a quick count's margin of error", text)


def _progress(story: Story, sentences: list[Sentence]) -> Iterator[Claim]:
    if story.progress_kind == "complete" or story.stage == "quick_count":
        return
    for sentence in sentences:
        text = sentence.text
        if "100,00%" in text or ("seluruh" in text and _EVERY_TPS.search(text)):
            yield Claim("every TPS claimed while some are still out", text)


def _body(story: Story, sentences: list[Sentence]) -> Iterator[Claim]:
    aceh = story.kpu_body.startswith("KIP")
    for sentence in sentences:
        text = sentence.text
        if aceh and "KPU " in text and _KPU_BODY.search(text):
            yield Claim("Aceh's elections are run by KIP, not KPU", text)
        if not aceh and "KIP" in text and _KIP.search(text):
            yield Claim("KIP runs elections only in Aceh", text)


def _incumbents(story: Story, sentences: list[Sentence]) -> Iterator[Claim]:
    top = {t.number for t in story.leaders.tickets}
    people = {p.name: p.ticket for p in story.incumbents}
    for sentence in sentences:
        text = sentence.text
        named = [ticket for name, ticket in people.items() if name in text]
        if _INCUMBENT.search(sentence) and not named:
            yield Claim("'petahana' said of no incumbent person", text)
        for ticket in named:
            if "posisi teratas" in text and ticket not in top:
                yield Claim("an incumbent placed at the top who is not there", text)
            if story.tie and ticket in top and "tertinggal" in text:
                yield Claim("a tied incumbent called trailing", text)


def check_claims(story: Story, headline: str, body: str, *, exempt: Iterable[str] = ()) -> list[Claim]:
    """Every claim of the headline and body that the story's facts contradict ([] when true)."""
    texts = sentences_of(headline.rstrip(".") + ".\n\n" + _without(body, exempt))
    sentences = [Sentence(text, fold(text)) for text in texts]
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
