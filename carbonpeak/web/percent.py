"""Shares are stored as fractions (house rule 2) but officials type and read percent: the conversion at the
form edge, and the retelling of a range error in the unit the person typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from carbonpeak.validation import Issue


def percent_form_value(
    unit: str, raw: Any, typed_in: str, signed: bool = False
) -> tuple[Any, Callable[[Issue], Issue]]:
    """(the value to store, a function that retells an issue about it). Only a share typed in percent is
    converted; anything that is not a number goes through unchanged for the service to refuse."""
    if unit != "fraction" or typed_in != "percent":
        return raw, lambda i: i
    text = str(raw or "").strip().rstrip("%％").strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        return raw, lambda i: i
    if not d.is_finite():
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
