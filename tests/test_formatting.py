from datetime import datetime
from decimal import Decimal

import pytest

from generator.formatting import (
    count_series,
    count_words,
    format_clock,
    format_day_date,
    format_moment,
    format_percent,
    format_votes,
    join_words,
    number_words,
    ordinal,
)

TS = datetime.fromisoformat("2024-11-28T10:15:04+07:00")  # Sirekap ts, WIB


@pytest.mark.parametrize(
    ("value", "text"),
    [(962804, "962.804"), (766850, "766.850"), (6048, "6.048"), (0, "0"), (999, "999"), (1729654, "1.729.654")],
)
def test_votes(value, text):
    assert format_votes(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [("55.66", "55,66%"), ("44.34", "44,34%"), ("96.4", "96,40%"), ("100", "100,00%"), ("0", "0,00%"), ("5.23", "5,23%")],
)
def test_percent_two_decimals_never_babel_default(value, text):
    assert format_percent(Decimal(value)) == text


def test_day_date_and_clock_in_region_zone():
    assert format_day_date(TS, "WITA") == "Kamis (28/11/2024)"
    assert format_clock(TS, "WITA") == "pukul 11.15 Wita"
    assert format_clock(TS, "WIB") == "pukul 10.15 WIB"
    assert format_clock(TS, "WIT") == "pukul 12.15 WIT"
    assert format_moment(TS, "WITA") == "Kamis (28/11/2024) pukul 11.15 Wita"


def test_zone_can_change_the_day():
    late = datetime.fromisoformat("2024-11-27T23:30:00+07:00")
    assert format_day_date(late, "WIB") == "Rabu (27/11/2024)"
    assert format_day_date(late, "WIT") == "Kamis (28/11/2024)"


def test_naive_datetime_refused():
    with pytest.raises(ValueError, match="zone"):
        format_moment(datetime(2024, 11, 28, 10, 15), "WIB")


@pytest.mark.parametrize(
    ("n", "words"),
    [(1, "satu"), (2, "dua"), (4, "empat"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"),
     (14, "empat belas"), (20, "dua puluh"), (21, "dua puluh satu"), (99, "sembilan puluh sembilan")],
)
def test_number_words(n, words):
    assert number_words(n) == words


@pytest.mark.parametrize(("n", "text"), [(0, "nol"), (4, "empat"), (9, "sembilan"), (10, "10"), (14, "14"), (30, "30"),
                                         (100, "100"), (545, "545"), (1364, "1.364")])
def test_count_words_up_to_nine_then_digits(n, text):
    assert count_words(n) == text


@pytest.mark.parametrize(("values", "text"), [((8, 9), ("delapan", "sembilan")), ((8, 10), ("8", "10")),
                                              ((15, 27), ("15", "27")), ((1, 1364), ("1", "1.364"))])
def test_count_series_one_style_per_sentence(values, text):
    assert count_series(*values) == text


def test_dates_without_leading_zeros():
    assert format_day_date(datetime.fromisoformat("2024-12-05T10:00:00+08:00"), "WITA") == "Kamis (5/12/2024)"


@pytest.mark.parametrize(("n", "text"), [(1, "pertama"), (2, "kedua"), (3, "ketiga"), (4, "keempat"), (5, "kelima"), (6, "keenam"), (11, "kesebelas"), (12, "ke-12")])
def test_ordinal(n, text):
    assert ordinal(n) == text


def test_join_words():
    assert join_words([]) == ""
    assert join_words(["Paser"]) == "Paser"
    assert join_words(["Kota Samarinda", "Mahakam Ulu"]) == "Kota Samarinda dan Mahakam Ulu"
    assert join_words(["A", "B", "C"]) == "A, B, dan C"
    # Names that close with their own comma take no second one.
    assert join_words(["nomor urut 1, A,", "nomor urut 2, B,", "nomor urut 3, C,"]) == \
        "nomor urut 1, A, nomor urut 2, B, dan nomor urut 3, C,"
    assert join_words(["nomor urut 1, A,", "nomor urut 2, B,"]) == "nomor urut 1, A, dan nomor urut 2, B,"


def test_fast_paths_equal_babel():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from generator.formatting import babel_decimal2, babel_votes, format_decimal2

    @settings(max_examples=300, deadline=None)
    @given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
    def check(whole, cents):
        assert format_votes(whole) == babel_votes(whole)
        value = Decimal(whole) + Decimal(cents) / 100
        assert format_decimal2(value) == babel_decimal2(value)

    check()
