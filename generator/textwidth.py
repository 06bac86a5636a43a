"""How wide a line of chart text is, and where to break it so that it fits.

There is no font on the server, so widths come from a fixed table: the advance
widths of DejaVu Sans and DejaVu Sans Bold (in 1/1000 em, rounded up), the widest
family in the chart's font stack (Arial, Helvetica and Liberation Sans are about a
tenth narrower), so a line measured to fit here fits in every font the stack names.
A letter with an accent is measured as its base letter (``é`` as ``e``); any other
character outside the table counts as a full em, wider than any glyph in it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

ELLIPSIS = "\u2026"

_CHARS = "".join(chr(c) for c in range(32, 127)) + "\u00b7" + ELLIPSIS
_REGULAR = (
    318, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337,
    637, 637, 637, 637, 637, 637, 637, 637, 637, 637, 337, 337, 838, 838, 838, 531,
    1000, 685, 687, 699, 771, 632, 576, 775, 752, 295, 295, 656, 558, 863, 749, 788,
    604, 788, 695, 635, 611, 732, 685, 989, 686, 611, 686, 391, 337, 391, 838, 500,
    500, 613, 635, 550, 635, 616, 353, 635, 634, 278, 278, 580, 278, 975, 634, 612,
    635, 635, 412, 521, 393, 634, 592, 818, 592, 592, 525, 637, 337, 637, 838, 318,
    1000,
)
_BOLD = (
    349, 457, 521, 838, 696, 1002, 873, 307, 458, 458, 523, 838, 380, 416, 380, 366,
    696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 581,
    1000, 774, 763, 734, 831, 684, 684, 821, 837, 373, 373, 775, 638, 996, 837, 851,
    733, 851, 771, 721, 683, 813, 774, 1104, 771, 725, 726, 458, 366, 458, 838, 500,
    500, 675, 716, 593, 716, 679, 436, 716, 712, 343, 343, 666, 343, 1042, 712, 688,
    716, 716, 494, 596, 479, 712, 652, 924, 646, 652, 583, 712, 366, 712, 838, 380,
    1000,
)
_WIDTHS = {False: dict(zip(_CHARS, _REGULAR, strict=True)), True: dict(zip(_CHARS, _BOLD, strict=True))}
_FULL_EM = 1000

#: Where a line may break: after a run of spaces (dropped) or after a hyphen (kept),
#: so "Rudy Mas'ud-Seno Aji" may break as "Rudy Mas'ud-" / "Seno Aji".
_PIECE = re.compile(r"[^ -]*-+|[^ -]+")
_SPACE_OR_PIECE = re.compile(r" +|" + _PIECE.pattern)


@cache
def _char_width(char: str, bold: bool) -> int:
    table = _WIDTHS[bold]
    if char in table:
        return table[char]
    base = unicodedata.normalize("NFKD", char)[:1]
    return table.get(base, _FULL_EM)


#: Every character measured so far, by weight (a memo of :func:`_char_width`).
_KNOWN: dict[bool, dict[str, int]] = {False: dict(_WIDTHS[False]), True: dict(_WIDTHS[True])}


def _units(text: str, bold: bool) -> int:
    """The width of ``text`` in 1/1000 em."""
    known = _KNOWN[bold]
    try:
        return sum(map(known.__getitem__, text))
    except KeyError:
        for char in text:
            known.setdefault(char, _char_width(char, bold))
        return sum(map(known.__getitem__, text))


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width in pixels of ``text`` set on one line at font size ``size``."""
    return _units(text, bold) * size / 1000


def wrap(text: str, limit: float, size: float, *, bold: bool = False, max_lines: int = 2) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines, each at most ``limit`` pixels wide.

    Lines break at spaces and after hyphens; a word wider than a whole line is cut
    where it must be. What does not fit in ``max_lines`` lines is left off, and the
    last line then ends with "…".
    """
    # The common case: one line that fits, with no spaces to collapse or strip.
    single = text and text == text.strip() and "  " not in text and max_lines >= 1
    if single and text_width(text, size, bold=bold) <= limit:
        return [text]

    def width(line: str) -> float:
        return text_width(line, size, bold=bold)

    space = _units(" ", bold)
    lines: list[str] = []
    current = ""
    used = 0  # _units(current), kept as the line grows rather than measured again for every piece
    for match in _SPACE_OR_PIECE.finditer(text):
        piece = match.group()
        if piece.startswith(" "):
            if current:
                current += " "
                used += space
            continue
        units = _units(piece, bold)
        if (used + units) * size / 1000 <= limit:  # text_width(current + piece), as it computes it
            current += piece
            used += units
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = ""
        while width(piece) > limit:  # a word longer than a line: cut it
            cut = _longest_prefix(piece, limit, width)
            lines.append(piece[:cut])
            piece = piece[cut:]
        current = piece
        used = _units(piece, bold)
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        cut = _longest_prefix(last, limit, lambda line: width(line + ELLIPSIS))
        lines = [*lines[:max_lines - 1], last[:cut].rstrip(" -") + ELLIPSIS]
    return lines


def _longest_prefix(text: str, limit: float, width: Callable[[str], float]) -> int:
    """How many leading characters of ``text`` fit in ``limit`` (at least one)."""
    count = 1
    while count < len(text) and width(text[:count + 1]) <= limit:
        count += 1
    return count
