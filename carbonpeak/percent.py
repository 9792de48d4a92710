"""Percent at the form edge: officials type and read "25 %", the data keeps the fraction 0.25 (house rule 2).

Shared by the scenario and accounting forms; validation stays with the caller (a value that is not a number
comes back as typed, so the caller's check names the field).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["percent_to_fraction", "fraction_to_percent"]

_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


def percent_to_fraction(raw: Any) -> Any:
    """Percent as typed ("3", "3 %", "３％" or "-1.5") → the fraction as text ("0.03"…); blank stays blank;
    anything else is returned as typed for the service to reject with the field's name."""
    if raw is None:
        return raw
    text = str(raw).strip().replace("％", "%").replace("－", "-").replace("−", "-").translate(_DIGITS)
    if text.endswith("%"):
        text = text[:-1].strip()
    if text == "":
        return ""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return raw
    if not d.is_finite():
        return raw
    return format(d / 100, "f")


def fraction_to_percent(x: Any) -> str:
    """0.035 → "3.5" for an input's value (no float noise, no trailing zeros); None → ""."""
    if x is None or x == "":
        return ""
    d = (Decimal(str(x)) * 100).normalize()
    text = format(d, "f")
    return "0" if text in ("-0", "0") else text
