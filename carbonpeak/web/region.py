"""The region roll-up (issue 15): a city's or a province's counties side by side, and a region total only where a
total means something.

Every figure of a county is the county's own, from the function its own pages use: target lights from
``plan.status.target_statuses`` counted as the dashboard counts them (``plan.dashboard.goal_light_counts``); the
approved accounts from ``accounting.indicators.approved_results`` and the county's intensity reductions from
``accounting.indicators.compute_indicator`` (its own base year and rounding); key energy users and their grades
from ``enterprises.disclosure.key_user_rows``; 碳普惠 totals from ``inclusion.reports.ledger_totals``.

The region total:

- sums what adds up: energy (tce), CO2 (t), GDP at constant prices, and counts (key energy users by grade,
  residents, points) — energy, CO2 and GDP only when every county has approved accounts of the year, else "—";
- recomputes ratios from the sums: intensity = Σ energy ÷ Σ GDP (never the mean of the counties' intensities);
  the reduction = 1 − (Σ energy₁ ÷ Σ GDP₁) ÷ (Σ energy₀ ÷ Σ GDP₀), only when every county has approved accounts
  with GDP of both years and the counties' GDP is at the prices of one base year;
- never sums a percentage or a light.

Each "—" of the total comes with a note naming the counties that lack the data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carbonpeak.accounting.indicators import Computed, approved_results, compute_indicator
from carbonpeak.core.errors import CalcError
from carbonpeak.core.intensity import intensity_reduction
from carbonpeak.core.tracking import Light
from carbonpeak.enterprises.disclosure import key_user_rows
from carbonpeak.enterprises.rollups import BEIJING
from carbonpeak.inclusion.reports import ledger_totals
from carbonpeak.plan.choices import Indicator, TargetKind
from carbonpeak.plan.dashboard import goal_light_counts
from carbonpeak.plan.models import Plan, Region, Target
from carbonpeak.plan.status import TargetStatus, target_statuses

#: the carbon-efficiency grades (enterprises.carbon.GRADE_MEANING), then None: a key user not yet graded
GRADES: tuple[int | None, ...] = (1, 2, 3, 4, 5, None)
REDUCTIONS = (Indicator.ENERGY_INTENSITY_REDUCTION, Indicator.CO2_INTENSITY_REDUCTION)


def _dec(x: Any) -> Decimal | None:
    """A figure of the stored accounts (JSON float or text) as the exact decimal of what was stored."""
    if x is None or x == "":
        return None
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(str(x))


def county_name(plan: Plan) -> str:
    english = (get_language() or "").startswith("en")
    return (plan.county_en if english and plan.county_en else plan.county) or plan.code


def _names(plans: list[Plan]) -> str:
    return _("、").join(county_name(p) for p in plans)


@dataclass
class TargetLight:
    """One of the county's targets on an indicator, with the plan's milestones and its light."""

    target: Target
    light: Light
    milestones: list[tuple[int, Decimal]]


@dataclass
class Reduction:
    """A county's intensity reduction in the year against its base year, as its accounts compute it."""

    value: Decimal | None
    #: how it was computed (the accounts' words), or why it could not be
    detail: str
    targets: list[TargetLight]


@dataclass
class CountyRow:
    plan: Plan
    lights: list[tuple[Light, int]]
    #: the county's approved accounts of the year (None: not approved, figures "—")
    approved: bool
    energy_tce: Decimal | None
    co2_t: Decimal | None
    gdp_10k_yuan: Decimal | None
    energy_intensity: Decimal | None
    co2_intensity: Decimal | None
    energy_reduction: Reduction
    co2_reduction: Reduction
    key_users: int
    grades: list[tuple[int | None, int]]
    residents: int
    points_issued: int
    points_redeemed: int

    @property
    def name(self) -> str:
        return county_name(self.plan)


@dataclass
class RegionTotal:
    energy_tce: Decimal | None
    co2_t: Decimal | None
    gdp_10k_yuan: Decimal | None
    energy_intensity: Decimal | None
    co2_intensity: Decimal | None
    energy_reduction: Decimal | None
    co2_reduction: Decimal | None
    key_users: int
    grades: list[tuple[int | None, int]]
    residents: int
    points_issued: int
    points_redeemed: int


@dataclass
class RegionTable:
    region: Region
    year: int
    #: the years of which at least one county has approved accounts (newest first)
    years: list[int]
    #: the energy basis of the year's figures: 等价值 (coal_equivalent) when every county has it, else 当量值
    basis: str
    #: the base year of the region's reductions (the region's own plan's, else the counties' common one)
    base_year: int | None
    #: the intensity rounding of the region's reductions (its own plan's; None: unrounded)
    round_dp: int | None
    rows: list[CountyRow]
    total: RegionTotal
    #: why a total is "—": the counties that lack what it needs
    notes: list[str] = field(default_factory=list)
    #: the goals of the region's own plan with their lights (empty without one)
    own_statuses: list[TargetStatus] = field(default_factory=list)
    own_lights: list[tuple[Light, int]] = field(default_factory=list)


def _basis(results: list[dict[str, Any]]) -> str:
    if results and all("coal_equivalent" in r["bases"] for r in results):
        return "coal_equivalent"
    return "calorific"


def _reduction(plan: Plan, indicator: str, year: int, results: dict, statuses: list[TargetStatus]) -> Reduction:
    c = compute_indicator(plan, indicator, plan.base_year, year, results)
    targets = [
        TargetLight(s.target, s.light, sorted((m.year, m.value) for m in s.target.milestones.all()))
        for s in statuses
        if s.target.indicator == indicator and s.target.kind == TargetKind.GOAL and s.target.milestones.all()
    ]
    if isinstance(c, Computed):
        return Reduction(c.value, c.detail, targets)
    return Reduction(None, c, targets)


def default_year(per_county: list[dict[int, dict]]) -> int:
    """The newest year every county has approved; else the newest any county has; else the last year ended."""
    if per_county:
        common = set(per_county[0]).intersection(*per_county[1:])
        if common:
            return max(common)
        anyone = set().union(*per_county)
        if anyone:
            return max(anyone)
    return timezone.now().astimezone(BEIJING).year - 1


def region_table(region: Region, year: int | None = None) -> RegionTable:
    """The counties of ``region`` side by side for ``year`` (default: :func:`default_year`), with the region
    total and the notes that say what could not be totalled and why."""
    plans = list(region.plans.order_by("id"))
    results = {p.pk: approved_results(p) for p in plans}
    years = sorted(set().union(*results.values()), reverse=True) if plans else []
    if year is None:
        year = default_year([results[p.pk] for p in plans])
    basis = _basis([results[p.pk][year] for p in plans if year in results[p.pk]])

    rows = []
    for p in plans:
        r = results[p.pk].get(year)
        statuses = target_statuses(p)
        energy = r["energy"][basis] if r else {}
        keys = key_user_rows(p, year)
        graded = Counter(k["grade"] for k in keys)
        inclusion = ledger_totals(p)
        rows.append(
            CountyRow(
                plan=p,
                lights=goal_light_counts(statuses),
                approved=r is not None,
                energy_tce=_dec(energy.get("total_tce")),
                co2_t=_dec(r["co2"]["territorial_co2_t"]) if r else None,
                gdp_10k_yuan=_dec(r["gdp_10k_yuan"]) if r else None,
                energy_intensity=_dec(energy.get("energy_intensity_tce_per_10k_yuan")),
                co2_intensity=_dec(r["indicators"]["co2_intensity_t_per_10k_yuan"]) if r else None,
                energy_reduction=_reduction(p, Indicator.ENERGY_INTENSITY_REDUCTION, year, results[p.pk], statuses),
                co2_reduction=_reduction(p, Indicator.CO2_INTENSITY_REDUCTION, year, results[p.pk], statuses),
                key_users=len(keys),
                grades=[(g, graded.get(g, 0)) for g in GRADES],
                residents=inclusion["residents"],
                points_issued=inclusion["points_issued"],
                points_redeemed=inclusion["points_redeemed"],
            )
        )

    notes: list[str] = []
    own = region.own_plan
    round_dp = own.round_intensity_dp if own is not None else None
    price_years = sorted({p.base_year for p in plans})
    base_year = own.base_year if own is not None else (price_years[0] if len(price_years) == 1 else None)
    total = RegionTotal(
        energy_tce=None,
        co2_t=None,
        gdp_10k_yuan=None,
        energy_intensity=None,
        co2_intensity=None,
        energy_reduction=None,
        co2_reduction=None,
        key_users=sum(r.key_users for r in rows),
        grades=[(g, sum(dict(r.grades)[g] for r in rows)) for g in GRADES],
        residents=sum(r.residents for r in rows),
        points_issued=sum(r.points_issued for r in rows),
        points_redeemed=sum(r.points_redeemed for r in rows),
    )
    lacking = [r.plan for r in rows if not r.approved]
    if not plans:
        return RegionTable(region, year, years, basis, base_year, round_dp, rows, total, notes)
    if lacking:
        notes.append(
            _("%(counties)s 尚无 %(year)s 年已审定核算：区域能源消费总量、二氧化碳排放、强度和下降率不合计。")
            % {"counties": _names(lacking), "year": year}
        )
    else:
        total.energy_tce = sum((r.energy_tce for r in rows if r.energy_tce is not None), Decimal(0))
        total.co2_t = sum((r.co2_t for r in rows if r.co2_t is not None), Decimal(0))
        no_gdp = [r.plan for r in rows if not r.gdp_10k_yuan]
        if len(price_years) > 1:
            notes.append(
                _("各县方案的基准年不同（%(years)s），不变价地区生产总值不能相加：区域强度和下降率不计算。")
                % {"years": _("、").join(str(y) for y in price_years)}
            )
        elif no_gdp:
            notes.append(
                _("%(counties)s 缺少 %(year)s 年不变价地区生产总值：区域强度和下降率不计算。")
                % {"counties": _names(no_gdp), "year": year}
            )
        else:
            gdp = sum((r.gdp_10k_yuan for r in rows if r.gdp_10k_yuan is not None), Decimal(0))
            total.gdp_10k_yuan = gdp
            total.energy_intensity = total.energy_tce / gdp
            total.co2_intensity = total.co2_t / gdp
    if total.energy_intensity is not None and base_year is not None:  # (no base year: the price bases differ)
        _region_reductions(total, plans, results, year, base_year, round_dp, notes)

    table = RegionTable(region, year, years, basis, base_year, round_dp, rows, total, notes)
    if own is not None:
        own_statuses = target_statuses(own)
        table.own_statuses = [s for s in own_statuses if s.target.kind == TargetKind.GOAL]
        table.own_lights = goal_light_counts(own_statuses)
    return table


def _region_reductions(
    total: RegionTotal,
    plans: list[Plan],
    results: dict[int, dict[int, dict]],
    year: int,
    base_year: int,
    round_dp: int | None,
    notes: list[str],
) -> None:
    """The region's reductions from the summed base-year and current figures (every county has both years)."""
    lacking = [p for p in plans if base_year not in results[p.pk] or not results[p.pk][base_year]["gdp_10k_yuan"]]
    if lacking:
        notes.append(
            _("%(counties)s 尚无基准年 %(year)s 年已审定核算（含不变价地区生产总值）：区域下降率不计算。")
            % {"counties": _names(lacking), "year": base_year}
        )
        return
    now = [results[p.pk][year] for p in plans]
    base = [results[p.pk][base_year] for p in plans]
    basis = _basis(now + base)

    def summed(rs: list[dict], what: str) -> Decimal:
        if what == "energy":
            return sum((_dec(r["energy"][basis]["total_tce"]) or Decimal(0) for r in rs), Decimal(0))
        if what == "co2":
            return sum((_dec(r["co2"]["territorial_co2_t"]) or Decimal(0) for r in rs), Decimal(0))
        return sum((_dec(r["gdp_10k_yuan"]) or Decimal(0) for r in rs), Decimal(0))

    gdp = (summed(base, "gdp"), summed(now, "gdp"))
    try:
        _i, total.energy_reduction = intensity_reduction((summed(base, "energy"), summed(now, "energy")), gdp, round_dp)
        _i, total.co2_reduction = intensity_reduction((summed(base, "co2"), summed(now, "co2")), gdp, round_dp)
    except CalcError:
        notes.append(_("基准年区域能源消费或排放为零，下降率无意义。"))


# --- the Excel export -----------------------------------------------------------------------------------------
BASIS_ZH = {"coal_equivalent": "等价值", "calorific": "当量值"}
GRADE_ZH = {1: "1级（深绿）", 2: "2级（浅绿）", 3: "3级（黄）", 4: "4级（橙）", 5: "5级（红）", None: "未评级"}
LIGHT_ZH = {Light.RED: "红灯", Light.YELLOW: "黄灯", Light.GREEN: "绿灯", Light.NO_DATA: "无数据"}
RULES_ZH = (
    "合计列：能源消费总量、二氧化碳排放、地区生产总值和各项数量（重点用能单位、居民、积分）为各县之和，"
    "须每个县都有该年已审定核算；",
    "强度为合计能耗（排放）÷ 合计地区生产总值，不是各县强度的平均；下降率由合计的基准年与当年数据重新计算，"
    "须每个县两年都有已审定核算；",
    "红黄绿灯和百分比从不相加。",
)


def _wan(x: Decimal | None) -> float | None:
    """tce → 万吨标准煤, t → 万吨, 万元 → 亿元 (all ÷ 10 000)."""
    return None if x is None else float(x / 10000)


def _f(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def region_workbook(table: RegionTable):
    """The side-by-side table as a workbook: one row per county, then the region total, then the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    basis = BASIS_ZH[table.basis]
    headers: list[tuple[str, str, str]] = [
        ("县（市、区）", "county", ""),
        *((LIGHT_ZH[light], light.value, "0") for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.NO_DATA)),
        (f"能源消费总量（万吨标准煤，{basis}）", "energy (10k tce)", "#,##0.00"),
        ("二氧化碳排放（万吨）", "CO2 (10k t)", "#,##0.00"),
        ("地区生产总值（亿元，基准年不变价）", "GDP (100m yuan, constant prices)", "#,##0.00"),
        ("单位GDP能耗（吨标准煤/万元）", "energy intensity (tce per 10k yuan)", "0.0000"),
        ("单位GDP能耗较基准年下降", "energy intensity reduction vs base year", "0.00%"),
        ("单位GDP二氧化碳排放（吨/万元）", "CO2 intensity (t per 10k yuan)", "0.0000"),
        ("单位GDP二氧化碳排放较基准年下降", "CO2 intensity reduction vs base year", "0.00%"),
        ("重点用能单位（家）", "key energy users", "0"),
        *((GRADE_ZH[g], f"grade {g}" if g else "not graded", "0") for g in GRADES),
        ("碳普惠居民（人）", "residents", "#,##0"),
        ("累计发放积分", "points issued", "#,##0"),
        ("累计兑换积分", "points redeemed", "#,##0"),
    ]

    def figures(x: CountyRow | RegionTotal) -> list[Any]:
        e_red = x.energy_reduction.value if isinstance(x, CountyRow) else x.energy_reduction
        c_red = x.co2_reduction.value if isinstance(x, CountyRow) else x.co2_reduction
        return [
            _wan(x.energy_tce),
            _wan(x.co2_t),
            _wan(x.gdp_10k_yuan),
            _f(x.energy_intensity),
            _f(e_red),
            _f(x.co2_intensity),
            _f(c_red),
            x.key_users,
            *(n for _g, n in x.grades),
            x.residents,
            x.points_issued,
            x.points_redeemed,
        ]

    wb = Workbook()
    ws = wb.active
    ws.title = f"{table.year}年区域汇总"
    ws.append([f"{table.region.name} {table.year} 年各县（市、区）汇总"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([zh for zh, _en, _fmt in headers])
    ws.append([en for _zh, en, _fmt in headers])
    fill = PatternFill("solid", fgColor="DDE7EE")
    for cell in list(ws[2]) + list(ws[3]):
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in table.rows:
        ws.append([r.plan.county, *(n for _l, n in r.lights), *figures(r)])
    ws.append([f"{table.region.name}合计", *(["—"] * 4), *figures(table.total)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=4, max_row=ws.max_row):
        for cell, (_zh, _en, fmt) in zip(row, headers, strict=True):
            if cell.value is None:
                cell.value = "—"
            elif fmt:
                cell.number_format = fmt
    ws.append([])
    ws.append(["说明"])
    ws[ws.max_row][0].font = Font(bold=True)
    if table.base_year is not None:
        ws.append([f"下降率为 {table.year} 年较 {table.base_year} 年（各县按本县方案基准年）。"])
    for line in (*table.notes, *RULES_ZH):
        ws.append([line])
    ws.column_dimensions["A"].width = 22
    for i in range(2, len(headers) + 1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = 14
    ws.row_dimensions[2].height = 48
    ws.freeze_panes = "B4"
    return wb
