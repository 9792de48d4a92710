"""The one way a module's computed figure reaches the plan: every target whose ``indicator`` names the figure gets
the value of that year, with its source (the module) and a detail that says the data, the method and the
factor-set version; a reopened year takes its values back.

A module (accounting, the generation-unit register, forest resources, buildings, transport, gas, …) calls
``feed`` when a year of its data is approved and ``retract`` when that year is reopened. The value is in the
target's own unit (a share as a fraction 0–1, capacity in MW, stock in m³, storage in days). Feeding the same
value twice changes nothing; a value the target cannot hold (a share above 1) is listed in ``skipped`` and never
blocks the approval. The write is audited as ``indicator_value.set`` with the acting user, and a retraction as
``indicator_value.retract`` with the reason.

The module authorises the approval; the feed does not ask again whether the approver owns each target (the
office and the lead department of a target are often not the module's department).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from carbonpeak.audit.services import record
from carbonpeak.plan.choices import ValueSource
from carbonpeak.plan.models import IndicatorValue, Plan, Target
from carbonpeak.plan.values import store_indicator_value, value_snapshot
from carbonpeak.validation import ValidationFailed

DETAIL_MAX = 300
Q8 = Decimal("0.00000001")


@dataclass(frozen=True)
class Fed:
    """One figure for one year, as a module computed it."""

    indicator: str
    year: int
    value: Decimal
    detail: str  # e.g. "2025年森林资源数据（已审定），森林覆盖率=森林面积÷土地面积，因子库 HN-2024:1"


def _q8(d: Decimal) -> Decimal:
    d = Decimal(d).quantize(Q8)
    return Decimal(0) if d == 0 else d


def feed(
    actor: Any,
    plan: Plan,
    figures: Iterable[Fed],
    *,
    source: str = ValueSource.MODULE,
    skipped: list[str] | None = None,
) -> list[IndicatorValue]:
    """Write each figure to every target of ``plan`` with that indicator (annual value, quarter empty), inside
    the plan's period. Returns the values written (unchanged ones are not)."""
    written: list[IndicatorValue] = []
    first = min(plan.first_year, plan.base_year)
    by_indicator: dict[str, list[Target]] = {}
    for t in Target.objects.filter(plan=plan, archived=False).exclude(indicator=""):  # archived: no new values
        by_indicator.setdefault(t.indicator, []).append(t)
    for f in figures:
        if not first <= f.year <= plan.last_year:
            continue
        value = _q8(f.value)
        detail = f.detail[:DETAIL_MAX]
        for t in by_indicator.get(f.indicator, []):
            cur = IndicatorValue.objects.filter(target=t, year=f.year, quarter__isnull=True).first()
            if cur is not None and cur.value == value and cur.source == source and cur.source_detail == detail:
                continue
            try:
                with transaction.atomic():
                    written.append(
                        store_indicator_value(actor, t, f.year, None, value, source=source, source_detail=detail)
                    )
            except ValidationFailed as exc:
                if skipped is not None:
                    skipped.append(f"{t.code} {f.year}: {value} — {exc.issues[0].message}")
    return written


def retract(
    actor: Any,
    plan: Plan,
    indicators: Iterable[str],
    years: Iterable[int],
    reason: str,
    *,
    source: str = ValueSource.MODULE,
) -> int:
    """Remove the values ``source`` fed for these indicators and years (a reopened year no longer backs them);
    values a department typed stay. Returns how many were removed."""
    qs = IndicatorValue.objects.filter(
        target__plan=plan, target__indicator__in=list(indicators), year__in=list(years), source=source
    ).select_related("target")
    n = 0
    for v in qs:
        record(actor, "indicator_value.retract", v, value_snapshot(v), {"reason": reason, "year": v.year})
        v.delete()
        n += 1
    return n
