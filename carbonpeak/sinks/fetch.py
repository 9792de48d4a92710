"""What other apps read of the sink accounts (accounting's inventory, scenarios, the public page), never through
``sinks.services``: the approved years' figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from carbonpeak.sinks.choices import YearStatus
from carbonpeak.sinks.models import ForestYear


def approved_years(plan: Any) -> list[dict[str, Any]]:
    """``[{year, coverage_pct, stock_m3, sink_tco2, factor_set, method, is_illustrative}]`` of the approved years,
    oldest first (from the frozen results)."""
    out = []
    for fy in ForestYear.objects.filter(plan=plan, status=YearStatus.APPROVED).order_by("year"):
        r = fy.results or {}
        out.append(
            {
                "year": fy.year,
                "coverage_pct": r.get("coverage_pct"),
                "stock_m3": r.get("stock_m3"),
                "sink_tco2": r.get("sink_tco2"),
                "factor_set": r.get("factor_set", ""),
                "method": r.get("method", ""),
                "is_illustrative": fy.is_illustrative,
            }
        )
    return out


def approved_sink(plan: Any, year: int) -> tuple[Decimal, str] | None:
    """The approved forest sink of ``year`` in tCO2 (positive = removals) and the text saying its data and method;
    None when the year is not approved or its sink could not be computed (no previous year)."""
    fy = ForestYear.objects.filter(plan=plan, year=year, status=YearStatus.APPROVED).first()
    if fy is None or not fy.results or fy.results.get("sink_tco2") is None:
        return None
    r = fy.results
    text = f"{year}年森林资源数据（已审定），乔木林蓄积量差法，因子库 {r.get('factor_set', '')}"
    return Decimal(str(r["sink_tco2"])), text


def latest_approved(plan: Any) -> dict[str, Any] | None:
    years = approved_years(plan)
    return years[-1] if years else None
