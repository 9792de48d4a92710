"""The one decimal grammar (core.numbers): property-based and the cases that used to disagree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.core import numbers
from carbonpeak.core.numbers import NumberError, parse_text, to_decimal, to_int

FULLWIDTH = str.maketrans("0123456789.,-+", "０１２３４５６７８９．，－＋")

decimals = st.decimals(
    min_value=Decimal(-(10**17)), max_value=Decimal(10**17), allow_nan=False, allow_infinity=False, places=6
)


def grouped(d: Decimal) -> str:
    return f"{d:,f}"


@given(decimals)
def test_plain_text_round_trips(d):
    assert parse_text(format(d, "f")) == d


@given(decimals)
def test_thousands_grouping_reads_the_same_number(d):
    assert parse_text(grouped(d)) == d


@given(decimals)
def test_fullwidth_reads_the_same_as_ascii(d):
    for text in (format(d, "f"), grouped(d)):
        assert parse_text(text.translate(FULLWIDTH)) == parse_text(text)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=2))
def test_grouping_not_in_threes_is_refused(n, width):
    # a comma followed by one or two digits is never thousands grouping
    text = f"{n},{'7' * width}"
    with pytest.raises(NumberError) as e:
        parse_text(text)
    assert e.value.code == numbers.GROUPING


@given(st.text(max_size=20))
def test_any_text_either_parses_or_gives_a_known_code(text):
    try:
        d = parse_text(text)
    except NumberError as e:
        assert e.code in numbers_codes()
    else:
        assert d.is_finite()
        assert d.adjusted() < numbers.MAX_INTEGER_DIGITS or d == 0


def numbers_codes():
    return {
        numbers.EMPTY,
        numbers.SYNTAX,
        numbers.GROUPING,
        numbers.EXPONENT,
        numbers.NOT_FINITE,
        numbers.TOO_LARGE,
        numbers.TOO_PRECISE,
        numbers.NOT_NUMBER,
    }


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_finite_and_bounded_or_refused(f):
    try:
        d = to_decimal(f)
    except NumberError as e:
        assert e.code in {numbers.NOT_FINITE, numbers.TOO_LARGE, numbers.TOO_PRECISE}
    else:
        assert d.is_finite() and d == Decimal(repr(f))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1,234", Decimal("1234")),
        ("1,234,567.25", Decimal("1234567.25")),
        ("-1234.5", Decimal("-1234.5")),
        ("１，２３４．５", Decimal("1234.5")),
        ("－３", Decimal("-3")),
        ("\u22125", Decimal("-5")),
        (" 12. ", Decimal("12")),
        (".5", Decimal("0.5")),
    ],
)
def test_accepted(text, expected):
    assert parse_text(text) == expected


@pytest.mark.parametrize(
    "text,code",
    [
        ("1,2", numbers.GROUPING),
        ("12,34", numbers.GROUPING),
        ("1234,567", numbers.GROUPING),
        (",123", numbers.GROUPING),
        ("1e30", numbers.EXPONENT),
        ("1E3", numbers.EXPONENT),
        ("NaN", numbers.NOT_FINITE),
        ("-Infinity", numbers.NOT_FINITE),
        ("1_000", numbers.SYNTAX),
        ("abc", numbers.SYNTAX),
        ("", numbers.EMPTY),
        ("1" * 19, numbers.TOO_LARGE),
        ("0." + "1" * 21, numbers.TOO_PRECISE),
        ("١٢", numbers.SYNTAX),  # other scripts' digits are not read as numbers
        ("²", numbers.SYNTAX),  # nor superscripts
        ("1½", numbers.SYNTAX),
    ],
)
def test_refused(text, code):
    with pytest.raises(NumberError) as e:
        parse_text(text)
    assert e.value.code == code


@pytest.mark.parametrize("raw", [True, None, 1e30, float("nan"), float("inf"), Decimal("NaN"), 10**20, [1]])
def test_non_text_refused(raw):
    with pytest.raises(NumberError):
        to_decimal(raw)


def test_whole_numbers():
    assert to_int("２０２５") == 2025
    assert to_int(2025) == 2025
    assert to_int("1,000") == 1000
    for bad in ("2025.0", "12.5", "0x10", True):
        with pytest.raises(NumberError):
            to_int(bad)
