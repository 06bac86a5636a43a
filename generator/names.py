"""Candidate and place names: KPU capitals to house style.

KPU writes ``"H. RUDY MAS'UD, S.E., M.E. - Ir. H. SENO AJI, M. Si."``: the
name words in capitals, titles mostly as written, degrees after a comma with
irregular spacing. House style keeps every title, cases the name words, and
normalises the degrees: ``H. Rudy Mas'ud, S.E., M.E.`` and ``Ir. H. Seno Aji,
M.Si.``. Short forms (``Rudy Mas'ud``) drop titles, degrees and initials.
Editors override any of it in ``config/races.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Titles, ranks and honorifics written before a name, by lower-case spelling.
#: ``dr.`` (medical doctor) and ``Dr.`` (doctorate) differ only in case and are
#: kept as written when KPU writes them in mixed case.
PREFIX_TITLES = {
    "h.": "H.", "hj.": "Hj.", "hi.": "Hi.", "dr.": "Dr.", "drs.": "Drs.", "dra.": "Dra.",
    "ir.": "Ir.", "prof.": "Prof.", "kh.": "K.H.", "k.h.": "K.H.", "tgk.": "Tgk.",
    "ust.": "Ust.", "drg.": "drg.", "apt.": "apt.", "ns.": "Ns.", "r.": "R.",
    "(purn.)": "(Purn.)", "(purn)": "(Purn.)", "purn.": "(Purn.)",
    "brigjen": "Brigjen", "mayjen": "Mayjen", "letjen": "Letjen", "jenderal": "Jenderal",
    "kolonel": "Kolonel", "irjen": "Irjen", "komjen": "Komjen", "laksda": "Laksda",
    "marsda": "Marsda", "kombes": "Kombes", "brigjen.": "Brigjen", "pol.": "Pol.",
}
#: Acronyms that stay in capitals (forces and police).
UPPER_WORDS = {"TNI", "POLRI", "AD", "AL", "AU", "AKBP", "AKP", "KH", "DKI"}
#: Words kept in lower case inside a name.
LOWER_WORDS = {"bin", "binti", "van", "de", "da"}
#: Degrees whose usual spelling differs from KPU's.
DEGREE_SPELLING = {"LC.": "Lc.", "B.SC": "B.Sc.", "B.SC.": "B.Sc.", "PH.D": "Ph.D.", "PH.D.": "Ph.D."}
#: A name in the paslon file that is the empty ballot column, not a person.
EMPTY_COLUMN = "KOLOM KOSONG"

_VOWELS = set("AEIOUaeiou")


@dataclass(frozen=True)
class PersonName:
    """One candidate's name in house style."""

    full: str
    short: str


def split_ticket(raw: str) -> tuple[str, str]:
    """Split KPU's ``"HEAD - DEPUTY"`` into its two names (deputy may be empty)."""
    head, sep, deputy = raw.partition(" - ")
    if not sep:
        head, sep, deputy = raw.partition("-") if raw.rstrip().endswith("-") else (raw, "", "")
    return head.strip(), deputy.strip()


def is_empty_column(raw: str) -> bool:
    """True for the empty ballot column (``KOLOM KOSONG - ``)."""
    return raw.strip().upper().startswith(EMPTY_COLUMN)


def case_word(word: str) -> str:
    """``MAS'UD`` -> ``Mas'ud``, ``PASER-UTARA`` -> ``Paser-Utara``."""
    if word.lower() in LOWER_WORDS:
        return word.lower()
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def case_place(raw: str) -> str:
    """A KPU place name in capitals to proper case: ``KOTA SAMARINDA`` -> ``Kota Samarinda``."""
    words = raw.split()
    return " ".join(w if not w.isupper() or w in UPPER_WORDS else case_word(w) for w in words)


def _normalise_degrees(text: str) -> str:
    degrees = []
    for part in text.split(","):
        degree = re.sub(r"\.\s+", ".", part.strip())
        if not degree:
            continue
        degree = DEGREE_SPELLING.get(degree.upper(), degree)
        if degree[-1].isalpha() and "." in degree and degree.upper() == degree:
            degree += "."
        degrees.append(degree)
    return ", ".join(degrees)


def _is_initial(token: str) -> bool:
    return len(token.rstrip(".")) == 1 and token.rstrip(".").isalpha()


def person_name(raw: str) -> PersonName:
    """Case one person's KPU name and derive its short form.

    >>> person_name("H. RUDY MAS'UD, S.E., M.E.")
    PersonName(full="H. Rudy Mas'ud, S.E., M.E.", short="Rudy Mas'ud")
    """
    raw = " ".join(raw.split())
    front, comma, degrees = raw.partition(",")
    out: list[str] = []
    name_words: list[str] = []
    for token in front.split():
        lower = token.lower()
        if lower in PREFIX_TITLES:
            canonical = PREFIX_TITLES[lower]
            # Keep the case KPU chose where it carries meaning: "dr." vs "Dr.".
            out.append(token if (token != token.upper() and lower in ("dr.", "drg.")) else canonical)
        elif token.upper() in UPPER_WORDS and token.isupper():
            out.append(token)
        elif "(" in token or (token.endswith(".") and not _is_initial(token) and token != token.upper()):
            out.append(re.sub(r"\.\s+", ".", token))  # another title, as written
        else:
            alpha = [c for c in token if c.isalpha()]
            if token.isupper() and alpha and not any(c in _VOWELS for c in alpha):
                word = token  # "TP", "MD": initials run together, keep capitals
            elif _is_initial(token):
                word = token.upper()
            elif token.isupper():
                word = case_word(token)
            else:
                word = token  # already cased by an editor
            out.append(word)
            name_words.append(word)
    full = " ".join(out)
    normalised = _normalise_degrees(degrees) if comma else ""
    if normalised:
        full = f"{full}, {normalised}"
    short_words = [w for w in name_words if not _is_initial(w)] or name_words
    return PersonName(full=full, short=" ".join(short_words))


def ticket_short(head_short: str, deputy_short: str) -> str:
    """``Rudy Mas'ud-Seno Aji`` (house style: hyphen without spaces)."""
    return f"{head_short}-{deputy_short}" if deputy_short else head_short


def ticket_full(head_full: str, deputy_full: str) -> str:
    """``H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si.``"""
    return f"{head_full} - {deputy_full}" if deputy_full else head_full
