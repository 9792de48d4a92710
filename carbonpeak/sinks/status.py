"""A year's forest figures from the stored survey rows (DB → core): land and forest area, coverage, arbor stock, the
sink by species group (stock difference Y−1 → Y with the factor library's ``forest.<group>`` parameters and
``core.forest``), a gain-loss estimate where harvest data exist, the NE lines and the data-quality checks.

``compute(plan, year)`` returns the full figures (pages, approval); ``status_json`` keeps the keys of the script
contract (issue 17). Sinks are positive (removals).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from carbonpeak.core import forest
from carbonpeak.core.factors import FactorSet as CoreFactorSet
from carbonpeak.sinks.choices import FOREST_CLASSES, LandClass
from carbonpeak.sinks.models import ForestStand, Harvest

PARAM_SUFFIXES = {"wd": "wood_density_t_per_m3", "bef": "bef", "r": "root_shoot_ratio", "cf": "carbon_fraction"}
#: the group every survey may use for species the library does not name (its parameters, if any, are forest.other.*)
OTHER = "other"
STOCK_FALL_LIMIT = Decimal("0.10")
Q2 = Decimal("0.01")
#: the land classes whose biomass has no parameters yet: reported as NE (not estimated)
NE_CLASSES = (LandClass.BAMBOO, LandClass.SPECIAL_SHRUB, LandClass.OTHER_SHRUB)
ZH_SUFFIX = "基本木材密度"


@dataclass(frozen=True)
class GroupParams:
    group: str
    name_zh: str
    values: dict[str, Decimal] | None  # None: a parameter is missing
    grade: str  # the weakest grade of the four (C before B before A)

    @property
    def factor(self) -> Decimal | None:
        if self.values is None:
            return None
        return forest.carbon_factor_tc_per_m3(
            self.values["wood_density_t_per_m3"],
            self.values["bef"],
            self.values["root_shoot_ratio"],
            self.values["carbon_fraction"],
        )


def species_groups(fs: CoreFactorSet) -> dict[str, GroupParams]:
    """The species groups the factor set names (``forest.<group>.wd|bef|r|cf``), and ``other``."""
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for key in fs:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "forest" and parts[2] in PARAM_SUFFIXES:
            found[parts[1]][parts[2]] = fs.factor(key)
    found.setdefault(OTHER, {})
    out = {}
    for g, facs in found.items():
        wd = facs.get("wd")
        name = wd.name_zh.removesuffix(ZH_SUFFIX) if wd is not None and wd.name_zh else ""
        if g == OTHER and not name:
            name = "其他树种"
        complete = all(s in facs and facs[s].value is not None for s in PARAM_SUFFIXES)
        values = {PARAM_SUFFIXES[s]: facs[s].value for s in PARAM_SUFFIXES} if complete else None
        grades = {f.grade for f in facs.values()}
        grade = "C" if "C" in grades else "B" if "B" in grades else ("A" if grades else "")
        out[g] = GroupParams(g, name or g, values, grade)
    return out


def q2(d: Decimal) -> Decimal:
    return d.quantize(Q2, rounding=ROUND_HALF_UP)


def _f(d: Decimal | None, places: Decimal = Q2) -> float | None:
    return None if d is None else float(d.quantize(places, rounding=ROUND_HALF_UP))


def _totals(plan: Any, years: list[int]) -> dict[int, dict[tuple[str, str, str], tuple[Decimal, Decimal]]]:
    """``{year: {(township, land_class, species_group): (area_ha, stock_m3)}}`` summed over sub-compartments."""
    out: dict[int, dict[tuple[str, str, str], tuple[Decimal, Decimal]]] = {y: {} for y in years}
    rows = (
        ForestStand.objects.filter(plan=plan, year__in=years)
        .values_list("year", "township", "land_class", "species_group")
        .annotate(a=Sum("area_ha"), s=Sum("stock_m3"))
        .order_by()
    )
    for y, t, c, g, a, s in rows:
        out[y][(t, c, g)] = (Decimal(a), Decimal(s))
    return out


def _txt(d: Decimal) -> str:
    """A quantity in messages, without trailing zeros (the same on SQLite and PostgreSQL)."""
    return format(d.normalize(), "f")


def _check(code: str, severity: str, zh: str, en: str) -> dict[str, str]:
    return {"code": code, "severity": severity, "message_zh": zh, "message_en": en}


def compute(plan: Any, year: int, fs: CoreFactorSet) -> dict[str, Any] | None:
    """The year's figures, or None when the year has no rows."""
    data = _totals(plan, [year - 1, year])
    cur, prev = data[year], data[year - 1]
    if not cur:
        return None
    groups = species_groups(fs)
    checks: list[dict[str, str]] = []

    def land(rows: dict, town: str | None = None) -> Decimal:
        return sum((a for (t, _c, _g), (a, _s) in rows.items() if town is None or t == town), Decimal(0))

    def forest_area(rows: dict, town: str | None = None) -> Decimal:
        return sum(
            (a for (t, c, _g), (a, _s) in rows.items() if c in FOREST_CLASSES and (town is None or t == town)),
            Decimal(0),
        )

    def arbor(rows: dict, town: str | None = None) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for (t, c, g), (_a, s) in rows.items():
            if c == LandClass.ARBOR and (town is None or t == town):
                out[g] += s
        return out

    land_area = land(cur)
    f_area = forest_area(cur)
    stock_by_group = arbor(cur)
    stock = sum(stock_by_group.values(), Decimal(0))
    coverage = forest.coverage_pct(f_area, land_area) if land_area > 0 else None
    if land_area <= 0:
        checks.append(_check("no_land_area", "error", "土地面积为 0，无法计算森林覆盖率", "the land area is 0"))

    # the sink by species group: stock difference Y−1 → Y
    have_prev = bool(prev)
    prev_by_group = arbor(prev) if have_prev else {}
    by_group = []
    sink: Decimal | None = Decimal(0) if have_prev else None
    missing_params: list[str] = []
    grade_c: list[str] = []
    for g in sorted(set(stock_by_group) | set(prev_by_group)):
        p = groups.get(g)
        v1, v0 = stock_by_group.get(g, Decimal(0)), prev_by_group.get(g, Decimal(0))
        name = p.name_zh if p else g
        row: dict[str, Any] = {
            "species_group": g,
            "name": name,
            "stock_m3": _f(v1),
            "previous_stock_m3": _f(v0) if have_prev else None,
            "grade": p.grade if p else "",
            "sink_tco2": None,
        }
        if p is None or p.factor is None:
            missing_params.append(name)
        else:
            if p.grade == "C":
                grade_c.append(name)
            row["carbon_factor_tc_per_m3"] = float(p.factor)
            if have_prev:
                _c, s = forest.stock_difference((v0, v1), (year - 1, year), p.factor)
                row["sink_tco2"] = _f(s)
                assert sink is not None
                sink += s
        by_group.append(row)
    if not have_prev:
        checks.append(
            _check(
                "no_previous_year",
                "warning",
                f"缺少 {year - 1} 年森林资源数据，无法按蓄积量差计算 {year} 年碳汇",
                f"no {year - 1} forest data: the {year} sink (stock difference) cannot be computed",
            )
        )
    if missing_params:
        names = "、".join(missing_params)
        checks.append(
            _check(
                "no_parameters",
                "warning",
                f"以下树种组在因子库中没有参数，其碳汇未计入：{names}",
                f"species groups without parameters in the factor library (their sink is not counted): {names}",
            )
        )
    if grade_c:
        names = "、".join(grade_c)
        checks.append(
            _check(
                "grade_c_parameters",
                "warning",
                f"以下树种组的参数为占位值（须人工核实后再用于正式报告）：{names}",
                f"grade-C (placeholder) parameters used for: {names}",
            )
        )

    # by township
    towns_cur = sorted({t for (t, _c, _g) in cur})
    towns_prev = {t for (t, _c, _g) in prev}
    by_township = []
    for t in towns_cur:
        la = land(cur, t)
        t_stock = arbor(cur, t)
        t_sink: Decimal | None = None
        if t in towns_prev:
            t_prev = arbor(prev, t)
            t_sink = Decimal(0)
            for g in set(t_stock) | set(t_prev):
                p = groups.get(g)
                if p is None or p.factor is None:
                    continue
                t_sink += forest.stock_difference(
                    (t_prev.get(g, Decimal(0)), t_stock.get(g, Decimal(0))), (year - 1, year), p.factor
                )[1]
            la0 = land(prev, t)
            if la0 != la:
                checks.append(
                    _check(
                        "township_land_area_changed",
                        "warning",
                        f"{t}：土地面积由 {_txt(la0)} 公顷变为 {_txt(la)} 公顷（{year - 1}→{year}）",
                        f"{t}: land area changed from {_txt(la0)} ha to {_txt(la)} ha ({year - 1}→{year})",
                    )
                )
            s0, s1 = sum(t_prev.values(), Decimal(0)), sum(t_stock.values(), Decimal(0))
            if s0 > 0 and (s0 - s1) / s0 > STOCK_FALL_LIMIT:
                checks.append(
                    _check(
                        "stock_fall",
                        "warning",
                        f"{t}：乔木林蓄积量下降 {q2((s0 - s1) * 100 / s0)}%（超过 10%）",
                        f"{t}: arbor stock fell by {q2((s0 - s1) * 100 / s0)} % (more than 10 %)",
                    )
                )
        elif have_prev:
            checks.append(
                _check(
                    "township_only_in_one_year",
                    "warning",
                    f"{t}：{year - 1} 年没有数据（土地面积变化），该乡镇碳汇不单列",
                    f"{t}: no {year - 1} rows (land area changed); no township sink",
                )
            )
        by_township.append(
            {
                "township": t,
                "land_area_ha": _f(la),
                "forest_area_ha": _f(forest_area(cur, t)),
                "coverage_pct": float(forest.coverage_pct(forest_area(cur, t), la)) if la > 0 else None,
                "stock_m3": _f(sum(t_stock.values(), Decimal(0))),
                "sink_tco2": _f(t_sink),
            }
        )
    for t in sorted(towns_prev - set(towns_cur)):
        checks.append(
            _check(
                "township_only_in_one_year",
                "warning",
                f"{t}：只有 {year - 1} 年数据，{year} 年没有（土地面积变化）",
                f"{t}: rows in {year - 1} only, none in {year} (land area changed)",
            )
        )
    if have_prev:
        s0 = sum(prev_by_group.values(), Decimal(0))
        if s0 > 0 and (s0 - stock) / s0 > STOCK_FALL_LIMIT:
            checks.append(
                _check(
                    "stock_fall",
                    "warning",
                    f"全县乔木林蓄积量下降 {q2((s0 - stock) * 100 / s0)}%（超过 10%）",
                    f"county arbor stock fell by {q2((s0 - stock) * 100 / s0)} % (more than 10 %)",
                )
            )

    # NE lines: bamboo and shrub biomass
    not_estimated = []
    for c in NE_CLASSES:
        area = sum((a for (_t, cc, _g), (a, _s) in cur.items() if cc == c), Decimal(0))
        if area > 0:
            not_estimated.append({"land_class": c.value, "name": str(c.label), "area_ha": _f(area), "notation": "NE"})
            checks.append(
                _check(
                    "not_estimated",
                    "info",
                    f"{c.label}生物量碳汇：未估算（尚无参数）",
                    f"{c.value} biomass sink: NE (not estimated, no parameters yet)",
                )
            )

    by_class = []
    for c in LandClass:
        a = sum((a for (_t, cc, _g), (a, _s) in cur.items() if cc == c), Decimal(0))
        s = sum((s for (_t, cc, _g), (_a, s) in cur.items() if cc == c), Decimal(0))
        by_class.append({"land_class": c.value, "name": str(c.label), "area_ha": _f(a), "stock_m3": _f(s)})

    return {
        "year": year,
        "land_area_ha": _f(land_area),
        "forest_area_ha": _f(f_area),
        "coverage_pct": float(coverage) if coverage is not None else None,
        "stock_m3": _f(stock),
        "sink_tco2": _f(sink),
        "factor_set": fs.version,
        "by_township": by_township,
        "by_class": by_class,
        "by_group": by_group,
        "not_estimated": not_estimated,
        "gain_loss": gain_loss(plan, year, groups, prev_by_group or stock_by_group, have_prev),
        "method": fs.method(
            "forest_sink:stock_difference (ΔV×wood_density×BEF×(1+root_shoot_ratio)×carbon_fraction×44/12, "
            "arbor land by species group)"
        ),
        "checks": checks,
    }


def gain_loss(
    plan: Any, year: int, groups: dict[str, GroupParams], opening: dict[str, Decimal], opening_is_prev: bool
) -> dict[str, Any] | None:
    """The gain-loss estimate where harvest data exist: (stock × growth rate − harvest) × factor × 44/12 per group
    with harvest data; the stock is the opening stock (Y−1) where it exists, else the year's own."""
    rows = list(Harvest.objects.filter(plan=plan, year=year).order_by("species_group"))
    if not rows:
        return None
    total = Decimal(0)
    out = []
    for h in rows:
        p = groups.get(h.species_group)
        v = opening.get(h.species_group, Decimal(0))
        s = None
        if p is not None and p.factor is not None:
            s = forest.gain_loss(v, h.growth_rate, h.harvest_m3, p.factor)
            total += s
        out.append(
            {
                "species_group": h.species_group,
                "name": p.name_zh if p else h.species_group,
                "growth_rate": float(h.growth_rate),
                "harvest_m3": float(h.harvest_m3),
                "sink_tco2": _f(s),
            }
        )
    basis = f"{year - 1}年末蓄积" if opening_is_prev else f"{year}年蓄积"
    return {
        "method": f"生长-消耗法（蓄积×生长率−采伐量）×碳转换系数×44/12，以{basis}为基数",
        "sink_tco2": _f(total),
        "by_group": out,
    }


STATUS_KEYS = (
    "year",
    "land_area_ha",
    "forest_area_ha",
    "coverage_pct",
    "stock_m3",
    "sink_tco2",
    "factor_set",
    "by_township",
    "checks",
)
TOWNSHIP_KEYS = ("township", "coverage_pct", "stock_m3", "sink_tco2")


def status_json(res: dict[str, Any]) -> dict[str, Any]:
    """The script contract's keys (issue 17)."""
    out = {k: res[k] for k in STATUS_KEYS}
    out["by_township"] = [{k: t[k] for k in TOWNSHIP_KEYS} for t in res["by_township"]]
    return out
