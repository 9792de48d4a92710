"""The one grammar for decimal numbers typed by people or sent by machines (forms, files, JSON, the CLI).

A text is first normalised (fullwidth ``１２３．５``, ``，`` and ``－`` read as ``123.5``, ``,`` and ``-``; the
minus sign ``−`` too; surrounding spaces dropped), then must be one of:

- plain: ``-1234.5``, ``+12``, ``0.5``, ``.5``, ``12.``
- grouped in thousands: ``1,234,567.25`` — the first group 1 to 3 digits, every other exactly 3.

Refused: ``1,2`` and ``12,34`` (grouping that is not in thousands), exponents (``1e3``), ``NaN`` and
``Infinity``, underscores, other scripts' digits, more than ``MAX_INTEGER_DIGITS`` digits before the point or
``MAX_PLACES`` after it. Numbers that are already numbers (int, float, Decimal) must be finite and within the
same bounds; booleans are not numbers. Pure: no Django.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

MAX_INTEGER_DIGITS = 18
MAX_PLACES = 20
#: the plain form (no grouping), also used by the SQL ingest to decide the same question in the database
PLAIN_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
_PLAIN = re.compile(PLAIN_PATTERN)
_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")
#: the fullwidth forms a Chinese input method types (digits, point, comma, signs, the ideographic space) and
#: the other minus signs, read as ASCII; nothing else (superscripts and other scripts' digits stay refused)
WIDE = "０１２３４５６７８９．，－＋\u3000\u2212\u2012\u2013\ufe63"
NARROW = "0123456789.,-+ ----"
_ASCII = str.maketrans(WIDE, NARROW)

#: the reasons a text is not a number (codes; the validation layer words them in Chinese and English)
EMPTY, SYNTAX, GROUPING, EXPONENT, NOT_FINITE, TOO_LARGE, TOO_PRECISE, NOT_NUMBER = (
    "empty",
    "syntax",
    "grouping",
    "exponent",
    "not_finite",
    "too_large",
    "too_precise",
    "not_number",
)


class NumberError(ValueError):
    def __init__(self, code: str, raw: object):
        self.code = code
        self.raw = raw
        super().__init__(f"{code}: {raw!r}")


def normalise(text: str) -> str:
    """Fullwidth digits, points, commas and signs (and other minus signs) as ASCII, outer spaces dropped."""
    return text.translate(_ASCII).strip()


def _bounded(d: Decimal, raw: object) -> Decimal:
    if not d.is_finite():
        raise NumberError(NOT_FINITE, raw)
    if d != 0 and d.adjusted() >= MAX_INTEGER_DIGITS:
        raise NumberError(TOO_LARGE, raw)
    exp = d.as_tuple().exponent
    assert isinstance(exp, int)
    if exp < -MAX_PLACES:
        raise NumberError(TOO_PRECISE, raw)
    return d


def parse_text(text: str, *, bounded: bool = True) -> Decimal:
    """The number a text says, or NumberError with a code (see the module's grammar). ``bounded=False`` leaves
    the size and decimals to a caller with its own, tighter limits (readings: the column's digits)."""
    s = normalise(text)
    if not s:
        raise NumberError(EMPTY, text)
    if _PLAIN.fullmatch(s):
        plain = s
    elif _GROUPED.fullmatch(s):
        plain = s.replace(",", "")
    elif "," in s and re.fullmatch(r"[+-]?[0-9,]+(\.[0-9]*)?", s):
        raise NumberError(GROUPING, text)
    elif re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+", s.replace(",", "")):
        raise NumberError(EXPONENT, text)
    elif s.lstrip("+-").lower() in {"nan", "snan", "inf", "infinity"}:
        raise NumberError(NOT_FINITE, text)
    else:
        raise NumberError(SYNTAX, text)
    return _bounded(Decimal(plain), text) if bounded else Decimal(plain)


def to_decimal(raw: object) -> Decimal:
    """A Decimal from a text (the grammar), an int, a finite float (by its shortest repr) or a Decimal."""
    if isinstance(raw, bool) or raw is None:
        raise NumberError(NOT_NUMBER if raw is not None else EMPTY, raw)
    if isinstance(raw, str):
        return parse_text(raw)
    if isinstance(raw, Decimal):
        return _bounded(raw, raw)
    if isinstance(raw, int):
        if abs(raw) >= 10**MAX_INTEGER_DIGITS:
            raise NumberError(TOO_LARGE, raw)
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NumberError(NOT_FINITE, raw)
        try:
            return _bounded(Decimal(repr(raw)), raw)
        except InvalidOperation as e:  # pragma: no cover - repr of a finite float is always a decimal
            raise NumberError(SYNTAX, raw) from e
    raise NumberError(NOT_NUMBER, raw)


def to_int(raw: object) -> int:
    """A whole number in the same grammar (``2025``, ``２０２５``, ``1,000``); ``2025.0`` and ``12.5`` refused."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        if abs(raw) >= 10**MAX_INTEGER_DIGITS:
            raise NumberError(TOO_LARGE, raw)
        return raw
    if isinstance(raw, str) and "." in normalise(raw):
        raise NumberError(NOT_NUMBER, raw)
    d = to_decimal(raw)
    if d != d.to_integral_value():
        raise NumberError(NOT_NUMBER, raw)
    return int(d)
