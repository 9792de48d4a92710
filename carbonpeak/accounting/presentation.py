"""What the accounting pages show: names, chart data and the year-on-year table (no state changes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carbonpeak.core import accounts
from carbonpeak.core.factors import FactorSet
from carbonpeak.core.limits import YOY_CHANGE_FLAG

GROUP_NAMES = {
    "energy": gettext_lazy("能源生产与加工转换"),
    "industry": gettext_lazy("工业"),
    "construction": gettext_lazy("建筑业"),
    "transport": gettext_lazy("交通运输"),
    "services": gettext_lazy("服务业"),
    "households": gettext_lazy("居民生活"),
    "agriculture": gettext_lazy("农林牧渔业"),
}
COLUMN_NAMES = {
    "production": gettext_lazy("一次能源生产"),
    "inflow": gettext_lazy("调入"),
    "outflow": gettext_lazy("调出（-）"),
    "supply": gettext_lazy("可供本地消费量"),
    "transformation_input": gettext_lazy("加工转换投入"),
    "transformation_output": gettext_lazy("加工转换产出"),
    "loss": gettext_lazy("损失"),
    "final": gettext_lazy("终端消费合计"),
    **{f"final.{g}": name for g, name in GROUP_NAMES.items()},
}


def carrier_names(fs: FactorSet) -> dict[str, str]:
    out = {"electricity": _("电力"), "heat": _("热力")}
    for c in fs.carriers:
        for fam in ("tce", "ncv", "ef_co2"):
            f = fs.get(f"{fam}.{c}")
            if f is not None and f.name_zh:
                out.setdefault(c, f.name_zh.replace("低位发热量", ""))
                break
    return out


def group_chart(res: dict[str, Any]) -> dict[str, Any]:
    groups = [g for g in accounts.GROUPS]
    return {
        "categories": [str(GROUP_NAMES[g]) for g in groups],
        "stack": True,
        "unit": _("吨 CO₂"),
        "series": [
            {
                "name": _("直接排放"),
                "data": [round(res["by_group"][g]["direct_co2_t"], 1) for g in groups],
                "color": "#0b6e4f",
            },
            {
                "name": _("间接排放（电力、热力）"),
                "data": [round(res["by_group"][g]["indirect_co2_t"], 1) for g in groups],
                "color": "#8fbfa8",
            },
        ],
    }


def carrier_chart(res: dict[str, Any], names: dict[str, str], basis: str) -> dict[str, Any]:
    return {
        "title": _("终端及加工转换能源消费构成（tce）"),
        "data": [
            {"name": names.get(c, c), "value": round(v["energy_tce"][basis], 1)}
            for c, v in res["by_carrier"].items()
            if v["energy_tce"][basis] > 0
        ],
    }


def trend_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Emissions in 万吨 CO₂ and energy in 万吨标准煤: one axis, both in 10 000 t, the unit named on it."""
    years = [r["inv"].year for r in rows]
    return {
        "categories": [str(y) for y in years],
        "unit": _("万吨（CO₂ / 标准煤）"),
        "series": [
            {
                "name": _("区域二氧化碳排放（万吨）"),
                "type": "bar",
                "data": [round(r["res"]["co2"]["territorial_co2_t"] / 10000, 2) for r in rows],
            },
            {
                "name": _("净排放（扣除碳汇，万吨）"),
                "type": "line",
                "data": [round(r["res"]["co2"]["net_co2_t"] / 10000, 2) for r in rows],
            },
            {
                "name": _("能源消费总量（万吨标准煤）"),
                "type": "line",
                "data": [round(r["res"]["energy"][r["basis"]]["total_tce"] / 10000, 2) for r in rows],
            },
        ],
    }


def _change(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b - 1


def yoy_rows(res: dict[str, Any], prev: dict[str, Any], basis: str) -> list[dict[str, Any]]:
    """This year against the previous one: totals, then each sector group."""
    pb = basis if basis in prev["bases"] else "calorific"
    rows = [
        {
            "name": _("区域二氧化碳排放（t）"),
            "now": res["co2"]["territorial_co2_t"],
            "before": prev["co2"]["territorial_co2_t"],
        },
        {"name": _("直接排放（t）"), "now": res["co2"]["direct_co2_t"], "before": prev["co2"]["direct_co2_t"]},
        {
            "name": _("能源消费总量（tce）"),
            "now": res["energy"][basis]["total_tce"],
            "before": prev["energy"][pb]["total_tce"],
        },
    ]
    for g in accounts.GROUPS:
        now = res["by_group"][g]["energy_tce"][basis]
        before = prev["by_group"][g]["energy_tce"][pb]
        rows.append({"name": f"{GROUP_NAMES[g]} {_('能耗（tce）')}", "now": now, "before": before})
    for r in rows:
        r["change"] = _change(r["now"], r["before"])
        r["flag"] = r["change"] is not None and abs(r["change"]) > YOY_CHANGE_FLAG
    return rows


EFFECT_NAMES = {
    "population": gettext_lazy("人口"),
    "affluence": gettext_lazy("人均GDP"),
    "energy_intensity": gettext_lazy("能耗强度"),
    "carbon_intensity": gettext_lazy("碳强度（单位能耗排放）"),
    "sector_structure": gettext_lazy("部门结构"),
    "fuel_mix": gettext_lazy("品种结构"),
    "emission_factor": gettext_lazy("排放因子"),
}


def _cells(res: dict[str, Any]) -> dict[tuple[str, str], tuple[float, float]]:
    cells: dict[tuple[str, str], list[float]] = {}
    for r in res["lines"]:
        if r["scope"] == "none":
            continue
        c = cells.setdefault((r["group"], r["carrier"]), [0.0, 0.0])
        c[0] += r["energy_tce"]["calorific"]
        c[1] += r["co2_t"]
    return {k: (v[0], v[1]) for k, v in cells.items()}


def decomposition(res: dict[str, Any], inv: Any, base_res: dict[str, Any], base_inv: Any) -> dict[str, Any] | None:
    """LMDI between the base year and this year: Kaya on territorial CO2, and over sectors and fuels on the
    scope-1+2 cells. None when either year lacks population or GDP."""
    from decimal import Decimal

    from carbonpeak.core.errors import CalcError
    from carbonpeak.core.lmdi import lmdi, lmdi_sectoral

    if not (inv.population and inv.gdp_10k_yuan and base_inv.population and base_inv.gdp_10k_yuan):
        return None
    basis = (
        "coal_equivalent"
        if "coal_equivalent" in res["bases"] and "coal_equivalent" in base_res["bases"]
        else "calorific"
    )

    def kaya_side(r: dict[str, Any], i: Any) -> dict[str, Decimal]:
        return {
            "population": Decimal(i.population),
            "gdp": Decimal(i.gdp_10k_yuan),
            "energy": Decimal(repr(r["energy"][basis]["total_tce"])),
            "co2": Decimal(repr(r["co2"]["territorial_co2_t"])),
        }

    try:
        kaya, ktotal = lmdi(kaya_side(base_res, base_inv), kaya_side(res, inv))
        sect, stotal = lmdi_sectoral(
            {"population": base_inv.population, "gdp": base_inv.gdp_10k_yuan, "cells": _cells(base_res)},
            {"population": inv.population, "gdp": inv.gdp_10k_yuan, "cells": _cells(res)},
        )
    except (CalcError, ArithmeticError):
        return None
    return {
        "base_year": base_inv.year,
        "basis": basis,
        "kaya": [{"name": EFFECT_NAMES[k], "value": float(v)} for k, v in kaya.items()],
        "kaya_total": float(ktotal),
        "sectoral": [{"name": EFFECT_NAMES[k], "value": float(v)} for k, v in sect.items()],
        "sectoral_total": float(stotal),
    }


def check_rows(
    checks: list[dict[str, Any]],
    sector_names: dict[str, str],
    carrier_names: dict[str, str],
    factor_names: dict[str, str],
    factors: dict[str, Any],
) -> list[dict[str, Any]]:
    """The calculation core's data-quality checks in words: sector, carrier and factor codes by their names,
    notation keys (NE) by their meaning. The core's own message stays as ``detail`` (shown behind 详情)."""
    from django.utils.translation import get_language

    from carbonpeak.accounting import method_text
    from carbonpeak.accounting.choices import Notation

    en = (get_language() or "").startswith("en")
    notations = {c: str(label).partition(" ")[2] or str(label) for c, label in Notation.choices}

    def fname(k: str) -> str:
        f = factors.get(k)
        return method_text.factor_name(f.name_zh, f.name_en, k) if f is not None else k

    words = {**sector_names, **carrier_names, **factor_names}
    rows = []
    for c in checks:
        detail = c["message_en"] if en else c["message_zh"]
        f = factors.get(c["field"])
        if c["code"] == "grade_c_factor" and f is not None:
            unit = method_text.factor_unit(f.unit)
            text = (
                f"uses an unverified factor: {fname(c['field'])} = {f.value} {unit}"
                if en
                else f"使用了待确认因子：{fname(c['field'])} = {f.value} {unit}"
            )
        else:
            tokens = detail.split(" ")
            out = []
            for i, t in enumerate(tokens):
                before = tokens[i - 1] if i else ""
                if before in ("标注为", "marked") and t in notations:
                    out.append(notations[t])
                elif t.rstrip(",") in words:
                    out.append(words[t.rstrip(",")] + ("," if t.endswith(",") else ""))
                else:
                    out.append(t)
            text = " ".join(out)
        rows.append({**c, "text": text, "detail": detail})
    return rows
