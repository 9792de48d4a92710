"""Percent at the form edge: officials type and read "25 %", the data keeps the fraction 0.25 (house rule 2).

Shared by the scenario, accounting and target forms; validation stays with the caller (a value that is not a
number comes back as typed, so the caller's check names the field), which :func:`percent_form_value` helps retell
a range error in the unit the person typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from carbonpeak.validation import Issue

__all__ = ["percent_to_fraction", "fraction_to_percent", "percent_form_value"]

_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


def _typed(raw: Any) -> str:
    """The typed text without its % sign, full-width digits and minus made ASCII."""
    text = str(raw).strip().replace("％", "%").replace("－", "-").replace("−", "-").translate(_DIGITS)
    return text[:-1].strip() if text.endswith("%") else text


def _percent(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def percent_to_fraction(raw: Any) -> Any:
    """Percent as typed ("3", "3 %", "３％" or "-1.5") → the fraction as text ("0.03"…); blank stays blank;
    anything else is returned as typed for the service to reject with the field's name."""
    if raw is None:
        return raw
    text = _typed(raw)
    if text == "":
        return ""
    d = _percent(text)
    return raw if d is None else format(d / 100, "f")


def fraction_to_percent(x: Any) -> str:
    """0.035 → "3.5" for an input's value (no float noise, no trailing zeros); None → ""."""
    if x is None or x == "":
        return ""
    d = (Decimal(str(x)) * 100).normalize()
    text = format(d, "f")
    return "0" if text in ("-0", "0") else text


def percent_form_value(
    unit: str, raw: Any, typed_in: str, signed: bool = False
) -> tuple[Any, Callable[[Issue], Issue]]:
    """(the value to store, a function that retells an issue about it). Only a share (unit ``fraction``) typed
    in percent is converted; anything that is not a number goes through unchanged for the service to refuse."""
    if unit != "fraction" or typed_in != "percent":
        return raw, lambda i: i
    text = _typed(raw or "")
    d = _percent(text)
    if d is None:
        return raw, lambda i: i

    def retell(issue: Issue) -> Issue:
        if issue.code != "fraction_range":
            return issue
        low = "-100" if signed else "0"
        return replace(
            issue,
            message_zh=f"{issue.field}：百分比应在 {low} 到 100 之间（25% 填 25），收到 {text}",
            message_en=f"{issue.field}: a percentage must be between {low} and 100 (25 % is 25), got {text}",
        )

    return d / 100, retell
