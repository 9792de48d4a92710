"""Plan indicators from approved accounts, pushed to the targets that name them (``Target.indicator``).

- energy / CO2 intensity reduction against the target's baseline year (else the plan's base year): the core's
  ``intensity_reduction`` on GDP at constant prices, with the county's rounding (``Plan.round_intensity_dp``,
  Zhuzhou: 3); energy on the coal-equivalent basis (等价值) when both years have it, else calorific, and the
  value's source says which;
- the non-fossil share by the coal-equivalent method (发电煤耗法), the method of Chinese statistics; a year
  without the coal rate pushes nothing for it;
- the average annual growth of refined-oil consumption (gasoline, kerosene, diesel) since the baseline year;
- coal consumption (tce: raw coal and washed-coal products, final use and transformation input), for a county
  whose plan file sets a coal cap target with ``"indicator": "coal_consumption"`` (the shipped plan has none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from carbonpeak.accounting.choices import InventoryStatus
from carbonpeak.accounting.models import Inventory
from carbonpeak.core.accounts import COAL
from carbonpeak.core.errors import CalcError
from carbonpeak.core.intensity import intensity_reduction, required_annual_reduction
from carbonpeak.plan.choices import Indicator, ValueSource
from carbonpeak.plan.models import IndicatorValue, Plan, Target

Q8 = Decimal("0.00000001")

#: the indicators the accounts compute; the others are fed by the sector modules (plan/feeds.py)
ACCOUNTING_INDICATORS = (
    Indicator.ENERGY_INTENSITY_REDUCTION,
    Indicator.CO2_INTENSITY_REDUCTION,
    Indicator.NON_FOSSIL_SHARE,
    Indicator.REFINED_OIL_GROWTH,
    Indicator.COAL_CONSUMPTION,
)
#: the indicators of one year alone (no baseline year): a reopened baseline year does not take them back
YEAR_ONLY = (Indicator.NON_FOSSIL_SHARE, Indicator.COAL_CONSUMPTION)


@dataclass(frozen=True)
class Computed:
    indicator: str
    year: int
    value: Decimal
    detail: str
    base_year: int | None = None


def _dec(x: float) -> Decimal:
    return Decimal(repr(x))


def _q8(d: Decimal) -> Decimal:
    """Eight decimals (the precision of IndicatorValue); zero as plain 0, not 0E-8."""
    d = d.quantize(Q8)
    return Decimal(0) if d == 0 else d


def _basis(r0: dict[str, Any], r1: dict[str, Any]) -> str:
    both = set(r0["bases"]) & set(r1["bases"])
    return "coal_equivalent" if "coal_equivalent" in both else "calorific"


BASIS_ZH = {"coal_equivalent": "等价值", "calorific": "当量值"}


def compute_indicator(
    plan: Plan, indicator: str, base_year: int, year: int, results: dict[int, dict[str, Any]]
) -> Computed | str:
    """The indicator for ``year`` or the reason it cannot be computed (a string)."""
    r1 = results.get(year)
    if r1 is None:
        return f"{year} 年无已审定核算"
    rounding = "" if plan.round_intensity_dp is None else f"，强度先保留{plan.round_intensity_dp}位小数"
    version = r1["factor_set_version"]
    if indicator == Indicator.NON_FOSSIL_SHARE:
        e = r1["energy"].get("coal_equivalent")
        if e is None or e.get("nonfossil_share") is None:
            return f"{year} 年未填供电煤耗，发电煤耗法比重无法计算"
        return Computed(indicator, year, _q8(_dec(e["nonfossil_share"])), f"{year}年核算，发电煤耗法，因子库 {version}")
    if indicator == Indicator.COAL_CONSUMPTION:
        coal = [c for c in sorted(COAL) if c in r1.get("by_carrier", {})]
        tce = math.fsum(r1["by_carrier"][c]["energy_tce"]["calorific"] for c in coal)
        detail = (
            f"{year}年核算（已审定），煤炭消费量（原煤、洗精煤、其他洗煤，终端消费＋加工转换投入，吨标准煤），"
            f"因子库 {version}"
        )
        return Computed(indicator, year, _q8(_dec(tce)), detail)
    r0 = results.get(base_year)
    if r0 is None:
        return f"基准年 {base_year} 无已审定核算"
    if indicator in (Indicator.ENERGY_INTENSITY_REDUCTION, Indicator.CO2_INTENSITY_REDUCTION):
        gdp0, gdp1 = r0.get("gdp_10k_yuan"), r1.get("gdp_10k_yuan")
        if not gdp0 or not gdp1:
            return "缺少不变价GDP"
        basis = _basis(r0, r1)
        if indicator == Indicator.ENERGY_INTENSITY_REDUCTION:
            q0, q1 = r0["energy"][basis]["total_tce"], r1["energy"][basis]["total_tce"]
            what = f"能耗{BASIS_ZH[basis]}"
        else:
            q0, q1 = r0["co2"]["territorial_co2_t"], r1["co2"]["territorial_co2_t"]
            what = "区域二氧化碳"
        try:
            (_i0, _i1), red = intensity_reduction(
                (_dec(q0), _dec(q1)), (Decimal(gdp0), Decimal(gdp1)), plan.round_intensity_dp
            )
        except CalcError as e:
            return f"无法计算：{e.message}"
        detail = f"{year}年较{base_year}年，{what}/不变价GDP{rounding}，因子库 {version}"
        return Computed(indicator, year, _q8(red), detail, base_year)
    if indicator == Indicator.REFINED_OIL_GROWTH:
        if year <= base_year:
            return "增速需要晚于基准年的年份"
        q0, q1 = r0["indicators"]["refined_oil_tce"]["calorific"], r1["indicators"]["refined_oil_tce"]["calorific"]
        if q0 <= 0:
            return "基准年成品油消费为零"
        rate = math.expm1(math.log(q1 / q0) / (year - base_year)) if q1 > 0 else -1.0
        detail = f"{base_year}–{year}年成品油（汽油、煤油、柴油）消费年均增速，因子库 {version}"
        return Computed(indicator, year, _q8(_dec(rate)), detail, base_year)
    return f"未知指标 {indicator}"


def approved_results(plan: Plan) -> dict[int, dict[str, Any]]:
    out = {}
    for inv in Inventory.objects.filter(plan=plan, status=InventoryStatus.APPROVED).order_by("year"):
        r = dict(inv.results or {})
        r["gdp_10k_yuan"] = str(inv.gdp_10k_yuan) if inv.gdp_10k_yuan else None
        out[inv.year] = r
    return out


def target_indicators(plan: Plan) -> list[dict[str, Any]]:
    """For every target with an indicator: the computed value per approved year, or why there is none."""
    results = approved_results(plan)
    rows = []
    targets = plan.targets.filter(indicator__in=ACCOUNTING_INDICATORS)
    for t in targets.prefetch_related("milestones").order_by("id"):
        base = t.baseline_year or plan.base_year
        per_year = []
        for y in sorted(results):
            c = compute_indicator(plan, t.indicator, base, y, results)
            per_year.append(
                {
                    "year": y,
                    "value": c.value if isinstance(c, Computed) else None,
                    "detail": c.detail if isinstance(c, Computed) else c,
                }
            )
        needed = []
        if t.indicator in (Indicator.ENERGY_INTENSITY_REDUCTION, Indicator.CO2_INTENSITY_REDUCTION):
            for m in t.milestones.all():
                if m.year > base:
                    needed.append(
                        {
                            "year": m.year,
                            "total": m.value,
                            "annual": required_annual_reduction(float(m.value), m.year - base),
                        }
                    )
        rows.append({"target": t, "base_year": base, "values": per_year, "needed": needed})
    return rows


def push_indicators(actor: Any, plan: Plan, skipped: list[str] | None = None) -> list[IndicatorValue]:
    """Write every computable indicator of every approved year to its target (source = accounting). A value
    already equal is left alone, so approving twice changes nothing. A value the target cannot hold (a share
    above 1, a rate beyond ±100 %) is not written; it is listed in ``skipped`` and never blocks an approval."""
    from carbonpeak.plan.values import set_indicator_value
    from carbonpeak.validation import ValidationFailed

    results = approved_results(plan)
    pushed = []
    first = min(plan.first_year, plan.base_year)
    for t in Target.objects.filter(plan=plan, indicator__in=ACCOUNTING_INDICATORS):
        base = t.baseline_year or plan.base_year
        for y in sorted(results):
            if not first <= y <= plan.last_year:
                continue
            c = compute_indicator(plan, t.indicator, base, y, results)
            if not isinstance(c, Computed):
                continue
            cur = IndicatorValue.objects.filter(target=t, year=y, quarter__isnull=True).first()
            if (
                cur is not None
                and cur.value == c.value
                and cur.source == ValueSource.ACCOUNTING
                and cur.source_detail == c.detail[:300]
            ):
                continue
            try:
                with transaction.atomic():
                    pushed.append(
                        set_indicator_value(
                            actor,
                            t,
                            y,
                            None,
                            c.value,
                            note="",
                            source=ValueSource.ACCOUNTING,
                            source_detail=c.detail[:300],
                        )
                    )
            except ValidationFailed as exc:
                if skipped is not None:
                    skipped.append(f"{t.code} {y}: {c.value} — {exc.issues[0].message}")
    return pushed


def retract_indicators(actor: Any, inv: Inventory, reason: str) -> int:
    """A reopened year no longer backs the values it pushed: remove the accounting values of that year, and
    of every year computed against it as the baseline (audited with the value removed)."""
    from django.db.models import Q

    from carbonpeak.audit.services import record
    from carbonpeak.plan.values import value_snapshot

    plan = inv.plan
    rates = Target.objects.filter(plan=plan, indicator__in=ACCOUNTING_INDICATORS).exclude(indicator__in=YEAR_ONLY)
    base_targets = [t.pk for t in rates if (t.baseline_year or plan.base_year) == inv.year]  # a share has no base
    qs = IndicatorValue.objects.filter(
        target__plan=plan, target__indicator__in=ACCOUNTING_INDICATORS, source=ValueSource.ACCOUNTING
    ).filter(Q(year=inv.year) | Q(target_id__in=base_targets))
    n = 0
    for v in qs.select_related("target"):
        record(actor, "indicator_value.retract", v, value_snapshot(v), {"reason": reason, "inventory": inv.year})
        v.delete()
        n += 1
    return n
