"""Indonesian number, date and word formatting (house style).

Everything goes through babel with an explicit locale; nothing here reads the
machine's locale. Shares and progress arrive as ``Decimal`` already rounded to
two places by the model; this module only formats them.

    >>> format_votes(962804)
    '962.804'
    >>> format_percent(Decimal("55.66"))
    '55,66%'
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = Locale.parse("id_ID")

#: Indonesian time zones: name used in text -> UTC offset.
ZONES: dict[str, timezone] = {
    "WIB": timezone(timedelta(hours=7), "WIB"),
    "WITA": timezone(timedelta(hours=8), "WITA"),
    "WIT": timezone(timedelta(hours=9), "WIT"),
}
#: How the zone is written in running text (house style: "pukul 11.15 Wita").
ZONE_LABELS = {"WIB": "WIB", "WITA": "Wita", "WIT": "WIT"}

_TWO_PLACES = "#,##0.00"
_CENT = Decimal("0.01")

_UNITS = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan",
    "sembilan", "sepuluh", "sebelas",
]


def _symbols() -> tuple[str, str]:
    """id_ID's grouping and decimal symbols, from babel's CLDR data."""
    symbols = LOCALE.number_symbols["latn"]
    if LOCALE.decimal_formats[None].grouping != (3, 3):  # pragma: no cover - CLDR changed
        raise RuntimeError("id_ID no longer groups digits by three; revisit generator.formatting")
    return symbols["group"], symbols["decimal"]


GROUP, DECIMAL = _symbols()


def format_votes(value: int) -> str:
    """Whole numbers with a dot for thousands: ``962.804``.

    The symbols are babel's for id_ID; the digits are laid out here, because an
    election night formats tens of thousands of numbers and babel's pattern
    engine costs ~50 µs a call (tests check equality with babel's own output).
    """
    return f"{value:,d}".replace(",", GROUP)


def format_decimal2(value: Decimal) -> str:
    """Two decimals with a comma: ``11,32`` (rounded half-up to two places)."""
    text = f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text.replace(",", "\0").replace(".", DECIMAL).replace("\0", GROUP)


def babel_votes(value: int) -> str:
    """babel's own rendering of :func:`format_votes` (the reference in tests)."""
    return format_decimal(value, format="#,##0", locale=LOCALE)


def babel_decimal2(value: Decimal) -> str:
    """babel's own rendering of :func:`format_decimal2` (the reference in tests)."""
    return format_decimal(value, format=_TWO_PLACES, locale=LOCALE, decimal_quantization=True)


def format_percent(value: Decimal) -> str:
    """A share as house style writes it: ``55,66%`` (never babel's ``56%``)."""
    return f"{format_decimal2(value)}%"


def number_words(value: int) -> str:
    """Indonesian words for 0..99: ``empat``, ``dua belas``, ``dua puluh satu``."""
    if not 0 <= value < 100:
        raise ValueError(f"number_words covers 0..99, got {value}")
    if value < 12:
        return _UNITS[value]
    if value < 20:
        return f"{_UNITS[value - 10]} belas"
    tens, units = divmod(value, 10)
    words = "sepuluh" if tens == 1 else f"{_UNITS[tens]} puluh"
    return f"{words} {_UNITS[units]}" if units else words


def count_words(value: int) -> str:
    """A count in running text, house style: words up to nine, digits from 10
    (``empat``, ``sembilan``, ``10``, ``1.364``)."""
    return number_words(value) if 0 <= value <= 9 else format_votes(value)


def count_series(*values: int) -> tuple[str, ...]:
    """Counts that share one sentence, in one style: all in words when every one is nine or
    less, else all in digits ("delapan dari sembilan", "8 dari 10")."""
    if all(0 <= v <= 9 for v in values):
        return tuple(number_words(v) for v in values)
    return tuple(format_votes(v) for v in values)


def ordinal(value: int) -> str:
    """Position words: 1 ``pertama``, 2 ``kedua``, 3 ``ketiga``, 11 ``kesebelas``."""
    if value < 1:
        raise ValueError(f"ordinal needs a positive number, got {value}")
    if value == 1:
        return "pertama"
    return f"ke{_UNITS[value]}" if value < 12 else f"ke-{value}"


def to_zone(moment: datetime, zone: str) -> datetime:
    """Convert an aware datetime to an Indonesian zone (``WIB``, ``WITA``, ``WIT``)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a zone is required")
    return moment.astimezone(ZONES[zone])


def format_day_date(moment: datetime, zone: str) -> str:
    """``Kamis (5/12/2024)`` in the given zone: day and month without leading zeros."""
    local = to_zone(moment, zone)
    day = format_date(local.date(), "EEEE", locale=LOCALE)
    return f"{day} ({numeric_date(local)})"


def numeric_date(local: datetime) -> str:
    """``5/12/2024``: the house style writes a date's day and month without leading zeros."""
    return f"{local.day}/{local.month}/{local.year}"


def format_clock(moment: datetime, zone: str) -> str:
    """``pukul 11.15 Wita`` in the given zone."""
    local = to_zone(moment, zone)
    return f"pukul {local:%H.%M} {ZONE_LABELS[zone]}"


def format_moment(moment: datetime, zone: str) -> str:
    """``Kamis (28/11/2024) pukul 11.15 Wita``."""
    return f"{format_day_date(moment, zone)} {format_clock(moment, zone)}"


def join_words(items: list[str], conjunction: str = "dan") -> str:
    """``A``, ``A dan B``, ``A, B, dan C`` (Indonesian serial comma). An item that closes
    with its own comma (``pasangan nomor urut 1, X,``) takes no second one, as the
    ``tickets`` macro joins them: ``A, B, dan C,``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    return "".join(item + (" " if item.endswith(",") else ", ") for item in items[:-1]) + f"{conjunction} {items[-1]}"
