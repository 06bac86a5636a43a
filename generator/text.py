"""Free text from outside, made safe to print: one clean line, a length cap, web addresses.

Every name and phrase that reaches an article comes from outside (KPU's files, an
editor's file, ``races.yaml``): it is cleaned once where it comes in and capped, so
no control character, bidi override or zero-width character reaches a title, a tag
or the text, no line break reaches a headline, and no 5,000-character name reaches a
file name. The models apply these rules to their fields (:mod:`generator.models`);
Markdown escaping is the renderer's (:func:`generator.render.escape_markdown`),
which cleans again whatever it prints.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest text per kind of field, in characters after Unicode compatibility
#: decomposition (NFKD, as slugs are made: one "\ufdfa" is 18 characters there).
#: The longest real values are far shorter (a kab/kota name: 42; a candidate with
#: every title: about 60): anything longer is a broken or hostile file.
MAX_REGION_NAME = 100
MAX_PERSON_NAME = 150
MAX_INSTITUTE = 150
MAX_PLENARY = 300
MAX_LEVEL = 40
MAX_URL = 2048
#: An editor's note or region context (races.yaml): a paragraph, not a page.
MAX_NOTE = 2000
#: Unicode categories never printed: controls (NUL, BEL, ESC...), format characters
#: (bidi overrides and isolates, zero-width space and joiners, BOM, soft hyphen),
#: surrogates and private use.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co"})


def one_line(value: str, *, strip: bool = True) -> str:
    """``value`` as one clean line: invisible characters removed, every run of
    whitespace (line breaks included) one space, no space at either end (or,
    with ``strip=False``, one space kept at an end that had whitespace)."""
    if value.isprintable() and "  " not in value and value == value.strip():
        return value  # the common case: nothing to do
    kept = "".join(ch for ch in value if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)
    text = " ".join(kept.split())
    if not strip and text:
        text = (" " if kept[0].isspace() else "") + text + (" " if kept[-1].isspace() else "")
    return text


def sentence_start(value: str) -> str:
    """``value`` with its first letter in capitals, the rest as it is (``kolom kosong meraih``
    -> ``Kolom kosong meraih``; a name's own capitals are kept, unlike ``str.capitalize``)."""
    return value[:1].upper() + value[1:]


def text_length(value: str) -> int:
    """Length as a cap counts it: after NFKD, the form slugs are made from."""
    return len(unicodedata.normalize("NFKD", value)) if not value.isascii() else len(value)


def capped(value: str, limit: int, what: str = "text", *, required: bool = False) -> str:
    """``value`` as :func:`one_line`, or a ``ValueError`` saying it is longer than ``limit``
    (or, when ``required``, that nothing printable is left)."""
    value = one_line(value)
    if required and not value:
        raise ValueError(f"expected {what}, found nothing printable")
    length = text_length(value)
    if length > limit:
        raise ValueError(f"expected {what} of at most {limit:,} characters, found {length:,} characters "
                         f"(starting {value[:40]!r}); check the source")
    return value


_HTTP_URL = re.compile(r"https?://[^\s<>\"\\\x00-\x1f\x7f]+")


def http_url(value: str) -> str:
    """``value`` when it is an http(s) URL readers may follow (no spaces, quotes or controls), else ValueError."""
    if len(value) > MAX_URL or not _HTTP_URL.fullmatch(value):
        shown = value if len(value) <= 80 else value[:80] + "..."
        raise ValueError(f"expected an http:// or https:// URL, found {shown!r}")
    return value
