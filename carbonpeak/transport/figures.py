"""The year's figures from the registers (reads only; the arithmetic is ``core/transport.py``).

Each function returns a JSON-ready dict (Decimals as Decimals; the CLI prints them as strings) with ``checks``:
what keeps a figure from being computed, in Chinese and English. Nothing is invented: a figure that cannot be
computed is ``None`` and a check says why.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum

from carbonpeak.accounting.fetch import approved_consumption, core_factor_set, default_factor_set
from carbonpeak.core import accounts
from carbonpeak.core import transport as calc
from carbonpeak.core.errors import CalcError
from carbonpeak.transport.choices import Fuel, SiteKind, Use
from carbonpeak.transport.models import (
    ChargingSite,
    GasCoverage,
    GasDemand,
    GasFacility,
    OperatorYear,
    Vehicle,
)

#: the plan's 新能源及清洁能源 (三(四)): overridable with the setting CARBONPEAK_CLEAN_BUS_FUELS
DEFAULT_CLEAN_FUELS = (Fuel.BEV, Fuel.PHEV, Fuel.FCEV, Fuel.CNG, Fuel.LNG)
#: 换算系数 (t·km per passenger-km) of JT/T 1264 / 交通运输统计: 10 passenger-km = 1 tonne-km for road transport
DEFAULT_TKM_PER_PKM = Decimal("0.1")
DEFAULT_TKM_PER_PKM_SOURCE = "《交通运输行业统计调查制度》道路运输换算系数：10 人公里 = 1 吨公里（0.1）"
NATURAL_GAS = frozenset({"natural_gas"})


def clean_fuels() -> tuple[str, ...]:
    return tuple(str(f) for f in getattr(settings, "CARBONPEAK_CLEAN_BUS_FUELS", DEFAULT_CLEAN_FUELS))


def tkm_per_pkm() -> tuple[Decimal, str]:
    value = getattr(settings, "CARBONPEAK_TKM_PER_PKM", None)
    if value is None:
        return DEFAULT_TKM_PER_PKM, DEFAULT_TKM_PER_PKM_SOURCE
    return Decimal(str(value)), getattr(settings, "CARBONPEAK_TKM_PER_PKM_SOURCE", "本地设置 CARBONPEAK_TKM_PER_PKM")


def tidy(d: Decimal | None) -> Decimal | None:
    """A stored quantity without its padding zeros: 3660000.000000 → 3660000, 12.500000 → 12.5."""
    if d is None:
        return None
    d = Decimal(d)
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def _check(code: str, zh: str, en: str) -> dict[str, str]:
    return {"code": code, "message": f"{zh} / {en}", "message_zh": zh}


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def in_service(qs, start: str, end: str, year: int):
    """Rows in service on 31 December of ``year``: started on or before, not ended on or before."""
    day = year_end(year)
    return qs.filter(**{f"{start}__lte": day}).filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day}))


# --- fleet --------------------------------------------------------------------------------------------------
def fleet(plan: Any, year: int) -> dict[str, Any]:
    """New vehicles of the year (registered in the year, Beijing time) and the clean share, of buses and per use."""
    clean = clean_fuels()
    rows = Vehicle.objects.filter(plan=plan, registered_on__year=year).values_list("use", "fuel")
    counts: dict[str, list[int]] = {u: [0, 0] for u in Use.values}
    for use, fuel in rows:
        counts[use][0] += 1
        counts[use][1] += fuel in clean
    by_use = {}
    for use, (n, c) in counts.items():
        by_use[use] = {"new": n, "new_clean": c, "clean_share_pct": calc.percent_2dp(calc.share(c, n))}
    n_bus, c_bus = counts[Use.BUS]
    share = calc.share(c_bus, n_bus)
    checks = []
    if share is None:
        checks.append(
            _check(
                "no_new_buses",
                f"{year} 年没有新增公交车，无法计算新能源及清洁能源占比",
                f"no new buses registered in {year}: no clean share",
            )
        )
    return {
        "year": year,
        "new_buses": n_bus,
        "new_clean_buses": c_bus,
        "new_bus_clean_share_pct": calc.percent_2dp(share),
        "share": share,
        "clean_fuels": list(clean),
        "by_use": by_use,
        "checks": checks,
    }


# --- charging -----------------------------------------------------------------------------------------------
def charging(plan: Any, year: int) -> dict[str, Any]:
    areas = ChargingSite.objects.filter(plan=plan, kind=SiteKind.SERVICE_AREA)
    total = areas.count()
    covered = in_service(areas.filter(chargers__gt=0), "commissioned_on", "retired_on", year).count()
    share = calc.share(covered, total)
    sites = in_service(
        ChargingSite.objects.filter(plan=plan, chargers__gt=0), "commissioned_on", "retired_on", year
    ).aggregate(n=Sum("chargers"), kw=Sum("power_kw"))
    checks = []
    if share is None:
        checks.append(_check("no_service_areas", "未登记高速公路服务区", "no highway service area is listed"))
    return {
        "year": year,
        "service_areas": total,
        "service_areas_with_chargers": covered,
        "service_area_charging_pct": calc.percent_2dp(share),
        "share": share,
        "chargers_in_service": sites["n"] or 0,
        "power_kw_in_service": sites["kw"] or Decimal(0),
        "checks": checks,
    }


# --- gas ----------------------------------------------------------------------------------------------------
def demand(plan: Any, year: int) -> tuple[Decimal | None, str, str]:
    """``(m³, kind, source)``: the approved inventory's natural gas, else the figure the 发改局 entered (labelled),
    else ``(None, "none", "")``."""
    got = approved_consumption(plan, year, NATURAL_GAS, "m3")
    if got is not None:
        return got[0], "inventory", got[1]
    entered = GasDemand.objects.filter(plan=plan, year=year).first()
    if entered is not None:
        return entered.demand_m3, "entered", f"发改局填报（无已审定核算）：{entered.source}"
    return None, "none", ""


def storage(plan: Any, year: int) -> dict[str, Any]:
    """Storage days. Leased tanks count (the plan: 建设或租赁调峰储气设施), so ``leased_m3`` is shown, not deducted."""
    qs = in_service(GasFacility.objects.filter(plan=plan), "in_service_on", "retired_on", year)
    capacity = qs.aggregate(s=Sum("capacity_m3"))["s"] or Decimal(0)
    leased = qs.filter(leased=True).aggregate(s=Sum("capacity_m3"))["s"] or Decimal(0)
    m3, kind, source = demand(plan, year)
    days = calc.days_in_year(year)
    checks = []
    if m3 is None:
        checks.append(
            _check(
                "no_gas_demand",
                f"{year} 年没有已审定的能源核算，也没有填报天然气消费量，储气天数无法计算",
                f"{year} has no approved inventory and no entered gas demand: no storage days",
            )
        )
    elif m3 <= 0:
        checks.append(_check("zero_gas_demand", f"{year} 年天然气消费量为零", f"{year}: gas demand is zero"))
    return {
        "year": year,
        "capacity_m3": tidy(capacity),
        "annual_demand_m3": tidy(m3),
        "demand_source": source or None,
        "storage_days": calc.storage_days(capacity, m3, days),
        "demand_kind": kind,
        "leased_m3": tidy(leased),
        "days_in_year": days,
        "checks": checks,
    }


def gas_coverage(plan: Any, year: int) -> dict[str, Any]:
    rows = list(GasCoverage.objects.filter(plan=plan, year=year).order_by("township"))
    pop = sum(r.population for r in rows)
    cov = sum(r.covered for r in rows)
    share = calc.share(cov, pop)
    checks = []
    if share is None:
        checks.append(_check("no_coverage", f"{year} 年没有燃气覆盖数据", f"no gas coverage data for {year}"))
    return {
        "year": year,
        "population": pop,
        "covered": cov,
        "gasification_pct": calc.percent_2dp(share),
        "share": share,
        "townships": [
            {
                "township": r.township,
                "population": r.population,
                "covered": r.covered,
                "pct": calc.percent_2dp(calc.share(r.covered, r.population)),
            }
            for r in rows
        ],
        "checks": checks,
    }


# --- operating vehicles -------------------------------------------------------------------------------------
Q6 = Decimal("0.000001")


def _q6(d: Decimal | None) -> Decimal | None:
    """Six decimals for what is printed (the accounting core works in binary floating point)."""
    return None if d is None else d.quantize(Q6)


def _energy_co2(plan: Any, year: int, ops: list[OperatorYear]) -> tuple[Decimal, Decimal, str] | str:
    """``(tce, tCO2, factor set)`` of the operators' energy by the accounting core, or the core's error text."""
    lines = [
        accounts.Line(f"O{e.pk}", "transport.G54", e.carrier, "final", e.unit, e.quantity)
        for op in ops
        for e in op.energy.all()
    ]
    fs_row = default_factor_set(plan)
    try:
        res = accounts.compute(
            lines, accounts.Params(year=year, grid=getattr(plan, "grid", "") or None), core_factor_set(fs_row)
        )
    except CalcError as e:
        return e.message
    energy = Decimal(repr(res["energy"]["calorific"]["total_tce"])).quantize(Q6)
    co2 = Decimal(repr(res["co2"]["scope12_co2_t"])).quantize(Q6)
    return energy, co2, fs_row.version


def _operating_year(plan: Any, year: int, factor: Decimal, *, by_operator: bool = True) -> dict[str, Any] | None:
    """The county's operating vehicles of ``year`` (what feeds the targets) and, with ``by_operator``, each
    operator's own intensity."""
    ops = list(OperatorYear.objects.filter(plan=plan, year=year).prefetch_related("energy"))
    if not ops:
        return None
    total = _energy_co2(plan, year, ops)
    if isinstance(total, str):
        return {"error": total}
    energy, co2, version = total
    tkm = sum((calc.turnover_equivalent_tkm(op.tonne_km, op.passenger_km, factor) for op in ops), Decimal(0))
    operators = []
    for op in ops if by_operator else ():
        own = _energy_co2(plan, year, [op])
        if isinstance(own, str):  # the county total computed, so one operator's lines compute too
            continue
        op_tkm = calc.turnover_equivalent_tkm(op.tonne_km, op.passenger_km, factor)
        operators.append(
            {
                "operator": op.operator,
                "turnover_tkm_equivalent": tidy(op_tkm),
                "energy_tce": tidy(own[0]),
                "co2_t": tidy(own[1]),
                "energy_tce_per_10k_tkm": _q6(calc.per_10k_tkm(own[0], op_tkm)),
                "co2_t_per_10k_tkm": _q6(calc.per_10k_tkm(own[1], op_tkm)),
            }
        )
    return {
        "year": year,
        "turnover_tkm_equivalent": tidy(tkm),
        "energy_tce": tidy(energy),
        "co2_t": tidy(co2),
        "energy_tce_per_10k_tkm": calc.per_10k_tkm(energy, tkm),
        "co2_t_per_10k_tkm": calc.per_10k_tkm(co2, tkm),
        "factor_set": version,
        "operators": operators,
    }


def operating(plan: Any, year: int, base_year: int | None = None) -> dict[str, Any]:
    """Energy and CO2 per 10 000 t·km equivalent, and the reduction against the base year (the targets')."""
    factor, factor_source = tkm_per_pkm()
    base_year = base_year or _operating_base_year(plan)
    cur = _operating_year(plan, year, factor)
    base = _operating_year(plan, base_year, factor) if base_year and base_year != year else None
    checks = []
    if cur is None:
        checks.append(
            _check("no_operating_data", f"{year} 年没有营运车辆数据", f"no operating-vehicle data for {year}")
        )
    elif "error" in cur:
        checks.append(_check("calc_error", f"无法计算：{cur['error']}", f"cannot compute: {cur['error']}"))
    if base_year and base is None and base_year != year:
        checks.append(
            _check("no_base_year", f"基准年 {base_year} 没有营运车辆数据", f"no operating-vehicle data for {base_year}")
        )
    energy_reduction, co2_reduction = _reductions(base, cur)
    for y in (cur, base):  # the intensities printed with 6 decimals, after the reductions used them in full
        if y is not None and "error" not in y:
            y["energy_tce_per_10k_tkm"] = _q6(y["energy_tce_per_10k_tkm"])
            y["co2_t_per_10k_tkm"] = _q6(y["co2_t_per_10k_tkm"])
    return {
        "year": year,
        "base_year": base_year,
        "tkm_per_pkm": factor,
        "tkm_per_pkm_source": factor_source,
        "current": cur,
        "base": base,
        "energy_reduction": _q6(energy_reduction),
        "co2_reduction": _q6(co2_reduction),
        "checks": checks,
    }


def _reductions(base: dict[str, Any] | None, cur: dict[str, Any] | None) -> tuple[Decimal | None, Decimal | None]:
    """Energy and CO2 per 10 000 t·km of ``cur`` against ``base`` (unrounded intensities); None without both."""
    if cur is None or "error" in cur or base is None or "error" in base:
        return None, None
    return (
        calc.reduction(base["energy_tce_per_10k_tkm"], cur["energy_tce_per_10k_tkm"]),
        calc.reduction(base["co2_t_per_10k_tkm"], cur["co2_t_per_10k_tkm"]),
    )


def operating_reductions(plan: Any, years: list[int]) -> dict[int, dict[str, Decimal | None]]:
    """The two reductions of each year (the chart over the years): the base year computed once, the county totals
    only (no operator lines); the same figures as ``operating`` gives year by year."""
    factor, _source = tkm_per_pkm()
    base_year = _operating_base_year(plan)
    base = _operating_year(plan, base_year, factor, by_operator=False) if base_year else None
    out = {}
    for y in years:
        cur = None if y == base_year else _operating_year(plan, y, factor, by_operator=False)
        energy, co2 = _reductions(base, cur)
        out[y] = {"energy_reduction": _q6(energy), "co2_reduction": _q6(co2)}
    return out


def _operating_base_year(plan: Any) -> int | None:
    from carbonpeak.plan.choices import Indicator
    from carbonpeak.plan.models import Target

    t = Target.objects.filter(plan=plan, indicator=Indicator.OPERATING_VEHICLE_ENERGY_REDUCTION).first()
    if t is None:
        return plan.base_year
    return t.baseline_year or plan.base_year
