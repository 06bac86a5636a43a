"""Candidate and place names: KPU capitals to house style.

KPU writes ``"H. RUDY MAS'UD, S.E., M.E. - Ir. H. SENO AJI, M. Si."``: the name
words in capitals, titles as someone typed them, degrees after a comma with or
without periods, and now and then a nickname. House style (EYD/PUEBI) keeps every
title, cases the name words, closes every abbreviation with a period and separates
the degrees with ``", "``: ``H. Rudy Mas'ud, S.E., M.E.`` and ``Ir. H. Seno Aji,
M.Si.``. Nicknames (``(SI DOEL)``, ``ALIAS HENDI``, a name after the degrees) are
left out of the printed name and kept in :attr:`PersonName.nickname`.

The short form (``Rudy Mas'ud``: later mentions, headlines) keeps the name words
only: no titles, degrees, initials, abbreviations or nicknames.
:func:`short_form_problem` says when a short form still looks broken; such a form
is never printed (the pipeline falls back to the full name and flags the race for
an editor override in ``config/races.yaml``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

#: Titles, ranks and honorifics written before a name, by lower-case spelling.
#: ``dr.`` (medical doctor) and ``Dr.`` (doctorate) differ only in case and are
#: kept as written when KPU writes them in mixed case.
PREFIX_TITLES = {
    "h.": "H.", "hj.": "Hj.", "hi.": "Hi.", "dr.": "Dr.", "drs.": "Drs.", "dra.": "Dra.",
    "ir.": "Ir.", "prof.": "Prof.", "kh.": "K.H.", "k.h.": "K.H.", "tgk.": "Tgk.", "tgh.": "TGH.",
    "ust.": "Ust.", "drg.": "drg.", "drh.": "drh.", "apt.": "apt.", "ns.": "Ns.", "r.": "R.",
    "pdt.": "Pdt.", "pnt.": "Pnt.", "capt.": "Capt.", "dt.": "Dt.", "datuk": "Datuk", "datuak": "Datuak",
    "(purn.)": "(Purn.)", "(purn)": "(Purn.)", "purn.": "(Purn.)",
    "brigjen": "Brigjen", "mayjen": "Mayjen", "letjen": "Letjen", "jenderal": "Jenderal",
    "kolonel": "Kolonel", "kol.": "Kol.", "letkol": "Letkol", "irjen": "Irjen", "komjen": "Komjen",
    "laksda": "Laksda", "marsda": "Marsda", "kombes": "Kombes", "brigjen.": "Brigjen",
    "letjen.": "Letjen", "letkol.": "Letkol", "mayjen.": "Mayjen", "irjen.": "Irjen", "pol.": "Pol.",
}
#: KPU's spellings of a title without its period (``DRS``, ``Kol``, ``HAJI``), read
#: as titles only before the first name word (``ARMIA IR``: ``IR`` is a name part).
_BARE_TITLES = {
    "h": "H.", "hj": "Hj.", "hi": "Hi.", "drs": "Drs.", "dra": "Dra.", "ir": "Ir.", "kh": "K.H.",
    "drh": "drh.", "kol": "Kol.", "pol": "Pol.", "ckm": "Ckm", "haji": "Haji", "dt": "Dt.",
    "hc.": "(H.C.)", "(h.c.)": "(H.C.)",
}
#: Titles that stand before a name even when KPU wrote them among the degrees
#: (``H. MUTSYUHITO SOLIN, Dr., M.Pd``; ``H. UMAR USMAN,dr``).
_FRONT_ONLY = {"dr.": "Dr.", "dr": "Dr.", "drs.": "Drs.", "drs": "Drs.", "dra.": "Dra.", "prof.": "Prof."}
#: Academic titles a moved title goes after (``Dr. Drs.``, never ``H. Dr.``).
_ACADEMIC = {"Prof.", "Dr.", "dr.", "Drs.", "Dra.", "Ir.", "drg.", "drh."}
#: Acronyms that stay in capitals (forces and police).
UPPER_WORDS = {"TNI", "POLRI", "AD", "AL", "AU", "AKBP", "AKP", "KH", "DKI"}
#: Words kept in lower case inside a name.
LOWER_WORDS = {"bin", "binti", "van", "de", "da"}
#: Abbreviated name words (``MOH.`` Mohammad, ``DG.`` Daeng, ``BR`` boru): printed
#: with their period, left out of the short form.
NAME_ABBREVIATIONS = {
    "ABD": "Abd.", "MOH": "Moh.", "MUH": "Muh.", "MHD": "Mhd.", "MOCH": "Moch.", "MOHD": "Mohd.",
    "DG.": "Dg.", "DJ.": "Dj.", "RD.": "Rd.", "GRA.": "G.R.A.", "BR": "br.",
}
#: Degrees in their EYD spelling: every element capitalised as the degree is
#: awarded and closed with a period (PUEBI; Permenristekdikti 59/2018). Where two
#: dot patterns are in official use for the same letters (``S.IP.``/``S.I.P.``) both
#: are listed and KPU's is kept; otherwise the first spelling of its letters wins.
DEGREES = """
A.Ma. A.Ma.Pd. A.Ma.TM. A.Md. A.Md.Ak. A.Md.IP. A.Md.Kep. A.Md.Par. A.Md.T. A.Md.Tek. A.P. A.Par. A.Pi.
Ak. Akt. Apt. B.A. B.B.A. B.Bus. B.Com. B.Comm. B.Econ. B.S.B.A. B.Sc. C.H.A. C.L.A. D.B.A. D.Min.
K.F.M. LL.M. Lc. M.A. M.A.P. M.A.R.S. M.Ag. M.Ak. M.App.Com. M.Arch. M.Ars. M.B.A. M.Biomed. M.Com.
M.E. M.E.S. M.Ec.Dev. M.Ed. M.Ek. M.Eng. M.H. M.H.I. M.H.Kes. M.H.Sc. M.HP. M.Hum. M.I.B. M.I.Kom.
M.I.P. M.IP. M.I.Pol. M.K.K. M.K.K.K. M.K.M. M.K.P. M.Ked. M.Kes. M.Kesos. M.Kn. M.Ling. M.M. M.M.A.
M.M.Inov. M.M.P. M.M.Pd. M.MPub. M.MT. M.Mar. M.P. M.P.A. M.P.H. M.P.P.M. M.P.W. M.P.W.K. M.PSDM.
M.Pd. M.Pd.I. M.Pd.K. M.Psi. M.RgnlUrbPlan. M.S. M.S.A. M.Si. M.S.I. M.S.M. M.S.P. M.Sc. M.Sn. M.Sos.
M.T. M.Th. M.Tr.A.P. M.Tr.I.P. M.U.P. Ns. Ph.D. S.A.B. S.A.N. S.A.P. S.Ag. S.Ak. S.Ars. S.E. S.E.Ak.
S.E.I. S.Farm. S.Fil. S.Fil.I. S.H. S.H.I. S.Hum. S.Hut. S.I.K. S.I.Kom. S.IP. S.I.P. S.K.G. S.K.M.
S.Ked. S.Kel. S.Kep. S.Kom. S.Kom.I. S.M. S.P. S.P.W.K. S.PAK. S.PKP. S.Pd. S.Pd.H. S.Pd.I. S.Pd.K.
S.Pi. S.Psi. S.Pt. S.S. S.ST. S.ST.Par. S.STP. S.Si. S.S.I. S.Sn. S.Sos. S.Sos.I. S.Sy. S.T. S.TP.
S.T.P. S.Th. S.Th.I. S.Tr. Sp.A. Sp.B. Sp.M. Sp.N. Sp.OG. Sp.O.G. Sp.OT. Sp.P. Sp.PA. Sp.P.A. Sp.PD.
Sp.PK. Sp.S. Subsp.B.D.
""".split()  # noqa: SIM905 (a table reads better as text)
#: Professional certifications, written as their issuing bodies write them.
CERTIFICATIONS = ("AAAIK", "AIFO", "ASEAN Eng.", "CA", "CFI", "CPA", "FISQua", "IPM", "IPU", "Psikolog")
#: What may follow a degree in brackets (``Sp.OG(K)``, ``M.Si.(Han)``) or a title
#: (``Dr. (H.C.)``, ``(Purn.)``), by its letters; any other bracket is a nickname.
QUALIFIERS = {
    "PURN": "(Purn.)", "P": "(Purn.)", "HC": "(H.C.)", "C": "(C)",
    "K": "(K)", "PD": "(PD)", "HONS": "(Hons)", "ACC": "(Acc)", "HAN": "(Han)",
}
#: A name in the paslon file that is the empty ballot column, not a person.
EMPTY_COLUMN = "KOLOM KOSONG"

_VOWELS = set("AEIOUaeiou")
#: Bracketed text (two groups: the content, a period after it), for :func:`_take_brackets`.
_BRACKETS = re.compile(r"\(([^()]*)\)(\.?)")
_LETTERS_DOTS = re.compile(r"[A-Za-z.]+")
_LETTERS_DOTS_SPACES = re.compile(r"[A-Za-z. ]+")
_ONE_LETTER = re.compile(r"[A-Za-z]\.?")
_NICKNAME_TEXT = re.compile(r"[A-Za-z][A-Za-z'’ .-]*")
_DOTTED_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?\.?")


def _key(text: str) -> str:
    """The letters of a title or degree, in capitals: ``M. Si.`` -> ``MSI``."""
    return "".join(filter(str.isalpha, text)).upper()


_DEGREES_BY_KEY: dict[str, list[str]] = {}
for _degree in DEGREES:
    _DEGREES_BY_KEY.setdefault(_key(_degree), []).append(_degree)
_CERTIFICATIONS_BY_KEY = {_key(c): c for c in CERTIFICATIONS}
#: Pieces a degree is typed from (``M``, ``Si``, ``PD``): a word made of them is a degree.
_DEGREE_PIECES = {p.upper() for d in DEGREES for p in d.split(".") if p} | set(_DEGREES_BY_KEY)
#: Words a short form must not contain: titles and degrees that lost their periods.
TITLE_WORDS = (
    {_key(t) for t in PREFIX_TITLES if t.endswith(".")} | {_key(k) for k in _BARE_TITLES}
    | set(_DEGREES_BY_KEY) | {"PURN", "HC", "DT", "TGH", "DRG", "HAJJAH"}
) - {"H", "R", "P", "C", "K", "HAJI", "DATUK"}


@dataclass(frozen=True)
class PersonName:
    """One candidate's name in house style.

    ``nickname`` is what KPU added to the name (``Si Doel``); ``unrecognised``
    holds suffixes that are neither a known degree nor a nickname (left out).
    """

    full: str
    short: str
    nickname: str = ""
    unrecognised: tuple[str, ...] = ()


def split_ticket(raw: str) -> tuple[str, str]:
    """Split KPU's ``"HEAD - DEPUTY"`` into its two names (deputy may be empty)."""
    head, sep, deputy = raw.partition(" - ")
    if not sep:
        head, sep, deputy = raw.partition("-") if raw.rstrip().endswith("-") else (raw, "", "")
    return head.strip(), deputy.strip()


def is_empty_column(raw: str) -> bool:
    """True for the empty ballot column (``KOLOM KOSONG - ``)."""
    return raw.strip().upper().startswith(EMPTY_COLUMN)


def _capitalise(part: str) -> str:
    """``'ASHIM`` -> ``'Ashim``: the first letter up, the rest down."""
    lower = part.lower()
    for i, c in enumerate(lower):
        if c.isalpha():
            return lower[:i] + c.upper() + lower[i + 1:]
    return lower


@functools.lru_cache(maxsize=8192)
def case_word(word: str) -> str:
    """``MAS'UD`` -> ``Mas'ud``, ``PASER-UTARA`` -> ``Paser-Utara`` (cached: names repeat)."""
    if word.lower() in LOWER_WORDS:
        return word.lower()
    return "-".join([_capitalise(part) for part in word.split("-")])


def case_place(raw: str) -> str:
    """A KPU place name in capitals to proper case: ``KOTA SAMARINDA`` -> ``Kota Samarinda``."""
    words = raw.split()
    return " ".join(w if not w.isupper() or w in UPPER_WORDS else case_word(w) for w in words)


# -- degrees ----------------------------------------------------------------------------------


def _spell_degree(pieces: list[str]) -> str | None:
    """The house spelling of one degree typed as ``pieces`` (``["S", "IP"]``), if known."""
    spellings = _DEGREES_BY_KEY.get("".join(pieces).upper())
    if not spellings:
        return None
    typed = ".".join(pieces).lower() + "."
    return next((s for s in spellings if s.lower() == typed), spellings[0])


@functools.lru_cache(maxsize=4096)
def _segment_degrees(text: str) -> tuple[str, ...] | None:
    """``MM.M.Si.MH`` -> ``("M.M.", "M.Si.", "M.H.")`` (longest known degree first).

    Cached: the same few degrees (``S.E``, ``M.Si``) come back in most names.
    """
    pieces = [p for p in text.split(".") if p]
    degrees: list[str] = []
    start = 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):
            spelled = _spell_degree(pieces[start:end])
            if spelled:
                degrees.append(spelled)
                start = end
                break
        else:
            return None
    return tuple(degrees) or None


def _is_degree_word(word: str) -> bool:
    return bool(_LETTERS_DOTS.fullmatch(word)) and ("." in word or word.upper() in _DEGREE_PIECES)


@dataclass(slots=True)
class _Suffixes:
    """What follows the name: degrees (and adat titles) in KPU's order, and the rest."""

    items: list[str] = field(default_factory=list)
    front_titles: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)
    nicknames: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)


def _read_suffixes(parts: list[str]) -> _Suffixes:
    """The comma-separated parts after the name."""
    found = _Suffixes()
    parts = [p for p in (part.strip().lstrip(".").strip() for part in parts) if p]
    i = 0
    while i < len(parts):
        part = parts[i]
        i += 1
        if part.lower() in _FRONT_ONLY:
            found.front_titles.append("dr." if part in ("dr", "dr.") else _FRONT_ONLY[part.lower()])
        elif _key(part) in _CERTIFICATIONS_BY_KEY and _LETTERS_DOTS_SPACES.fullmatch(part):
            found.items.append(_CERTIFICATIONS_BY_KEY[_key(part)])
        elif _ONE_LETTER.fullmatch(part):
            # "M, Si" typed for "M.Si"; before any degree, a name initial after a stray comma.
            joined = _segment_degrees(f"{part}.{parts[i]}") if i < len(parts) else None
            if joined and len(joined) == 1:
                found.items.extend(joined)
                i += 1
            elif not found.items:
                found.initials.append(part[0].upper() + ".")
            else:
                found.unrecognised.append(part)
        else:
            _read_suffix_words(part.split(), found)
    return found


def _read_suffix_words(words: list[str], found: _Suffixes) -> None:
    """One comma-separated part: degrees, then maybe an adat title or a nickname."""
    chunk: list[str] = []

    def flush() -> None:
        if not chunk:
            return
        text = ".".join(w.strip(".") for w in chunk)
        dotted = any("." in w for w in chunk)
        chunk.clear()
        degrees = _segment_degrees(text)
        if degrees:
            found.items.extend(degrees)
        elif dotted:
            found.items.append(text + ".")  # an abbreviation we do not know, as KPU wrote it
        else:
            found.unrecognised.append(text)

    for n, word in enumerate(words):
        if word.startswith("("):  # a qualifier kept by _take_brackets: Sp.OG(K)
            flush()
            if found.items:
                found.items[-1] += word
        elif word.upper().rstrip(".") in _ADAT:
            flush()
            found.items.append(" ".join([_adat_marker(word), *(_case_name_word(w) for w in words[n + 1:])]))
            return
        elif _is_degree_word(word):
            chunk.append(word)
        else:
            flush()
            rest = " ".join(words[n:])
            if n:  # "M.M. HABIB BANUA": a nickname after the degrees
                found.nicknames.append(_case_nickname(rest))
            else:
                found.unrecognised.append(rest)
            return
    flush()


def _adat_marker(word: str) -> str:
    bare = word.upper().rstrip(".")
    return "Dt." if bare == "DT" else case_word(bare)


def _case_name_word(word: str) -> str:
    return case_word(word) if word.isupper() else word


def _case_nickname(text: str) -> str:
    return " ".join(_case_name_word(w) for w in text.split())


# -- the name before the degrees --------------------------------------------------------------


def _take_brackets(text: str) -> tuple[str, list[str]]:
    """Keep bracketed qualifiers (``(Purn.)``, ``(K)``) as words; take nicknames out.

    Brackets around anything but words (``(http://x)``) are left as typed.
    """
    if "(" not in text and ")" not in text:
        return text, []  # the common case: no brackets at all
    nicknames: list[str] = []
    out: list[str] = []
    # re.split with two groups: text, bracket content, period after it, text, ...
    pieces = _BRACKETS.split(text)
    for n in range(0, len(pieces), 3):
        out.append(pieces[n].replace("(", " ").replace(")", " "))  # unmatched brackets
        if n + 1 >= len(pieces):
            break
        inner, period = " ".join(pieces[n + 1].split()).strip(" .,"), pieces[n + 2]
        qualifier = QUALIFIERS.get(_key(inner))
        if qualifier:
            out.append(f" {qualifier} ")
        elif _NICKNAME_TEXT.fullmatch(inner):
            nicknames.append(_case_nickname(inner))
            out.append(" ")
        else:
            out.append(f"({pieces[n + 1]}){period}")
    return "".join(out), nicknames


def _expand(token: str) -> list[str]:
    """Split glued tokens: ``Ir.H.JAYA`` -> ``Ir.``, ``H.``, ``JAYA``; ``AFNI.Z`` -> ``AFNI``, ``Z.``."""
    if token.startswith("(") or "." not in token.rstrip("."):
        return [token]
    pieces = token.split(".")
    if all(len(p) <= 1 for p in pieces):
        return [token]  # initials written together: H.M., Y.A.T
    out = []
    for n, piece in enumerate(pieces):
        if not piece:
            continue
        dotted = n < len(pieces) - 1
        if len(piece) == 1 or (dotted and f"{piece.lower()}." in PREFIX_TITLES):
            out.append(piece + ".")
        else:  # a name word; its period is stray unless it closes the token
            out.append(piece + ("." if dotted and n == len(pieces) - 2 else ""))
    return out


@dataclass(slots=True)
class _Token:
    text: str
    kind: str  # "title", "name", "initial", "adat" or "nickname"
    typed: str = ""


def _initials(token: str) -> str:
    """``TR.`` -> ``T.R.``, ``R.A`` -> ``R.A.``"""
    return "".join(f"{c.upper()}." for c in token if c.isalpha())


def _classify(token: str, seen_name: bool, after: str) -> _Token:
    """One word of the name part; ``after`` is the word before it in house style."""
    return _title(token, seen_name, after) or _initial(token, seen_name) or _name_word(token, seen_name)


def _title(token: str, seen_name: bool, after: str) -> _Token | None:
    lower = token.lower()
    if token.startswith("("):
        return _Token(token, "title")
    if lower in PREFIX_TITLES and (token.endswith(".") or not seen_name):
        # Keep the case KPU chose where it carries meaning: "dr." vs "Dr.".
        keep = lower == "dr." and token != token.upper()
        return _Token(token if keep else PREFIX_TITLES[lower], "title")
    if not seen_name and lower in _BARE_TITLES:
        return _Token(_BARE_TITLES[lower], "title")
    if token in ("TNI", "POLRI", "AKBP", "AKP") or (token in UPPER_WORDS and after == "TNI"):
        return _Token(token, "title")
    return None


def _initial(token: str, seen_name: bool) -> _Token | None:
    bare = token.rstrip(".")
    if token.isupper() and (token in NAME_ABBREVIATIONS or (token.endswith(".") and bare in NAME_ABBREVIATIONS)):
        return _Token(NAME_ABBREVIATIONS.get(token) or NAME_ABBREVIATIONS[bare], "initial")
    if len(bare) == 1 and bare.isalpha():
        if bare in ("I", "i") and not seen_name and not token.endswith("."):
            return _Token("I", "initial")  # Balinese "I Wayan ...": a word, not an initial
        return _Token(bare.upper() + ".", "initial")
    if _DOTTED_INITIALS.fullmatch(token):
        return _Token(_initials(token), "initial")
    if token.isupper() and token.endswith(".") and bare.isalpha() and (
        len(bare) == 2 or not any(c in _VOWELS for c in bare)
    ):
        return _Token(_initials(bare), "initial")  # TR. -> T.R.
    return None


def _name_word(token: str, seen_name: bool) -> _Token:
    bare = token.rstrip(".")
    if not any(map(str.isalpha, token)):  # stray punctuation goes; anything else is kept as typed
        return _Token("" if set(token) <= set(".,;:-'’") else token, "name")
    if token.endswith(".") and not token.isupper() and bare.isalpha() and not seen_name:
        return _Token(token, "title")  # another title, as written (Pt.)
    if token.isupper() and _VOWELS.isdisjoint(token):
        return _Token(token.strip("."), "name")  # "TP", "MD": initials run together
    if token.isupper():
        return _Token(case_word(token).rstrip("."), "name")  # PRABOWO. -> Prabowo
    return _Token(token, "name")  # cased by an editor: kept as typed


#: Words that start a Minangkabau adat title after the name (``Dt. Rajo Batuah``).
_ADAT = {"DT", "DATUK", "DATUAK"}
#: Words that start a nickname inside the name (``HENDRAR PRIHADI ALIAS HENDI``).
_NICKNAME_MARKERS = {"ALIAS", "ALS"}


def _read_front(typed: list[str]) -> list[_Token]:
    """The titles, name words and initials before the first comma, in order."""
    words = [piece for token in typed for piece in _expand(token)]
    tokens: list[_Token] = []
    seen_name = False
    mode = "name"
    names_before = 0  # tokens of kind "name" so far
    last_plain = _last_plain_word(words)
    for n, word in enumerate(words):
        if not seen_name and word.upper() == "TUAN" and words[n + 1:n + 2] and words[n + 1].upper() == "GURU":
            tokens.append(_Token("Tuan Guru", "title", word))  # a religious title in Lombok
            continue
        if tokens and tokens[-1].text == "Tuan Guru" and word.upper() == "GURU":
            continue
        if mode == "name" and names_before and n < last_plain:  # more name words follow
            bare = word.upper().rstrip(".")
            if bare in _ADAT:
                mode = "adat"
                tokens.append(_Token(_adat_marker(word), "adat", word))
                continue
            if bare in _NICKNAME_MARKERS:
                mode = "nickname"
                continue
            if bare == "GUS" and names_before >= 2:  # "ZAHRUL AZHAR ASUMTA GUS HANS"
                mode = "nickname"
        token = _classify(word, seen_name, tokens[-1].text if tokens else "")
        token.typed = word
        if not token.text:
            continue
        if token.kind == "name":
            seen_name = True
        if mode != "name" and token.kind in ("name", "initial"):
            token.kind = mode
        names_before += token.kind == "name"
        tokens.append(token)
    return tokens


def _last_plain_word(words: list[str]) -> int:
    """The position of the last word that is neither a title nor a bracket (-1 when none)."""
    for n in range(len(words) - 1, -1, -1):
        word = words[n]
        if word.lower() not in PREFIX_TITLES and not word.startswith("("):
            return n
    return -1


def _split_trailing_degrees(words: list[str]) -> tuple[list[str], list[str]]:
    """Degrees KPU typed into the name: ``TOTOK. SH``, ``DJALALUDDIN. S.IP.``, ``UMAM NS.``."""
    degrees: list[str] = []
    while len(words) >= 2 and _LETTERS_DOTS.fullmatch(words[-1]) and len(_key(words[-1])) >= 2:
        typed = words[-1]
        found = _segment_degrees(typed)
        if not found:
            break
        before = words[-2].rstrip(".")
        name_before = (
            len(before) >= 3 and before.isalpha() and before.lower() + "." not in PREFIX_TITLES
            and before.upper() not in NAME_ABBREVIATIONS
        )
        stray_comma = words[-2].endswith(".") and name_before  # a period typed for a comma
        spelled = typed.isupper() and typed.endswith(".") and "." not in typed[:-1] and name_before
        if not (stray_comma or spelled):
            break
        degrees[:0] = found
        words = [*words[:-2], before] if stray_comma else words[:-1]
    return words, degrees


@functools.lru_cache(maxsize=16384)
def person_name(raw: str) -> PersonName:
    """Case one person's KPU name and derive its short form.

    >>> person_name("H. RUDY MAS'UD, S.E., M.E.").full
    "H. Rudy Mas'ud, S.E., M.E."
    >>> person_name("Dr. H. HENDRAR PRIHADI ALIAS HENDI, S.E., M.M.").short
    'Hendrar Prihadi'
    """
    text, nicknames = _take_brackets(" ".join(raw.split()))
    front, _, rest = text.partition(",")
    suffixes = _read_suffixes(rest.split(","))
    words, degrees = _split_trailing_degrees(front.split())
    tokens = _read_front(words)
    tokens += [_Token(initial, "initial") for initial in suffixes.initials]
    inside = " ".join([t.text for t in tokens if t.kind == "nickname"])
    nicknames = ([inside] if inside else []) + nicknames + suffixes.nicknames
    tokens = [t for t in tokens if t.kind != "nickname"]
    if suffixes.front_titles:
        _insert_front_titles(tokens, suffixes.front_titles)
    full = ", ".join([part for part in [" ".join([t.text for t in tokens]), *degrees, *suffixes.items] if part])
    return PersonName(
        full=full,
        short=_short_form(tokens),
        nickname="; ".join(dict.fromkeys(nicknames)),
        unrecognised=tuple(suffixes.unrecognised),
    )


def _insert_front_titles(tokens: list[_Token], titles: list[str]) -> None:
    """Titles KPU wrote among the degrees go after the academic titles in front."""
    at = 0
    while at < len(tokens) and tokens[at].text in _ACADEMIC:
        at += 1
    for title in reversed(titles):
        if title not in (t.text for t in tokens):
            tokens.insert(at, _Token(title, "title"))


def _short_form(tokens: list[_Token]) -> str:
    """The name words: no titles, initials, abbreviations, adat titles or nicknames."""
    names = [t for t in tokens if t.kind in ("name", "initial")]
    for n, token in enumerate(names):
        # "MASHUR BIN MOHD ALIAS": a patronymic that would lose a word is left out.
        if n and token.text.lower() in ("bin", "binti"):
            if any(t.kind != "name" for t in names[n + 1:]):
                names = names[:n]
            break
    return " ".join([t.text for t in names if t.kind == "name"]) or " ".join([t.text for t in names])


# -- the short-form check ---------------------------------------------------------------------


_MARK_PROBLEMS = (
    (frozenset("."), "contains a period"),
    (frozenset("()[]"), "contains brackets"),
    (frozenset("0123456789"), "contains a digit"),
    (frozenset(","), "stray punctuation"),
)


@functools.lru_cache(maxsize=16384)
def short_form_problem(short: str) -> str | None:
    """Why ``short`` (one person's short form) looks broken, or None when it looks fine.

    A broken short form is never printed: the pipeline uses the full name and flags
    the race for an editor override. Initials run together (``Yansen TP``,
    ``Mahfud MD``) are fine; ``Alias`` inside a name is a nickname marker, at either
    end it is a name (``Alias Wello``, ``Mashur bin Mohd Alias``).
    """
    if not short.strip():
        return "empty"
    if short != short.strip() or "  " in short:
        return "stray spaces"
    for marks, problem in _MARK_PROBLEMS:
        if not marks.isdisjoint(short):
            return problem
    if short[0] in "-'’" or short[-1] == "-" or "--" in short:
        return "stray punctuation"
    words = short.split(" ")
    for n, word in enumerate(words):
        if word.lower() == "als" or (word.lower() == "alias" and 0 < n < len(words) - 1):
            return f"nickname marker {word!r}"
        for part in word.split("-"):
            if found := _part_problem(part):
                return found
    return None


def _part_problem(part: str) -> str | None:
    letters = _key(part)
    if part in ("'", "’"):
        return "stray punctuation"
    if len(letters) == 1:
        return f"single letter {part!r}"
    if letters in TITLE_WORDS and (part.isupper() or len(letters) <= 4):
        return f"title or degree {part!r}"
    if part.isupper() and len(letters) >= 4 and any(c in _VOWELS for c in part):
        return f"word in capitals {part!r}"
    return None


def tag_name(full: str) -> str | None:
    """A person as a tag page names them: the personal name without titles, degrees or
    nicknames (``H. Rudy Mas'ud, S.E., M.E.`` -> ``Rudy Mas'ud``); None when it cannot
    be printed (see :func:`short_form_problem`)."""
    short = person_name(full).short
    return None if short_form_problem(short) else short


def ticket_short(head_short: str, deputy_short: str) -> str:
    """``Rudy Mas'ud-Seno Aji`` (house style: hyphen without spaces)."""
    return f"{head_short}-{deputy_short}" if deputy_short else head_short


def ticket_full(head_full: str, deputy_full: str) -> str:
    """``H. Rudy Mas'ud, S.E., M.E. - Ir. H. Seno Aji, M.Si.``"""
    return f"{head_full} - {deputy_full}" if deputy_full else head_full


def _name_words(name: str) -> list[str]:
    """A name's words folded to plain lower-case letters: ``H. Rudy Mas'ud`` -> h, rudy, mas, ud."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain.lower())


def names_the_person(name: str, person: str) -> bool:
    """Whether ``name`` (as an editor wrote it: "Zainal Paliwang", "Yansen TP") can be the
    candidate KPU calls ``person``: each of its words of three letters or more begins a word
    of ``person`` or is begun by one (initials and short words are not compared)."""
    theirs = _name_words(person)
    words = [w for w in _name_words(name) if len(w) >= 3]
    return bool(words) and all(any(t.startswith(w) or w.startswith(t) for t in theirs if len(t) >= 3)
                               for w in words)
